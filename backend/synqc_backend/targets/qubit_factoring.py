"""Circuits that factor into independent qubits, and their exact execution qubit by qubit.

Under sim_local's noise model every qubit has its own channels and no two-qubit gate couples
them, so a circuit of one-qubit instructions (and blocks of them), each qubit measured at the
end, has a product outcome distribution: each qubit's part is composed exactly
(`channel_executor`) and its bits are drawn independently of the others'. This is what lets a
127-qubit `health` run in seconds where a density matrix of 127 qubits cannot exist.

A qubit measured m times in a row at the end reads its collapsed state m times, each through
its own readout error: P(r₁…r_m) = Σ_s P(s) Π_j R[s, r_j], as Aer's projective measurement
with a readout error gives it.
"""

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from qiskit import QuantumCircuit
from qiskit.circuit import CircuitInstruction

from synqc_backend.targets.channel_executor import (
    EXACT_OPS,
    BlockCache,
    QubitChannels,
    channel_plan,
    is_exact_block,
)

_ONE_QUBIT_OPS = EXACT_OPS - {"measure", "barrier"}


@dataclass(frozen=True)
class QubitPart:
    """What circuit qubit `qubit` undergoes: `instructions`, then measurements into `clbits`."""

    qubit: int
    instructions: tuple[CircuitInstruction, ...]
    clbits: tuple[int, ...]


def factored_parts(
    circuit: QuantumCircuit, blocks: BlockCache | None = None
) -> tuple[QubitPart, ...] | None:
    """Each measured qubit's part when the circuit factors into independent qubits, else None.

    It factors when every instruction but barriers acts on one qubit and is in sim_local's
    exact set (or a block of them), every qubit's measurements come after all its other
    instructions, no classical bit is written twice, and there is no control flow.
    """
    if circuit.num_parameters:
        return None
    instructions: dict[int, list[CircuitInstruction]] = {}
    clbits: dict[int, list[int]] = {}
    written: set[int] = set()
    for item in circuit.data:
        name = item.name
        if name == "barrier":
            continue
        if len(item.qubits) != 1:
            return None
        qubit = circuit.find_bit(item.qubits[0]).index
        if name == "measure":
            bit = circuit.find_bit(item.clbits[0]).index
            if bit in written:
                return None
            written.add(bit)
            clbits.setdefault(qubit, []).append(bit)
            continue
        if qubit in clbits or item.clbits:
            return None  # an instruction after the qubit's measurement, or a classical one
        if name not in _ONE_QUBIT_OPS and not is_exact_block(item.operation, blocks):
            return None
        instructions.setdefault(qubit, []).append(item)
    return tuple(
        QubitPart(qubit, tuple(instructions.get(qubit, ())), tuple(bits))
        for qubit, bits in sorted(clbits.items())
    )


def sample_factored(
    circuit: QuantumCircuit,
    parts: Sequence[QubitPart],
    channels: Sequence[QubitChannels],
    shots: int,
    rng: np.random.Generator,
    blocks: BlockCache,
) -> dict[str, int]:
    """Counts of `circuit` from its parts, `channels[i]` being part i's qubit's channels.

    Keys are bitstrings over every classical bit (bit 0 rightmost), as Aer writes them.
    """
    bits = np.zeros((shots, circuit.num_clbits), dtype=np.uint8)
    for part, qubit in zip(parts, channels, strict=True):
        plan = channel_plan(part.instructions, blocks)
        if plan is None:
            raise ValueError("a factored part holds an instruction outside the exact set")
        excited = qubit.excited(plan, blocks)
        state = rng.random(shots) < excited
        for bit in part.clbits:
            # Each read of the collapsed state goes through the readout error on its own.
            flip_to_one = qubit.readout[state.astype(np.intp), 1]
            bits[:, bit] = rng.random(shots) < flip_to_one
    return _counts(bits)


def _counts(bits: NDArray[np.uint8]) -> dict[str, int]:
    rows, counts = np.unique(bits[:, ::-1], axis=0, return_counts=True)
    characters = (rows + ord("0")).astype(np.uint8)
    return {
        row.tobytes().decode("ascii"): int(n) for row, n in zip(characters, counts, strict=True)
    }
