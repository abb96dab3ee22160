"""`ibm_quantum`: IBM Quantum through qiskit-ibm-runtime's Sampler (the `ibm` extra).

- Cloud: `SYNQC_QISKIT_RUNTIME_TOKEN` (or the SDK's `QISKIT_IBM_TOKEN`, or an account saved
  with `QiskitRuntimeService.save_account`), `SYNQC_QISKIT_RUNTIME_CHANNEL` and `_INSTANCE`
  select the account; `SYNQC_QISKIT_BACKEND_IBM_QUANTUM` names the device (else the least busy
  one).
- Local testing mode: a fake backend name (`SYNQC_QISKIT_BACKEND_IBM_QUANTUM=FakeManilaV2`)
  runs the same transpile → Sampler → job path on the runtime's local simulator with that
  device's calibration.

Circuits are transpiled to the backend's ISA (scheduled, so delays become device time), on the
run's layout, at optimization level 0: RB and echo sequences must reach the device unchanged.
"""

import os
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from qiskit import QuantumCircuit

from synqc_backend.config import Settings
from synqc_backend.execution import Capabilities, ExecutionOptions
from synqc_backend.models import TargetKind, TargetStatus
from synqc_backend.targets.base import JobState, Readiness, TargetDescriptor
from synqc_backend.targets.ibm_profiles import IBM_PREFIX, resolve_profile
from synqc_backend.targets.local_sim import calibration_snapshot, gate_durations_s, references
from synqc_backend.targets.pacing import IN_PROCESS
from synqc_backend.targets.provider import JobCache, JobOutput, ProviderSession, ProviderTarget
from synqc_backend.targets.requirements import first_unready, missing_extra, missing_variables

TARGET_ID = "ibm_quantum"
EXTRA = "ibm"
MAX_SHOTS = 100_000
CLOUD_BASIS = ("ecr", "cz", "rz", "sx", "x", "id", "delay", "measure", "reset")
CLOUD_QUBITS = 127

STATES: Mapping[str, JobState] = {
    "INITIALIZING": JobState.SUBMITTED,
    "VALIDATING": JobState.SUBMITTED,
    "QUEUED": JobState.QUEUED,
    "RUNNING": JobState.RUNNING,
    "DONE": JobState.DONE,
    "ERROR": JobState.FAILED,
    "CANCELLED": JobState.CANCELLED,
}

DESCRIPTOR = TargetDescriptor(
    TARGET_ID,
    "IBM Quantum",
    TargetKind.SUPERCONDUCTING,
    "IBM",
    "IBM Quantum devices through the Qiskit Runtime Sampler",
)


def is_fake_backend(name: str | None) -> bool:
    """True for a fake-provider name such as `FakeManilaV2`: runtime local testing mode."""
    return bool(name) and str(name).startswith("Fake")


def ibm_target(settings: Settings) -> ProviderTarget:
    """The IBM target: local testing mode for a fake backend name, else the cloud."""
    backend_name = settings.qiskit_backend_ibm_quantum
    if backend_name is not None and is_fake_backend(backend_name):
        fake = backend_name
        return ProviderTarget(
            DESCRIPTOR,
            lambda: _fake_capabilities(fake),
            lambda: _local_readiness(fake),
            lambda: IbmSession(_fake_backend(fake), service=None),
            pacing=IN_PROCESS,
            default_timeout_s=settings.job_timeout_seconds,
        )
    return ProviderTarget(
        DESCRIPTOR,
        _cloud_capabilities,
        lambda: cloud_readiness(settings),
        lambda: _cloud_session(settings),
        default_timeout_s=settings.job_timeout_seconds,
    )


def cloud_readiness(settings: Settings) -> Readiness:
    token_set = bool(
        settings.qiskit_runtime_token is not None
        or os.environ.get("QISKIT_IBM_TOKEN")
        or (Path.home() / ".qiskit" / "qiskit-ibm.json").exists()
    )
    unready = first_unready(
        missing_extra(EXTRA, ("qiskit-ibm-runtime",)),
        missing_variables(
            {"SYNQC_QISKIT_RUNTIME_TOKEN (or QISKIT_IBM_TOKEN, or a saved account)": token_set}
        ),
    )
    if unready is not None:
        return unready
    device = settings.qiskit_backend_ibm_quantum or "the least busy device"
    channel = settings.qiskit_runtime_channel or "the SDK's default channel"
    return Readiness(
        TargetStatus.READY,
        f"token set; {device} on {channel}; the account is first contacted by a run",
    )


def _local_readiness(name: str) -> Readiness:
    unready = missing_extra(EXTRA, ("qiskit-ibm-runtime",))
    if unready is not None:
        return unready
    return Readiness(TargetStatus.READY, f"Qiskit Runtime local testing mode on {name}")


