"""Outcome probabilities from counts, with binomial standard errors that are never zero."""

from math import sqrt

import numpy as np
import pytest

from synqc_backend.analysis.probability import binomial_estimate, binomial_estimates


@pytest.mark.parametrize(
    ("successes", "shots", "value", "stderr"),
    [
        # p̃ = 30.5/101: √(p̃(1 − p̃)/100)
        pytest.param(30, 100, 0.3, 0.04591167, id="interior"),
        pytest.param(50, 100, 0.5, 0.05, id="half"),
        # A count of 0 or n keeps an honest error bar: p̃ = 0.5/101.
        pytest.param(0, 100, 0.0, 0.007018538, id="none"),
        pytest.param(100, 100, 1.0, 0.007018538, id="all"),
        pytest.param(1, 1, 1.0, 0.4330127, id="single-shot"),
    ],
)
def test_binomial_estimate_golden_values(
    successes: int, shots: int, value: float, stderr: float
) -> None:
    estimate = binomial_estimate(successes, shots)

    assert estimate.value == pytest.approx(value, abs=1e-15)
    assert estimate.stderr == pytest.approx(stderr, rel=1e-6)


@pytest.mark.parametrize("successes", [0, 1, 500, 999, 1000])
def test_stderr_approaches_the_textbook_value_and_is_never_zero(successes: int) -> None:
    estimate = binomial_estimate(successes, 1000)
    textbook = sqrt(estimate.value * (1 - estimate.value) / 1000)

    assert estimate.stderr > 0
    assert estimate.stderr == pytest.approx(textbook, rel=0.01, abs=2e-3)


def test_binomial_estimates_matches_the_scalar_version_element_wise() -> None:
    successes = np.array([0, 3, 150, 299, 300])
    shots = np.array([300, 300, 300, 300, 300])

    values, stderrs = binomial_estimates(successes, shots)

    expected = [binomial_estimate(int(k), int(n)) for k, n in zip(successes, shots, strict=True)]
    np.testing.assert_allclose(values, [e.value for e in expected], rtol=1e-15)
    np.testing.assert_allclose(stderrs, [e.stderr for e in expected], rtol=1e-15)
    assert values.dtype == stderrs.dtype == np.float64


def test_binomial_estimates_broadcasts_a_single_shot_count() -> None:
    values, stderrs = binomial_estimates(np.array([10, 20]), np.array(40))

    np.testing.assert_allclose(values, [0.25, 0.5])
    assert stderrs.shape == (2,)


@pytest.mark.parametrize(
    ("successes", "shots", "message"),
    [
        pytest.param(0, 0, "no shots", id="zero-shots"),
        pytest.param(1, -5, "no shots", id="negative-shots"),
        pytest.param(-1, 10, "between 0 and shots", id="negative-successes"),
        pytest.param(11, 10, "between 0 and shots", id="too-many-successes"),
    ],
)
def test_invalid_counts_raise(successes: int, shots: int, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        binomial_estimate(successes, shots)
    with pytest.raises(ValueError, match=message):
        binomial_estimates(np.array([successes]), np.array([shots]))
