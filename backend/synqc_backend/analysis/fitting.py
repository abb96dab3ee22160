"""One weighted least-squares curve fit, configured by a model, a guess and bounds."""

import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from enum import StrEnum

import numpy as np

# A fitted value this close to a bound (relative to |bound|; to the interval's width for a bound
# at zero) is "at the bound": the optimum lies at or beyond the edge of the allowed range.
AT_BOUND_TOLERANCE = 1e-6
# Smallest eigenvalue of the parameter correlation matrix below which the parameters are not
# separately identifiable (scipy's pseudo-inverse then hides the direction with zero variance).
SINGULAR_CORRELATION = 1e-10

type _Data = tuple[np.ndarray, np.ndarray, np.ndarray]
# Independent measurements of some parameters: name → (value, stderr).
type Priors = Mapping[str, tuple[float, float]]


class FitQuality(StrEnum):
    GOOD = "good"
    BAD = "bad"


@dataclass(frozen=True)
class FitModel:
    """A curve `y = function(x, *values)` with its parameters named in `parameters` order."""

    name: str
    formula: str
    parameters: tuple[str, ...]
    function: Callable[..., np.ndarray]

    def evaluate(self, x: np.ndarray, params: Mapping[str, float]) -> np.ndarray:
        """The curve at `x` for the named parameter values."""
        args = [params[name] for name in self.parameters]
        return np.asarray(self.function(np.asarray(x, dtype=float), *args), dtype=float)


# eq=False: the arrays make field-wise equality ambiguous; results compare by identity.
@dataclass(frozen=True, eq=False)
class FitResult:
    """Fitted values and standard errors (units of the model's parameters), with a verdict.

    - `quality` is BAD, with `quality_reason` saying why, whenever the values or their stderrs
      cannot be trusted; a fit that failed outright has NaN values and stderrs.
    - `reduced_chi2` = χ² / dof with the caller's absolute sigmas; NaN when dof ≤ 0.
    - `x`, `y`, `sigma` are read-only copies of the fitted data.
    """

    model: FitModel
    values: dict[str, float]
    stderr: dict[str, float]
    reduced_chi2: float
    dof: int
    quality: FitQuality
    quality_reason: str | None
    x: np.ndarray
    y: np.ndarray
    sigma: np.ndarray

    def curve(self, x: np.ndarray) -> np.ndarray:
        """The fitted curve at `x`."""
        return self.model.evaluate(x, self.values)


def fit_curve(
    model: FitModel,
    x: np.ndarray,
    y: np.ndarray,
    sigma: np.ndarray,
    guess: Mapping[str, float],
    bounds: Mapping[str, tuple[float, float]],
    reported: str,
    max_chi2: float = 3.0,
    priors: Priors | None = None,
) -> FitResult:
    """Weighted least squares of `model` to (x, y ± sigma), sigma absolute (e.g. binomial).

    - `priors`: parameters measured elsewhere, each entering as one more datum (value ± stderr)
      of that parameter, so their uncertainty reaches every fitted stderr.
    - BAD when the fit does not converge, a stderr is not finite, the parameters are not
      identifiable, stderr(`reported`) > |value|/2, reduced χ² > `max_chi2` (dof > 0), there
      are no degrees of freedom left, or a fitted value sits at a bound.
    - Never raises for a failed fit; raises ValueError only for malformed input.
    """
    data = _checked_data(x, y, sigma)
    lower, upper, start = _checked_parameters(model, guess, bounds, reported)
    priors = dict(priors or {})
    if not set(priors) <= set(model.parameters):
        raise ValueError(f"priors must name parameters of {model.parameters}")
    dof = data[0].size + len(priors) - len(model.parameters)
    if dof < 0:
        return _assemble(model, data, dof, [f"fewer points than parameters (dof = {dof})"])
    try:
        fitted, covariance, warned = _scaled_fit(model, data, start, lower, upper, priors)
    except (RuntimeError, ValueError) as error:
        return _assemble(model, data, dof, [f"did not converge: {error}"])
    xs, ys, sigmas = data
    values = dict(zip(model.parameters, (float(v) for v in fitted), strict=True))
    with np.errstate(all="ignore"):
        errors = np.sqrt(np.diag(covariance))
        residuals = (ys - model.function(xs, *fitted)) / sigmas
        pulls = [(values[name] - value) / error for name, (value, error) in priors.items()]
    chi2 = np.sum(residuals**2) + np.sum(np.square(pulls))
    reduced_chi2 = float(chi2 / dof) if dof > 0 else float("nan")
    stderr = dict(zip(model.parameters, (float(e) for e in errors), strict=True))
    reasons = [
        *warned,
        *_uncertainty_reasons(values, stderr, covariance, reported),
        *_chi2_reasons(reduced_chi2, dof, max_chi2),
        *_bound_reasons(values, bounds),
    ]
    return _assemble(model, data, dof, reasons, values, stderr, reduced_chi2)


