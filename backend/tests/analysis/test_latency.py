"""Median execution latency per circuit from measured call durations."""

import pytest

from synqc_backend.analysis.latency import median_per_circuit_us


@pytest.mark.parametrize(
    ("durations_s", "circuits", "expected_us"),
    [
        pytest.param([0.002], [4], 500.0, id="single-call"),
        # per circuit: 1 ms, 2 ms, 3 ms → median 2 ms
        pytest.param([0.001, 0.004, 0.009], [1, 2, 3], 2000.0, id="odd"),
        # per circuit: 1, 2, 4, 10 µs → median of the middle two
        pytest.param([1e-6, 4e-6, 4e-6, 1e-5], [1, 2, 1, 1], 3.0, id="even"),
        # a slow outlier does not move the median
        pytest.param([0.001, 0.001, 10.0], [1, 1, 1], 1000.0, id="outlier"),
    ],
)
def test_median_per_circuit_us_golden_values(
    durations_s: list[float], circuits: list[int], expected_us: float
) -> None:
    assert median_per_circuit_us(durations_s, circuits) == pytest.approx(expected_us)


@pytest.mark.parametrize(
    ("durations_s", "circuits"),
    [
        pytest.param([], [], id="empty"),
        pytest.param([0.001, 0.002], [1], id="fewer-counts"),
        pytest.param([0.001], [1, 2], id="more-counts"),
    ],
)
def test_median_per_circuit_us_needs_one_count_per_duration(
    durations_s: list[float], circuits: list[int]
) -> None:
    with pytest.raises(ValueError, match="one circuit count per duration"):
        median_per_circuit_us(durations_s, circuits)
