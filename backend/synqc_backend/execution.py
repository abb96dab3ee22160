"""Plain types where presets and targets meet: circuits out, counts and timing back."""

import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from qiskit import QuantumCircuit


@dataclass(frozen=True)
class QubitReference:
    """A target's own published values for one physical qubit (SI units; None if unknown)."""

    t1_s: float | None = None
    t2_s: float | None = None
    single_qubit_gate_error: float | None = None
    readout_p1_given_0: float | None = None
    readout_p0_given_1: float | None = None


@dataclass(frozen=True)
class Capabilities:
    """Facts a preset may read about a target.

    - `gate_durations_s` maps gate name to duration in seconds.
    - `calibration` is a snapshot of device parameters (SI units) at the time of the run.
    - `reference[q]` holds physical qubit q's reference values (empty when the target has
      none): presets scale sweeps by them, status rules compare against them.
    """

    max_shots: int
    num_qubits: int
    basis_gates: tuple[str, ...]
    queue_behavior: str
    notes: str
    gate_durations_s: Mapping[str, float] = field(default_factory=dict)
    calibration: Mapping[str, Any] = field(default_factory=dict)
    noise_model_summary: str = "none"
    reference: Mapping[int, QubitReference] = field(default_factory=dict)


@dataclass(frozen=True)
class DeviceControls:
    """Engineering controls that act on a simulated device only (PHYSICS.md).

    - `drive_bias` multiplies every drive rotation angle (1.0 = calibrated).
    - With `thermal_guard_enabled` false, each qubit starts with the profile's residual
      excited population.
    """

    drive_bias: float = 1.0
    thermal_guard_enabled: bool = True


@dataclass(frozen=True)
class ProviderJobRecord:
    """A batch's job at a provider: enough to find it again after a worker restart.

    - `state` is the normalized job state (`submitted`, `queued`, … `done`).
    - `usage` holds what the provider reports or estimates (cost, QPU seconds), as it names it.
    """

    target_id: str
    job_id: str
    state: str
    submitted_at: float
    usage: Mapping[str, Any] = field(default_factory=dict)


class JobLedger(Protocol):
    """Where one batch's provider job is remembered and a cancel request is read."""

    def recorded(self) -> ProviderJobRecord | None: ...

    def record(self, job: ProviderJobRecord) -> None: ...

    def cancel_requested(self) -> bool: ...


def batch_seed(run_seed: int | None, label: str) -> int | None:
    """The simulator seed of one batch of a seeded run: the run's seed and the batch's label.

    Why not the run's seed itself: every batch would replay the same random stream, so the
    shot noise of a run's stages (and parts) would be correlated, and a fit over several
    stages would report error bars too small for it.
    """
    if run_seed is None:
        return None
    return (run_seed * 1_000_003 + zlib.crc32(label.encode())) % 2**31


@dataclass(frozen=True)
class ExecutionOptions:
    """How a batch runs: shots per circuit, seed, qubit layout, simulated-device controls.

    - `layout[i]` is the physical qubit that circuit qubit i runs on (`None`: 0, 1, 2, ...).
    - `jobs` remembers the batch's provider job; `deadline_monotonic` is when waiting for it
      stops (`time.monotonic()` clock). Both matter to provider targets only.
    """

    shots: int
    seed: int | None = None
    layout: tuple[int, ...] | None = None
    device: DeviceControls = field(default_factory=DeviceControls)
    jobs: JobLedger | None = None
    deadline_monotonic: float | None = None


@dataclass(frozen=True)
class ExecutionResult:
    """Counts and timing of one batch of circuits executed on a target.

    - `counts[i]` belongs to the i-th circuit submitted; keys are bitstrings.
    - Durations are seconds measured with a monotonic clock around the provider call.
    - `provider_job_id` and `usage` are set by provider targets (job id, cost, QPU time).
    """

    counts: tuple[dict[str, int], ...]
    shots_executed: int
    submit_to_result_s: float
    execution_s: float
    queue_s: float | None = None
    backend_name: str = ""
    device_controls_applied: bool = False
    provider_job_id: str | None = None
    usage: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class CircuitBatch:
    """Circuits a preset asks a target to run together, each with the x value it samples.

    - `shots` is per circuit; the batch costs `shots * len(circuits)`.
    - `x_values[i]` is the swept quantity of circuit i (SI units), `None` when nothing is swept.
    - `layout[i]` is the physical qubit circuit qubit i runs on.
    - `target_id` names another target than the run's own (`backend_compare`).
    """

    label: str
    circuits: tuple[QuantumCircuit, ...]
    shots: int
    x_values: tuple[float | None, ...] = ()
    layout: tuple[int, ...] | None = None
    target_id: str | None = None

    @property
    def cost(self) -> int:
        return self.shots * len(self.circuits)


@dataclass(frozen=True)
class BatchOutcome:
    """A planned batch together with what the target returned for it."""

    batch: CircuitBatch
    result: ExecutionResult
