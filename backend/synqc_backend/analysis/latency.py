"""Latency statistics from measured durations."""

from collections.abc import Sequence
from statistics import median


def median_per_circuit_us(durations_s: Sequence[float], circuits: Sequence[int]) -> float:
    """Median over calls of (call duration / circuits in the call), in microseconds."""
    if not durations_s or len(durations_s) != len(circuits):
        raise ValueError("need one circuit count per duration")
    return median(d / n for d, n in zip(durations_s, circuits, strict=True)) * 1e6
