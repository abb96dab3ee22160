"""Fits of measured probabilities whose error bars come from the fitted model.

Error bars computed from the data themselves (σ² = p̂(1 − p̂)/n) give more weight to points
that happen to fluctuate toward 0 or 1, which biases the fit by a fraction of its stderr.
Refitting once with σ² = p(1 − p)/n taken from the first fit's curve removes that bias
(it is one step of iteratively reweighted least squares toward the binomial likelihood).
"""

from collections.abc import Callable

import numpy as np

from synqc_backend.analysis.fitting import FitQuality, FitResult
from synqc_backend.analysis.probability import binomial_estimates

type CurveFit = Callable[[np.ndarray, np.ndarray, np.ndarray], FitResult]


def fit_probabilities(
    fit: CurveFit, x: np.ndarray, successes: np.ndarray, shots: np.ndarray
) -> FitResult:
    """Fit P(x) = successes/shots with `fit`, then refit with model-based binomial sigmas."""
    p, sigma = binomial_estimates(successes, shots)
    first = fit(x, p, sigma)
    if first.quality is not FitQuality.GOOD:
        return first
    n = np.asarray(shots, dtype=float)
    floor = 0.5 / (n + 1)
    model = np.clip(first.curve(x), floor, 1 - floor)
    return fit(x, p, np.sqrt(model * (1 - model) / n))
