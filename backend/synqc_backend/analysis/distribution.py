"""Classical fidelity between a measured distribution and an ideal one, with a bootstrap CI."""

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class FidelityEstimate:
    """`value` in [0, 1]; `ci95` is the 2.5 / 97.5 % percentile interval; `stderr` its std."""

    value: float
    stderr: float
    ci95: tuple[float, float]
    shots: int


def classical_fidelity(counts: Mapping[str, int], ideal: Mapping[str, float]) -> float:
    """F = (Σ_x √(p̂(x) q(x)))², p̂ the measured frequencies, q the ideal distribution."""
    _, observed, expected = _aligned(counts, ideal)
    total = observed.sum()
    if total <= 0:
        raise ValueError("no shots in counts")
    return _fidelity(observed / total, expected)


def bootstrap_fidelity(
    counts: Mapping[str, int],
    ideal: Mapping[str, float],
    *,
    resamples: int = 2000,
    seed: int | None = None,
) -> FidelityEstimate:
    """Classical fidelity with a multinomial bootstrap over the measured frequencies."""
    _, observed, expected = _aligned(counts, ideal)
    shots = int(observed.sum())
    if shots <= 0:
        raise ValueError("no shots in counts")
    frequencies = observed / shots
    rng = np.random.default_rng(seed)
    samples = rng.multinomial(shots, frequencies, size=resamples) / shots
    values = np.sqrt(samples * expected).sum(axis=1) ** 2
    low, high = np.percentile(values, [2.5, 97.5])
    return FidelityEstimate(
        value=_fidelity(frequencies, expected),
        stderr=float(values.std(ddof=1)),
        ci95=(float(low), float(high)),
        shots=shots,
    )


def _fidelity(frequencies: np.ndarray, expected: np.ndarray) -> float:
    return float(min(1.0, np.sqrt(frequencies * expected).sum() ** 2))


def _aligned(
    counts: Mapping[str, int], ideal: Mapping[str, float]
) -> tuple[list[str], np.ndarray, np.ndarray]:
    outcomes = sorted(set(counts) | set(ideal))
    observed = np.array([counts.get(key, 0) for key in outcomes], dtype=float)
    expected = np.array([ideal.get(key, 0.0) for key in outcomes], dtype=float)
    return outcomes, observed, expected
