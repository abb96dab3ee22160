"""Mutual information between two discrete outcomes from their joint counts, in bits."""

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class InformationEstimate:
    """`bits` ≥ 0, the plug-in mutual information; `stderr` its bootstrap standard deviation."""

    bits: float
    stderr: float


def mutual_information(
    joint_counts: Mapping[tuple[int, int], int],
    *,
    resamples: int = 500,
    seed: int | None = None,
) -> InformationEstimate:
    """I(A;B) = Σ p(a,b) log₂(p(a,b) / (p(a) p(b))) from counts keyed by outcome pairs (a, b).

    - Plug-in estimator: biased upwards by about (|A| − 1)(|B| − 1) / (2 N ln 2) bits,
      N the shots; no bias correction is applied.
    - `stderr` from a multinomial bootstrap of the joint counts, reproducible with `seed`.
    """
    table = _joint_table(joint_counts)
    shots = int(table.sum())
    if resamples < 2:
        raise ValueError("need at least two bootstrap resamples")
    rng = np.random.default_rng(seed)
    frequencies = table.ravel() / shots
    samples = rng.multinomial(shots, frequencies, size=resamples).reshape(-1, *table.shape)
    return InformationEstimate(
        bits=float(_mutual_information(table[None])[0]),
        stderr=float(_mutual_information(samples).std(ddof=1)),
    )


def _joint_table(joint_counts: Mapping[tuple[int, int], int]) -> np.ndarray:
    """Counts as an |A| × |B| array over the outcomes seen, each axis in sorted order."""
    rows = sorted({a for a, _ in joint_counts})
    columns = sorted({b for _, b in joint_counts})
    table = np.zeros((len(rows), len(columns)))
    for (a, b), n in joint_counts.items():
        if n < 0:
            raise ValueError("counts must be non-negative")
        table[rows.index(a), columns.index(b)] += n
    if table.sum() <= 0:
        raise ValueError("no shots in counts")
    return table


def _mutual_information(tables: np.ndarray) -> np.ndarray:
    """Plug-in mutual information in bits of each table in a stack (n × |A| × |B|)."""
    joint = tables / tables.sum(axis=(1, 2), keepdims=True)
    independent = joint.sum(axis=2, keepdims=True) * joint.sum(axis=1, keepdims=True)
    # 0·log 0 = 0: an empty cell contributes nothing (a non-empty one has non-zero marginals).
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(joint > 0, joint * np.log2(joint / independent), 0.0)
    # Rounding can leave −1e-17 for independent outcomes; I ≥ 0 exactly.
    bits: np.ndarray = np.clip(terms.sum(axis=(1, 2)), 0.0, None)
    return bits
