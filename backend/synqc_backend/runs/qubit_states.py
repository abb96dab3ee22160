"""What runs measured of a target's qubits: each qubit's latest values with their drift scores,
its status (`qubit_drift_v1`: ok, drifting, degraded), its score (`qubit_score_v1`) and the
history of one quantity."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from synqc_backend.definitions import QUBIT_DRIFT, QUBIT_SCORE
from synqc_backend.models import QubitHistoryPoint, QubitState, QubitValue
from synqc_backend.presets.health_status import (
    COHERENCE_DROP,
    FAIL_ASSIGNMENT,
    FAIL_EPC,
    WARN_ASSIGNMENT,
    WARN_EPC,
)
from synqc_backend.runs.qubit_drift import DRIFT_K
from synqc_backend.storage.tables import QubitMeasurementRow

QUANTITIES = ("t1_s", "t2_star_s", "t2_echo_s", "epc", "readout_assignment_fidelity")
# Quantities the status watches for drift (T2* follows T2 echo on these devices).
DRIFT_QUANTITIES = ("t1_s", "t2_echo_s", "epc", "readout_assignment_fidelity")
SCORE_DEFINITION = QUBIT_SCORE.id
STATUS_DEFINITION = QUBIT_DRIFT.id
# The idle the score charges: 1 µs, a few two-qubit gates' worth of waiting.
IDLE_S = 1e-6


@dataclass(frozen=True)
class Reason:
    text: str
    run_id: str


def qubit_states(rows: Sequence[QubitMeasurementRow], best: int | None) -> list[QubitState]:
    """Every measured qubit's latest values, status and score, by qubit; or the `best` lowest
    scores first (qubits without a score last). `rows`: the latest measurement of each qubit's
    quantities."""
    latest: dict[int, dict[str, QubitMeasurementRow]] = {}
    for row in rows:
        latest.setdefault(row.qubit, {})[row.quantity] = row
    states = [_state(qubit, found) for qubit, found in sorted(latest.items())]
    if best is None:
        return states
    ranked = sorted(states, key=lambda s: (s.score is None, s.score or 0.0, s.qubit))
    return ranked[:best]


def history_points(rows: Sequence[QubitMeasurementRow]) -> list[QubitHistoryPoint]:
    """A quantity's measurements, oldest first, each with the drift score it was recorded
    with."""
    return [
        QubitHistoryPoint(
            measured_at=row.measured_at,
            value=row.value,
            stderr=row.stderr,
            quality=row.quality,
            reported=row.reported,
            drift_z=row.drift_z,
            run_id=row.run_id,
        )
        for row in rows
    ]


def _state(qubit: int, found: Mapping[str, QubitMeasurementRow]) -> QubitState:
    values = {
        quantity: QubitValue(
            value=latest.value,
            stderr=latest.stderr,
            quality=latest.quality,
            measured_at=latest.measured_at,
            run_id=latest.run_id,
            reported=latest.reported,
            drift_z=latest.drift_z,
        )
        for quantity, latest in found.items()
    }
    status, reasons = qubit_status(values)
    return QubitState(
        qubit=qubit,
        score=score(values),
        status=status,
        status_reasons=[reason.text for reason in reasons],
        status_run_id=reasons[0].run_id if reasons else None,
        **{name: values.get(name) for name in QUANTITIES},
    )


def qubit_status(values: Mapping[str, QubitValue]) -> tuple[str, list[Reason]]:
    """`qubit_drift_v1` on a qubit's latest values: degraded (out of spec), drifting, ok."""
    out_of_spec = _out_of_spec(values)
    if out_of_spec:
        return "degraded", out_of_spec
    drifting = [
        Reason(
            f"{name} moved {value.drift_z:+.1f} combined stderrs from its baseline", value.run_id
        )
        for name in DRIFT_QUANTITIES
        if (value := values.get(name)) is not None
        and value.drift_z is not None
        and abs(value.drift_z) > DRIFT_K
    ]
    return ("drifting", drifting) if drifting else ("ok", [])


def _out_of_spec(values: Mapping[str, QubitValue]) -> list[Reason]:
    """`health_status_v1`'s warn and fail rules, the target's reported values as reference."""
    reasons = [
        Reason(f"{name} fit is bad", value.run_id)
        for name, value in values.items()
        if value.quality != "good" or value.value is None
    ]
    epc, assignment = values.get("epc"), values.get("readout_assignment_fidelity")
    if epc is not None and epc.value is not None and epc.value > WARN_EPC:
        limit = FAIL_EPC if epc.value > FAIL_EPC else WARN_EPC
        reasons.append(Reason(f"EPC {epc.value:.2e} > {limit:g}", epc.run_id))
    if (
        assignment is not None
        and assignment.value is not None
        and assignment.value < WARN_ASSIGNMENT
    ):
        limit = FAIL_ASSIGNMENT if assignment.value < FAIL_ASSIGNMENT else WARN_ASSIGNMENT
        reasons.append(
            Reason(f"readout assignment {assignment.value:.3f} < {limit}", assignment.run_id)
        )
    for label, name in (("T1", "t1_s"), ("T2", "t2_echo_s")):
        value = values.get(name)
        if value is None or value.value is None or not value.reported:
            continue
        if value.value < (1 - COHERENCE_DROP) * value.reported:
            reasons.append(
                Reason(
                    f"{label} {value.value * 1e6:.1f} µs is over 30 % below the reported "
                    f"{value.reported * 1e6:.1f} µs",
                    value.run_id,
                )
            )
    return reasons


def score(values: Mapping[str, QubitValue]) -> float | None:
    """`qubit_score_v1` of one qubit's latest values."""
    terms = [values.get(name) for name in ("epc", "readout_assignment_fidelity", "t2_echo_s")]
    found = [
        t.value for t in terms if t is not None and t.value is not None and t.quality == "good"
    ]
    if len(found) != len(terms):
        return None
    epc, fidelity, t2 = found
    if t2 <= 0:
        return None
    return epc + (1.0 - fidelity) + IDLE_S / t2
