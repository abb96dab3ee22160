"""Decay designs: near the Cramér–Rao optimum, and honest about what they cannot resolve."""

import numpy as np
import pytest
from scipy.optimize import minimize

from synqc_backend.analysis.cramer_rao import crb_stderr
from synqc_backend.analysis.decay_models import EXP_DECAY
from synqc_backend.measurements.decay_design import (
    HALF_CONTRAST,
    HIGH_CONTRAST,
    DecayShape,
    optimal_points,
    unresolved_reason,
    wide_points,
)

TAU = 1.0
T1_CURVE = {"amplitude": 0.95, "tau": TAU, "offset": 0.02}
ECHO_CURVE = {"amplitude": -0.48, "tau": TAU, "offset": 0.5}
RB_CURVE = {"amplitude": 0.48, "tau": TAU, "offset": 0.5}
CIRCUITS = 40


def bound(points: tuple[float, ...] | np.ndarray, curve: dict[str, float]) -> float:
    """The bound on tau per circuit's worth of shots (one shot per circuit, scaled)."""
    return crb_stderr(EXP_DECAY, np.asarray(points), np.ones(len(points)), curve)["tau"]


def best_three_point_bound(curve: dict[str, float]) -> float:
    """The optimum over designs {0, t, 8τ} with free weights, by direct search."""

    def objective(v: np.ndarray) -> float:
        weights = np.exp(np.append(v[1:], 0.0))
        weights /= weights.sum()
        shots = weights * CIRCUITS
        x = np.array([0.0, float(np.exp(v[0])), 8.0])
        value = crb_stderr(EXP_DECAY, x, shots, curve)["tau"]
        return value if np.isfinite(value) else 1e9

    starts = ([np.log(t), 0.0, 0.0] for t in (0.5, 1.0, 1.5))
    return float(min(minimize(objective, s, method="Nelder-Mead").fun for s in starts))


@pytest.mark.parametrize(
    ("curve", "shape"),
    [(T1_CURVE, HIGH_CONTRAST), (ECHO_CURVE, HALF_CONTRAST), (RB_CURVE, HALF_CONTRAST)],
    ids=["t1", "echo", "rb"],
)
def test_the_design_is_within_ten_percent_of_the_cramer_rao_optimum(
    curve: dict[str, float], shape: DecayShape
) -> None:
    ours = bound(optimal_points(TAU, CIRCUITS, shape), curve)

    assert ours <= 1.10 * best_three_point_bound(curve)


@pytest.mark.parametrize(
    ("curve", "shape"), [(T1_CURVE, HIGH_CONTRAST), (ECHO_CURVE, HALF_CONTRAST)]
)
def test_the_design_beats_an_even_sweep_over_three_decay_times(
    curve: dict[str, float], shape: DecayShape
) -> None:
    even = tuple(np.linspace(0, 3 * TAU, CIRCUITS))

    assert bound(optimal_points(TAU, CIRCUITS, shape), curve) < 0.7 * bound(even, curve)


@pytest.mark.parametrize("circuits", [4, 5, 10, 37])
def test_every_circuit_gets_a_point_with_anchor_cluster_and_tail(circuits: int) -> None:
    points = optimal_points(TAU, circuits, HIGH_CONTRAST)

    assert len(points) == circuits
    assert points[0] == 0.0
    assert points[-1] == HIGH_CONTRAST.tail * TAU
    assert sum(0 < p < HIGH_CONTRAST.tail * TAU for p in points) >= 2


@pytest.mark.parametrize("off_by", [1 / 3, 1.0, 3.0])
def test_the_wide_design_resolves_a_reference_off_by_three(off_by: float) -> None:
    assert unresolved_reason(wide_points(TAU, 8), off_by * TAU) is None


def test_an_optimal_design_for_a_three_times_longer_decay_cannot_resolve_a_short_one() -> None:
    reason = unresolved_reason(optimal_points(3 * TAU, 20, HIGH_CONTRAST), TAU)

    assert reason is not None
    assert "slope" in reason
