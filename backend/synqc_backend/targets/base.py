"""The target port: what every execution backend promises, in plain types."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import Enum, StrEnum
from typing import Protocol

from qiskit import QuantumCircuit

from synqc_backend.execution import Capabilities, ExecutionOptions, ExecutionResult
from synqc_backend.models import HardwareTarget, TargetCapabilities, TargetKind, TargetStatus


@dataclass(frozen=True)
class TargetDescriptor:
    """Who a target is: identity shown in `/hardware/targets`."""

    id: str
    name: str
    kind: TargetKind
    vendor: str
    description: str


@dataclass(frozen=True)
class Readiness:
    status: TargetStatus
    detail: str


class JobState(StrEnum):
    """A provider job's state in our words; every provider's own states map onto these."""

    SUBMITTED = "submitted"
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def final(self) -> bool:
        return self in _FINAL_JOB_STATES


_FINAL_JOB_STATES = frozenset({JobState.DONE, JobState.FAILED, JobState.CANCELLED})


def normalized_state(raw: object, table: Mapping[str, JobState]) -> JobState:
    """`raw` (a provider's state: string or enum member) in our words.

    Keys of `table` are upper case. A state the table does not know counts as `submitted`:
    not final, so the job is waited for rather than given up on.
    """
    name = raw.name if isinstance(raw, Enum) else str(raw)
    return table.get(name.strip().upper(), JobState.SUBMITTED)


class ProviderNotReadyError(RuntimeError):
    """Circuits were sent to a provider target that is not ready (credentials, extra)."""


class ShotsAboveLimitError(ValueError):
    """More shots per circuit than the target accepts; raised before anything is submitted."""


class JobCancelledError(RuntimeError):
    """The run was cancelled while its provider job was pending; the job was cancelled too."""


class JobDeadlineError(TimeoutError):
    """The provider job did not finish before the run's deadline; it was cancelled."""


class JobNotFoundError(LookupError):
    """A stored job id the provider session cannot find again (an in-process simulator's job
    ends with its process); the batch is submitted anew."""


class ProviderJobFailedError(RuntimeError):
    """The provider reports the job failed or was cancelled on its side."""


def check_shots(target_id: str, shots: int, max_shots: int) -> None:
    """Refuse `shots` per circuit above `max_shots`, before any provider call."""
    if shots > max_shots:
        raise ShotsAboveLimitError(
            f"{shots} shots per circuit is above what '{target_id}' accepts ({max_shots})"
        )


class Target(Protocol):
    """An execution backend. It knows circuits, shots and seeds, never presets."""

    @property
    def descriptor(self) -> TargetDescriptor: ...

    def readiness(self) -> Readiness: ...

    def capabilities(self) -> Capabilities: ...

    def execute(
        self, circuits: Sequence[QuantumCircuit], options: ExecutionOptions
    ) -> ExecutionResult: ...


def hardware_target(target: Target) -> HardwareTarget:
    """The contract's view of a target: identity, readiness and capabilities."""
    descriptor, readiness, capabilities = (
        target.descriptor,
        target.readiness(),
        target.capabilities(),
    )
    return HardwareTarget(
        id=descriptor.id,
        name=descriptor.name,
        kind=descriptor.kind,
        vendor=descriptor.vendor,
        description=descriptor.description,
        status=readiness.status,
        status_detail=readiness.detail,
        capabilities=TargetCapabilities(
            max_shots=capabilities.max_shots,
            queue_behavior=capabilities.queue_behavior,
            supported_gates=list(capabilities.basis_gates),
            notes=capabilities.notes,
        ),
    )
