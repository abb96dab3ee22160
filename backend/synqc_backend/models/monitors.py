"""Monitors: a run request submitted on a schedule, and what its runs have found."""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, field_validator

from synqc_backend.models.enums import Preset
from synqc_backend.models.requests import Notes, QubitList, whole_as_int

# What `every` may look like: a one-unit ISO-8601 duration, or five or six cron fields.
EVERY_PATTERN = r"^(P\d+D|PT\d+[HMS]|(\S+ ){4,5}\S+)$"

EVERY_DESCRIPTION = (
    "An ISO-8601 duration (PT10S, PT5M, P1D) or a cron expression ('*/5 * * * *'; six fields "
    "for seconds, the sixth being seconds); at least 10 s apart on sim_local and 5 min on any "
    "other target (422 otherwise)."
)


class MonitorCreate(BaseModel):
    """A monitor to create: the run it submits and how often."""

    model_config = ConfigDict(extra="forbid")

    hardware_target: str = Field("sim_local", min_length=1, max_length=64)
    qubits: QubitList | Literal["all"] = Field(default_factory=lambda: [0])
    preset: Preset = Preset.HEALTH
    every: str = Field(
        min_length=1, max_length=64, pattern=EVERY_PATTERN, description=EVERY_DESCRIPTION
    )
    shot_budget: StrictInt | None = Field(
        None, ge=1, description="Shots per run (default: the preset's default)."
    )
    notes: Notes | None = None

    _whole_numbers = field_validator("shot_budget", mode="before")(whole_as_int)


class MonitorUpdate(BaseModel):
    """What PATCH may change: pause or resume, the schedule, the shots, the notes."""

    model_config = ConfigDict(extra="forbid")

    paused: StrictBool | None = None
    every: str | None = Field(
        None, min_length=1, max_length=64, pattern=EVERY_PATTERN, description=EVERY_DESCRIPTION
    )
    shot_budget: StrictInt | None = Field(None, ge=1)
    notes: Notes | None = None

    _whole_numbers = field_validator("shot_budget", mode="before")(whole_as_int)


class Monitor(BaseModel):
    """A monitor and its latest outcome.

    - `next_run_at`: when it submits next (Unix time); null while paused.
    - `consecutive_failures` > 0: its latest runs (or submits) failed; it backs off, doubling
      the wait per failure, and `status_reason` says why.
    """

    id: str
    hardware_target: str
    qubits: list[int] | Literal["all"]
    preset: Preset
    every: str
    interval_seconds: float
    shot_budget: int | None
    notes: str | None
    paused: bool
    created_at: float
    next_run_at: float | None
    last_run_id: str | None
    last_status: str | None
    last_success_at: float | None
    consecutive_failures: int
    status_reason: str | None


class MonitorList(BaseModel):
    monitors: list[Monitor]
