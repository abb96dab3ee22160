"""Parts that misbehave on purpose, put into a running engine's registries by tests.

- `HangingTarget`: a provider whose `execute` never returns (it blocks in a lock, where no
  Python-level interrupt reaches it), until `release()`.
- `RaisingPreset`: a preset whose planning raises, as a preset bug would.
"""

import threading
from collections.abc import Sequence

from qiskit import QuantumCircuit

from synqc_backend.execution import (
    BatchOutcome,
    Capabilities,
    CircuitBatch,
    ExecutionOptions,
    ExecutionResult,
)
from synqc_backend.presets.base import Preset, PresetContext, PresetOutcome
from synqc_backend.targets.base import Readiness, Target, TargetDescriptor

HANGING_TARGET = "hanging_sim"


class DelegatingTarget:
    """A target that is another one in every respect; subclasses change what they need."""

    def __init__(self, inner: Target) -> None:
        self.inner = inner

    @property
    def descriptor(self) -> TargetDescriptor:
        return self.inner.descriptor

    def readiness(self) -> Readiness:
        return self.inner.readiness()

    def capabilities(self) -> Capabilities:
        return self.inner.capabilities()

    def execute(
        self, circuits: Sequence[QuantumCircuit], options: ExecutionOptions
    ) -> ExecutionResult:
        return self.inner.execute(circuits, options)


class HangingTarget(DelegatingTarget):
    """sim_local's identity and capabilities under another id; `execute` blocks forever."""

    def __init__(self, inner: Target) -> None:
        super().__init__(inner)
        self.entered = threading.Event()
        self._gate = threading.Lock()
        self._gate.acquire()

    @property
    def descriptor(self) -> TargetDescriptor:
        d = self.inner.descriptor
        return TargetDescriptor(HANGING_TARGET, "Hanging", d.kind, d.vendor, d.description)

    def execute(
        self, circuits: Sequence[QuantumCircuit], options: ExecutionOptions
    ) -> ExecutionResult:
        self.entered.set()
        self._gate.acquire()  # a blocking C call: not even Dramatiq's time limit interrupts it
        self._gate.release()
        return self.inner.execute(circuits, options)

    def release(self) -> None:
        self._gate.release()


class PresetBugError(RuntimeError):
    """What `RaisingPreset` raises."""


class RaisingPreset:
    """A real preset's identity, but planning fails with an exception."""

    def __init__(self, inner: Preset) -> None:
        self.inner = inner
        self.name = inner.name
        self.version = inner.version
        self.min_shot_budget = inner.min_shot_budget
        self.default_shot_budget = inner.default_shot_budget

    def plan(self, context: PresetContext) -> list[CircuitBatch]:
        raise PresetBugError("division by zero in the circuit planner")

    def circuit_shots(self, context: PresetContext) -> int:
        return self.inner.circuit_shots(context)

    def plan_next(
        self, context: PresetContext, outcomes: Sequence[BatchOutcome]
    ) -> list[CircuitBatch]:
        return self.inner.plan_next(context, outcomes)

    def analyse(self, context: PresetContext, outcomes: Sequence[BatchOutcome]) -> PresetOutcome:
        return self.inner.analyse(context, outcomes)
