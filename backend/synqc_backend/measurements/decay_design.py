"""Where to sample an exponential decay A·exp(−x/τ) + B: the wide first stage and the
information-maximising stage placed at an estimate of τ.

x is a delay (T1, echo) or a sequence length (RB, with τ the decay length −1/ln p); designs
are tuples of x values, one per circuit, repeated where more shots belong.
"""

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class DecayShape:
    """A three-part design: an amplitude anchor at x = 0, a cluster around `centre`·τ that
    carries τ, and an offset tail at `tail`·τ; `shares` are their fractions of the circuits."""

    centre: float
    tail: float
    shares: tuple[float, float, float]


# The Cramér–Rao-optimal three-point designs (binomial counts, A, τ and B unknown), found by
# minimising the bound on τ over the middle point and the three weights: for a high-contrast
# curve (T1: 0.95 → 0.02) the middle point sits at 1.25 τ with 74 % of the shots; for a
# half-contrast curve (echo: 0 → 0.5, RB: 1 → 0.5) at 0.72 τ with 58 %. The optimal tail is
# "as late as possible"; 8 τ leaves 3e-4 of the amplitude. Spreading the middle point over
# ±20 % (`CLUSTER`) costs under 5 % in the bound and leaves points to test the model with.
HIGH_CONTRAST = DecayShape(centre=1.25, tail=8.0, shares=(0.08, 0.74, 0.18))
HALF_CONTRAST = DecayShape(centre=0.72, tail=8.0, shares=(0.09, 0.58, 0.33))
CLUSTER = (0.8, 0.9, 1.0, 1.1, 1.2)
# The first stage spans 0.1-12 reference decay times on a geometric grid (plus x = 0): a
# reference off by 3x either way still has points on the slope and on the floor.
WIDE_RANGE = (0.1, 12.0)
# A design resolves τ when it has a point on the slope (between these multiples of τ) and
# one past its end; otherwise the fit leans on the model alone and is flagged.
SLOPE_RANGE = (0.25, 2.5)
MIN_CIRCUITS = 4
# Qubits measured in the same circuits share one design. When their decay times differ by
# more than `SHARED_SPREAD`, the shared design puts the optimal design of up to
# `SHARED_CLUSTERS` representative decay times (quantiles of the qubits', shortest and longest
# included) side by side, so every qubit has a cluster within a factor of the spread^(1/3).
SHARED_SPREAD = 1.5
SHARED_CLUSTERS = 4


def wide_points(reference: float, circuits: int, longest: float | None = None) -> tuple[float, ...]:
    """x = 0 and `circuits` − 1 geometric points over `WIDE_RANGE`, from the low end times
    `reference` to the high end times `longest` (default: `reference`)."""
    if circuits < 2:
        raise ValueError("a wide design needs at least two circuits")
    low, high = WIDE_RANGE
    grid = np.geomspace(low * reference, high * (longest or reference), circuits - 1)
    return (0.0, *(float(x) for x in grid))


def optimal_points(decay: float, circuits: int, shape: DecayShape) -> tuple[float, ...]:
    """`circuits` x values of `shape` placed at the decay time (or length) `decay`."""
    if circuits < MIN_CIRCUITS:
        raise ValueError(f"an optimal design needs at least {MIN_CIRCUITS} circuits")
    anchor, cluster, tail = _allocate(circuits, shape.shares)
    middle = [shape.centre * decay * CLUSTER[i % len(CLUSTER)] for i in range(cluster)]
    return (0.0,) * anchor + tuple(sorted(middle)) + (shape.tail * decay,) * tail


def shared_optimal_points(
    decays: Sequence[float], circuits: int, shape: DecayShape
) -> tuple[float, ...]:
    """`circuits` x values for qubits whose decay times are `decays`, measured together."""
    ordered = sorted(decays)
    clusters = min(SHARED_CLUSTERS, len(ordered), circuits // MIN_CIRCUITS)
    if ordered[-1] <= SHARED_SPREAD * ordered[0] or clusters <= 1:
        return optimal_points(float(np.median(ordered)), circuits, shape)
    representatives = np.quantile(ordered, np.linspace(0.0, 1.0, clusters))
    sizes = [len(part) for part in np.array_split(np.arange(circuits), clusters)]
    points = [
        x
        for decay, size in zip(representatives, sizes, strict=True)
        for x in optimal_points(float(decay), size, shape)
    ]
    return tuple(sorted(points))


def unresolved_reason(x: Sequence[float] | np.ndarray, decay: float) -> str | None:
    """Why these x values cannot resolve a decay time `decay`, or None when they can."""
    if not (np.isfinite(decay) and decay > 0):
        return "no decay time to judge the design by"
    xs = np.asarray(x, dtype=float)
    low, high = SLOPE_RANGE
    if not np.any((xs >= low * decay) & (xs <= high * decay)):
        return (
            f"the design has no point on the slope ({low:g}-{high:g} decay times of "
            f"{decay:.3g}); the estimate rests on the model only"
        )
    if xs.max() < high * decay:
        return f"the design ends before {high:g} decay times of {decay:.3g}"
    return None


def _allocate(circuits: int, shares: tuple[float, float, float]) -> tuple[int, int, int]:
    """Circuits per part by largest remainder: at least one anchor, two cluster, one tail."""
    exact = np.array(shares) * circuits
    counts = np.maximum(np.floor(exact).astype(int), (1, 2, 1))
    while counts.sum() > circuits:
        counts[int(np.argmax(counts))] -= 1
    while counts.sum() < circuits:
        counts[int(np.argmax(exact - counts))] += 1
    anchor, cluster, tail = (int(c) for c in counts)
    return anchor, cluster, tail
