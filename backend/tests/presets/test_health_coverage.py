"""`health` error bars across seeds and budgets on the default profile and two IBM calibration
snapshots: 95 % intervals that contain the truth, an RMS z-score near 1, and stderrs near the
Cramér–Rao bound of the design that was run.

A few seeds per budget, pooled over the four fitted quantities; the benchmark
(`bench/health_vs_qiskit_experiments.py`) runs the same check over 50 seeds per cell.
"""

from functools import cache

import numpy as np
import pytest

from synqc_backend.presets.health import Health
from synqc_backend.targets.ibm_profiles import resolve_profile
from synqc_backend.targets.local_sim import LocalSimulator
from tests.presets.preset_runner import run_stages
from tests.presets.reference_epc import reference_epc

DEVICES = ("transmon_default", "ibm:FakeManilaV2", "ibm:FakeLimaV2")
BUDGETS = (2_048, 8_192, 80_000)
SEEDS = range(2)
NAMES = ("t1_s", "t2_star_s", "t2_echo_s", "epc")


@cache
def measured(device: str) -> tuple[tuple[str, float, float, float, float], ...]:
    """Per seed, budget and quantity: (name, value, stderr, crb_stderr, truth)."""
    profile = resolve_profile(device)
    qubit = profile.qubit(0)
    truth = {"t1_s": qubit.t1_s, "t2_star_s": qubit.t2_s, "t2_echo_s": qubit.t2_s}
    truth["epc"] = reference_epc(qubit)
    sim = LocalSimulator(profile)
    found = []
    for budget in BUDGETS:
        for seed in SEEDS:
            outcome = run_stages(Health(), sim, shot_budget=budget, seed=seed).outcome
            for m in outcome.measurements:
                if m.name in truth:
                    stderr, crb = m.stderr or np.nan, m.crb_stderr or np.nan
                    found.append((m.name, m.value, stderr, crb, truth[m.name]))
    return tuple(found)


def z_scores(device: str, names: tuple[str, ...]) -> np.ndarray:
    return np.array(
        [(value - truth) / stderr for n, value, stderr, _, truth in measured(device) if n in names]
    )


@pytest.mark.slow
@pytest.mark.parametrize("device", DEVICES)
def test_error_bars_cover_the_truth_at_every_budget(device: str) -> None:
    z = z_scores(device, NAMES)

    assert len(z) == len(BUDGETS) * len(SEEDS) * len(NAMES)
    # 24 z-scores: their RMS spreads by about 0.15 around 1 when the bars are honest.
    assert 0.6 <= np.sqrt(np.mean(z**2)) <= 1.4
    assert np.mean(np.abs(z) <= 1.96) >= 0.8


@pytest.mark.slow
@pytest.mark.parametrize("device", DEVICES)
def test_stderrs_are_near_the_cramer_rao_bound_of_the_design(device: str) -> None:
    for name in NAMES:
        ratio = [stderr / crb for n, _, stderr, crb, _ in measured(device) if n == name]

        assert np.median(ratio) <= 1.3, name
