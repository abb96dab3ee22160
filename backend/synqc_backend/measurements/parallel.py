"""Many qubits in the same circuits: a one-qubit circuit run on every qubit at once, and each
qubit's own view of the counts.

Qubit k of a broadcast circuit writes the one-qubit circuit's classical bits j into bits
k·c + j (c = the one-qubit circuit's classical bits), so its outcomes read off the counts'
keys by position; the x value of a circuit is the same for every qubit.
"""

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import NDArray
from qiskit import QuantumCircuit
from qiskit.circuit import CircuitInstruction, Instruction

from synqc_backend.execution import BatchOutcome, CircuitBatch


def broadcast(circuit: QuantumCircuit, width: int) -> QuantumCircuit:
    """`circuit` (one qubit, measured at the end) on each of `width` qubits at once; itself
    when `width` is 1."""
    if width == 1:
        return circuit
    bits = circuit.num_clbits
    wide = QuantumCircuit(width, width * bits, name=circuit.name)
    body = [item for item in circuit.data if item.name != "measure"]
    measures = [item for item in circuit.data if item.name == "measure"]
    if list(circuit.data[len(body) :]) != measures:
        raise ValueError("broadcast needs every measurement at the end of the circuit")
    for k in range(width):
        for item in body:
            wide._append(item.operation, (wide.qubits[k],), ())
    _measure_every_qubit(wide, circuit, measures)
    return wide


def broadcast_block(sequence: QuantumCircuit, width: int, name: str) -> QuantumCircuit:
    """A long one-qubit `sequence` (no classical bits) as one block instruction on each of
    `width` qubits, each measured into its own bit: an RB sequence of thousands of gates is
    built once, not once per qubit. Targets that need gates unroll the block's definition."""
    block = Instruction(name, 1, 0, [])
    block.definition = sequence
    wide = QuantumCircuit(width, width, name=name)
    for k in range(width):
        wide._append(block, (wide.qubits[k],), ())
    for k in range(width):
        wide.measure(k, k)
    return wide


def _measure_every_qubit(
    wide: QuantumCircuit, circuit: QuantumCircuit, measures: Sequence[CircuitInstruction]
) -> None:
    bits = circuit.num_clbits
    for k in range(wide.num_qubits):
        for item in measures:
            bit = circuit.find_bit(item.clbits[0]).index
            wide._append(item.operation, (wide.qubits[k],), (wide.clbits[k * bits + bit],))


def broadcast_batch(batch: CircuitBatch, qubits: Sequence[int]) -> CircuitBatch:
    """The one-qubit `batch` on every physical qubit of `qubits`, in the same circuits."""
    if len(qubits) == 1:
        return replace(batch, layout=(qubits[0],))
    circuits = tuple(broadcast(circuit, len(qubits)) for circuit in batch.circuits)
    return replace(batch, circuits=circuits, layout=tuple(qubits))


def views_by_qubit(
    outcomes: Sequence[BatchOutcome], qubits: Sequence[int]
) -> dict[int, list[BatchOutcome]]:
    """For each physical qubit of `qubits`, every outcome that measured it as that qubit alone
    saw it (its bits of every key, layout its own); each wide batch's keys are read once."""
    views: dict[int, list[BatchOutcome]] = {q: [] for q in qubits}
    for outcome in outcomes:
        layout = outcome.batch.layout or (0,)
        wanted = [q for q in qubits if q in layout]
        if len(layout) == 1:
            for q in wanted:
                views[q].append(outcome)
            continue
        tables = [_bit_table(counts, len(layout)) for counts in outcome.result.counts]
        for q in wanted:
            position = layout.index(q)
            counts = tuple(_marginal(table, position) for table in tables)
            batch = replace(outcome.batch, circuits=(), layout=(q,))
            views[q].append(BatchOutcome(batch, replace(outcome.result, counts=counts)))
    return views


@dataclass(frozen=True)
class _BitTable:
    """A wide circuit's counts as numbers: `groups[i, k]` is the bits qubit k wrote in key i,
    read as a binary number of `bits` digits; `counts[i]` the shots of key i."""

    groups: NDArray[np.int64]
    counts: NDArray[np.int64]
    bits: int


def _bit_table(counts: dict[str, int], width: int) -> _BitTable:
    keys = [key.replace(" ", "") for key in counts]
    per_qubit = len(keys[0]) // width if keys else 1
    characters = np.frombuffer("".join(keys).encode("ascii"), dtype=np.uint8).astype(np.int64)
    # Key characters run from the highest bit to bit 0: reversed, qubit k's bits come k-th.
    bits = (characters - ord("0")).reshape(len(keys), width * per_qubit)[:, ::-1]
    weights = 1 << np.arange(per_qubit)
    groups = (bits.reshape(len(keys), width, per_qubit) * weights).sum(axis=2)
    return _BitTable(groups, np.fromiter(counts.values(), np.int64, len(keys)), per_qubit)


def _marginal(table: _BitTable, position: int) -> dict[str, int]:
    """Counts of the bits qubit `position` wrote, keyed by those bits."""
    totals = np.bincount(table.groups[:, position], weights=table.counts, minlength=2)
    return {format(value, f"0{table.bits}b"): int(n) for value, n in enumerate(totals) if n > 0}
