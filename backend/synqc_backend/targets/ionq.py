"""`ionq_cloud`: IonQ through qiskit-ionq and the IonQ API v0.4 (the `ionq` extra).

- `SYNQC_IONQ_API_KEY` (or the SDK's `IONQ_API_KEY`) is the key; `SYNQC_IONQ_BACKEND`
  (`simulator`, `qpu.aria-1`, `qpu.forte-1`, …) the device. The SDK reads the API address
  from `IONQ_API_URL` (default `https://api.ionq.co/v0.4`).
- Before a QPU submit the job's cost is estimated (`GET /jobs/estimate`) and recorded with the
  run; the simulator is free and is not estimated.

A batch is one multi-circuit IonQ job; IonQ's states (`submitted`, `ready`, `started`,
`completed`, `failed`, `canceled`) reach us through the SDK's mapping onto Qiskit's.
"""

import os
import warnings
from collections.abc import Mapping, Sequence
from typing import Any

from qiskit import QuantumCircuit, transpile

from synqc_backend.config import Settings
from synqc_backend.execution import Capabilities, ExecutionOptions
from synqc_backend.models import TargetKind, TargetStatus
from synqc_backend.targets.base import JobState, Readiness, TargetDescriptor
from synqc_backend.targets.provider import JobCache, JobOutput, ProviderTarget
from synqc_backend.targets.requirements import first_unready, missing_extra, missing_variables

TARGET_ID = "ionq_cloud"
EXTRA = "ionq"
MAX_SHOTS = 10_000
QUBITS = 29
BASIS = ("rx", "ry", "rz", "h", "x", "y", "z", "s", "sdg", "t", "tdg", "cx", "swap", "measure")

# qiskit-ionq's IonQJob.status() answers in Qiskit's JobStatus; IonQ's own names map as well.
STATES: Mapping[str, JobState] = {
    "INITIALIZING": JobState.SUBMITTED,
    "SUBMITTED": JobState.SUBMITTED,
    "QUEUED": JobState.QUEUED,
    "READY": JobState.QUEUED,
    "RUNNING": JobState.RUNNING,
    "STARTED": JobState.RUNNING,
    "DONE": JobState.DONE,
    "COMPLETED": JobState.DONE,
    "ERROR": JobState.FAILED,
    "FAILED": JobState.FAILED,
    "CANCELLED": JobState.CANCELLED,
    "CANCELED": JobState.CANCELLED,
}

DESCRIPTOR = TargetDescriptor(
    TARGET_ID,
    "IonQ Cloud",
    TargetKind.TRAPPED_ION,
    "IonQ",
    "IonQ trapped-ion devices and simulator through the IonQ API v0.4",
)


def ionq_target(settings: Settings) -> ProviderTarget:
    return ProviderTarget(
        DESCRIPTOR,
        _capabilities,
        lambda: ionq_readiness(settings),
        lambda: IonQSession(settings),
        default_timeout_s=settings.job_timeout_seconds,
    )


def api_key(settings: Settings) -> str | None:
    if settings.ionq_api_key is not None:
        return settings.ionq_api_key.get_secret_value()
    return os.environ.get("IONQ_API_KEY") or None


def ionq_readiness(settings: Settings) -> Readiness:
    unready = first_unready(
        missing_extra(EXTRA, ("qiskit-ionq",)),
        missing_variables({"SYNQC_IONQ_API_KEY (or IONQ_API_KEY)": api_key(settings) is not None}),
    )
    if unready is not None:
        return unready
    url = os.environ.get("IONQ_API_URL", "https://api.ionq.co/v0.4")
    return Readiness(
        TargetStatus.READY,
        f"key set; backend {settings.ionq_backend} at {url}; first contacted by a run",
    )


class IonQSession:
    """IonQ jobs on one backend, through qiskit-ionq's provider and client."""

    states = STATES

    def __init__(self, settings: Settings) -> None:
        from qiskit_ionq import IonQProvider
        from qiskit_ionq.exceptions import IonQTranspileLevelWarning

        with warnings.catch_warnings():
            # The SDK warns about Qiskit's default transpile level; submit transpiles at 0.
            warnings.simplefilter("ignore", IonQTranspileLevelWarning)
            provider = IonQProvider(token=api_key(settings))
            self._backend: Any = provider.get_backend(settings.ionq_backend)
        self._jobs = JobCache(self._backend.retrieve_job)

    def estimate(
        self, circuits: Sequence[QuantumCircuit], options: ExecutionOptions
    ) -> Mapping[str, Any]:
        """IonQ's cost estimate for a QPU job ({} on the simulator)."""
        if "qpu" not in self._backend.name:
            return {}
        oneq = sum(_gate_count(c, 1) for c in circuits)
        twoq = sum(_gate_count(c, 2) for c in circuits)
        estimate = self._backend.client.estimate_job(
            backend=self._backend.name,
            oneq_gates=oneq,
            twoq_gates=twoq,
            qubits=max(c.num_qubits for c in circuits),
            shots=options.shots * len(circuits),
        )
        return {
            "estimated_cost": estimate.cost,
            "estimated_execution_time_s": estimate.exec_time,
        }

    def submit(self, circuits: Sequence[QuantumCircuit], options: ExecutionOptions) -> str:
        for circuit in circuits:
            if "delay" in circuit.count_ops():
                raise ValueError("IonQ circuits have no delay instruction")
        run_options: dict[str, Any] = {"shots": options.shots}
        if options.seed is not None:
            run_options["sampler_seed"] = options.seed
        # Level 0 translates to IonQ's gates without re-synthesising the sequences we measure.
        compiled = transpile(list(circuits), backend=self._backend, optimization_level=0)
        job = self._backend.run(compiled, **run_options)
        job_id = str(job.job_id())
        self._jobs.add(job_id, job)
        return job_id

    def status(self, job_id: str) -> object:
        return self._jobs.get(job_id).status()

    def result(self, job_id: str, circuits: Sequence[QuantumCircuit]) -> JobOutput:
        result = self._jobs.get(job_id).result()
        counts = tuple(dict(result.get_counts(i)) for i in range(len(circuits)))
        time_taken = getattr(result, "time_taken", None)
        execution_s = (
            float(time_taken)
            if isinstance(time_taken, int | float) and time_taken != float("inf")
            else None
        )
        return JobOutput(counts, f"ionq {self._backend.name}", execution_s=execution_s)

    def cancel(self, job_id: str) -> None:
        self._backend.client.cancel_job(job_id)


def _gate_count(circuit: QuantumCircuit, width: int) -> int:
    return sum(
        1
        for instruction in circuit.data
        if instruction.operation.num_qubits == width
        and instruction.operation.name not in {"measure", "barrier", "delay", "reset"}
    )


def _capabilities() -> Capabilities:
    return Capabilities(
        max_shots=MAX_SHOTS,
        num_qubits=QUBITS,
        basis_gates=BASIS,
        queue_behavior="IonQ job queue; polled with backoff from 1 s to 30 s",
        notes="the API compiles to IonQ's native gates (gpi, gpi2, ms); cost estimated on QPUs",
    )
