"""The preset port: a preset plans circuit batches, then turns their counts into KPIs."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from synqc_backend.definitions import KpiDefinition
from synqc_backend.execution import BatchOutcome, Capabilities, CircuitBatch
from synqc_backend.figures.plot_data import Figure
from synqc_backend.models import ControlProfile, KpiStatus, TargetComparison, TradeoffPoint


@dataclass(frozen=True)
class PresetContext:
    """What a preset may know about the run it plans: qubits, shots, controls, target facts.

    - `adaptive`: later stages may be placed from earlier stages' estimates (`plan_next`).
    - `target_relative_stderr`: stop once every reported quantity is this precise (relative
      stderr) or the budget is spent; None spends the budget.
    - `parallel`: several qubits are measured in the same circuits (health); False measures
      them one after another, the budget split between them.
    """

    qubits: tuple[int, ...]
    shot_budget: int
    controls: ControlProfile
    capabilities: Capabilities
    seed: int | None
    target_id: str = "sim_local"
    compare_capabilities: Mapping[str, Capabilities] = field(default_factory=dict)
    adaptive: bool = True
    target_relative_stderr: float | None = None
    parallel: bool = True

    @property
    def qubit(self) -> int:
        """The first requested qubit: the one single-qubit measurements use."""
        return self.qubits[0]


@dataclass(frozen=True)
class KpiValue:
    """One reported number and the definition it was computed with.

    - `aggregation` says how a run over several qubits made one number of theirs (e.g. the
      median), and `worst_qubit` names the qubit that did worst; None for one qubit.
    """

    definition: KpiDefinition
    value: float | None
    stderr: float | None = None
    ci95: tuple[float, float] | None = None
    aggregation: str | None = None
    worst_qubit: int | None = None


@dataclass(frozen=True)
class MeasuredQuantity:
    """A fitted or estimated physical quantity (SI units) with its quality verdict.

    - `crb_stderr`: the Cramér–Rao bound on `stderr` for the design that was run, evaluated
      at the fitted values (`crb_stderr_v2`); None where nothing was fitted.
    - `qubit`: the physical qubit it belongs to; None for a quantity of no single qubit.
    - `reported`: the target's own published value of the quantity, where it has one.
    """

    name: str
    value: float
    stderr: float | None
    unit: str
    quality: str = "good"
    quality_reason: str | None = None
    crb_stderr: float | None = None
    qubit: int | None = None
    reported: float | None = None


@dataclass(frozen=True)
class PhysicsNotes:
    plant: str
    measurement_model: str
    assumptions: tuple[str, ...]


@dataclass(frozen=True)
class PresetOutcome:
    """Everything a preset derives from counts; the engine maps it to the HTTP contract."""

    fidelity: KpiValue | None
    latency: KpiValue | None
    backaction: KpiValue | None
    status: KpiStatus
    status_definition: KpiDefinition
    qubits_used: tuple[int, ...]
    physics: PhysicsNotes
    measurements: tuple[MeasuredQuantity, ...] = ()
    raw_counts: dict[str, int] | None = None
    expected_distribution: dict[str, float] | None = None
    extra_kpis: tuple[KpiValue, ...] = ()
    figures: tuple[Figure, ...] = ()
    warnings: tuple[str, ...] = ()
    comparison: TargetComparison | None = None
    tradeoff: tuple[TradeoffPoint, ...] | None = None


class Preset(Protocol):
    """An experiment recipe. It builds circuits and analyses counts; it never does I/O."""

    name: str
    version: int
    min_shot_budget: int
    default_shot_budget: int

    def plan(self, context: PresetContext) -> list[CircuitBatch]: ...

    def circuit_shots(self, context: PresetContext) -> int:
        """The most shots any one circuit of `plan(context)` asks for, without building it:
        checked at submit against each target's per-circuit `max_shots`."""
        ...

    def plan_next(
        self, context: PresetContext, outcomes: Sequence[BatchOutcome]
    ) -> list[CircuitBatch]:
        """The next stage's batches, given every stage's outcomes so far; empty when done.

        - The plan's total (every stage) stays within `context.shot_budget`, and no circuit
          asks for more than `circuit_shots(context)`: the engine refuses either.
        """
        ...

    def analyse(
        self, context: PresetContext, outcomes: Sequence[BatchOutcome]
    ) -> PresetOutcome: ...
