"""The drifting simulator: T1 and T2 follow the wall clock, the reported reference does not."""

import pytest

from synqc_backend.execution import ExecutionOptions
from synqc_backend.measurements import coherence
from synqc_backend.targets.device_profile import DEFAULT_TRANSMON
from synqc_backend.targets.local_sim import LocalSimulator
from synqc_backend.targets.profile_drift import FLOOR, ProfileDrift

START = 1_000_000.0


def test_t1_falls_by_its_rate_per_hour_and_t2_stays_within_twice_t1() -> None:
    drift = ProfileDrift(t1_per_hour=-0.4, t2_per_hour=0.0, started_at=START)

    assert drift.factors(START) == (1.0, 1.0)
    assert drift.factors(START + 1800) == (0.8, 1.0)
    assert drift.factors(START + 100 * 3600) == (FLOOR, 1.0)
    later = drift.applied(DEFAULT_TRANSMON, START + 100 * 3600).qubit(0)
    assert later.t1_s == pytest.approx(FLOOR * DEFAULT_TRANSMON.qubit(0).t1_s)
    assert later.t2_s == pytest.approx(2 * later.t1_s)


def test_a_drifting_simulator_measures_the_fall_but_reports_its_start() -> None:
    now = [START]
    simulator = LocalSimulator(
        DEFAULT_TRANSMON, drift=ProfileDrift(-0.5, -0.5, START), clock=lambda: now[0]
    )
    t1 = DEFAULT_TRANSMON.qubit(0).t1_s
    batch = coherence.t1_batch([t1], 20_000, 0)
    options = ExecutionOptions(shots=20_000, seed=1, layout=(0,))

    before = simulator.execute(batch.circuits, options).counts[0].get("1", 0)
    now[0] = START + 3600
    after = simulator.execute(batch.circuits, options).counts[0].get("1", 0)

    # P(1) after one T1 falls from about e^-1 to about e^-2 once T1 has halved.
    assert after < 0.6 * before
    assert simulator.capabilities().reference[0].t1_s == t1
    assert simulator.device_now().qubit(0).t1_s == pytest.approx(0.5 * t1)
