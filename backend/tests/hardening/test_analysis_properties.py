"""Analysis on arbitrary counts: KPIs are finite and fidelities stay in [0, 1].

Counts come from hardware, so any non-negative integers with at least one shot may arrive:
all shots in one outcome, outcomes the ideal never predicts, huge and tiny totals.
"""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from synqc_backend.analysis.distribution import bootstrap_fidelity, classical_fidelity
from synqc_backend.analysis.information import mutual_information
from synqc_backend.analysis.parity import zz_parity
from synqc_backend.analysis.probability import binomial_estimate
from synqc_backend.analysis.tomography import (
    bloch_vector,
    bootstrap_state_fidelity,
    density_matrix,
    state_fidelity,
    trace_distance,
)

PROPERTY_SETTINGS = settings(max_examples=150, deadline=None, database=None)
counts_value = st.integers(min_value=0, max_value=10**7)


def bitstrings(width: int) -> st.SearchStrategy[str]:
    return st.text(alphabet="01", min_size=width, max_size=width)


def counts_of(width: int) -> st.SearchStrategy[dict[str, int]]:
    """Counts over `width`-bit outcomes with at least one shot in all."""
    return st.dictionaries(bitstrings(width), counts_value, min_size=1, max_size=8).filter(
        lambda counts: sum(counts.values()) > 0
    )


@st.composite
def ideal_distributions(draw: st.DrawFn, width: int) -> dict[str, float]:
    weights = draw(
        st.dictionaries(bitstrings(width), st.floats(0.0, 1.0), min_size=1, max_size=8).filter(
            lambda w: sum(w.values()) > 0
        )
    )
    total = sum(weights.values())
    return {key: value / total for key, value in weights.items()}


def in_unit_interval(value: float) -> bool:
    return math.isfinite(value) and 0.0 <= value <= 1.0


@PROPERTY_SETTINGS
@given(counts=counts_of(2), ideal=ideal_distributions(2), seed=st.integers(0, 2**32 - 1))
def test_distribution_fidelity_is_a_probability(
    counts: dict[str, int], ideal: dict[str, float], seed: int
) -> None:
    estimate = bootstrap_fidelity(counts, ideal, resamples=50, seed=seed)
    assert in_unit_interval(classical_fidelity(counts, ideal))
    assert in_unit_interval(estimate.value)
    assert math.isfinite(estimate.stderr)
    assert estimate.stderr >= 0
    assert 0.0 <= estimate.ci95[0] <= estimate.ci95[1] <= 1.0


@PROPERTY_SETTINGS
@given(successes=counts_value, extra=counts_value)
def test_binomial_estimates_are_probabilities_with_positive_errors(
    successes: int, extra: int
) -> None:
    shots = successes + extra
    if shots == 0:
        return
    estimate = binomial_estimate(successes, shots)
    assert in_unit_interval(estimate.value)
    assert math.isfinite(estimate.stderr)
    assert estimate.stderr > 0


@PROPERTY_SETTINGS
@given(counts=counts_of(2))
def test_parity_is_within_minus_one_and_one(counts: dict[str, int]) -> None:
    estimate = zz_parity(counts)
    assert -1.0 <= estimate.value <= 1.0
    assert math.isfinite(estimate.stderr)


@PROPERTY_SETTINGS
@given(
    joint=st.dictionaries(
        st.tuples(st.integers(0, 3), st.integers(0, 3)), counts_value, min_size=1, max_size=16
    ).filter(lambda joint: sum(joint.values()) > 0),
    seed=st.integers(0, 2**32 - 1),
)
def test_mutual_information_is_finite_and_not_negative(
    joint: dict[tuple[int, int], int], seed: int
) -> None:
    estimate = mutual_information(joint, resamples=20, seed=seed)
    assert math.isfinite(estimate.bits)
    assert estimate.bits >= -1e-9
    assert math.isfinite(estimate.stderr)


@PROPERTY_SETTINGS
@given(
    bases=st.tuples(counts_of(1), counts_of(1), counts_of(1)),
    ideal=st.tuples(st.floats(-1, 1), st.floats(-1, 1), st.floats(-1, 1)),
    seed=st.integers(0, 2**32 - 1),
)
def test_tomographed_states_have_fidelities_and_distances_in_range(
    bases: tuple[dict[str, int], dict[str, int], dict[str, int]],
    ideal: tuple[float, float, float],
    seed: int,
) -> None:
    rho = density_matrix(bloch_vector(*bases))
    sigma = density_matrix(np.array(ideal))
    stderr, (low, high) = bootstrap_state_fidelity(bases, sigma, resamples=20, seed=seed)
    distance = trace_distance(rho, sigma)
    assert in_unit_interval(state_fidelity(rho, sigma))
    assert math.isfinite(distance)
    assert 0.0 <= distance <= 1.0 + 1e-12
    assert math.isfinite(stderr)
    assert 0.0 <= low <= high <= 1.0


def test_counts_without_a_shot_are_refused_not_turned_into_nan() -> None:
    for analyse in (
        lambda: classical_fidelity({"00": 0}, {"00": 1.0}),
        lambda: zz_parity({"00": 0, "11": 0}),
        lambda: mutual_information({(0, 0): 0}),
        lambda: bloch_vector({"0": 0}, {"1": 1}, {"0": 1}),
    ):
        with pytest.raises(ValueError, match="no shots"):
            analyse()
