"""Golden-data regressions for the T1 / echo, Ramsey and RB fits and their initial guesses."""

from collections.abc import Callable
from dataclasses import dataclass
from math import exp, pi

import numpy as np
import pytest

from synqc_backend.analysis.decay_models import (
    DAMPED_COSINE,
    EXP_DECAY,
    RB_DECAY,
    damped_cosine_bounds,
    exp_decay_bounds,
    fit_damped_cosine,
    fit_exp_decay,
    fit_rb,
    guess_damped_cosine,
    guess_exp_decay,
    guess_rb,
    nyquist_frequency,
    rb_bounds,
)
from synqc_backend.analysis.fitting import FitModel, FitQuality, FitResult, fit_curve
from synqc_backend.analysis.probability import binomial_estimates

SHOTS = 300
T1_S = 100e-6
DETUNING_HZ = 200e3
T2_STAR_S = 80e-6
RB_LENGTHS = np.array([1, 10, 20, 50, 100, 200, 400, 700, 1000, 1500, 2000], dtype=float)

type Fit = Callable[[np.ndarray, np.ndarray, np.ndarray], FitResult]


@dataclass(frozen=True)
class Case:
    """A measurement's sweep, its true curve and the fit that should recover it."""

    fit: Fit
    model: FitModel
    x: np.ndarray
    truth: dict[str, float]
    checked: tuple[str, ...]  # the parameters a caller reports

    def curve(self) -> np.ndarray:
        return self.model.evaluate(self.x, self.truth)


def _ramsey(t: np.ndarray, p: np.ndarray, sigma: np.ndarray) -> FitResult:
    return fit_damped_cosine(t, p, sigma, expected_frequency=DETUNING_HZ)


T1 = Case(
    fit=fit_exp_decay,
    model=EXP_DECAY,
    x=np.linspace(0, 4 * T1_S, 20),
    truth={"amplitude": 0.95, "tau": T1_S, "offset": 0.02},
    checked=("tau",),
)
ECHO = Case(
    fit=fit_exp_decay,
    model=EXP_DECAY,
    x=np.linspace(0, 300e-6, 25),
    truth={"amplitude": 0.47, "tau": 150e-6, "offset": 0.5},
    checked=("tau",),
)
RAMSEY = Case(
    fit=_ramsey,
    model=DAMPED_COSINE,
    x=np.linspace(0, 200e-6, 121),  # 1.67 µs steps: Nyquist 300 kHz
    truth={
        "amplitude": 0.48,
        "tau": T2_STAR_S,
        "frequency": DETUNING_HZ,
        "phase": 0.4,
        "offset": 0.5,
    },
    checked=("tau", "frequency"),
)
RB = Case(
    fit=fit_rb,
    model=RB_DECAY,
    x=RB_LENGTHS,
    truth={"amplitude": 0.48, "p": 0.999, "offset": 0.5},
    checked=("p",),
)
CASES = [
    pytest.param(T1, id="t1"),
    pytest.param(ECHO, id="echo"),
    pytest.param(RAMSEY, id="ramsey"),
    pytest.param(RB, id="rb"),
]


