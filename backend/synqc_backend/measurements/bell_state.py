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
