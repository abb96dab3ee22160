"""Decay curves for T1, Hahn echo, Ramsey and RB, with data-driven initial guesses and bounds.

Times are in seconds and frequencies in Hz (any consistent units work); RB lengths are
Clifford counts. The bounds assume the data are probabilities.
"""

import numpy as np

from synqc_backend.analysis.fitting import (
    FitModel,
    FitQuality,
    FitResult,
    fit_curve,
    with_bad_quality,
)

type Bounds = dict[str, tuple[float, float]]

# Guesses scan the non-linear parameter over this range (× the largest x) and solve the
# linear ones exactly at each point; the fit's bounds are a decade wider on each side.
_SCAN_DECADES = 2.0
_BOUND_DECADES = 3.0
_AMPLITUDE = (-2.0, 2.0)
_OFFSET = (-1.0, 2.0)


def _exp_decay(t: np.ndarray, amplitude: float, tau: float, offset: float) -> np.ndarray:
    return amplitude * np.exp(-t / tau) + offset


def _damped_cosine(
    t: np.ndarray, amplitude: float, tau: float, frequency: float, phase: float, offset: float
) -> np.ndarray:
    return amplitude * np.exp(-t / tau) * np.cos(2 * np.pi * frequency * t + phase) + offset


def _rb_decay(m: np.ndarray, amplitude: float, p: float, offset: float) -> np.ndarray:
    return amplitude * p**m + offset


EXP_DECAY = FitModel(
    name="exp_decay",
    formula="A·exp(−t/tau) + B",
    parameters=("amplitude", "tau", "offset"),
    function=_exp_decay,
)
DAMPED_COSINE = FitModel(
    name="damped_cosine",
    formula="A·exp(−t/tau)·cos(2π·f·t + phi) + B",
    parameters=("amplitude", "tau", "frequency", "phase", "offset"),
    function=_damped_cosine,
)
RB_DECAY = FitModel(
    name="rb_decay",
    formula="A·p^m + B",
    parameters=("amplitude", "p", "offset"),
    function=_rb_decay,
)


def exp_decay_bounds(x_max: float) -> Bounds:
    """Bounds for EXP_DECAY: tau within three decades either side of the longest delay."""
    return {"amplitude": _AMPLITUDE, "tau": _tau_bounds(x_max), "offset": _OFFSET}


def damped_cosine_bounds(x_max: float, max_frequency: float) -> Bounds:
    """Bounds for DAMPED_COSINE: amplitude ≥ 0 (the phase carries the sign), 0 ≤ f ≤ max."""
    return {
        "amplitude": (0.0, _AMPLITUDE[1]),
        "tau": _tau_bounds(x_max),
        "frequency": (0.0, max_frequency),
        "phase": (-2 * np.pi, 2 * np.pi),
        "offset": _OFFSET,
    }


def rb_bounds() -> Bounds:
    """Bounds for RB_DECAY: 0 ≤ p ≤ 1."""
    return {"amplitude": _AMPLITUDE, "p": (0.0, 1.0), "offset": _OFFSET}


def nyquist_frequency(x: np.ndarray) -> float:
    """1 / (2 · smallest spacing between distinct x): the highest frequency the grid resolves."""
    steps = np.diff(np.unique(np.asarray(x, dtype=float)))
    if steps.size == 0:
        raise ValueError("need at least two distinct x values")
    return float(0.5 / steps.min())


def guess_exp_decay(x: np.ndarray, y: np.ndarray) -> dict[str, float]:
    """Initial (amplitude, tau, offset): scan tau, solve A and B by linear least squares."""
    xs, ys = _checked(x, y)
    taus = xs.max() * np.logspace(-_SCAN_DECADES, _SCAN_DECADES, 161)
    decays = np.exp(-xs[None, :] / taus[:, None])
    best, (amplitude, offset) = _best_linear(decays[:, :, None], ys)
    return {"amplitude": amplitude, "tau": float(taus[best]), "offset": offset}


def guess_damped_cosine(
    x: np.ndarray, y: np.ndarray, expected_frequency: float
) -> dict[str, float]:
    """Initial Ramsey parameters: frequency from the periodogram, then a local (f, tau) scan.

    - The periodogram of the de-meaned data is used when the grid is uniform and its peak
      holds at least one period in the window; otherwise `expected_frequency` (Hz) is the centre.
    - Around the centre, f (± 2 Fourier bins) and tau are scanned; A, phi, B are solved exactly.
    """
    xs, ys = _checked(x, y)
    span = float(xs.max() - xs.min())
    peak = _periodogram_peak(xs, ys)
    centre = peak if peak is not None else expected_frequency
    frequencies = np.clip(centre + np.linspace(-2, 2, 25) / span, 0.0, nyquist_frequency(xs))
    taus = xs.max() * np.logspace(-_SCAN_DECADES, _SCAN_DECADES, 25)
    f, tau = (grid.ravel() for grid in np.meshgrid(frequencies, taus, indexing="ij"))
    envelope = np.exp(-xs[None, :] / tau[:, None])
    angle = 2 * np.pi * f[:, None] * xs[None, :]
    basis = np.stack([envelope * np.cos(angle), envelope * np.sin(angle)], axis=-1)
    best, (cosine, sine, offset) = _best_linear(basis, ys)
    return {
        "amplitude": float(np.hypot(cosine, sine)),
        "tau": float(tau[best]),
        "frequency": float(f[best]),
        "phase": float(np.arctan2(-sine, cosine)),
        "offset": offset,
    }


