"""Device profiles: per-qubit parameters, their physical bounds, the default transmon."""

from dataclasses import replace

import pytest

from synqc_backend.targets.device_profile import (
    DEFAULT_TRANSMON,
    PROFILES,
    TRANSMON_QUBIT,
    DeviceProfile,
    uniform_profile,
)


def test_default_profile_is_registered_under_its_name_with_its_source() -> None:
    assert PROFILES[DEFAULT_TRANSMON.name] is DEFAULT_TRANSMON
    assert "IBM" in DEFAULT_TRANSMON.source


def test_default_profile_is_uniform() -> None:
    assert DEFAULT_TRANSMON.num_qubits == 8
    assert set(DEFAULT_TRANSMON.qubits) == {TRANSMON_QUBIT}


def test_qubit_rejects_t2_above_twice_t1() -> None:
    t1 = TRANSMON_QUBIT.t1_s

    with pytest.raises(ValueError, match="T2 must not exceed"):
        replace(TRANSMON_QUBIT, t2_s=2 * t1 * (1 + 1e-9))


def test_qubit_accepts_t2_at_twice_t1() -> None:
    qubit = replace(TRANSMON_QUBIT, t2_s=2 * TRANSMON_QUBIT.t1_s)

    assert qubit.t2_s == 2 * qubit.t1_s


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("t1_s", 0.0, "positive"),
        ("readout_p1_given_0", -0.01, "readout_p1_given_0"),
        ("readout_p0_given_1", 1.5, "readout_p0_given_1"),
        ("single_qubit_gate_error", 2.0, "single_qubit_gate_error"),
        ("residual_excited_population", -0.1, "residual_excited_population"),
        ("measurement_duration_s", -1e-9, "measurement_duration_s"),
    ],
)
def test_qubit_rejects_unphysical_values(field: str, value: float, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        replace(TRANSMON_QUBIT, **{field: value})


def test_profile_hands_out_each_physical_qubit() -> None:
    slow = replace(TRANSMON_QUBIT, t1_s=300e-6)
    profile = DeviceProfile("pair", "test", (TRANSMON_QUBIT, slow))

    assert profile.qubit(0) is TRANSMON_QUBIT
    assert profile.qubit(1) is slow


@pytest.mark.parametrize("physical", [-1, 3])
def test_profile_refuses_qubits_it_does_not_have(physical: int) -> None:
    profile = uniform_profile("three", "test", TRANSMON_QUBIT, num_qubits=3)

    with pytest.raises(ValueError, match=r"qubits 0\.\.2"):
        profile.qubit(physical)


def test_profile_needs_a_qubit() -> None:
    with pytest.raises(ValueError, match="no qubits"):
        DeviceProfile("empty", "test", ())
