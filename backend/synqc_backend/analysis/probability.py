"""Outcome probabilities from counts, with binomial standard errors that are never zero."""

from dataclasses import dataclass
from math import sqrt

import numpy as np


@dataclass(frozen=True)
class ProbabilityEstimate:
    """`value` = k/n in [0, 1]; `stderr` its binomial standard error, always > 0."""

    value: float
    stderr: float


def binomial_estimate(successes: int, shots: int) -> ProbabilityEstimate:
    """p̂ = k/n with stderr √(p̃(1 − p̃)/n), p̃ = (k + ½)/(n + 1).

    - The shrunk p̃ only enters the variance, so a count of 0 or n still gets an honest,
      non-zero error bar (a weighted fit would otherwise pin the curve to that point).
    """
    _check_counts(np.asarray(successes), np.asarray(shots))
    shrunk = (successes + 0.5) / (shots + 1)
    return ProbabilityEstimate(value=successes / shots, stderr=sqrt(shrunk * (1 - shrunk) / shots))


def binomial_estimates(successes: np.ndarray, shots: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Element-wise `binomial_estimate`: (values, stderrs), float arrays of the broadcast shape."""
    k = np.asarray(successes, dtype=float)
    n = np.asarray(shots, dtype=float)
    _check_counts(k, n)
    shrunk = (k + 0.5) / (n + 1)
    return k / n, np.sqrt(shrunk * (1 - shrunk) / n)


def _check_counts(successes: np.ndarray, shots: np.ndarray) -> None:
    if np.any(shots <= 0):
        raise ValueError("no shots: every shot count must be positive")
    if np.any(successes < 0) or np.any(successes > shots):
        raise ValueError("successes must lie between 0 and shots")
