"""A cloud provider as a target: submit a batch as one job, wait for it our way, read counts.

Each provider module supplies a `ProviderSession` (the SDK calls) and its readiness; this
module owns what every provider shares: the shot limit checked before submit, the stored job id
that a restarted worker re-attaches to, the polling loop with backoff and deadline, retries on
429/5xx, cancellation, and timing and usage on the result.
"""

import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from qiskit import QuantumCircuit

from synqc_backend.execution import (
    Capabilities,
    ExecutionOptions,
    ExecutionResult,
    ProviderJobRecord,
)
from synqc_backend.models import TargetStatus
from synqc_backend.targets.base import (
    JobCancelledError,
    JobDeadlineError,
    JobNotFoundError,
    JobState,
    ProviderJobFailedError,
    ProviderNotReadyError,
    Readiness,
    TargetDescriptor,
    check_shots,
    normalized_state,
)
from synqc_backend.targets.pacing import Pacing


@dataclass(frozen=True)
class JobOutput:
    """What a finished provider job returned.

    - `counts[i]` belongs to the i-th circuit; bitstrings in Qiskit order (qubit 0 rightmost).
    - `execution_s` is the provider's own execution time when it reports one.
    """

    counts: tuple[dict[str, int], ...]
    backend_name: str
    execution_s: float | None = None
    usage: Mapping[str, Any] = field(default_factory=dict)


class JobCache:
    """The provider's job handles this process holds, by job id.

    `fetch(job_id)` looks up a job this process did not submit (one submitted before a worker
    restart). Without `fetch` (a local simulator) such a job ended with the process that ran it,
    and asking for it raises `JobNotFoundError`.
    """

    def __init__(self, fetch: Callable[[str], Any] | None) -> None:
        self._fetch = fetch
        self._jobs: dict[str, Any] = {}

    def add(self, job_id: str, job: Any) -> None:
        self._jobs[job_id] = job

    def get(self, job_id: str) -> Any:
        job = self._jobs.get(job_id)
        if job is None:
            if self._fetch is None:
                raise JobNotFoundError(f"local job {job_id} ended with the process that ran it")
            job = self._jobs[job_id] = self._fetch(job_id)
        return job


class ProviderSession(Protocol):
    """The SDK calls of one provider, against one device.

    `states` maps the provider's own job states (upper case) to ours.
    """

    states: Mapping[str, JobState]

    def estimate(
        self, circuits: Sequence[QuantumCircuit], options: ExecutionOptions
    ) -> Mapping[str, Any]: ...

    def submit(self, circuits: Sequence[QuantumCircuit], options: ExecutionOptions) -> str: ...

    def status(self, job_id: str) -> object: ...

    def result(self, job_id: str, circuits: Sequence[QuantumCircuit]) -> JobOutput: ...

    def cancel(self, job_id: str) -> None: ...


