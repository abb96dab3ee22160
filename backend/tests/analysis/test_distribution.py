"""Classical fidelity of measured counts against an ideal distribution, and its bootstrap CI."""

from math import sqrt

import numpy as np
import pytest

from synqc_backend.analysis.distribution import bootstrap_fidelity, classical_fidelity

BELL = {"00": 0.5, "11": 0.5}
OUTCOMES = ("00", "01", "10", "11")


@pytest.mark.parametrize(
    ("counts", "ideal", "expected"),
    [
        pytest.param({"00": 500, "11": 500}, BELL, 1.0, id="perfect-bell"),
        pytest.param({"00": 1000}, BELL, 0.5, id="all-00-vs-bell"),
        # p = (.4, .1, .1, .4): F = (2·√(.4·.5))² = 4·.2
        pytest.param({"00": 40, "01": 10, "10": 10, "11": 40}, BELL, 0.8, id="hand-bell"),
        # (√(1/4·1/2) + √(3/4·1/2))² = (1 + √3)² / 8 = (2 + √3) / 4
        pytest.param({"0": 1, "1": 3}, {"0": 0.5, "1": 0.5}, (2 + sqrt(3)) / 4, id="hand-1q"),
        pytest.param({"01": 7, "10": 3}, BELL, 0.0, id="disjoint-support"),
    ],
)
def test_classical_fidelity_golden_values(
    counts: dict[str, int], ideal: dict[str, float], expected: float
) -> None:
    assert classical_fidelity(counts, ideal) == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize(
    ("counts", "ideal", "expected"),
    [
        # An outcome the ideal lacks counts in the normalisation but adds nothing.
        pytest.param({"00": 50, "01": 50}, {"00": 1.0}, 0.5, id="extra-counts-key"),
        # An ideal outcome that was never observed contributes nothing.
        pytest.param({"00": 100}, BELL, 0.5, id="missing-counts-key"),
        # A key present with zero counts is the same as an absent one.
        pytest.param({"00": 100, "11": 0}, BELL, 0.5, id="zero-count-key"),
        # An ideal key with zero probability is the same as an absent one.
        pytest.param(
            {"00": 30, "11": 70},
            {**BELL, "01": 0.0},
            (sqrt(0.15) + sqrt(0.35)) ** 2,
            id="zero-ideal-key",
        ),
    ],
)
def test_classical_fidelity_aligns_outcome_keys(
    counts: dict[str, int], ideal: dict[str, float], expected: float
) -> None:
    assert classical_fidelity(counts, ideal) == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize("counts", [{}, {"00": 0, "11": 0}], ids=["empty", "all-zero"])
def test_zero_shots_raise(counts: dict[str, int]) -> None:
    with pytest.raises(ValueError, match="no shots"):
        classical_fidelity(counts, BELL)
    with pytest.raises(ValueError, match="no shots"):
        bootstrap_fidelity(counts, BELL, seed=1)


def test_bootstrap_with_a_seed_is_reproducible() -> None:
    counts = {"00": 470, "01": 20, "10": 30, "11": 480}

    first = bootstrap_fidelity(counts, BELL, seed=42)
    again = bootstrap_fidelity(counts, BELL, seed=42)
    other = bootstrap_fidelity(counts, BELL, seed=43)

    assert first == again
    assert other.ci95 != first.ci95
    assert other.value == first.value


def test_bootstrap_estimate_matches_point_fidelity_and_lies_in_its_ci() -> None:
    counts = {"00": 470, "01": 20, "10": 30, "11": 480}

    estimate = bootstrap_fidelity(counts, BELL, seed=7)

    assert estimate.value == classical_fidelity(counts, BELL)
    assert estimate.shots == 1000
    low, high = estimate.ci95
    assert low < estimate.value < high
    assert 0.0 < estimate.stderr < high - low
    # The delta-method standard error for these counts is about 0.0069.
    assert estimate.stderr == pytest.approx(0.0069, rel=0.15)


def test_bootstrap_of_perfect_counts_stays_at_one() -> None:
    estimate = bootstrap_fidelity({"00": 500, "11": 500}, BELL, seed=3)

    assert estimate.value == pytest.approx(1.0)
    low, high = estimate.ci95
    assert 0.99 < low <= high <= 1.0 + 1e-12


def test_bootstrap_ci95_covers_the_true_fidelity_about_95_percent_of_the_time() -> None:
    truth = np.array([0.45, 0.05, 0.05, 0.45])
    true_fidelity = (2 * sqrt(0.45 * 0.5)) ** 2  # 0.9
    rng = np.random.default_rng(2024)
    trials = 200

    covered = 0
    for trial, sample in enumerate(rng.multinomial(1000, truth, size=trials)):
        counts = dict(zip(OUTCOMES, (int(n) for n in sample), strict=True))
        low, high = bootstrap_fidelity(counts, BELL, seed=trial).ci95
        covered += low <= true_fidelity <= high

    assert 0.90 * trials <= covered <= 0.99 * trials
