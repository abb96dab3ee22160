"""`aws_braket`: Amazon Braket through amazon-braket-sdk (the `braket` extra).

- `SYNQC_BRAKET_DEVICE` is a device ARN (`arn:aws:braket:…`), or `braket_sv` / `braket_dm`
  for the SDK's `LocalSimulator`, which needs no account.
- A device ARN also needs `SYNQC_BRAKET_S3_BUCKET` (results land under
  `SYNQC_BRAKET_S3_PREFIX`) and AWS credentials the way boto3 finds them (`AWS_ACCESS_KEY_ID`,
  `AWS_PROFILE` or `~/.aws/credentials`).

Circuits are translated by qiskit-braket-provider. Each circuit is one Braket quantum task; a
batch's job id joins the task ids with `;`, so a restarted worker re-attaches to every task.
Braket gate-model circuits have no delay instruction: on `braket_dm` a delay becomes the
relaxation of the device profile's qubit (`braket_relaxation`), elsewhere it is refused.
"""

import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from qiskit import QuantumCircuit

from synqc_backend.config import Settings
from synqc_backend.execution import Capabilities, ExecutionOptions
from synqc_backend.models import TargetKind, TargetStatus
from synqc_backend.targets.base import JobState, Readiness, TargetDescriptor
from synqc_backend.targets.braket_relaxation import delays_as_relaxation
from synqc_backend.targets.device_profile import DEFAULT_TRANSMON, DeviceProfile
from synqc_backend.targets.local_sim import gate_durations_s, references
from synqc_backend.targets.pacing import IN_PROCESS
from synqc_backend.targets.provider import JobCache, JobOutput, ProviderTarget, least_advanced
from synqc_backend.targets.requirements import (
    env_set,
    first_unready,
    missing_extra,
    missing_variables,
)

TARGET_ID = "aws_braket"
EXTRA = "braket"
DENSITY_MATRIX = "braket_dm"
LOCAL_DEVICES = ("braket_sv", DENSITY_MATRIX)
LOCAL_QUBITS = {"braket_sv": 34, "braket_dm": 17}
DEVICE_QUBITS = 20
MAX_SHOTS = 100_000
JOB_SEPARATOR = ";"
BASIS = ("rx", "ry", "rz", "h", "x", "cx", "cz", "measure")

# AwsQuantumTask.state() and LocalQuantumTask.state()
STATES: Mapping[str, JobState] = {
    "CREATED": JobState.SUBMITTED,
    "QUEUED": JobState.QUEUED,
    "RUNNING": JobState.RUNNING,
    "COMPLETED": JobState.DONE,
    "FAILED": JobState.FAILED,
    "CANCELLING": JobState.RUNNING,
    "CANCELLED": JobState.CANCELLED,
}

DESCRIPTOR = TargetDescriptor(
    TARGET_ID,
    "AWS Braket",
    TargetKind.SUPERCONDUCTING,
    "Amazon Web Services",
    "Amazon Braket devices, or its local simulator",
)


def braket_target(settings: Settings, profile: DeviceProfile = DEFAULT_TRANSMON) -> ProviderTarget:
    """`profile` is the device whose relaxation delays undergo on `braket_dm`."""
    return ProviderTarget(
        DESCRIPTOR,
        lambda: _capabilities(settings.braket_device, profile),
        lambda: braket_readiness(settings),
        lambda: BraketSession(settings, profile=profile),
        pacing=IN_PROCESS if settings.braket_device in LOCAL_DEVICES else None,
        default_timeout_s=settings.job_timeout_seconds,
    )


def braket_readiness(settings: Settings) -> Readiness:
    device = settings.braket_device
    extra = missing_extra(EXTRA, ("amazon-braket-sdk", "qiskit-braket-provider"))
    if device in LOCAL_DEVICES:
        return extra or Readiness(TargetStatus.READY, f"Braket LocalSimulator {device}")
    credentials = (
        env_set("AWS_ACCESS_KEY_ID", "AWS_PROFILE")
        or (Path.home() / ".aws" / "credentials").exists()
    )
    unready = first_unready(
        extra,
        missing_variables(
            {
                "SYNQC_BRAKET_DEVICE (a device ARN, or braket_sv / braket_dm)": bool(device),
                "SYNQC_BRAKET_S3_BUCKET": bool(settings.braket_s3_bucket),
                "AWS credentials (AWS_ACCESS_KEY_ID or AWS_PROFILE)": credentials,
            }
        ),
    )
    if unready is not None:
        return unready
    return Readiness(
        TargetStatus.READY,
        f"device {device}; credentials found; AWS is first contacted by a run",
    )


def counts_in_qiskit_order(
    braket_counts: Mapping[str, int], measured: Sequence[int], circuit: QuantumCircuit
) -> dict[str, int]:
    """Braket's counts (measured qubits left to right) as Qiskit counts of the clbits.

    Every measurement of `circuit` writes clbit c from qubit q; Qiskit keys put clbit 0
    rightmost. Clbits nothing writes read 0.
    """
    position = {qubit: index for index, qubit in enumerate(measured)}
    writes: dict[int, int] = {}
    for instruction in circuit.data:
        if instruction.operation.name == "measure":
            qubit = circuit.find_bit(instruction.qubits[0]).index
            clbit = circuit.find_bit(instruction.clbits[0]).index
            writes[clbit] = qubit
    counts: dict[str, int] = {}
    for bits, count in braket_counts.items():
        key = "".join(
            bits[position[writes[c]]] if c in writes else "0"
            for c in reversed(range(circuit.num_clbits))
        )
        counts[key] = counts.get(key, 0) + count
    return counts


