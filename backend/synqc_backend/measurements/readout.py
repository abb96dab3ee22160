"""Readout assignment and measurement repeatability circuits."""

from qiskit import QuantumCircuit

from synqc_backend.execution import CircuitBatch


def readout_batch(shots: int, qubit: int) -> CircuitBatch:
    """Prepare |0⟩ (x = 0) and |1⟩ (x = 1), measure: p(1|0) and p(0|1)."""
    zero = QuantumCircuit(1, 1, name="readout_0")
    zero.measure(0, 0)
    one = QuantumCircuit(1, 1, name="readout_1")
    one.x(0)
    one.measure(0, 0)
    return CircuitBatch("readout", (zero, one), shots, (0.0, 1.0), (qubit,))


def repeatability_batch(shots: int, qubit: int) -> CircuitBatch:
    """Prepare |+⟩, measure twice: a QND measurement gives the same outcome both times.

    Bits of the counts' keys: bit 0 (rightmost) is the first outcome, bit 1 the second.
    """
    circuit = QuantumCircuit(1, 2, name="repeatability")
    circuit.h(0)
    circuit.measure(0, 0)
    circuit.measure(0, 1)
    return CircuitBatch("repeatability", (circuit,), shots, (None,), (qubit,))
