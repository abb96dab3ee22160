"""Enums of the HTTP contract: presets, run states, modes, KPI statuses, target kinds and
statuses."""

from enum import StrEnum


class Preset(StrEnum):
    HELLO_QUANTUM_SIM = "hello_quantum_sim"
    HEALTH = "health"
    LATENCY = "latency"
    BACKEND_COMPARE = "backend_compare"
    DPD_DEMO = "dpd_demo"


class RunState(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def finished(self) -> bool:
        return self in {RunState.SUCCEEDED, RunState.FAILED, RunState.CANCELLED}


class RunMode(StrEnum):
    EXPLORE = "explore"
    CALIBRATE = "calibrate"
    PROD = "prod"


class KpiStatus(StrEnum):
    OK = "ok"
    WARN = "warn"
    FAIL = "fail"


class TargetKind(StrEnum):
    SIM = "sim"
    SUPERCONDUCTING = "superconducting"
    TRAPPED_ION = "trapped_ion"


class TargetStatus(StrEnum):
    READY = "ready"
    UNCONFIGURED = "unconfigured"
    UNAVAILABLE = "unavailable"
