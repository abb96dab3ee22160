"""Turning a batch's counts into the probability curve a fit needs, and the fit into a figure."""

from collections.abc import Mapping, Sequence

import numpy as np

from synqc_backend.analysis.fitting import FitResult
from synqc_backend.analysis.probability import binomial_estimates
from synqc_backend.execution import BatchOutcome
from synqc_backend.figures.plot_data import Figure, Series

CURVE_POINTS = 200


def outcome_count(counts: Mapping[str, int], outcome: str = "1", bit: int = 0) -> int:
    """Shots in which classical bit `bit` (0 = rightmost character) read `outcome`."""
    return sum(n for key, n in counts.items() if key.replace(" ", "")[-1 - bit] == outcome)


def outcome_counts(
    outcome: BatchOutcome, outcome_bit: str = "1"
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(x values, shots reading `outcome_bit`, shots) per circuit of the batch."""
    x = np.array([float(v) if v is not None else np.nan for v in outcome.batch.x_values])
    hits = np.array([outcome_count(c, outcome_bit) for c in outcome.result.counts])
    shots = np.array([sum(c.values()) for c in outcome.result.counts])
    return x, hits, shots


type Stages = BatchOutcome | Sequence[BatchOutcome]


def merged_counts(
    outcomes: Stages, outcome_bit: str = "1"
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """`outcome_counts` of one batch or of several (the stages of one sweep), concatenated."""
    stages = [outcomes] if isinstance(outcomes, BatchOutcome) else list(outcomes)
    parts = [outcome_counts(outcome, outcome_bit) for outcome in stages]
    x, hits, shots = (np.concatenate([part[i] for part in parts]) for i in range(3))
    return x, hits, shots


def probability_curve(
    outcomes: Stages, outcome_bit: str = "1"
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(x values, P(outcome), binomial stderr) per circuit of the batches."""
    x, hits, shots = merged_counts(outcomes, outcome_bit)
    p, sigma = binomial_estimates(hits, shots)
    return x, p, sigma


def fit_figure(
    name: str,
    title: str,
    fit: FitResult,
    legend: str,
    *,
    x_label: str,
    y_label: str,
    x_scale: float = 1.0,
    log_x: bool = False,
) -> Figure:
    """The fit's data with error bars and its model curve, the estimate in the legend."""
    x_min, x_max = float(np.min(fit.x)), float(np.max(fit.x))
    grid = (
        np.geomspace(max(x_min, 1e-12), x_max, CURVE_POINTS)
        if log_x
        else np.linspace(x_min, x_max, CURVE_POINTS)
    )
    curves: tuple[Series, ...] = ()
    if all(np.isfinite(v) for v in fit.values.values()):
        curves = (Series(tuple(grid.tolist()), tuple(fit.curve(grid).tolist()), legend),)
    return Figure(
        name=name,
        title=title,
        x_label=x_label,
        y_label=y_label,
        data=(
            Series(
                tuple(fit.x.tolist()), tuple(fit.y.tolist()), "measured", tuple(fit.sigma.tolist())
            ),
        ),
        curves=curves,
        x_scale=x_scale,
        log_x=log_x,
    )
