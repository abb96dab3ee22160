"""A succeeded run's per-qubit measurements into the per-qubit record: each with its drift
score against the series before it, and each series' latest entry moved on."""

from synqc_backend.runs.qubit_drift import BASELINE_POINTS, drift_against, point_of
from synqc_backend.storage.repository import RunRepository
from synqc_backend.storage.tables import QubitMeasurementRow, RunRow


def record_qubit_measurements(repository: RunRepository, run: RunRow) -> None:
    """(Re)write `run`'s per-qubit record, timed at its end; reanalysing a run rewrites it."""
    measured_at = run.finished_at or run.created_at
    rows = [
        QubitMeasurementRow(
            run_id=run.id,
            hardware_target=run.hardware_target,
            qubit=int(m["qubit"]),
            quantity=str(m["name"]),
            value=m.get("value"),
            stderr=m.get("stderr"),
            quality=str(m.get("quality", "good")),
            measured_at=measured_at,
            reported=m.get("reported"),
        )
        for m in (run.result or {}).get("measurements", [])
        if m.get("qubit") is not None
    ]
    for row in rows:
        point = point_of(row.value, row.stderr, row.quality)
        if point is None or not point.usable:
            continue
        # Bad fits among the latest do not count: look back far enough for a full baseline.
        earlier = repository.series_before(
            row.hardware_target, row.qubit, row.quantity, measured_at, 3 * BASELINE_POINTS
        )
        row.drift_z = drift_against(
            point, [point_of(r.value, r.stderr, r.quality) for r in earlier]
        )
    repository.replace_qubit_measurements(run, rows)
    for row in rows:
        repository.point_latest(row)