class IbmSession:
    """Sampler jobs on one backend; `service` is None in local testing mode."""

    states = STATES

    def __init__(self, backend: Any, service: Any) -> None:
        self._backend = backend
        self._service = service
        self._jobs = JobCache(None if service is None else service.job)

    def estimate(
        self, circuits: Sequence[QuantumCircuit], options: ExecutionOptions
    ) -> Mapping[str, Any]:
        return {}

    def submit(self, circuits: Sequence[QuantumCircuit], options: ExecutionOptions) -> str:
        from qiskit.transpiler import generate_preset_pass_manager

        width = max(circuit.num_qubits for circuit in circuits)
        layout = list(options.layout[:width]) if options.layout else list(range(width))
        manager = generate_preset_pass_manager(
            optimization_level=0,
            backend=self._backend,
            initial_layout=layout,
            scheduling_method="alap",
            seed_transpiler=options.seed,
        )
        sampler = _sampler_class()(mode=self._backend)
        # Twirling would replace the gate sequences RB and echo experiments measure.
        sampler.options.twirling.enable_gates = False
        sampler.options.twirling.enable_measure = False
        if options.seed is not None and self._service is None:
            sampler.options.simulator.seed_simulator = options.seed
        with warnings.catch_warnings():
            # Delays given in seconds become whole device cycles (dt); the SDK warns each time.
            warnings.filterwarnings("ignore", message="Duration is rounded", category=UserWarning)
            isa = manager.run(list(circuits))
        job = sampler.run(isa, shots=options.shots)
        job_id = str(job.job_id())
        self._jobs.add(job_id, job)
        return job_id

    def status(self, job_id: str) -> object:
        return self._jobs.get(job_id).status()

    def result(self, job_id: str, circuits: Sequence[QuantumCircuit]) -> JobOutput:
        job = self._jobs.get(job_id)
        result = job.result()
        counts = tuple(dict(pub.join_data().get_counts()) for pub in result)
        usage: dict[str, Any] = {}
        if self._service is not None:
            usage["quantum_seconds"] = job.usage()
        return JobOutput(counts, f"{self._backend.name} (Qiskit Runtime Sampler)", usage=usage)

    def cancel(self, job_id: str) -> None:
        self._jobs.get(job_id).cancel()


def _sampler_class() -> Any:
    """The client-side Sampler (qiskit-ibm-runtime ≥ 0.50), else the SamplerV2 before it."""
    try:
        from qiskit_ibm_runtime.executor_sampler import Sampler
    except ImportError:
        from qiskit_ibm_runtime import SamplerV2 as Sampler
    return Sampler


def _cloud_session(settings: Settings) -> ProviderSession:
    from qiskit_ibm_runtime import QiskitRuntimeService

    account: dict[str, Any] = {}
    if settings.qiskit_runtime_token is not None:
        account["token"] = settings.qiskit_runtime_token.get_secret_value()
    if settings.qiskit_runtime_channel:
        account["channel"] = settings.qiskit_runtime_channel
    if settings.qiskit_runtime_instance:
        account["instance"] = settings.qiskit_runtime_instance
    service = QiskitRuntimeService(**account)
    name = settings.qiskit_backend_ibm_quantum
    backend = (
        service.backend(name) if name else service.least_busy(operational=True, simulator=False)
    )
    return IbmSession(backend, service)


def _fake_backend(name: str) -> Any:
    from qiskit_ibm_runtime import fake_provider

    backend_class = getattr(fake_provider, name, None)
    if backend_class is None:
        raise ValueError(f"qiskit-ibm-runtime has no fake backend {name!r}")
    return backend_class()


def _fake_capabilities(name: str) -> Capabilities:
    profile = resolve_profile(IBM_PREFIX + name)
    backend = _fake_backend(name)
    return Capabilities(
        max_shots=MAX_SHOTS,
        num_qubits=profile.num_qubits,
        basis_gates=tuple(sorted(backend.operation_names)),
        queue_behavior="local testing mode: runs in-process, no provider queue",
        notes=f"Qiskit Runtime local testing mode on {name}",
        gate_durations_s=gate_durations_s(profile),
        calibration=calibration_snapshot(profile),
        noise_model_summary=f"{name} calibration snapshot (Aer, runtime local mode)",
        reference=references(profile),
    )


def _cloud_capabilities() -> Capabilities:
    return Capabilities(
        max_shots=MAX_SHOTS,
        num_qubits=CLOUD_QUBITS,
        basis_gates=CLOUD_BASIS,
        queue_behavior="IBM Quantum fair-share queue; polled with backoff from 1 s to 30 s",
        notes="device calibration is read by the runtime at transpile time",
    )
