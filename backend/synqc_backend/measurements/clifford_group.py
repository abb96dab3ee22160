"""The 24-element single-qubit Clifford group: elements as rz/sx/x circuits, products, inverses."""

from functools import cache
from itertools import product

import numpy as np
from qiskit import QuantumCircuit, transpile
from qiskit.circuit import Instruction
from qiskit.quantum_info import Clifford

BASIS = ("rz", "sx", "x")
GROUP_ORDER = 24


class CliffordGroup:
    """Elements indexed 0..23 (0 = identity), each decomposed once into rz/sx/x gates.

    - `multiply[a, b]` is the index of "apply a, then b".
    - `inverse[a]` undoes a.
    """

    def __init__(self) -> None:
        circuits = _enumerate_elements()
        cliffords = [Clifford(circuit) for circuit in circuits]
        keys = [_key(c) for c in cliffords]
        index_of = {key: i for i, key in enumerate(keys)}
        size = len(circuits)
        self.multiply = np.empty((size, size), dtype=np.int64)
        for a, b in product(range(size), repeat=2):
            self.multiply[a, b] = index_of[_key(cliffords[a].compose(cliffords[b]))]
        identity = 0
        self.inverse = np.array(
            [int(np.flatnonzero(self.multiply[a] == identity)[0]) for a in range(size)]
        )
        self.gates: tuple[tuple[tuple[Instruction, ...], ...], ...] = tuple(
            tuple(item.operation for item in _decompose(circuit).data) for circuit in circuits
        )


@cache
def clifford_group() -> CliffordGroup:
    """The group, built once per process (about 0.1 s)."""
    return CliffordGroup()


def _enumerate_elements() -> list[QuantumCircuit]:
    # Words in H and S up to length 6 reach all 24 elements; the empty word comes first.
    found: dict[bytes, QuantumCircuit] = {}
    for length in range(7):
        for word in product("HS", repeat=length):
            circuit = QuantumCircuit(1)
            for letter in word:
                circuit.h(0) if letter == "H" else circuit.s(0)
            found.setdefault(_key(Clifford(circuit)), circuit)
    if len(found) != GROUP_ORDER:
        raise RuntimeError(f"expected {GROUP_ORDER} Cliffords, found {len(found)}")
    return list(found.values())


def _decompose(circuit: QuantumCircuit) -> QuantumCircuit:
    decomposed: QuantumCircuit = transpile(circuit, basis_gates=list(BASIS), optimization_level=1)
    return decomposed


def _key(clifford: Clifford) -> bytes:
    return bytes(np.asarray(clifford.tableau, dtype=np.uint8).tobytes())
