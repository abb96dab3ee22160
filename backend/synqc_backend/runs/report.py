"""What the API reports about a run: the stored result of a job, and contract views of a row."""

import math
from collections.abc import Sequence
from typing import Any

from synqc_backend.execution import BatchOutcome
from synqc_backend.models import (
    ControlProfile,
    ExperimentSummary,
    KpiBundle,
    KpiDetail,
    KpiStatus,
    Measurement,
    PhysicsContract,
    RunExperimentResponse,
    RunState,
    RunStatus,
    RunSubmission,
    ShotCount,
)
from synqc_backend.presets.base import KpiValue, PresetContext, PresetOutcome
from synqc_backend.runs.trace import build_trace
from synqc_backend.storage.tables import RunRow


def build_result(
    controls: ControlProfile,
    context: PresetContext,
    outcome: PresetOutcome,
    outcomes: Sequence[BatchOutcome],
) -> dict[str, Any]:
    """The derived part of a run's response, stored as JSON with the run."""
    kpis = KpiBundle(
        fidelity=_value(outcome.fidelity),
        latency_us=_value(outcome.latency),
        backaction=_value(outcome.backaction),
        status=outcome.status,
        status_definition_id=outcome.status_definition.id,
        raw_counts=outcome.raw_counts,
        expected_distribution=outcome.expected_distribution,
    )
    details = [
        _detail(kpi)
        for kpi in (outcome.fidelity, outcome.latency, outcome.backaction, *outcome.extra_kpis)
        if kpi is not None
    ]
    contract = PhysicsContract(
        plant=outcome.physics.plant,
        noise_model=context.capabilities.noise_model_summary,
        measurement_model=outcome.physics.measurement_model,
        assumptions=list(outcome.physics.assumptions),
    )
    return {
        "qubits_used": list(outcome.qubits_used),
        "control_profile": controls.model_dump(mode="json"),
        "kpis": kpis.model_dump(mode="json"),
        "kpi_details": [detail.model_dump(mode="json") for detail in details],
        "measurements": [
            Measurement(
                name=m.name,
                value=_finite(m.value),
                stderr=_finite(m.stderr),
                unit=m.unit,
                quality=m.quality,
                quality_reason=m.quality_reason,
                crb_stderr=_finite(m.crb_stderr),
                qubit=m.qubit,
                reported=_finite(m.reported),
            ).model_dump(mode="json")
            for m in outcome.measurements
        ],
        "physics_contract": contract.model_dump(mode="json"),
        "comparison": None
        if outcome.comparison is None
        else outcome.comparison.model_dump(mode="json"),
        "tradeoff": None
        if outcome.tradeoff is None
        else [point.model_dump(mode="json") for point in outcome.tradeoff],
        "warnings": list(outcome.warnings),
        "backend_names": sorted({o.result.backend_name for o in outcomes}),
    }


def submission(row: RunRow) -> RunSubmission:
    return RunSubmission(**_status_fields(row))


def run_status(row: RunRow) -> RunStatus:
    result = response(row) if RunState(row.status).finished else None
    return RunStatus(**_status_fields(row), progress=row.progress, result=result)


def response(row: RunRow) -> RunExperimentResponse:
    """The full response of a finished run; a failed one carries its error and a `fail` status."""
    stored = row.result or {}
    kpis = KpiBundle.model_validate(stored.get("kpis", {"status": KpiStatus.FAIL}))
    kpis = kpis.model_copy(
        update={"shots_used": row.shots_executed, "shot_budget": row.shot_budget}
    )
    details = [KpiDetail.model_validate(d) for d in stored.get("kpi_details", [])]
    contract = stored.get("physics_contract")
    return RunExperimentResponse(
        id=row.id,
        preset=row.preset,
        hardware_target=row.hardware_target,
        created_at=row.created_at,
        notes=row.notes,
        qubits_used=stored.get("qubits_used", []),
        control_profile=ControlProfile.model_validate(row.control_profile),
        kpis=kpis,
        kpi_details=details,
        kpi_observations=details,
        shots=ShotCount(requested=row.shot_budget, executed=row.shots_executed),
        workflow_trace=build_trace(row.timeline),
        measurements=[Measurement.model_validate(m) for m in stored.get("measurements", [])],
        figures=stored.get("figures", []),
        physics_contract=None if contract is None else PhysicsContract.model_validate(contract),
        comparison=stored.get("comparison"),
        tradeoff=stored.get("tradeoff"),
        warnings=[*(row.submit_warnings or []), *stored.get("warnings", [])],
        error_code=row.error_code,
        error_message=row.error_message,
        error_detail=row.error_detail,
        action_hint=row.action_hint,
    )


def summary(row: RunRow) -> ExperimentSummary:
    full = response(row)
    kpis = full.kpis.model_copy(update={"raw_counts": None})
    return ExperimentSummary(
        **full.model_dump(
            include={
                "id",
                "preset",
                "hardware_target",
                "created_at",
                "qubits_used",
                "control_profile",
                "kpi_details",
                "shots",
                "measurements",
                "physics_contract",
                "error_code",
                "error_message",
            }
        ),
        kpis=kpis,
    )


def _status_fields(row: RunRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "status": row.status,
        "preset": row.preset,
        "hardware_target": row.hardware_target,
        "created_at": row.created_at,
        "started_at": row.started_at,
        "finished_at": row.finished_at,
        "error": row.error_message,
        "error_code": row.error_code,
        "error_message": row.error_message,
        "error_detail": row.error_detail,
        "action_hint": row.action_hint,
        "warnings": row.submit_warnings or [],
        "monitor_id": row.monitor_id,
    }


def _finite(value: float | None) -> float | None:
    """Non-finite numbers (a failed fit's NaN) are reported as null, never as NaN."""
    return value if value is not None and math.isfinite(value) else None


def _value(kpi: KpiValue | None) -> float | None:
    return None if kpi is None else _finite(kpi.value)


def _detail(kpi: KpiValue) -> KpiDetail:
    return KpiDetail(
        name=kpi.definition.name,
        value=_finite(kpi.value),
        definition_id=kpi.definition.id,
        kind=kpi.definition.kind,
        units=kpi.definition.units,
        stderr=_finite(kpi.stderr),
        ci95=kpi.ci95 if kpi.ci95 is not None and all(map(math.isfinite, kpi.ci95)) else None,
        aggregation=kpi.aggregation,
        worst_qubit=kpi.worst_qubit,
    )
