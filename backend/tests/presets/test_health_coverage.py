"""`health` error bars across seeds at a small budget: honest (RMS z-score near 1) and, for
the coherence times, close to the Cramér–Rao bound of the design that was run."""

from functools import cache

import numpy as np
import pytest

from synqc_backend.presets.health import Health
from synqc_backend.targets.device_profile import DEFAULT_TRANSMON
from synqc_backend.targets.local_sim import LocalSimulator
from tests.presets.preset_runner import run_stages
from tests.presets.reference_epc import reference_epc

SEEDS = range(10)
BUDGET = 8_000
QUBIT = DEFAULT_TRANSMON.qubit(0)
TRUTH = {
    "t1_s": QUBIT.t1_s,
    "t2_star_s": QUBIT.t2_s,
    "t2_echo_s": QUBIT.t2_s,
}


@cache
def seeds() -> tuple[dict[str, tuple[float, float, float]], ...]:
    """Per seed: measurement name → (value, stderr, crb_stderr)."""
    sim = LocalSimulator(DEFAULT_TRANSMON)
    found = []
    for seed in SEEDS:
        outcome = run_stages(Health(), sim, shot_budget=BUDGET, seed=seed).outcome
        found.append(
            {
                m.name: (m.value, m.stderr or np.nan, m.crb_stderr or np.nan)
                for m in outcome.measurements
            }
        )
    return tuple(found)


@pytest.mark.slow
@pytest.mark.parametrize("name", list(TRUTH))
def test_coherence_error_bars_cover_the_truth(name: str) -> None:
    z = np.array([(s[name][0] - TRUTH[name]) / s[name][1] for s in seeds()])

    assert 0.6 <= np.sqrt(np.mean(z**2)) <= 1.6
    assert np.sum(np.abs(z) <= 2.5) >= len(z) - 1


@pytest.mark.slow
@pytest.mark.parametrize("name", list(TRUTH))
def test_coherence_stderrs_are_near_the_cramer_rao_bound(name: str) -> None:
    ratio = np.array([s[name][1] / s[name][2] for s in seeds()])

    assert np.median(ratio) <= 1.3


@pytest.mark.slow
def test_epc_error_bars_cover_the_noise_models_epc() -> None:
    truth = reference_epc(QUBIT)
    z = np.array([(s["epc"][0] - truth) / s["epc"][1] for s in seeds()])

    assert np.sqrt(np.mean(z**2)) <= 1.6
