"""Plain types where presets and targets meet: circuits out, counts and timing back."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from qiskit import QuantumCircuit


@dataclass(frozen=True)
class Capabilities:
    """Facts a preset may read about a target.

    - `gate_durations_s` maps gate name to duration in seconds.
    - `calibration` is a snapshot of device parameters (SI units) at the time of the run.
    """

    max_shots: int
    num_qubits: int
    basis_gates: tuple[str, ...]
    queue_behavior: str
    notes: str
    gate_durations_s: Mapping[str, float] = field(default_factory=dict)
    calibration: Mapping[str, Any] = field(default_factory=dict)
    noise_model_summary: str = "none"


@dataclass(frozen=True)
class ExecutionResult:
    """Counts and timing of one batch of circuits executed on a target.

    - `counts[i]` belongs to the i-th circuit submitted; keys are bitstrings.
    - Durations are seconds measured with a monotonic clock around the provider call.
    """

    counts: tuple[dict[str, int], ...]
    shots_executed: int
    submit_to_result_s: float
    execution_s: float
    queue_s: float | None = None
    backend_name: str = ""


@dataclass(frozen=True)
class CircuitBatch:
    """Circuits a preset asks a target to run together, each with the x value it samples.

    - `shots` is per circuit; the batch costs `shots * len(circuits)`.
    - `x_values[i]` is the swept quantity of circuit i (SI units), `None` when nothing is swept.
    """

    label: str
    circuits: tuple[QuantumCircuit, ...]
    shots: int
    x_values: tuple[float | None, ...] = ()

    @property
    def cost(self) -> int:
        return self.shots * len(self.circuits)
