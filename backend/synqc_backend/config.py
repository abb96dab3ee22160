"""Settings of the service: every `SYNQC_` environment variable, read once at the edge."""

from enum import StrEnum
from typing import Annotated

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


class Environment(StrEnum):
    DEV = "dev"
    PROD = "prod"


class Settings(BaseSettings):
    """Configuration of one API or worker process.

    - Unset `redis_url` means the embedded default: in-process queue and in-memory budgets.
    - Shot limits are counts of shots; times are seconds unless the name says otherwise.
    """

    model_config = SettingsConfigDict(
        env_prefix="SYNQC_", env_file=".env", extra="ignore", frozen=True
    )

    env: Environment = Environment.DEV
    api_key: Annotated[tuple[str, ...], NoDecode] = ()
    allowed_origins: Annotated[tuple[str, ...], NoDecode] = (
        "http://127.0.0.1:8001",
        "http://localhost:8001",
    )
    database_url: str = "sqlite:///./data/synqc.db"
    redis_url: str | None = None
    redis_events_channel: str = "synqc:events"
    session_budget_ttl_seconds: int = Field(3600, ge=1)
    max_shots_per_experiment: int = Field(200_000, ge=1)
    max_shots_per_session: int = Field(1_000_000, ge=1)
    default_shot_budget: int = Field(2048, ge=1)
    # Above it, a run on a non-simulator target gets a warning (it still runs): shots there
    # cost money and queue time. 20,000 is about ten v0.1 console runs (2,048 shots each).
    hardware_shot_warning: int = Field(20_000, ge=1)
    allow_remote_hardware: bool = True
    worker_concurrency: int = Field(2, ge=1, le=64)
    job_timeout_seconds: float = Field(300.0, gt=0)
    enable_metrics: bool = True
    metrics_port: int = Field(9000, ge=0, le=65535)
    legacy_run_wait_seconds: float = Field(60.0, ge=0)
    max_request_bytes: int = Field(65_536, ge=1024)
    max_run_attempts: int = Field(3, ge=1)
    heartbeat_interval_seconds: float = Field(5.0, gt=0)
    stale_run_seconds: float = Field(30.0, gt=0)
    sim_profile: str = "transmon_default"
    # A drifting simulator for monitoring demos and tests: sim_local's T1 and T2 change by this
    # fraction of their start values per hour of wall time since `sim_drift_start` (Unix time;
    # unset: when the process started), e.g. -0.4 = T1 falls 40 % per hour. Its reference
    # values (what the target reports as its calibration) stay those of the profile.
    sim_drift_t1_per_hour: float = Field(0.0, ge=-1000, le=1000)
    sim_drift_t2_per_hour: float = Field(0.0, ge=-1000, le=1000)
    sim_drift_start: float | None = None
    # Monitors: how often each process looks for due monitors (one process at a time acts).
    monitor_tick_seconds: float = Field(1.0, gt=0)
    # Abuse limits: requests per minute per API key and per client address (0 turns it off),
    # runs a session may hold queued or running, and how long a client may take to send a
    # request's headers or body before the server gives up on it.
    rate_limit_per_minute: int = Field(1200, ge=0)
    max_active_runs_per_session: int = Field(64, ge=1)
    request_header_timeout_seconds: float = Field(10.0, gt=0)
    request_body_timeout_seconds: float = Field(10.0, gt=0)
    max_connections: int = Field(256, ge=1)
    # None: docs on in dev, off in prod; true in prod is an explicit request for them.
    enable_docs: bool | None = None
    qiskit_backend_sim_local: str | None = None
    qiskit_backend_ibm_quantum: str | None = None
    qiskit_backend_aws_braket: str | None = None
    qiskit_backend_azure_quantum: str | None = None
    qiskit_backend_ionq_cloud: str | None = None
    qiskit_backend_rigetti_forest: str | None = None
    qiskit_runtime_token: SecretStr | None = None
    qiskit_runtime_channel: str | None = None
    qiskit_runtime_instance: str | None = None
    braket_device: str | None = None
    braket_s3_bucket: str | None = None
    braket_s3_prefix: str = "synqc"
    ionq_api_key: SecretStr | None = None
    ionq_backend: str = "simulator"
    azure_quantum_resource_id: str | None = None
    azure_quantum_location: str | None = None
    azure_quantum_target: str = "ionq.simulator"
    rigetti_quantum_processor: str | None = None

    @field_validator("api_key", "allowed_origins", mode="before")
    @classmethod
    def _split_commas(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(part.strip() for part in value.split(",") if part.strip())
        return value

    @property
    def embedded(self) -> bool:
        """True when no Redis is configured: one process runs the API and the workers."""
        return self.redis_url is None

    @property
    def require_api_key(self) -> bool:
        return bool(self.api_key)

    @property
    def docs_enabled(self) -> bool:
        """`/docs` and `/openapi.json`: served in dev, in prod only when asked for."""
        if self.enable_docs is None:
            return self.env is Environment.DEV
        return self.enable_docs

    @property
    def qiskit_backends(self) -> dict[str, str]:
        """Target id → local Qiskit backend name from `SYNQC_QISKIT_BACKEND_<TARGET_ID>`."""
        prefix = "qiskit_backend_"
        return {
            name.removeprefix(prefix): value
            for name, value in self.model_dump().items()
            if name.startswith(prefix) and value
        }
