"""What a run reports: its submission, status, KPIs, measurements, trace and comparison."""

from typing import Any

from pydantic import (
    BaseModel,
    Field,
)

from synqc_backend.models.enums import KpiStatus, Preset, RunState
from synqc_backend.models.requests import ControlProfile


class KpiBundle(BaseModel):
    fidelity: float | None = None
    latency_us: float | None = None
    backaction: float | None = None
    shots_used: int = 0
    shot_budget: int = 0
    status: KpiStatus = KpiStatus.FAIL
    status_definition_id: str | None = None
    raw_counts: dict[str, int] | None = None
    expected_distribution: dict[str, float] | None = None


class KpiDetail(BaseModel):
    name: str
    value: float | None
    definition_id: str
    kind: str
    units: str
    stderr: float | None = None
    ci95: tuple[float, float] | None = None
    aggregation: str | None = Field(
        None,
        description='How a run over several qubits made one number of theirs ("median over '
        '27 qubits"); null for one qubit.',
    )
    worst_qubit: int | None = Field(
        None, description="The qubit with the worst value, for a run over several qubits."
    )


class Measurement(BaseModel):
    """A fitted or estimated quantity; `value` is null when its fit did not converge."""

    name: str
    value: float | None
    stderr: float | None
    unit: str
    quality: str
    quality_reason: str | None = None
    crb_stderr: float | None = Field(
        None,
        ge=0,
        description="Cramér–Rao bound on stderr for the design that was run, at the fitted "
        "values (crb_stderr_v2); null where nothing was fitted.",
    )
    qubit: int | None = Field(
        None, description="The physical qubit it was measured on; null for none in particular."
    )
    reported: float | None = Field(
        None,
        description="The target's own published value of this quantity for this qubit at the "
        "run (its calibration: T1, T2 echo, readout fidelity), where the target reports one.",
    )


class ShotCount(BaseModel):
    requested: int
    executed: int


class WorkflowStage(BaseModel):
    id: str
    label: str
    description: str
    percent_complete: float
    dwell_ms: float


class PhysicsContract(BaseModel):
    plant: str
    noise_model: str
    measurement_model: str
    assumptions: list[str]


class ComparisonRow(BaseModel):
    """One target's KPIs in a `backend_compare` run."""

    hardware_target: str
    fidelity: float | None
    fidelity_stderr: float | None = None
    ghz_fidelity: float | None = None
    epc: float | None = None
    epc_stderr: float | None = None
    latency_us: float | None = None
    status: KpiStatus


class TargetComparison(BaseModel):
    """Rows per target; `best` maps a KPI name to the target that did best on it."""

    rows: list[ComparisonRow]
    best: dict[str, str]


class TradeoffPoint(BaseModel):
    """One probe strength of the DPD sweep: information gained vs. backaction caused."""

    strength: float
    information_bits: float
    information_stderr: float
    backaction: float
    backaction_stderr: float
    theory_backaction: float


class RunExperimentResponse(BaseModel):
    id: str
    preset: Preset
    hardware_target: str
    created_at: float
    notes: str | None = None
    qubits_used: list[int] = Field(default_factory=list)
    control_profile: ControlProfile
    kpis: KpiBundle
    kpi_details: list[KpiDetail] = Field(default_factory=list)
    kpi_observations: list[KpiDetail] = Field(default_factory=list)
    shots: ShotCount
    workflow_trace: list[WorkflowStage] = Field(default_factory=list)
    measurements: list[Measurement] = Field(default_factory=list)
    figures: list[str] = Field(default_factory=list)
    physics_contract: PhysicsContract | None = None
    comparison: TargetComparison | None = None
    tradeoff: list[TradeoffPoint] | None = None
    warnings: list[str] = Field(default_factory=list)
    error_code: str | None = None
    error_message: str | None = None
    error_detail: dict[str, Any] | None = None
    action_hint: str | None = None


class ExperimentSummary(BaseModel):
    id: str
    preset: Preset
    hardware_target: str
    created_at: float
    qubits_used: list[int]
    control_profile: ControlProfile
    kpis: KpiBundle
    kpi_details: list[KpiDetail]
    shots: ShotCount
    measurements: list[Measurement]
    physics_contract: PhysicsContract | None
    error_code: str | None = None
    error_message: str | None = None


class RunSubmission(BaseModel):
    id: str
    status: RunState
    preset: Preset
    hardware_target: str
    created_at: float
    started_at: float | None = None
    finished_at: float | None = None
    error: str | None = None
    error_code: str | None = None
    error_message: str | None = None
    error_detail: dict[str, Any] | None = None
    action_hint: str | None = None
    warnings: list[str] = Field(
        default_factory=list,
        description="What the client should know about this run at submit: a large shot "
        "budget on hardware, a queue that was unreachable (the run is stored and will start "
        "once it is back).",
    )
    monitor_id: str | None = Field(None, description="The monitor that submitted this run.")


class RunStatus(RunSubmission):
    progress: float = 0.0
    result: RunExperimentResponse | None = None


class RunList(BaseModel):
    runs: list[RunStatus]