def guess_rb(m: np.ndarray, y: np.ndarray) -> dict[str, float]:
    """Initial (amplitude, p, offset): scan p = exp(−1/L) over decay lengths L, solve A and B."""
    ms, ys = _checked(m, y)
    p = np.exp(-1.0 / (ms.max() * np.logspace(-_SCAN_DECADES, _SCAN_DECADES, 161)))
    best, (amplitude, offset) = _best_linear((p[:, None] ** ms[None, :])[:, :, None], ys)
    return {"amplitude": amplitude, "p": float(p[best]), "offset": offset}


def fit_exp_decay(
    t: np.ndarray, p: np.ndarray, sigma: np.ndarray, *, reported: str = "tau", max_chi2: float = 3.0
) -> FitResult:
    """Fit EXP_DECAY (T1, Hahn echo) to probabilities `p` ± `sigma` at delays `t` (s)."""
    bounds = exp_decay_bounds(_x_max(t))
    return fit_curve(EXP_DECAY, t, p, sigma, guess_exp_decay(t, p), bounds, reported, max_chi2)


def fit_damped_cosine(
    t: np.ndarray,
    p: np.ndarray,
    sigma: np.ndarray,
    expected_frequency: float,
    *,
    reported: str = "tau",
    max_chi2: float = 3.0,
) -> FitResult:
    """Fit DAMPED_COSINE (Ramsey) at delays `t` (s); `expected_frequency` (Hz) seeds the guess."""
    guess = guess_damped_cosine(t, p, expected_frequency)
    bounds = damped_cosine_bounds(_x_max(t), nyquist_frequency(t))
    return fit_curve(DAMPED_COSINE, t, p, sigma, guess, bounds, reported, max_chi2)


def fit_rb(
    m: np.ndarray,
    p: np.ndarray,
    sigma: np.ndarray,
    *,
    reported: str = "p",
    max_chi2: float = 3.0,
    offset_prior: tuple[float, float] | None = None,
) -> FitResult:
    """Fit RB_DECAY to survival probabilities `p` ± `sigma` at sequence lengths `m`.

    - `offset_prior`: the asymptote B measured elsewhere (value, stderr), fitted with it.
    - Also BAD when stderr(p) > (1 − p)/2: the error per Clifford (1 − p)/2 is what RB
      reports, and p itself is always near 1, so the generic stderr test cannot see a flat curve.
    """
    priors = {"offset": offset_prior} if offset_prior else None
    guess = guess_rb(m, p)
    result = fit_curve(RB_DECAY, m, p, sigma, guess, rb_bounds(), reported, max_chi2, priors)
    decay, error = 1.0 - result.values["p"], result.stderr["p"]
    if result.quality is FitQuality.GOOD and error > decay / 2:
        reason = f"stderr of p ({error:.3g}) exceeds half of 1 - p ({decay:.3g})"
        return with_bad_quality(result, reason)
    return result


def _tau_bounds(x_max: float) -> tuple[float, float]:
    if not x_max > 0:
        raise ValueError("the longest delay must be positive")
    return (x_max * 10**-_BOUND_DECADES, x_max * 10**_BOUND_DECADES)


def _x_max(x: np.ndarray) -> float:
    return float(np.max(np.asarray(x, dtype=float)))


def _checked(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    xs = np.asarray(x, dtype=float).ravel()
    ys = np.asarray(y, dtype=float).ravel()
    if xs.size != ys.size or np.unique(xs).size < 2:
        raise ValueError("need x and y of the same length with at least two distinct x values")
    if not (np.all(np.isfinite(xs)) and np.all(np.isfinite(ys))):
        raise ValueError("x and y must be finite")
    if not xs.max() > 0:
        raise ValueError("the largest x must be positive")
    return xs, ys


def _best_linear(basis: np.ndarray, y: np.ndarray) -> tuple[int, list[float]]:
    """Index of the basis (shape scan × points × k) that, plus a constant, fits y best.

    Returns that index and its k + 1 least-squares coefficients, the constant last.
    """
    constant = np.ones((*basis.shape[:2], 1))
    design = np.concatenate([basis, constant], axis=-1)
    gram = np.swapaxes(design, -1, -2) @ design
    # A whisker of ridge keeps degenerate scan points (f = 0 has no sine) solvable.
    ridge = 1e-12 * np.trace(gram, axis1=-2, axis2=-1)[:, None, None] * np.eye(gram.shape[-1])
    coefficients = np.linalg.solve(gram + ridge, (np.swapaxes(design, -1, -2) @ y)[..., None])[
        ..., 0
    ]
    residuals = np.sum(((design @ coefficients[..., None])[..., 0] - y) ** 2, axis=-1)
    best = int(np.argmin(residuals))
    return best, [float(c) for c in coefficients[best]]


def _periodogram_peak(x: np.ndarray, y: np.ndarray) -> float | None:
    """Frequency of the largest zero-padded FFT peak, or None if the grid cannot resolve one."""
    order = np.argsort(x)
    steps = np.diff(x[order])
    if x.size < 8 or not np.allclose(steps, steps[0], rtol=1e-6, atol=0.0) or steps[0] <= 0:
        return None
    padded = 8 * x.size
    power = np.abs(np.fft.rfft(y[order] - y.mean(), n=padded)) ** 2
    frequencies = np.fft.rfftfreq(padded, d=float(steps[0]))
    peak = float(frequencies[1 + int(np.argmax(power[1:]))])
    span = float(steps[0]) * (x.size - 1)
    return peak if peak * span >= 1.0 else None