class ProviderTarget:
    """A target executing through a provider session opened on first use.

    - `readiness` decides without importing the SDK; `open_session` imports it.
    - `capabilities` is asked once, on first use (it may read an SDK's device data).
    - Without `options.deadline_monotonic`, `default_timeout_s` from submit bounds the wait.
    """

    def __init__(
        self,
        descriptor: TargetDescriptor,
        capabilities: Callable[[], Capabilities],
        readiness: Callable[[], Readiness],
        open_session: Callable[[], ProviderSession],
        *,
        pacing: Pacing | None = None,
        default_timeout_s: float = 3600.0,
    ) -> None:
        self._descriptor = descriptor
        self._describe = capabilities
        self._capabilities: Capabilities | None = None
        self._readiness = readiness
        self._open_session = open_session
        self._pacing = pacing or Pacing()
        self._default_timeout_s = default_timeout_s
        self._session: ProviderSession | None = None
        self._lock = threading.Lock()

    @property
    def descriptor(self) -> TargetDescriptor:
        return self._descriptor

    def readiness(self) -> Readiness:
        return self._readiness()

    def capabilities(self) -> Capabilities:
        if self._capabilities is None:
            self._capabilities = self._describe()
        return self._capabilities

    def session(self) -> ProviderSession:
        """The provider session, opened (and its SDK imported) on first call."""
        with self._lock:
            if self._session is None:
                readiness = self._readiness()
                if readiness.status is not TargetStatus.READY:
                    raise ProviderNotReadyError(
                        f"'{self._descriptor.id}' is {readiness.status.value}: {readiness.detail}"
                    )
                self._session = self._open_session()
            return self._session

    def execute(
        self, circuits: Sequence[QuantumCircuit], options: ExecutionOptions
    ) -> ExecutionResult:
        check_shots(self._descriptor.id, options.shots, self.capabilities().max_shots)
        pacing = self._pacing
        started = pacing.monotonic()
        deadline = options.deadline_monotonic
        if deadline is None:
            deadline = started + self._default_timeout_s
        session = self.session()
        job = self._stored(options)
        try:
            if job is None:
                raise JobNotFoundError("nothing stored for this batch")
            waited = self._wait(session, job, options, deadline)
        except JobNotFoundError:
            job = self._submit(session, circuits, options)
            waited = self._wait(session, job, options, deadline)
        output = pacing.call(lambda: session.result(job.job_id, circuits))
        finished = pacing.monotonic()
        usage = {**job.usage, **output.usage}
        self._record(options, job, JobState.DONE, usage)
        execution_s = output.execution_s
        if execution_s is None:
            execution_s = finished - (waited.running_at or started)
        return ExecutionResult(
            counts=output.counts,
            shots_executed=options.shots * len(circuits),
            submit_to_result_s=finished - started,
            execution_s=execution_s,
            queue_s=None if waited.running_at is None else waited.running_at - started,
            backend_name=output.backend_name,
            provider_job_id=job.job_id,
            usage=usage,
        )

    def _stored(self, options: ExecutionOptions) -> ProviderJobRecord | None:
        """The batch's job at this target stored by an earlier attempt, if any."""
        stored = None if options.jobs is None else options.jobs.recorded()
        if stored is not None and stored.target_id == self._descriptor.id:
            return stored
        return None

    def _submit(
        self,
        session: ProviderSession,
        circuits: Sequence[QuantumCircuit],
        options: ExecutionOptions,
    ) -> ProviderJobRecord:
        """Submit the batch as a new job and store its id before waiting for it."""
        estimate = dict(session.estimate(circuits, options))
        job_id = self._pacing.call(lambda: session.submit(circuits, options))
        job = ProviderJobRecord(
            self._descriptor.id, job_id, JobState.SUBMITTED.value, time.time(), estimate
        )
        if options.jobs is not None:
            options.jobs.record(job)
        return job

    def _wait(
        self,
        session: ProviderSession,
        job: ProviderJobRecord,
        options: ExecutionOptions,
        deadline: float,
    ) -> "_Waited":
        """Poll until the job is final; cancel it on a cancel request or past the deadline."""
        pacing = self._pacing
        waited = _Waited()
        last = JobState(job.state)
        for delay in pacing.poll_delays():
            raw = pacing.call(lambda: session.status(job.job_id))
            state = normalized_state(raw, session.states)
            if state is JobState.RUNNING and waited.running_at is None:
                waited.running_at = pacing.monotonic()
            if state is not last:
                self._record(options, job, state, job.usage)
                last = state
            if state is JobState.DONE:
                return waited
            if state.final:
                raise ProviderJobFailedError(
                    f"job {job.job_id} on '{self._descriptor.id}' ended {state.value}"
                )
            if options.jobs is not None and options.jobs.cancel_requested():
                self._cancel(session, job)
                raise JobCancelledError(f"job {job.job_id} cancelled on request")
            if pacing.monotonic() + delay > deadline:
                self._cancel(session, job)
                raise JobDeadlineError(
                    f"job {job.job_id} on '{self._descriptor.id}' was still {state.value} "
                    "at the run's deadline; it was cancelled"
                )
            pacing.sleep(delay)
        raise AssertionError("poll_delays never ends")

    def _cancel(self, session: ProviderSession, job: ProviderJobRecord) -> None:
        self._pacing.call(lambda: session.cancel(job.job_id))

    def _record(
        self,
        options: ExecutionOptions,
        job: ProviderJobRecord,
        state: JobState,
        usage: Mapping[str, Any],
    ) -> None:
        if options.jobs is not None:
            options.jobs.record(
                ProviderJobRecord(job.target_id, job.job_id, state.value, job.submitted_at, usage)
            )


_PROGRESS = (JobState.SUBMITTED, JobState.QUEUED, JobState.RUNNING, JobState.DONE)


def least_advanced(raw_states: Sequence[str], table: Mapping[str, JobState]) -> str:
    """The one raw state standing for a batch of provider jobs: the first failed or cancelled
    one, else the one least far along."""
    states = [normalized_state(raw, table) for raw in raw_states]
    for ending in (JobState.FAILED, JobState.CANCELLED):
        if ending in states:
            return raw_states[states.index(ending)]
    return raw_states[states.index(min(states, key=_PROGRESS.index))]


@dataclass
class _Waited:
    running_at: float | None = None
