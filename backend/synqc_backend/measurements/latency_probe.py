"""Feed-forward latency probe: measure, conditional X, measure."""

from qiskit import ClassicalRegister, QuantumCircuit, QuantumRegister

from synqc_backend.execution import CircuitBatch


def latency_circuit() -> QuantumCircuit:
    """√X puts the qubit on the equator; the first outcome decides an X that should return it
    to |0⟩, so the second outcome is 0 when feed-forward works.

    Bits: 0 = first outcome, 1 = second outcome.
    """
    qubit = QuantumRegister(1, "q")
    first, second = ClassicalRegister(1, "first"), ClassicalRegister(1, "second")
    circuit = QuantumCircuit(qubit, first, second, name="latency_probe")
    circuit.sx(qubit[0])
    circuit.measure(qubit[0], first[0])
    with circuit.if_test((first[0], 1)):
        circuit.x(qubit[0])
    circuit.measure(qubit[0], second[0])
    return circuit


def latency_batch(index: int, shots: int, qubit: int) -> CircuitBatch:
    """One probe job; each job is its own target call so its latency is measured alone."""
    return CircuitBatch(f"latency_{index}", (latency_circuit(),), shots, (float(index),), (qubit,))


def scheduled_duration_s(gate_durations_s: dict[str, float]) -> float:
    """Duration of the probe from instruction durations: sx, measure, x, measure."""
    get = gate_durations_s.get
    return get("sx", 0.0) + 2 * get("measure", 0.0) + get("x", 0.0)
