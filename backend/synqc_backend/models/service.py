"""What the service reports about itself: targets, health, budgets, telemetry and KPI
definitions."""

from typing import Literal

from pydantic import (
    BaseModel,
    Field,
)

from synqc_backend.models.enums import TargetKind, TargetStatus
from synqc_backend.models.requests import ControlProfile


class TargetCapabilities(BaseModel):
    max_shots: int = Field(
        description="Most shots the target runs per circuit; a run's total may be larger "
        "(it is limited by SYNQC_MAX_SHOTS_PER_EXPERIMENT)."
    )
    queue_behavior: str
    supported_gates: list[str]
    notes: str


class HardwareTarget(BaseModel):
    id: str
    name: str
    kind: TargetKind
    vendor: str
    description: str
    status: TargetStatus
    status_detail: str
    capabilities: TargetCapabilities


class HardwareTargetList(BaseModel):
    targets: list[HardwareTarget]


class BudgetTrackerHealth(BaseModel):
    backend: str
    redis_connected: bool
    redis_ok: bool
    session_keys: int
    session_ttl_seconds: int


class QueueHealth(BaseModel):
    """Run counts by state from the run table; `None` when the store cannot be read."""

    backend: str
    max_workers: int
    total: int | None = None
    queued: int | None = None
    running: int | None = None
    succeeded: int | None = None
    failed: int | None = None
    cancelled: int | None = None
    oldest_queued_age_s: float | None = None
    failures_by_target: dict[str, int] = Field(default_factory=dict)


class PersistenceHealth(BaseModel):
    backend: str
    ok: bool


class HealthResponse(BaseModel):
    status: str
    version: str
    server_time: str
    env: str
    max_shots_per_experiment: int
    max_shots_per_session: int
    default_shot_budget: int
    hardware_shot_warning: int = Field(
        description="A run on a non-simulator target above this many shots gets a warning."
    )
    allow_remote_hardware: bool
    require_api_key: bool
    presets: list[str]
    visible_target_count: int
    control_profile: ControlProfile
    budget_tracker: BudgetTrackerHealth
    queue: QueueHealth
    persistence: PersistenceHealth


class SessionBudget(BaseModel):
    session_id: str
    limit: int
    used: int
    remaining: int
    ttl_seconds: int


class QubitTelemetry(BaseModel):
    session_total_qubits: int
    last_run_qubits: int
    last_updated: float | None


class KpiDefinition(BaseModel):
    id: str
    name: str
    version: int
    formula: str
    units: str
    kind: str


class KpiDefinitionList(BaseModel):
    definitions: list[KpiDefinition]


class QubitValue(BaseModel):
    """The latest measurement of one quantity of one qubit, and the run that made it.

    - `reported`: the target's own published value at that run, where it has one.
    - `drift_z`: the value against the qubit's rolling baseline (qubit_drift_v1); null until
      there are three earlier good values.
    """

    value: float | None
    stderr: float | None
    quality: str
    measured_at: float
    run_id: str
    reported: float | None = None
    drift_z: float | None = None


class QubitState(BaseModel):
    """What the latest runs measured of one physical qubit (null: never measured)."""

    qubit: int
    t1_s: QubitValue | None = None
    t2_star_s: QubitValue | None = None
    t2_echo_s: QubitValue | None = None
    epc: QubitValue | None = None
    readout_assignment_fidelity: QubitValue | None = None
    score: float | None = Field(
        None, description="qubit_score_v1 (lower is better); null when a term is missing"
    )
    status: Literal["ok", "drifting", "degraded"] = Field(
        description="qubit_drift_v1: degraded when the latest values are out of spec, "
        "drifting when one differs from its baseline by more than 4 combined stderrs"
    )
    status_reasons: list[str] = Field(default_factory=list)
    status_run_id: str | None = Field(None, description="The run whose value set the status.")


class TargetQubits(BaseModel):
    """The target's qubits that runs have measured, by qubit or best first (`?best=N`)."""

    hardware_target: str
    score_definition_id: str
    status_definition_id: str
    qubits: list[QubitState]


class QubitHistoryPoint(BaseModel):
    measured_at: float
    value: float | None
    stderr: float | None
    quality: str
    reported: float | None
    drift_z: float | None
    run_id: str


class QubitHistory(BaseModel):
    """One quantity of one qubit over time, oldest first."""

    hardware_target: str
    qubit: int
    quantity: str
    drift_definition_id: str
    points: list[QubitHistoryPoint]
