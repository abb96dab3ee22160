"""Aer noise models from device profiles: gate errors hit their target infidelity."""

from dataclasses import replace

import pytest
from qiskit.quantum_info import average_gate_fidelity
from qiskit_aer.noise import thermal_relaxation_error

from synqc_backend.targets.device_profile import DEFAULT_TRANSMON, PROFILES, DeviceProfile
from synqc_backend.targets.noise_model import BASIS_GATES, build_noise_model, gate_error

ONE_Q_S = DEFAULT_TRANSMON.single_qubit_gate_duration_s
TWO_Q_S = DEFAULT_TRANSMON.two_qubit_gate_duration_s


def relaxation_infidelity(profile: DeviceProfile, num_qubits: int, duration_s: float) -> float:
    relax = thermal_relaxation_error(profile.t1_s, profile.t2_s, duration_s)
    if num_qubits == 2:
        relax = relax.expand(relax)
    return 1.0 - float(average_gate_fidelity(relax.to_quantumchannel()))


@pytest.mark.parametrize(
    ("num_qubits", "error", "duration_s"),
    [
        pytest.param(1, DEFAULT_TRANSMON.single_qubit_gate_error, ONE_Q_S, id="1q-default"),
        pytest.param(1, 1e-2, ONE_Q_S, id="1q-bad-gate"),
        pytest.param(2, DEFAULT_TRANSMON.two_qubit_gate_error, TWO_Q_S, id="2q-default"),
        pytest.param(2, 5e-2, TWO_Q_S, id="2q-bad-gate"),
    ],
)
def test_gate_error_has_the_requested_average_infidelity(
    num_qubits: int, error: float, duration_s: float
) -> None:
    assert error > relaxation_infidelity(DEFAULT_TRANSMON, num_qubits, duration_s)

    channel = gate_error(DEFAULT_TRANSMON, num_qubits, error, duration_s).to_quantumchannel()

    assert 1.0 - average_gate_fidelity(channel) == pytest.approx(error, rel=1e-9)


@pytest.mark.parametrize(("num_qubits", "duration_s"), [(1, ONE_Q_S), (2, TWO_Q_S), (1, 1e-6)])
def test_gate_error_below_relaxation_is_relaxation_alone(
    num_qubits: int, duration_s: float
) -> None:
    relax = relaxation_infidelity(DEFAULT_TRANSMON, num_qubits, duration_s)

    channel = gate_error(DEFAULT_TRANSMON, num_qubits, relax / 2, duration_s).to_quantumchannel()

    assert 1.0 - average_gate_fidelity(channel) == pytest.approx(relax, rel=1e-9)


def test_noise_model_covers_gates_and_readout() -> None:
    model = build_noise_model(DEFAULT_TRANSMON)

    assert set(model.noise_instructions) == {"sx", "x", "cx", "measure"}
    assert set(model.basis_gates) <= set(BASIS_GATES)


def test_default_profile_is_registered_under_its_name() -> None:
    assert PROFILES[DEFAULT_TRANSMON.name] is DEFAULT_TRANSMON
    assert DEFAULT_TRANSMON.source


def test_profile_rejects_t2_above_twice_t1() -> None:
    t1 = DEFAULT_TRANSMON.t1_s

    with pytest.raises(ValueError, match="T2 must not exceed"):
        replace(DEFAULT_TRANSMON, t2_s=2 * t1 * (1 + 1e-9))


def test_profile_accepts_t2_at_twice_t1() -> None:
    profile = replace(DEFAULT_TRANSMON, t2_s=2 * DEFAULT_TRANSMON.t1_s)

    assert profile.t2_s == 2 * profile.t1_s
