"""Aer noise from device profiles: gate errors, drive bias, initial state, delays, used qubits."""

from dataclasses import replace
from math import cos, pi

import pytest
from qiskit import QuantumCircuit
from qiskit.circuit import Delay
from qiskit.quantum_info import DensityMatrix, average_gate_fidelity

from synqc_backend.execution import DeviceControls
from synqc_backend.targets.device_profile import (
    DEFAULT_TRANSMON,
    TRANSMON_QUBIT,
    DeviceProfile,
    QubitParameters,
)
from synqc_backend.targets.noise_model import (
    BASIS_GATES,
    build_noise_model,
    delay_seconds,
    describe,
    drive_error,
    gate_error,
    noisy_circuits,
    qubit_noise,
    relaxation,
)

QUBIT = TRANSMON_QUBIT
ONE_Q_S = QUBIT.single_qubit_gate_duration_s
TWO_Q_S = QUBIT.two_qubit_gate_duration_s


def relaxation_infidelity(num_qubits: int, duration_s: float) -> float:
    relax = relaxation(QUBIT, duration_s)
    if num_qubits == 2:
        relax = relax.expand(relax)
    return 1.0 - float(average_gate_fidelity(relax.to_quantumchannel()))


def infidelity(qubits: tuple[QubitParameters, ...], error: float, duration_s: float) -> float:
    channel = gate_error(qubits, error, duration_s).to_quantumchannel()
    return 1.0 - float(average_gate_fidelity(channel))


@pytest.mark.parametrize(
    ("num_qubits", "error", "duration_s"),
    [
        pytest.param(1, QUBIT.single_qubit_gate_error, ONE_Q_S, id="1q-default"),
        pytest.param(1, 1e-2, ONE_Q_S, id="1q-bad-gate"),
        pytest.param(2, QUBIT.two_qubit_gate_error, TWO_Q_S, id="2q-default"),
        pytest.param(2, 5e-2, TWO_Q_S, id="2q-bad-gate"),
    ],
)
def test_gate_error_has_the_requested_average_infidelity(
    num_qubits: int, error: float, duration_s: float
) -> None:
    assert error > relaxation_infidelity(num_qubits, duration_s)

    assert infidelity((QUBIT,) * num_qubits, error, duration_s) == pytest.approx(error, rel=1e-9)


@pytest.mark.parametrize(("num_qubits", "duration_s"), [(1, ONE_Q_S), (2, TWO_Q_S), (1, 1e-6)])
def test_gate_error_below_relaxation_is_relaxation_alone(
    num_qubits: int, duration_s: float
) -> None:
    relax = relaxation_infidelity(num_qubits, duration_s)

    found = infidelity((QUBIT,) * num_qubits, relax / 2, duration_s)

    assert found == pytest.approx(relax, rel=1e-9)


@pytest.mark.parametrize(("gate", "angle"), [("x", pi), ("sx", pi / 2)])
def test_drive_bias_over_rotates_by_the_bias(gate: str, angle: float) -> None:
    bias = 1.1
    error = drive_error(QUBIT, gate, bias).to_quantumchannel()
    unbiased = drive_error(QUBIT, gate, 1.0).to_quantumchannel()

    # A unitary rotation by δ has average fidelity (2 + cos δ)/3; the incoherent part is
    # small, so the bias's infidelity adds on top of it to first order.
    coherent = 1 - (2 + cos((bias - 1) * angle)) / 3
    extra = float(average_gate_fidelity(unbiased)) - float(average_gate_fidelity(error))

    assert extra == pytest.approx(coherent, rel=2e-3)


def test_thermal_guard_off_starts_the_qubit_with_its_residual_population() -> None:
    guarded = qubit_noise(QUBIT, DeviceControls(thermal_guard_enabled=True))
    unguarded = qubit_noise(QUBIT, DeviceControls(thermal_guard_enabled=False))

    assert guarded.initial is None
    assert unguarded.initial is not None
    state = DensityMatrix.from_label("0").evolve(unguarded.initial.to_quantumchannel())
    assert state.probabilities()[1] == pytest.approx(QUBIT.residual_excited_population)


def test_noise_model_covers_only_the_used_qubits_with_their_parameters() -> None:
    noisy = replace(QUBIT, readout_p1_given_0=0.2)
    profile = DeviceProfile("mixed", "test", (QUBIT, QUBIT, QUBIT, noisy))

    model = build_noise_model(profile, (3, 1), DeviceControls())

    assert set(model.noise_instructions) == {"sx", "x", "id", "cx", "measure"}
    assert sorted(model.noise_qubits) == [0, 1]
    assert set(model.basis_gates) <= set(BASIS_GATES)
    readout = {
        tuple(error["gate_qubits"][0]): error["probabilities"][0][1]
        for error in model.to_dict()["errors"]
        if error["type"] == "roerror"
    }
    assert readout == pytest.approx({(0,): 0.2, (1,): QUBIT.readout_p1_given_0})


@pytest.mark.parametrize(
    ("duration", "unit", "seconds"),
    [(2e-6, "s", 2e-6), (3.0, "us", 3e-6), (40.0, "ns", 40e-9), (1.5, "ms", 1.5e-3)],
)
def test_delay_durations_in_seconds(duration: float, unit: str, seconds: float) -> None:
    assert delay_seconds(Delay(duration, unit=unit)) == pytest.approx(seconds)


def test_delays_in_dt_are_refused() -> None:
    with pytest.raises(ValueError, match="unit='s'"):
        delay_seconds(Delay(100, unit="dt"))


def test_noisy_circuits_relax_after_each_delay_and_prepare_the_initial_state() -> None:
    circuit = QuantumCircuit(1, 1)
    circuit.x(0)
    circuit.delay(10e-6, 0, unit="s")
    circuit.delay(5e-6, 0, unit="s")
    circuit.measure(0, 0)
    unguarded = qubit_noise(QUBIT, DeviceControls(thermal_guard_enabled=False))

    (prepared,) = noisy_circuits([circuit], [unguarded])

    names = [inst.name for inst in prepared.data]
    assert names.count("quantum_channel") == 3
    assert names[0] == "quantum_channel"
    assert names.index("delay") + 1 == names.index("quantum_channel", 1)


def test_noisy_circuits_leave_circuits_without_delays_alone() -> None:
    circuit = QuantumCircuit(1, 1)
    circuit.sx(0)
    circuit.measure(0, 0)

    (prepared,) = noisy_circuits([circuit], [qubit_noise(QUBIT, DeviceControls())])

    assert prepared is circuit


def test_description_names_the_profile() -> None:
    assert DEFAULT_TRANSMON.name in describe(DEFAULT_TRANSMON)
