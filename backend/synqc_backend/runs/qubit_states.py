"""The latest measured state of every qubit of a target, its status by `health_status_v1`, and
a ranking by `qubit_score_v1`."""

from collections.abc import Mapping, Sequence

from synqc_backend.definitions import QUBIT_SCORE
from synqc_backend.execution import QubitReference
from synqc_backend.models import KpiStatus, QubitState, QubitValue
from synqc_backend.presets.health_status import (
    COHERENCE_DROP,
    FAIL_ASSIGNMENT,
    FAIL_EPC,
    WARN_ASSIGNMENT,
    WARN_EPC,
)
from synqc_backend.storage.tables import QubitMeasurementRow

QUANTITIES = ("t1_s", "t2_star_s", "t2_echo_s", "epc", "readout_assignment_fidelity")
SCORE_DEFINITION = QUBIT_SCORE.id
# The idle the score charges: 1 µs, a few two-qubit gates' worth of waiting.
IDLE_S = 1e-6


def qubit_states(
    rows: Sequence[QubitMeasurementRow],
    references: Mapping[int, QubitReference],
    best: int | None,
) -> list[QubitState]:
    """Every measured qubit's latest values and status by qubit, or the `best` lowest scores
    first (qubits without a score last)."""
    values: dict[int, dict[str, QubitValue]] = {}
    for row in rows:
        values.setdefault(row.qubit, {}).setdefault(
            row.quantity,
            QubitValue(
                value=row.value,
                stderr=row.stderr,
                quality=row.quality,
                measured_at=row.measured_at,
                run_id=row.run_id,
            ),
        )
    states = []
    for qubit, found in sorted(values.items()):
        status, reasons = qubit_status(found, references.get(qubit))
        states.append(
            QubitState(
                qubit=qubit, score=score(found), status=status, status_reasons=reasons, **found
            )
        )
    if best is None:
        return states
    ranked = sorted(states, key=lambda s: (s.score is None, s.score or 0.0, s.qubit))
    return ranked[:best]


def score(values: Mapping[str, QubitValue]) -> float | None:
    """`qubit_score_v1` of one qubit's latest values."""
    terms = [values.get(name) for name in ("epc", "readout_assignment_fidelity", "t2_echo_s")]
    if any(t is None or t.value is None or t.quality != "good" for t in terms):
        return None
    epc, fidelity, t2 = (float(t.value) for t in terms if t is not None and t.value is not None)
    if t2 <= 0:
        return None
    return epc + (1.0 - fidelity) + IDLE_S / t2


def qubit_status(
    values: Mapping[str, QubitValue], reference: QubitReference | None
) -> tuple[KpiStatus, list[str]]:
    """`health_status_v1` on a qubit's latest values: fail on a bad fit, a high EPC or a poor
    readout; warn on a raised EPC, a readout below 0.95, or T1 or T2 echo over 30 % below the
    target's reference."""
    failures = [
        f"{name} fit is bad: {value.quality}"
        for name, value in values.items()
        if value.quality != "good" or value.value is None
    ]
    epc = _value(values, "epc")
    assignment = _value(values, "readout_assignment_fidelity")
    if epc is not None and epc > FAIL_EPC:
        failures.append(f"EPC {epc:.2e} > {FAIL_EPC:g}")
    if assignment is not None and assignment < FAIL_ASSIGNMENT:
        failures.append(f"readout assignment {assignment:.3f} < {FAIL_ASSIGNMENT}")
    if failures:
        return KpiStatus.FAIL, failures
    warnings = []
    if epc is not None and epc > WARN_EPC:
        warnings.append(f"EPC {epc:.2e} > {WARN_EPC:g}")
    if assignment is not None and assignment < WARN_ASSIGNMENT:
        warnings.append(f"readout assignment {assignment:.3f} < {WARN_ASSIGNMENT}")
    for label, name, expected in (
        ("T1", "t1_s", reference.t1_s if reference else None),
        ("T2", "t2_echo_s", reference.t2_s if reference else None),
    ):
        measured = _value(values, name)
        if measured is not None and expected and measured < (1 - COHERENCE_DROP) * expected:
            warnings.append(
                f"{label} {measured * 1e6:.1f} µs is over 30 % below {expected * 1e6:.1f} µs"
            )
    return (KpiStatus.WARN if warnings else KpiStatus.OK), warnings


def _value(values: Mapping[str, QubitValue], name: str) -> float | None:
    found = values.get(name)
    return None if found is None else found.value