def _sampled(curve: np.ndarray, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Binomially sampled probabilities and their stderrs, SHOTS shots per point."""
    successes = np.random.default_rng(seed).binomial(SHOTS, curve)
    return binomial_estimates(successes, np.full(curve.size, SHOTS))


def _z(result: FitResult, truth: dict[str, float], name: str) -> float:
    return (result.values[name] - truth[name]) / result.stderr[name]


@pytest.mark.parametrize("case", CASES)
def test_noise_free_curves_are_recovered_to_1e_6(case: Case) -> None:
    curve = case.curve()
    _, sigma = binomial_estimates(curve * SHOTS, np.full(curve.size, SHOTS))

    result = case.fit(case.x, curve, sigma)

    assert result.quality is FitQuality.GOOD, result.quality_reason
    for name, value in case.truth.items():
        assert result.values[name] == pytest.approx(value, rel=1e-6), name
    assert result.reduced_chi2 == pytest.approx(0.0, abs=1e-9)


@pytest.mark.parametrize("case", CASES)
def test_sampled_curve_is_fitted_within_3_stderr(case: Case) -> None:
    p, sigma = _sampled(case.curve(), seed=11)

    result = case.fit(case.x, p, sigma)

    assert result.quality is FitQuality.GOOD, result.quality_reason
    for name in case.checked:
        assert abs(_z(result, case.truth, name)) < 3, name


@pytest.mark.parametrize("case", CASES)
def test_stderrs_are_honest_over_50_seeds(case: Case) -> None:
    curve = case.curve()
    results = [case.fit(case.x, *_sampled(curve, seed)) for seed in range(50)]

    assert all(r.quality is FitQuality.GOOD for r in results)
    for name in case.checked:
        rms_z = np.sqrt(np.mean([_z(r, case.truth, name) ** 2 for r in results]))
        assert 0.6 < rms_z < 1.5, name


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_flat_data_is_a_bad_fit(case: Case, seed: int) -> None:
    p, sigma = _sampled(np.full(case.x.size, 0.5), seed)

    result = case.fit(case.x, p, sigma)

    assert result.quality is FitQuality.BAD
    assert result.quality_reason


def test_flat_rb_with_p_near_one_is_bad_on_the_error_per_clifford() -> None:
    p, sigma = _sampled(np.full(RB_LENGTHS.size, 0.98), seed=0)

    result = fit_rb(RB_LENGTHS, p, sigma)

    assert result.quality is FitQuality.BAD
    assert result.quality_reason is not None
    assert "exceeds half of 1 - p" in result.quality_reason


def test_tau_at_its_bound_is_a_bad_fit() -> None:
    p, sigma = _sampled(T1.curve(), seed=3)
    bounds = {**exp_decay_bounds(float(T1.x.max())), "tau": (1e-6, 50e-6)}

    result = fit_curve(EXP_DECAY, T1.x, p, sigma, guess_exp_decay(T1.x, p), bounds, "tau")

    assert result.quality is FitQuality.BAD
    assert result.quality_reason is not None
    assert "tau = 5e-05 sits at its bound 5e-05" in result.quality_reason


@pytest.mark.parametrize("seed", [4, 5])
def test_ramsey_recovers_t2_star_and_a_qubit_frequency_offset(seed: int) -> None:
    truth = {**RAMSEY.truth, "frequency": DETUNING_HZ + 7e3, "phase": pi}
    p, sigma = _sampled(DAMPED_COSINE.evaluate(RAMSEY.x, truth), seed)

    result = fit_damped_cosine(RAMSEY.x, p, sigma, expected_frequency=DETUNING_HZ)

    assert result.quality is FitQuality.GOOD, result.quality_reason
    assert abs(_z(result, truth, "tau")) < 3
    assert abs(_z(result, truth, "frequency")) < 3
    assert result.stderr["frequency"] < 1e3
    # cos is 2π-periodic: π and −π are the same phase.
    assert np.cos(result.values["phase"]) == pytest.approx(-1.0, abs=1e-2)


def test_periodogram_finds_the_frequency_when_the_expected_one_is_off() -> None:
    truth = {**RAMSEY.truth, "frequency": 207e3}
    curve = DAMPED_COSINE.evaluate(RAMSEY.x, truth)
    bin_hz = 1 / float(RAMSEY.x.max())

    guess = guess_damped_cosine(RAMSEY.x, curve, expected_frequency=150e3)

    assert guess["frequency"] == pytest.approx(207e3, abs=bin_hz)


def test_an_irregular_grid_falls_back_to_the_expected_frequency() -> None:
    t = np.sort(np.random.default_rng(0).uniform(0, 200e-6, 150))
    curve = DAMPED_COSINE.evaluate(t, RAMSEY.truth)
    p, sigma = _sampled(curve, seed=6)
    bin_hz = 1 / float(t.max() - t.min())

    far = guess_damped_cosine(t, curve, expected_frequency=150e3)
    result = fit_damped_cosine(t, p, sigma, expected_frequency=DETUNING_HZ)

    assert far["frequency"] == pytest.approx(150e3, abs=2 * bin_hz)
    assert result.quality is FitQuality.GOOD, result.quality_reason
    assert abs(_z(result, RAMSEY.truth, "frequency")) < 3


@pytest.mark.parametrize(
    ("guess", "case", "name", "rel"),
    [
        pytest.param(guess_exp_decay, T1, "tau", 0.05, id="t1"),
        pytest.param(guess_exp_decay, ECHO, "tau", 0.05, id="echo"),
        pytest.param(guess_rb, RB, "p", 1e-4, id="rb"),
    ],
)
def test_guesses_land_near_the_truth_on_clean_data(
    guess: Callable[[np.ndarray, np.ndarray], dict[str, float]],
    case: Case,
    name: str,
    rel: float,
) -> None:
    guessed = guess(case.x, case.curve())

    assert guessed[name] == pytest.approx(case.truth[name], rel=rel)


@pytest.mark.parametrize(
    ("model", "x", "params", "expected"),
    [
        pytest.param(
            EXP_DECAY, 2.0, {"amplitude": 0.9, "tau": 2.0, "offset": 0.1}, 0.9 / exp(1) + 0.1
        ),
        pytest.param(
            DAMPED_COSINE,
            0.25,
            {"amplitude": 1.0, "tau": 0.25, "frequency": 2.0, "phase": 0.0, "offset": 0.5},
            0.5 - exp(-1),  # cos(π) = −1
        ),
        pytest.param(RB_DECAY, 2.0, {"amplitude": 0.5, "p": 0.9, "offset": 0.5}, 0.905),
    ],
    ids=["exp-decay", "damped-cosine", "rb"],
)
def test_models_evaluate_their_formulas(
    model: FitModel, x: float, params: dict[str, float], expected: float
) -> None:
    assert model.evaluate(np.array([x]), params)[0] == pytest.approx(expected, rel=1e-12)


def test_bounds_helpers() -> None:
    assert exp_decay_bounds(400e-6)["tau"] == pytest.approx((4e-7, 0.4))
    assert damped_cosine_bounds(200e-6, 3e5)["frequency"] == (0.0, 3e5)
    assert damped_cosine_bounds(200e-6, 3e5)["amplitude"][0] == 0.0
    assert rb_bounds()["p"] == (0.0, 1.0)
    assert nyquist_frequency(np.linspace(0, 1e-5, 11)) == pytest.approx(5e5)


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda: exp_decay_bounds(0.0), id="zero-x-max"),
        pytest.param(lambda: nyquist_frequency(np.array([1.0, 1.0])), id="one-distinct-x"),
        pytest.param(lambda: guess_exp_decay(np.arange(3.0), np.zeros(4)), id="length-mismatch"),
        pytest.param(lambda: guess_rb(np.array([0.0, 0.0]), np.zeros(2)), id="all-lengths-zero"),
    ],
)
def test_unusable_sweeps_raise(call: Callable[[], object]) -> None:
    with pytest.raises(ValueError, match=r"x|delay"):
        call()
