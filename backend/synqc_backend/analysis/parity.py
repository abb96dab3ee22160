"""Two-qubit parity ⟨Z⊗Z⟩ from counts, with its binomial standard error."""

from collections.abc import Mapping
from dataclasses import dataclass
from math import sqrt


@dataclass(frozen=True)
class ParityEstimate:
    value: float
    stderr: float


def zz_parity(counts: Mapping[str, int]) -> ParityEstimate:
    """⟨ZZ⟩ = P(even) - P(odd) over the bitstrings' two lowest bits; stderr √((1-⟨ZZ⟩²)/N)."""
    shots = sum(counts.values())
    if shots <= 0:
        raise ValueError("no shots in counts")
    even = sum(n for bits, n in counts.items() if bits[-1] == bits[-2])
    value = (2 * even - shots) / shots
    return ParityEstimate(value=value, stderr=sqrt(max(0.0, 1 - value**2) / shots))
