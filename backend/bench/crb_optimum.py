"""The Cramér–Rao optimum of a measurement: the smallest stderr any design of N shots allows.

A design is a few x values with a share of the shots each (x = 0 always among them). The bound
on one parameter is minimised over the x values and shares numerically, from several starts:
for one parameter of a k-parameter model an optimal design needs at most k support points, so
`SUPPORT` free points plus x = 0 cover the decays (k = 3) and the Ramsey cosine (k = 5). Shots
are treated as continuous and x values as real (RB lengths too): the optimum is a floor that
no integer design beats.
"""

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from health_coverage import QUBIT, truth_of
from scipy.optimize import minimize

from synqc_backend.analysis.cramer_rao import crb_stderr
from synqc_backend.analysis.fitting import FitModel
from synqc_backend.models import ControlProfile
from synqc_backend.presets.base import PresetContext
from synqc_backend.presets.health import Health
from synqc_backend.presets.health_fits import part_fits
from synqc_backend.targets.device_profile import DeviceProfile
from synqc_backend.targets.local_sim import LocalSimulator
from tests.presets.preset_runner import run_stages

SUPPORT = {"tau": 4, "p": 4}
RAMSEY_SUPPORT = 6
STARTS = 8
MAX_EVALUATIONS = 3_000
# The fit that supplies amplitudes, offsets and the Ramsey frequency and phase at the truth.
REFERENCE_SHOTS = 4_000_000


@dataclass(frozen=True)
class OptimumInput:
    """A quantity's model at the truth; the quantity is `factor`·`parameter` (EPC = (1 − p)/2)."""

    model: FitModel
    values: dict[str, float]
    parameter: str
    scale: float
    factor: float = 1.0


def optimum_inputs(profile: DeviceProfile) -> dict[str, OptimumInput]:
    """Per quantity, the model at the truth: decay times and p true, the rest fitted."""
    simulator = LocalSimulator(profile)
    run = run_stages(Health(), simulator, shot_budget=REFERENCE_SHOTS, seed=0)
    context = PresetContext(
        qubits=(QUBIT,),
        shot_budget=REFERENCE_SHOTS,
        controls=ControlProfile(),
        capabilities=simulator.capabilities(),
        seed=0,
    )
    fits = part_fits(context, run.batches)
    truth = truth_of(profile.qubit(QUBIT))
    p = 1 - 2 * truth["epc"]
    return {
        "t1": _at(fits["t1"].fit.model, fits["t1"].fit.values, "tau", truth["t1"]),
        "t2_star": _at(
            fits["ramsey"].fit.model, fits["ramsey"].fit.values, "tau", truth["t2_star"]
        ),
        "t2_echo": _at(fits["echo"].fit.model, fits["echo"].fit.values, "tau", truth["t2_echo"]),
        "epc": OptimumInput(
            fits["rb"].fit.model, {**fits["rb"].fit.values, "p": p}, "p", -1 / np.log(p), 0.5
        ),
    }


def _at(model: FitModel, values: Mapping[str, float], parameter: str, true: float) -> OptimumInput:
    return OptimumInput(model, {**values, parameter: true}, parameter, true)


def optimum_stderr(found: OptimumInput, shots: int, *, seed: int = 0) -> float:
    """The least Cramér–Rao stderr of the quantity over designs of `shots` in total.

    - x values are searched from 0 to 40 decay times (or lengths).
    """
    model, values, parameter, scale = found.model, found.values, found.parameter, found.scale
    support = RAMSEY_SUPPORT if "frequency" in model.parameters else SUPPORT[parameter]
    rng = np.random.default_rng(seed)

    def bound(z: np.ndarray) -> float:
        x = np.concatenate(([0.0], scale * 40 / (1 + np.exp(-z[:support]))))
        weights = np.exp(z[support:] - z[support:].max())
        found = crb_stderr(model, x, weights / weights.sum(), values)[parameter]
        return found if np.isfinite(found) else 1e30

    best = np.inf
    for _ in range(STARTS):
        start = np.concatenate((rng.normal(-2.5, 1.5, support), rng.normal(0, 0.5, support + 1)))
        result = minimize(bound, start, method="Nelder-Mead", options={"maxfev": MAX_EVALUATIONS})
        best = min(best, float(result.fun))
    return found.factor * best / np.sqrt(shots)
