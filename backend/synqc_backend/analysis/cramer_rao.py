"""The Cramér–Rao bound of a design: the smallest stderr any unbiased fit of its counts can have.

A design is the x value and shots of every circuit; the counts of circuit i are binomial with
success probability P(x_i) given by the model. The Fisher information of the model's parameters
θ is I = Σ_i n_i ∇P(x_i)∇P(x_i)ᵀ / (P(x_i)(1 − P(x_i))), and the bound on the stderr of θ_k is
√(I⁻¹)_kk. It ranks designs before a shot is spent and is reported beside each fitted stderr.
"""

from collections.abc import Mapping

import numpy as np

from synqc_backend.analysis.fitting import FitModel

# Relative step of the central differences of ∇P; P is smooth and O(1), so this is ample.
_STEP = 1e-6
# Probabilities are kept this far inside (0, 1): a curve touching 0 or 1 would give a point
# infinite information, which no finite count can deliver.
_P_FLOOR = 1e-6


def fisher_information(
    model: FitModel,
    x: np.ndarray,
    shots: np.ndarray,
    values: Mapping[str, float],
    prior_stderr: Mapping[str, float] | None = None,
) -> np.ndarray:
    """I(θ) of binomial counts at `x` with `shots` each, parameters in `model.parameters` order.

    - `prior_stderr`: parameters measured elsewhere add 1/stderr² to their diagonal.
    """
    xs = np.asarray(x, dtype=float).ravel()
    n = np.broadcast_to(np.asarray(shots, dtype=float), xs.shape)
    p = np.clip(model.evaluate(xs, values), _P_FLOOR, 1 - _P_FLOOR)
    gradient = _gradient(model, xs, values)
    weights = n / (p * (1 - p))
    information = np.asarray((gradient * weights) @ gradient.T, dtype=float)
    for name, error in (prior_stderr or {}).items():
        k = model.parameters.index(name)
        information[k, k] += 1 / error**2
    return information


def crb_stderr(
    model: FitModel,
    x: np.ndarray,
    shots: np.ndarray,
    values: Mapping[str, float],
    prior_stderr: Mapping[str, float] | None = None,
) -> dict[str, float]:
    """√(I⁻¹)_kk per parameter; NaN for every parameter when the design cannot identify them."""
    if not all(np.isfinite(values[name]) for name in model.parameters):
        return dict.fromkeys(model.parameters, float("nan"))
    information = fisher_information(model, x, shots, values, prior_stderr)
    scale = np.sqrt(np.diag(information))
    if np.any(scale <= 0) or not np.all(np.isfinite(scale)):
        return dict.fromkeys(model.parameters, float("nan"))
    # Inverting the correlation form keeps parameters of very different units well conditioned.
    correlation = information / np.outer(scale, scale)
    if np.linalg.cond(correlation) > 1e12:
        return dict.fromkeys(model.parameters, float("nan"))
    variance = np.diag(np.linalg.inv(correlation)) / scale**2
    return {
        name: float(np.sqrt(v)) if v > 0 else float("nan")
        for name, v in zip(model.parameters, variance, strict=True)
    }


def _gradient(model: FitModel, x: np.ndarray, values: Mapping[str, float]) -> np.ndarray:
    """∂P(x)/∂θ_k by central differences: shape (parameters, points)."""
    rows = []
    for name in model.parameters:
        step = _STEP * (abs(values[name]) or 1.0)
        up = model.evaluate(x, {**values, name: values[name] + step})
        down = model.evaluate(x, {**values, name: values[name] - step})
        rows.append((up - down) / (2 * step))
    return np.array(rows)
