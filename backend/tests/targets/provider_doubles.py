"""A scripted provider session and an in-memory job ledger for the contract tests.

The session answers with a provider's own state names in the order a test scripts them; it
stands in for the SDK, never for the target under test.
"""

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from qiskit import QuantumCircuit

from synqc_backend.execution import ExecutionOptions, ProviderJobRecord
from synqc_backend.targets.base import JobNotFoundError, JobState
from synqc_backend.targets.provider import JobOutput


@dataclass
class ScriptedSession:
    """Reports `script` states one per poll, the last one forever after; job ids in `lost`
    are unknown to it."""

    states: Mapping[str, JobState]
    script: Sequence[object]
    counts: dict[str, int] = field(default_factory=lambda: {"00": 60, "11": 40})
    failures: list[BaseException] = field(default_factory=list)
    submitted: list[int] = field(default_factory=list)
    polled: list[str] = field(default_factory=list)
    cancelled: list[str] = field(default_factory=list)
    lost: set[str] = field(default_factory=set)
    _positions: Iterator[int] = field(default_factory=lambda: iter(range(1_000_000)))

    def estimate(
        self, circuits: Sequence[QuantumCircuit], options: ExecutionOptions
    ) -> Mapping[str, Any]:
        return {"estimated_cost": 0.25}

    def submit(self, circuits: Sequence[QuantumCircuit], options: ExecutionOptions) -> str:
        if self.failures:
            raise self.failures.pop(0)
        self.submitted.append(len(circuits))
        return f"job-{len(self.submitted)}"

    def status(self, job_id: str) -> object:
        if job_id in self.lost:
            raise JobNotFoundError(job_id)
        self.polled.append(job_id)
        position = next(self._positions)
        return self.script[min(position, len(self.script) - 1)]

    def result(self, job_id: str, circuits: Sequence[QuantumCircuit]) -> JobOutput:
        return JobOutput(tuple(dict(self.counts) for _ in circuits), "scripted", usage={"s": 1})

    def cancel(self, job_id: str) -> None:
        self.cancelled.append(job_id)


@dataclass
class MemoryLedger:
    """Remembers the records a target writes; `cancel` flips the cancel request."""

    stored: ProviderJobRecord | None = None
    history: list[ProviderJobRecord] = field(default_factory=list)
    cancel: bool = False

    def recorded(self) -> ProviderJobRecord | None:
        return self.stored

    def record(self, job: ProviderJobRecord) -> None:
        self.stored = job
        self.history.append(job)

    def cancel_requested(self) -> bool:
        return self.cancel


@dataclass
class FakeClock:
    """A monotonic clock that moves only when the code under test sleeps."""

    now: float = 0.0
    sleeps: list[float] = field(default_factory=list)

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds
