"""The one weighted curve fit: recovery, absolute sigmas and every way a fit turns BAD."""

import warnings
from collections.abc import Callable
from math import isnan, sqrt
from typing import Any

import numpy as np
import pytest
from scipy.optimize import OptimizeWarning, curve_fit

from synqc_backend.analysis.fitting import (
    FitModel,
    FitQuality,
    FitResult,
    fit_curve,
    with_bad_quality,
)


def _line(x: np.ndarray, slope: float, intercept: float) -> np.ndarray:
    return slope * x + intercept


def _ignores_intercept(x: np.ndarray, slope: float, intercept: float) -> np.ndarray:
    return slope * x + 0.0 * intercept


def _not_a_number(x: np.ndarray, slope: float, intercept: float) -> np.ndarray:
    return np.full_like(x, np.nan)


def _model(function: Callable[..., np.ndarray]) -> FitModel:
    return FitModel(
        name="line", formula="a·x + b", parameters=("slope", "intercept"), function=function
    )


FITTING_CURVE_FIT = "scipy.optimize.curve_fit"  # fitting imports it on first use
LINE = _model(_line)
X = np.arange(10.0)
SIGMA = np.full(10, 0.1)
GUESS = {"slope": 1.0, "intercept": 0.0}
BOUNDS = {"slope": (-10.0, 10.0), "intercept": (-10.0, 10.0)}
# Deterministic ±0.5 "noise" that a straight line cannot absorb.
ZIGZAG = 0.5 * np.array([1, -1, -1, 1, 1, -1, -1, 1, 1, -1])


def _fit(data: np.ndarray, model: FitModel = LINE, **options: Any) -> FitResult:
    """fit_curve of `data` at X ± SIGMA with the line's guess and bounds, unless overridden."""
    arguments: dict[str, Any] = {
        "x": X,
        "y": data,
        "sigma": SIGMA,
        "guess": GUESS,
        "bounds": BOUNDS,
        "reported": "slope",
    }
    return fit_curve(model, **(arguments | options))


def test_noise_free_line_is_recovered_and_good() -> None:
    result = _fit(2.5 * X - 1.25)

    assert result.quality is FitQuality.GOOD
    assert result.quality_reason is None
    assert result.values["slope"] == pytest.approx(2.5, rel=1e-9)
    assert result.values["intercept"] == pytest.approx(-1.25, rel=1e-9)
    assert result.dof == 8
    assert result.reduced_chi2 == pytest.approx(0.0, abs=1e-12)


def test_stderrs_are_the_absolute_weighted_least_squares_errors() -> None:
    # σ_slope = σ/√Σ(x − x̄)² and σ_intercept = σ·√(Σx²/(n·Σ(x − x̄)²)), x = 0..9: Sxx = 82.5
    noise_free = _fit(2.5 * X - 1.25)
    noisy = _fit(2.5 * X - 1.25 + 0.05 * ZIGZAG)

    for result in (noise_free, noisy):
        assert result.stderr["slope"] == pytest.approx(0.1 / sqrt(82.5), rel=1e-6)
        assert result.stderr["intercept"] == pytest.approx(0.1 * sqrt(285 / 825), rel=1e-6)


def test_curve_evaluates_the_fitted_model() -> None:
    result = _fit(2.5 * X - 1.25)

    np.testing.assert_allclose(result.curve(np.array([0.0, 4.0])), [-1.25, 8.75], rtol=1e-9)
    assert LINE.evaluate(np.array([2.0]), {"slope": 3.0, "intercept": 1.0})[0] == 7.0


def test_result_keeps_read_only_copies_of_the_data() -> None:
    y = 2.5 * X
    result = _fit(y)

    y[0] = 99.0
    assert result.y[0] == 0.0
    with pytest.raises(ValueError, match="read-only"):
        result.x[0] = 1.0


def test_a_guess_outside_the_bounds_is_clipped_into_them() -> None:
    result = _fit(2.5 * X, guess={"slope": 50.0, "intercept": -50.0})

    assert result.quality is FitQuality.GOOD
    assert result.values["slope"] == pytest.approx(2.5, rel=1e-9)


@pytest.mark.parametrize(
    ("y", "options", "reason"),
    [
        pytest.param(2.5 * X + ZIGZAG, {}, "reduced chi2 = ", id="chi2-too-large"),
        pytest.param(0.001 * X + 1.0, {}, "stderr of slope", id="stderr-over-half-value"),
        pytest.param(
            2.5 * X,
            {"bounds": {**BOUNDS, "slope": (0.0, 1.0)}},
            "slope = 1 sits at its bound 1",
            id="at-upper-bound",
        ),
        pytest.param(
            -X + 3.0,
            {"bounds": {**BOUNDS, "slope": (-0.5, 0.5)}, "guess": {**GUESS, "slope": 0.0}},
            "slope = -0.5 sits at its bound -0.5",
            id="at-lower-bound",
        ),
        pytest.param(
            2.5 * X,
            {"x": X[:2], "y": 2.5 * X[:2], "sigma": SIGMA[:2]},
            "no degrees of freedom",
            id="dof-zero",
        ),
        pytest.param(
            2.5 * X,
            {"x": X[:1], "y": 2.5 * X[:1], "sigma": SIGMA[:1]},
            "fewer points than parameters",
            id="dof-negative",
        ),
    ],
)
def test_untrustworthy_fits_are_bad_with_a_reason(
    y: np.ndarray, options: dict[str, Any], reason: str
) -> None:
    result = _fit(y, **options)

    assert result.quality is FitQuality.BAD
    assert result.quality_reason is not None
    assert reason in result.quality_reason


