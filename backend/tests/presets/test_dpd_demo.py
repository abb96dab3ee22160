"""`dpd_demo`: backaction follows |ρ01|(1 − √(1 − ε²)) without feedback; information rises."""

import pytest

from synqc_backend.models import ControlProfile, KpiStatus
from synqc_backend.presets.dpd_demo import DpdDemo
from synqc_backend.targets.device_profile import DEFAULT_TRANSMON
from synqc_backend.targets.local_sim import LocalSimulator
from tests.presets.preset_runner import run_preset

FEEDBACK_OFF = ControlProfile(feedback_gain=0.0)


@pytest.fixture(scope="module")
def target() -> LocalSimulator:
    return LocalSimulator(DEFAULT_TRANSMON)


@pytest.mark.slow
@pytest.mark.parametrize("seed", [1, 2])
def test_feedback_free_backaction_follows_theory_at_every_strength(
    target: LocalSimulator, seed: int
) -> None:
    outcome = run_preset(
        DpdDemo(), target, shot_budget=42_000, seed=seed, controls=FEEDBACK_OFF, qubits=(0, 1)
    )
    assert outcome.tradeoff is not None
    assert [p.strength for p in outcome.tradeoff] == [0.0, 0.25, 0.5, 0.75, 1.0]
    for point in outcome.tradeoff:
        assert abs(point.backaction - point.theory_backaction) <= 3 * point.backaction_stderr
    assert outcome.status is KpiStatus.OK
    information = [p.information_bits for p in outcome.tradeoff]
    errors = [p.information_stderr for p in outcome.tradeoff]
    # Rising within the noise at every step, and clearly from weak to projective.
    for before, after, e1, e2 in zip(
        information, information[1:], errors, errors[1:], strict=False
    ):
        assert after >= before - 2 * (e1**2 + e2**2) ** 0.5
    assert information[-1] > information[2] + 5 * errors[-1]


@pytest.mark.slow
def test_probe_window_past_the_clamp_skips_feedback_and_warns(target: LocalSimulator) -> None:
    controls = ControlProfile(probe_window_ns=800, safety_clamp_ns=600, feedback_gain=1.0)
    outcome = run_preset(DpdDemo(), target, shot_budget=7_000, seed=3, controls=controls)
    assert outcome.status is KpiStatus.WARN
    assert any("safety clamp" in warning for warning in outcome.warnings)
