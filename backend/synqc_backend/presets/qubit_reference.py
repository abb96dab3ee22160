"""What a preset assumes about a qubit before measuring it: the target's reference values."""

from dataclasses import dataclass

from synqc_backend.presets.base import PresetContext

# Used when a target publishes no calibration: typical of today's transmons.
FALLBACK_T1_S = 100e-6
FALLBACK_T2_S = 100e-6
FALLBACK_GATE_ERROR = 1e-3


@dataclass(frozen=True)
class Reference:
    t1_s: float
    t2_s: float
    single_qubit_gate_error: float
    published: bool


def reference_of(context: PresetContext, qubit: int) -> Reference:
    """The target's reference for physical `qubit`, or typical values when it has none."""
    known = context.capabilities.reference.get(qubit)
    if known is None or known.t1_s is None or known.t2_s is None:
        return Reference(FALLBACK_T1_S, FALLBACK_T2_S, FALLBACK_GATE_ERROR, published=False)
    return Reference(
        known.t1_s,
        known.t2_s,
        known.single_qubit_gate_error or FALLBACK_GATE_ERROR,
        published=True,
    )