class BraketSession:
    """Braket quantum tasks on one device: `AwsQuantumTask`s by ARN, or a `LocalSimulator`.

    `aws_session` replaces the `AwsSession` built from the environment (region, credentials).
    """

    states = STATES

    def __init__(
        self,
        settings: Settings,
        aws_session: Any = None,
        profile: DeviceProfile = DEFAULT_TRANSMON,
    ) -> None:
        self._profile = profile
        name = settings.braket_device or ""
        self._local = name in LOCAL_DEVICES
        if self._local:
            from braket.devices import LocalSimulator

            self._simulator: Any = LocalSimulator(name)
            self._tasks = JobCache(None)
        else:
            from braket.aws import AwsSession

            self._aws_session = aws_session or AwsSession()
            self._tasks = JobCache(self._aws_task)
        self._name = name
        self._bucket = settings.braket_s3_bucket
        self._prefix = settings.braket_s3_prefix

    def estimate(
        self, circuits: Sequence[QuantumCircuit], options: ExecutionOptions
    ) -> Mapping[str, Any]:
        return {}

    def submit(self, circuits: Sequence[QuantumCircuit], options: ExecutionOptions) -> str:
        from qiskit_braket_provider.providers.adapter import to_braket

        if self._name == DENSITY_MATRIX:
            circuits = [delays_as_relaxation(c, self._profile, options.layout) for c in circuits]
        for circuit in circuits:
            if "delay" in circuit.count_ops():
                raise ValueError(
                    "Braket gate-model circuits have no delay instruction; "
                    "run delay-based presets (health) on braket_dm or another target"
                )
        task_ids = []
        for circuit in circuits:
            program = to_braket(circuit)
            if self._local:
                with warnings.catch_warnings():
                    # braket_dm suggests braket_sv for circuits without noise channels.
                    warnings.filterwarnings("ignore", message="You are running a noise-free")
                    # amazon-braket-default-simulator still sets array shapes (NumPy ≥ 2.5).
                    warnings.filterwarnings(
                        "ignore", message="Setting the shape", category=DeprecationWarning
                    )
                    task = self._simulator.run(program, shots=options.shots)
            else:
                from braket.aws import AwsQuantumTask

                task = AwsQuantumTask.create(
                    self._aws_session,
                    self._name,
                    program,
                    (self._bucket, self._prefix),
                    options.shots,
                )
            self._tasks.add(task.id, task)
            task_ids.append(task.id)
        return JOB_SEPARATOR.join(task_ids)

    def status(self, job_id: str) -> object:
        """The batch's state in Braket's words: a failed or cancelled task decides it, else
        the least advanced task."""
        raw = [str(self._tasks.get(task_id).state()) for task_id in job_id.split(JOB_SEPARATOR)]
        return least_advanced(raw, STATES)

    def result(self, job_id: str, circuits: Sequence[QuantumCircuit]) -> JobOutput:
        counts = []
        for task_id, circuit in zip(job_id.split(JOB_SEPARATOR), circuits, strict=True):
            result = self._tasks.get(task_id).result()
            counts.append(
                counts_in_qiskit_order(result.measurement_counts, result.measured_qubits, circuit)
            )
        return JobOutput(tuple(counts), f"braket {self._name}")

    def cancel(self, job_id: str) -> None:
        for task_id in job_id.split(JOB_SEPARATOR):
            task = self._tasks.get(task_id)
            if str(task.state()) not in {"COMPLETED", "FAILED", "CANCELLED"}:
                task.cancel()

    def _aws_task(self, task_id: str) -> Any:
        from braket.aws import AwsQuantumTask

        return AwsQuantumTask(task_id, aws_session=self._aws_session)


def _capabilities(device: str | None, profile: DeviceProfile) -> Capabilities:
    local = device in LOCAL_DEVICES
    if device == DENSITY_MATRIX:
        return Capabilities(
            max_shots=MAX_SHOTS,
            num_qubits=min(LOCAL_QUBITS[DENSITY_MATRIX], profile.num_qubits),
            basis_gates=BASIS,
            queue_behavior="in-process local simulator",
            notes=f"Braket braket_dm; delays relax as device profile {profile.name}",
            gate_durations_s=gate_durations_s(profile),
            noise_model_summary=f"relaxation on delays only (T1, T2 of {profile.name})",
            reference=references(profile),
        )
    return Capabilities(
        max_shots=MAX_SHOTS,
        num_qubits=LOCAL_QUBITS.get(device or "", DEVICE_QUBITS),
        basis_gates=BASIS,
        queue_behavior=(
            "in-process local simulator"
            if local
            else "Braket device queue; polled with backoff from 1 s to 30 s"
        ),
        notes=f"Braket {device or 'device not set'}; one quantum task per circuit"
        + ("" if local else f"; qubits 0..{DEVICE_QUBITS - 1} accepted at submit"),
    )
