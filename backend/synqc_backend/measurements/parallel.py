"""Many qubits in the same circuits: a one-qubit circuit run on every qubit at once, and each
qubit's own view of the counts.

Qubit k of a broadcast circuit writes the one-qubit circuit's classical bits j into bits
k·c + j (c = the one-qubit circuit's classical bits), so its outcomes read off the counts'
keys by position; the x value of a circuit is the same for every qubit.
"""

from collections import Counter
from collections.abc import Sequence
from dataclasses import replace

from qiskit import QuantumCircuit

from synqc_backend.execution import BatchOutcome, CircuitBatch

# A one-qubit circuit longer than this goes into a broadcast circuit as one block instruction
# per qubit (an RB sequence of thousands of gates), not gate by gate.
BLOCK_ABOVE = 16


def broadcast(circuit: QuantumCircuit, width: int) -> QuantumCircuit:
    """`circuit` (one qubit) on each of `width` qubits at once; itself when `width` is 1."""
    if width == 1:
        return circuit
    bits = circuit.num_clbits
    wide = QuantumCircuit(width, width * bits, name=circuit.name)
    body = [item for item in circuit.data if item.operation.name != "measure"]
    measures = [item for item in circuit.data if item.operation.name == "measure"]
    if list(circuit.data[len(body) :]) != measures:
        raise ValueError("broadcast needs every measurement at the end of the circuit")
    block = None
    if len(body) > BLOCK_ABOVE:
        unmeasured = QuantumCircuit(1, name=circuit.name)
        for item in body:
            unmeasured._append(item.operation, (unmeasured.qubits[0],), ())
        block = unmeasured.to_instruction(label=circuit.name)
    for k in range(width):
        if block is not None:
            wide._append(block, (wide.qubits[k],), ())
        else:
            for item in body:
                wide._append(item.operation, (wide.qubits[k],), ())
    for k in range(width):
        for item in measures:
            bit = circuit.find_bit(item.clbits[0]).index
            wide._append(item.operation, (wide.qubits[k],), (wide.clbits[k * bits + bit],))
    return wide


def broadcast_batch(batch: CircuitBatch, qubits: Sequence[int]) -> CircuitBatch:
    """The one-qubit `batch` on every physical qubit of `qubits`, in the same circuits."""
    if len(qubits) == 1:
        return replace(batch, layout=(qubits[0],))
    circuits = tuple(broadcast(circuit, len(qubits)) for circuit in batch.circuits)
    return replace(batch, circuits=circuits, layout=tuple(qubits))


def qubit_view(outcome: BatchOutcome, qubit: int) -> BatchOutcome | None:
    """The outcome as physical `qubit` alone saw it (its bits of every key), or None when the
    batch did not measure it."""
    layout = outcome.batch.layout or (0,)
    if qubit not in layout:
        return None
    if len(layout) == 1:
        return outcome
    position = layout.index(qubit)
    counts = tuple(_marginal(c, len(layout), position) for c in outcome.result.counts)
    batch = replace(outcome.batch, circuits=(), layout=(qubit,))
    return BatchOutcome(batch, replace(outcome.result, counts=counts))


def qubit_views(outcomes: Sequence[BatchOutcome], qubit: int) -> list[BatchOutcome]:
    """Every outcome that measured `qubit`, each as `qubit_view` shows it."""
    return [view for o in outcomes if (view := qubit_view(o, qubit)) is not None]


def _marginal(counts: dict[str, int], width: int, position: int) -> dict[str, int]:
    """Counts of the bits qubit `position` of `width` wrote (keys read right to left)."""
    marginal: Counter[str] = Counter()
    for key, n in counts.items():
        bits = key.replace(" ", "")
        per_qubit = len(bits) // width
        end = len(bits) - position * per_qubit
        marginal[bits[end - per_qubit : end]] += n
    return dict(marginal)
