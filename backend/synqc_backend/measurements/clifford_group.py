"""The 24-element single-qubit Clifford group: elements as rz/sx/x circuits, products, inverses."""

from functools import cache
from itertools import product

import numpy as np
from qiskit import QuantumCircuit, QuantumRegister
from qiskit.circuit import CircuitInstruction, Instruction
from qiskit.quantum_info import Operator
from qiskit.synthesis import OneQubitEulerDecomposer

GROUP_ORDER = 24
# The one-qubit register every Clifford sequence is built on (`CliffordGroup.placed`).
SEQUENCE_REGISTER = QuantumRegister(1, "q")


class CliffordGroup:
    """Elements indexed 0..23 (0 = identity), each decomposed once into rz/sx/x gates.

    - `multiply[a, b]` is the index of "apply a, then b".
    - `inverse[a]` undoes a.
    - `gates[a]` are a's rz/sx/x gates, `blocks[a]` one instruction defined by them, and
      `placed[a]` that instruction on the qubit of `SEQUENCE_REGISTER`.
    """

    def __init__(self) -> None:
        circuits = _enumerate_elements()
        unitaries = [Operator(circuit).data for circuit in circuits]
        index_of = {_key(u): i for i, u in enumerate(unitaries)}
        size = len(circuits)
        self.multiply = np.empty((size, size), dtype=np.int64)
        for a, b in product(range(size), repeat=2):
            self.multiply[a, b] = index_of[_key(unitaries[b] @ unitaries[a])]
        self.inverse = np.array(
            [int(np.flatnonzero(self.multiply[a] == 0)[0]) for a in range(size)]
        )
        self.gates: tuple[tuple[Instruction, ...], ...] = tuple(
            tuple(item.operation for item in _decompose(circuit).data) for circuit in circuits
        )
        # Each element as one instruction defined by its gates: a sequence of m Cliffords is
        # m instructions to build and to simulate, not three times as many gates.
        self.blocks: tuple[Instruction, ...] = tuple(
            _block(index, gates) for index, gates in enumerate(self.gates)
        )
        # ...and already placed on `SEQUENCE_REGISTER`'s qubit: appending a prepared
        # instruction costs a fraction of placing a block anew.
        self.placed: tuple[CircuitInstruction, ...] = tuple(
            CircuitInstruction(block, (SEQUENCE_REGISTER[0],), ()) for block in self.blocks
        )


def _block(index: int, gates: tuple[Instruction, ...]) -> Instruction:
    definition = QuantumCircuit(1, name=f"clifford_{index}")
    for gate in gates:
        definition._append(gate, (definition.qubits[0],), ())
    block = Instruction(f"clifford_{index}", 1, 0, [])
    block.definition = definition
    return block


@cache
def clifford_group() -> CliffordGroup:
    """The group, built once per process."""
    return CliffordGroup()


def _enumerate_elements() -> list[QuantumCircuit]:
    # Words in H and S up to length 6 reach all 24 elements; the empty word comes first.
    found: dict[tuple[complex, ...], QuantumCircuit] = {}
    for length in range(7):
        for word in product("HS", repeat=length):
            circuit = QuantumCircuit(1)
            for letter in word:
                circuit.h(0) if letter == "H" else circuit.s(0)
            found.setdefault(_key(Operator(circuit).data), circuit)
    if len(found) != GROUP_ORDER:
        raise RuntimeError(f"expected {GROUP_ORDER} Cliffords, found {len(found)}")
    return list(found.values())


def _decompose(circuit: QuantumCircuit) -> QuantumCircuit:
    decomposed: QuantumCircuit = OneQubitEulerDecomposer("ZSXX")(Operator(circuit).data)
    return decomposed


def _key(unitary: np.ndarray) -> tuple[complex, ...]:
    """The unitary with its global phase removed, rounded: equal keys = same Clifford."""
    flat = unitary.flatten()
    pivot = flat[np.flatnonzero(np.abs(flat) > 1e-9)[0]]
    normalized = flat * (abs(pivot) / pivot)
    return tuple(complex(round(z.real, 6), round(z.imag, 6)) for z in normalized)
