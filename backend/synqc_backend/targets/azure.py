"""`azure_quantum`: Azure Quantum through azure-quantum's Qiskit provider (the `azure` extra).

- The workspace: `SYNQC_AZURE_QUANTUM_RESOURCE_ID` and `SYNQC_AZURE_QUANTUM_LOCATION` (signing
  in with azure-identity's default credential chain), or the SDK's
  `AZURE_QUANTUM_CONNECTION_STRING` (access key).
- `SYNQC_AZURE_QUANTUM_TARGET` names the provider target (`ionq.simulator`,
  `rigetti.sim.qvm`, `quantinuum.sim.h2-1e`, …); `local` runs the same path on the Quantum
  Development Kit's local simulator backend (`QSharpBackend`), without a workspace.

A batch is one Azure Quantum job per circuit, whose ids are joined with `;`.
"""

import os
import warnings
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from qiskit import QuantumCircuit

from synqc_backend.config import Settings
from synqc_backend.execution import Capabilities, ExecutionOptions
from synqc_backend.models import TargetKind, TargetStatus
from synqc_backend.targets.base import JobState, Readiness, TargetDescriptor
from synqc_backend.targets.pacing import IN_PROCESS
from synqc_backend.targets.provider import JobCache, JobOutput, ProviderTarget, least_advanced
from synqc_backend.targets.requirements import first_unready, missing_extra, missing_variables

TARGET_ID = "azure_quantum"
EXTRA = "azure"
CONNECTION_STRING = "AZURE_QUANTUM_CONNECTION_STRING"
LOCAL_TARGET = "local"
MAX_SHOTS = 10_000
QUBITS = 20
BASIS = ("rx", "ry", "rz", "h", "x", "cx", "measure")
JOB_SEPARATOR = ";"

# AzureQuantumJob.status() answers in Qiskit's JobStatus; the workspace's own names map too.
STATES: Mapping[str, JobState] = {
    "INITIALIZING": JobState.SUBMITTED,
    "WAITING": JobState.QUEUED,
    "QUEUED": JobState.QUEUED,
    "EXECUTING": JobState.RUNNING,
    "RUNNING": JobState.RUNNING,
    "SUCCEEDED": JobState.DONE,
    "DONE": JobState.DONE,
    "FAILED": JobState.FAILED,
    "ERROR": JobState.FAILED,
    "CANCELLED": JobState.CANCELLED,
}

DESCRIPTOR = TargetDescriptor(
    TARGET_ID,
    "Azure Quantum",
    TargetKind.TRAPPED_ION,
    "Microsoft",
    "Azure Quantum provider targets through the workspace's Qiskit provider",
)


def azure_target(settings: Settings) -> ProviderTarget:
    return ProviderTarget(
        DESCRIPTOR,
        lambda: _capabilities(settings.azure_quantum_target),
        lambda: azure_readiness(settings),
        lambda: AzureSession(settings),
        pacing=IN_PROCESS if settings.azure_quantum_target == LOCAL_TARGET else None,
        default_timeout_s=settings.job_timeout_seconds,
    )


def azure_readiness(settings: Settings) -> Readiness:
    if settings.azure_quantum_target == LOCAL_TARGET:
        return missing_extra(EXTRA, ("azure-quantum", "qdk")) or Readiness(
            TargetStatus.READY, "the Quantum Development Kit's local simulator (QSharpBackend)"
        )
    by_key = bool(os.environ.get(CONNECTION_STRING))
    unready = first_unready(
        missing_extra(EXTRA, ("azure-quantum",)),
        None
        if by_key
        else missing_variables(
            {
                f"SYNQC_AZURE_QUANTUM_RESOURCE_ID (or {CONNECTION_STRING})": bool(
                    settings.azure_quantum_resource_id
                ),
                "SYNQC_AZURE_QUANTUM_LOCATION": bool(settings.azure_quantum_location),
            }
        ),
    )
    if unready is not None:
        return unready
    how = "connection string" if by_key else "workspace id, default Azure credential"
    return Readiness(
        TargetStatus.READY,
        f"{how}; target {settings.azure_quantum_target}; first contacted by a run",
    )


class AzureSession:
    """Azure Quantum jobs on one provider target of a workspace.

    `workspace` replaces the `Workspace` built from settings (endpoint, credential).
    """

    states = STATES

    def __init__(self, settings: Settings, workspace: Any = None) -> None:
        if settings.azure_quantum_target == LOCAL_TARGET:
            from qdk.qiskit import QSharpBackend

            self._backend: Any = QSharpBackend()
            self._jobs = JobCache(None)
            return
        with _sdk_calls():
            from azure.quantum.qiskit import AzureQuantumProvider

            provider = AzureQuantumProvider(workspace or _workspace(settings))
            self._backend = provider.get_backend(settings.azure_quantum_target)
        self._jobs = JobCache(provider.get_job)

    def estimate(
        self, circuits: Sequence[QuantumCircuit], options: ExecutionOptions
    ) -> Mapping[str, Any]:
        return {}

    def submit(self, circuits: Sequence[QuantumCircuit], options: ExecutionOptions) -> str:
        ids = []
        for circuit in circuits:
            with _sdk_calls():
                job = self._backend.run(circuit, shots=options.shots)
            job_id = str(job.job_id())
            self._jobs.add(job_id, job)
            ids.append(job_id)
        return JOB_SEPARATOR.join(ids)

    def status(self, job_id: str) -> object:
        """The batch's state in Qiskit's words: a failed or cancelled job decides it, else
        the least advanced job."""
        with _sdk_calls():
            raw = [_name(self._jobs.get(one).status()) for one in job_id.split(JOB_SEPARATOR)]
        return least_advanced(raw, STATES)

    def result(self, job_id: str, circuits: Sequence[QuantumCircuit]) -> JobOutput:
        with _sdk_calls():
            counts = tuple(
                _qiskit_counts(self._jobs.get(one).result().get_counts())
                for one in job_id.split(JOB_SEPARATOR)
            )
        return JobOutput(counts, f"azure {self._backend.name}")

    def cancel(self, job_id: str) -> None:
        with _sdk_calls():
            for one in job_id.split(JOB_SEPARATOR):
                self._jobs.get(one).cancel()


@contextmanager
def _sdk_calls() -> Iterator[None]:
    """azure-quantum 3.13 imports the deprecated `qsharp` shim and calls its own deprecated
    `configuration()`; those warnings are the SDK's, not ours."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        yield


def _workspace(settings: Settings) -> Any:
    """The workspace from `AZURE_QUANTUM_CONNECTION_STRING`, else from its id and location."""
    from azure.quantum import Workspace

    if os.environ.get(CONNECTION_STRING):
        return Workspace.from_connection_string(os.environ[CONNECTION_STRING])
    return Workspace(
        resource_id=settings.azure_quantum_resource_id, location=settings.azure_quantum_location
    )


def _qiskit_counts(counts: Mapping[str, int]) -> dict[str, int]:
    """Counts keyed by bitstrings without the spaces Qiskit puts between registers."""
    return {key.replace(" ", ""): int(n) for key, n in counts.items()}


def _name(status: object) -> str:
    return str(getattr(status, "name", status)).upper()


def _capabilities(target: str) -> Capabilities:
    return Capabilities(
        max_shots=MAX_SHOTS,
        num_qubits=QUBITS,
        basis_gates=BASIS,
        queue_behavior="Azure Quantum provider queue; polled with backoff from 1 s to 30 s",
        notes=f"Azure Quantum target {target}; one job per circuit",
    )