def with_bad_quality(result: FitResult, reason: str) -> FitResult:
    """The same fit marked BAD for a measurement-specific `reason`, appended to any others."""
    reasons = [r for r in (result.quality_reason, reason) if r]
    return replace(result, quality=FitQuality.BAD, quality_reason="; ".join(reasons))


def _scaled_fit(
    model: FitModel,
    data: _Data,
    start: np.ndarray,
    lower: np.ndarray,
    upper: np.ndarray,
    priors: Priors,
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """curve_fit on parameters in units of `_parameter_scales`; OptimizeWarnings become reasons.

    - Each prior is one more residual: the parameter itself against its measured value.
    """
    # Imported on the first fit: scipy.optimize costs the API's start-up about half a second.
    from scipy.optimize import OptimizeWarning, curve_fit

    x, measured, measured_sigma = data
    y = np.concatenate((measured, [value for value, _ in priors.values()]))
    sigma = np.concatenate((measured_sigma, [error for _, error in priors.values()]))
    prior_index = [model.parameters.index(name) for name in priors]
    scale = _parameter_scales(start, lower, upper)

    def scaled(xs: np.ndarray, *q: float) -> np.ndarray:
        values = np.asarray(q) * scale
        curve = np.asarray(model.function(xs, *values), dtype=float)
        return np.concatenate((curve, values[prior_index]))

    with warnings.catch_warnings(record=True) as caught, np.errstate(all="ignore"):
        warnings.simplefilter("always", OptimizeWarning)
        q, q_covariance = curve_fit(
            scaled,
            x,
            y,
            p0=start / scale,
            sigma=sigma,
            absolute_sigma=True,
            bounds=(lower / scale, upper / scale),
        )
    reasons = []
    for record in caught:
        if issubclass(record.category, OptimizeWarning):
            reasons.append(f"scipy: {record.message}")
        else:  # not ours to judge: pass it on to the caller's warning filters
            warnings.warn_explicit(record.message, record.category, record.filename, record.lineno)
    fitted = np.asarray(q, dtype=float) * scale
    covariance = np.asarray(q_covariance, dtype=float) * np.outer(scale, scale)
    return fitted, covariance, reasons


def _parameter_scales(start: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> np.ndarray:
    """Per-parameter unit so the optimiser sees O(1) numbers.

    Why: scipy's step-size tolerance compares the step with the norm of the whole parameter
    vector, so a frequency in Hz (~1e5) would end the fit long before a time in s (~1e-4) is
    converged.
    """
    magnitude = np.where(np.isfinite(lower), np.abs(lower), 0.0)
    magnitude = np.maximum(magnitude, np.where(np.isfinite(upper), np.abs(upper), 0.0))
    scale = np.maximum(np.abs(start), 1e-3 * magnitude)
    return np.where(scale > 0, scale, 1.0)


def _uncertainty_reasons(
    values: Mapping[str, float],
    stderr: Mapping[str, float],
    covariance: np.ndarray,
    reported: str,
) -> list[str]:
    reasons = [f"{name} is not finite" for name, value in values.items() if not np.isfinite(value)]
    reasons += [
        f"stderr of {name} is not finite" for name, e in stderr.items() if not np.isfinite(e)
    ]
    if reasons:
        return reasons
    if _min_correlation_eigenvalue(covariance) < SINGULAR_CORRELATION:
        reasons.append("parameters are not identifiable (singular covariance)")
    value, error = values[reported], stderr[reported]
    if error > abs(value) / 2:
        reasons.append(f"stderr of {reported} ({error:.3g}) exceeds half its value ({value:.3g})")
    return reasons


def _min_correlation_eigenvalue(covariance: np.ndarray) -> float:
    errors = np.sqrt(np.diag(covariance))
    if np.any(errors == 0):
        return 0.0
    correlation = covariance / np.outer(errors, errors)
    return float(np.linalg.eigvalsh(correlation).min())


def _chi2_reasons(reduced_chi2: float, dof: int, max_chi2: float) -> list[str]:
    if dof == 0:
        return ["no degrees of freedom left to test the fit (as many points as parameters)"]
    if not np.isfinite(reduced_chi2):
        return ["residuals are not finite"]
    if reduced_chi2 > max_chi2:
        return [f"reduced chi2 = {reduced_chi2:.3g} > {max_chi2:g}"]
    return []


def _bound_reasons(
    values: Mapping[str, float], bounds: Mapping[str, tuple[float, float]]
) -> list[str]:
    reasons = []
    for name, value in values.items():
        low, high = bounds[name]
        width = high - low
        for bound in (low, high):
            if not np.isfinite(bound):
                continue
            reference = abs(bound) or (width if np.isfinite(width) else 1.0)
            if abs(value - bound) <= AT_BOUND_TOLERANCE * reference:
                reasons.append(f"{name} = {value:.6g} sits at its bound {bound:.6g}")
    return reasons


def _assemble(
    model: FitModel,
    data: _Data,
    dof: int,
    reasons: list[str],
    values: dict[str, float] | None = None,
    stderr: dict[str, float] | None = None,
    reduced_chi2: float = float("nan"),
) -> FitResult:
    """The FitResult; without values (a failed fit) every value and stderr is NaN."""
    nan = dict.fromkeys(model.parameters, float("nan"))
    return FitResult(
        model=model,
        values=nan if values is None else values,
        stderr=dict(nan) if stderr is None else stderr,
        reduced_chi2=reduced_chi2,
        dof=dof,
        quality=FitQuality.BAD if reasons else FitQuality.GOOD,
        quality_reason="; ".join(reasons) if reasons else None,
        x=data[0],
        y=data[1],
        sigma=data[2],
    )


def _checked_data(x: np.ndarray, y: np.ndarray, sigma: np.ndarray) -> _Data:
    """Read-only float copies of (x, y, sigma)."""
    arrays = [np.array(a, dtype=float).ravel() for a in (x, y, sigma)]
    if len({a.size for a in arrays}) != 1:
        raise ValueError("x, y and sigma must have the same length")
    if not all(np.all(np.isfinite(a)) for a in arrays):
        raise ValueError("x, y and sigma must be finite")
    if np.any(arrays[2] <= 0):
        raise ValueError("sigma must be positive")
    for a in arrays:
        a.setflags(write=False)
    xs, ys, sigmas = arrays
    return xs, ys, sigmas


def _checked_parameters(
    model: FitModel,
    guess: Mapping[str, float],
    bounds: Mapping[str, tuple[float, float]],
    reported: str,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(lower, upper, start) in parameter order, with the guess clipped into the bounds."""
    names = model.parameters
    missing = [n for n in names if n not in guess or n not in bounds]
    if missing or reported not in names:
        raise ValueError(f"guess and bounds must cover {names} and include {reported!r}")
    lower = np.array([bounds[n][0] for n in names], dtype=float)
    upper = np.array([bounds[n][1] for n in names], dtype=float)
    if np.any(lower >= upper):
        raise ValueError("every lower bound must be below its upper bound")
    start = np.clip(np.array([guess[n] for n in names], dtype=float), lower, upper)
    return lower, upper, start
