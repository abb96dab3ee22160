"""Drift of a qubit's measured quantity, from the error bars: each value against the rolling
baseline of the values before it (`qubit_drift_v1`).

The baseline is the inverse-variance mean of up to `BASELINE_POINTS` earlier good values, at
least `MIN_BASELINE`; its stderr is the formal one, scaled by the Birge ratio √(χ²/dof) when
the earlier values scatter more than their own error bars say (run-to-run fluctuation is then
counted as noise, not drift). A value drifts when it differs from the baseline by more than
`DRIFT_K` combined standard errors: z = (x − μ) / √(σₓ² · r² + σ_μ²), r the Birge ratio (≥ 1).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from math import isfinite, sqrt

BASELINE_POINTS = 10
MIN_BASELINE = 3
DRIFT_K = 4.0


@dataclass(frozen=True)
class Point:
    """One measured value; `good` is its fit's verdict."""

    value: float
    stderr: float
    good: bool

    @property
    def usable(self) -> bool:
        return self.good and isfinite(self.value) and isfinite(self.stderr) and self.stderr > 0


def point_of(value: float | None, stderr: float | None, quality: str) -> Point | None:
    """A stored measurement as a point; None when it has no value or no stderr."""
    if value is None or stderr is None:
        return None
    return Point(value, stderr, quality == "good")


def drift_against(point: Point | None, earlier: Sequence[Point | None]) -> float | None:
    """z of `point` against the usable points of `earlier` (oldest first), the latest
    `BASELINE_POINTS` of them; None when it or the baseline is not usable."""
    if point is None or not point.usable:
        return None
    baseline = [p for p in earlier if p is not None and p.usable][-BASELINE_POINTS:]
    return drift_score(point, baseline)


def drift_score(point: Point, baseline: Sequence[Point]) -> float | None:
    """z of `point` against `baseline` (usable points); None when there are too few."""
    if len(baseline) < MIN_BASELINE:
        return None
    weights = [1.0 / p.stderr**2 for p in baseline]
    total = sum(weights)
    mean = sum(w * p.value for w, p in zip(weights, baseline, strict=True)) / total
    chi2 = sum(w * (p.value - mean) ** 2 for w, p in zip(weights, baseline, strict=True))
    birge = max(1.0, sqrt(chi2 / (len(baseline) - 1)))
    combined = sqrt((point.stderr * birge) ** 2 + (birge / sqrt(total)) ** 2)
    return (point.value - mean) / combined
