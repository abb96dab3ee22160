"""Mutual information between two discrete outcomes, with a seeded bootstrap stderr."""

from math import log2

import pytest

from synqc_backend.analysis.information import mutual_information

type Joint = dict[tuple[int, int], int]

# p = [[.4, .1], [.1, .4]]: I = 1 − H₂(0.2)
SYMMETRIC_NOISY: Joint = {(0, 0): 400, (0, 1): 100, (1, 0): 100, (1, 1): 400}


@pytest.mark.parametrize(
    ("joint", "bits"),
    [
        pytest.param({(0, 0): 250, (0, 1): 250, (1, 0): 250, (1, 1): 250}, 0.0, id="independent"),
        pytest.param({(0, 0): 300, (0, 1): 100, (1, 0): 150, (1, 1): 50}, 0.0, id="indep-skewed"),
        pytest.param({(0, 0): 500, (1, 1): 500}, 1.0, id="correlated"),
        pytest.param({(0, 1): 500, (1, 0): 500}, 1.0, id="anti-correlated"),
        pytest.param({(0, 0): 10, (1, 1): 10, (2, 2): 10}, log2(3), id="three-outcomes"),
        pytest.param({(0, 0): 1000}, 0.0, id="constant"),
        pytest.param(SYMMETRIC_NOISY, 0.2780719051126377, id="hand-symmetric"),
        # p(a) = (½, ½), p(b) = (¼, ¾): ¼·log₂2 + ¼·log₂(2/3) + ½·log₂(4/3)
        pytest.param({(0, 0): 1, (0, 1): 1, (1, 1): 2}, 0.31127812445913283, id="hand-asymmetric"),
        pytest.param({(0, 0): 500, (1, 1): 500, (1, 0): 0}, 1.0, id="zero-count-cell"),
        pytest.param({(-1, 7): 500, (3, 2): 500}, 1.0, id="any-integer-labels"),
    ],
)
def test_mutual_information_golden_values(joint: Joint, bits: float) -> None:
    estimate = mutual_information(joint, seed=0)

    assert estimate.bits == pytest.approx(bits, abs=1e-12)
    assert estimate.bits >= 0.0


def test_bootstrap_stderr_is_reproducible_with_a_seed() -> None:
    first = mutual_information(SYMMETRIC_NOISY, seed=42)
    again = mutual_information(SYMMETRIC_NOISY, seed=42)
    other = mutual_information(SYMMETRIC_NOISY, seed=43)

    assert first == again
    assert other.stderr != first.stderr
    assert other.bits == first.bits


def test_bootstrap_stderr_matches_the_delta_method() -> None:
    # Var I ≈ (Σ p·log₂²(p/(p_a p_b)) − I²)/N = 0.640/1000 for these counts.
    estimate = mutual_information(SYMMETRIC_NOISY, resamples=2000, seed=7)

    assert estimate.stderr == pytest.approx(0.0253, rel=0.1)


@pytest.mark.parametrize(
    ("joint", "resamples", "message"),
    [
        pytest.param({}, 500, "no shots", id="empty"),
        pytest.param({(0, 0): 0, (1, 1): 0}, 500, "no shots", id="all-zero"),
        pytest.param({(0, 0): -1, (1, 1): 5}, 500, "non-negative", id="negative"),
        pytest.param(SYMMETRIC_NOISY, 1, "two bootstrap resamples", id="one-resample"),
    ],
)
def test_invalid_input_raises(joint: Joint, resamples: int, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        mutual_information(joint, resamples=resamples, seed=0)