def test_chi2_gate_follows_max_chi2() -> None:
    y = 2.5 * X + ZIGZAG  # reduced χ² ≈ 31

    assert _fit(y).quality is FitQuality.BAD
    assert _fit(y, max_chi2=100.0).quality is FitQuality.GOOD


def test_a_fit_that_cannot_start_is_bad_with_nan_values_and_does_not_raise() -> None:
    result = _fit(2.5 * X, model=_model(_not_a_number))

    assert result.quality is FitQuality.BAD
    assert result.quality_reason is not None
    assert result.quality_reason.startswith("did not converge")
    assert all(isnan(v) for v in (*result.values.values(), *result.stderr.values()))
    assert isnan(result.reduced_chi2)


def test_a_parameter_the_model_ignores_is_not_identifiable() -> None:
    # scipy's pseudo-inverse gives the ignored intercept a stderr of exactly 0.
    result = _fit(2.5 * X, model=_model(_ignores_intercept))

    assert result.quality is FitQuality.BAD
    assert result.quality_reason is not None
    assert "not identifiable" in result.quality_reason


def test_optimize_warning_becomes_a_bad_quality_and_does_not_leak(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def warning_curve_fit(*args: Any, **kwargs: Any) -> Any:
        warnings.warn(
            "Covariance of the parameters could not be estimated", OptimizeWarning, stacklevel=2
        )
        return curve_fit(*args, **kwargs)

    monkeypatch.setattr(FITTING_CURVE_FIT, warning_curve_fit)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = _fit(2.5 * X)

    assert result.quality is FitQuality.BAD
    assert result.quality_reason == "scipy: Covariance of the parameters could not be estimated"


def test_other_warnings_reach_the_caller(monkeypatch: pytest.MonkeyPatch) -> None:
    def deprecated_curve_fit(*args: Any, **kwargs: Any) -> Any:
        warnings.warn("old keyword", DeprecationWarning, stacklevel=2)
        return curve_fit(*args, **kwargs)

    monkeypatch.setattr(FITTING_CURVE_FIT, deprecated_curve_fit)
    with pytest.warns(DeprecationWarning, match="old keyword"):
        result = _fit(2.5 * X)

    assert result.quality is FitQuality.GOOD


def test_with_bad_quality_appends_the_reason() -> None:
    good = _fit(2.5 * X)
    bad = with_bad_quality(good, "EPC too large")
    worse = with_bad_quality(bad, "second reason")

    assert good.quality is FitQuality.GOOD
    assert (bad.quality, bad.quality_reason) == (FitQuality.BAD, "EPC too large")
    assert worse.quality_reason == "EPC too large; second reason"
    assert worse.values == good.values


@pytest.mark.parametrize(
    ("options", "message"),
    [
        pytest.param({"y": np.zeros(9)}, "same length", id="length-mismatch"),
        pytest.param({"sigma": np.zeros(10)}, "sigma must be positive", id="zero-sigma"),
        pytest.param({"y": np.full(10, np.nan)}, "finite", id="nan-data"),
        pytest.param({"guess": {"slope": 1.0}}, "guess and bounds", id="missing-guess"),
        pytest.param({"reported": "tau"}, "guess and bounds", id="unknown-reported"),
        pytest.param({"bounds": {**BOUNDS, "slope": (1.0, 1.0)}}, "lower bound", id="empty-bounds"),
    ],
)
def test_malformed_input_raises(options: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        _fit(np.zeros(10), **options)


def test_quality_is_a_string_enum() -> None:
    assert f"{FitQuality.GOOD}" == "good"
    assert FitQuality("bad") is FitQuality.BAD


def test_a_prior_enters_as_one_more_datum_of_its_parameter() -> None:
    # Generalised least squares: the prior b = 0.3 ± 0.05 adds 1/0.05² to the intercept's
    # information, and its pull to χ².
    prior = (0.3, 0.05)
    result = _fit(2.5 * X - 1.25 + 0.05 * ZIGZAG, priors={"intercept": prior})

    design = np.column_stack((X, np.ones_like(X))) / SIGMA[:, None]
    information = design.T @ design + np.diag([0.0, 1 / prior[1] ** 2])
    expected = np.linalg.solve(
        information,
        design.T @ ((2.5 * X - 1.25 + 0.05 * ZIGZAG) / SIGMA) + np.array([0.0, prior[0] / 0.05**2]),
    )
    assert result.values["slope"] == pytest.approx(expected[0], rel=1e-6)
    assert result.values["intercept"] == pytest.approx(expected[1], rel=1e-6)
    covariance = np.linalg.inv(information)
    assert result.stderr["intercept"] == pytest.approx(sqrt(covariance[1, 1]), rel=1e-6)
    assert result.dof == 9


def test_a_prior_must_name_a_parameter() -> None:
    with pytest.raises(ValueError, match="priors"):
        _fit(2.5 * X, priors={"offset": (0.0, 1.0)})
