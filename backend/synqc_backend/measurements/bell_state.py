"""Bell-pair preparation and its ideal outcome distribution."""

from qiskit import QuantumCircuit

IDEAL_DISTRIBUTION: dict[str, float] = {"00": 0.5, "11": 0.5}


def bell_circuit() -> QuantumCircuit:
    """H on qubit 0, CX 0→1, measure both: ideally half `00`, half `11`."""
    circuit = QuantumCircuit(2, 2, name="bell")
    circuit.h(0)
    circuit.cx(0, 1)
    circuit.measure([0, 1], [0, 1])
    return circuit


def ghz_circuit(size: int = 3) -> QuantumCircuit:
    """H on qubit 0 and a CX chain: ideally half all-zeros, half all-ones."""
    circuit = QuantumCircuit(size, size, name=f"ghz{size}")
    circuit.h(0)
    for qubit in range(size - 1):
        circuit.cx(qubit, qubit + 1)
    circuit.measure(range(size), range(size))
    return circuit


def ghz_ideal(size: int = 3) -> dict[str, float]:
    return {"0" * size: 0.5, "1" * size: 0.5}
