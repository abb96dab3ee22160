"""Delays on braket_dm: the channels relax a qubit exactly as its profile's T1 and T2 say."""

import math

import pytest
from qiskit import QuantumCircuit
from qiskit.quantum_info import DensityMatrix, Kraus

from synqc_backend.targets.braket_relaxation import delays_as_relaxation, relaxation
from synqc_backend.targets.device_profile import DEFAULT_TRANSMON

QUBIT = DEFAULT_TRANSMON.qubit(0)


def after(state: DensityMatrix, seconds: float) -> DensityMatrix:
    for channel in relaxation(QUBIT, seconds):
        state = state.evolve(Kraus(list(channel.params)))
    return state


def test_the_excited_population_decays_with_t1() -> None:
    excited = DensityMatrix.from_label("1")

    population = after(excited, QUBIT.t1_s).data[1, 1].real

    assert population == pytest.approx(math.exp(-1.0), rel=1e-9)


def test_coherence_decays_with_t2() -> None:
    plus = DensityMatrix.from_label("+")

    coherence = abs(after(plus, QUBIT.t2_s).data[0, 1])

    assert coherence == pytest.approx(0.5 * math.exp(-1.0), rel=1e-9)


def test_delays_become_channels_on_the_layouts_qubit_and_nothing_else_changes() -> None:
    circuit = QuantumCircuit(2, 1)
    circuit.x(1)
    circuit.delay(20, 1, unit="us")
    circuit.delay(0, 0, unit="s")
    circuit.measure(1, 0)

    relaxed = delays_as_relaxation(circuit, DEFAULT_TRANSMON, layout=(1, 0))

    assert [i.operation.name for i in relaxed.data] == ["x", "kraus", "kraus", "measure"]
    assert all(relaxed.find_bit(i.qubits[0]).index == 1 for i in relaxed.data)


def test_a_delay_in_device_cycles_is_refused() -> None:
    circuit = QuantumCircuit(1)
    circuit.delay(100, 0, unit="dt")

    with pytest.raises(ValueError, match="dt"):
        delays_as_relaxation(circuit, DEFAULT_TRANSMON, None)
