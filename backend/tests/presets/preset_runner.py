"""Runs a preset against a real target in-process (no store, no queue): every stage it plans,
then its analysis."""

from dataclasses import dataclass

from synqc_backend.execution import (
    BatchOutcome,
    Capabilities,
    DeviceControls,
    ExecutionOptions,
    batch_seed,
)
from synqc_backend.models import ControlProfile
from synqc_backend.presets.base import Preset, PresetContext, PresetOutcome
from synqc_backend.targets.base import Target


@dataclass(frozen=True)
class StagedRun:
    """A preset's outcome and the batch outcomes of every stage it ran."""

    outcome: PresetOutcome
    batches: tuple[BatchOutcome, ...]

    @property
    def shots(self) -> int:
        return sum(b.batch.cost for b in self.batches)


def run_stages(
    preset: Preset,
    target: Target,
    *,
    shot_budget: int,
    seed: int,
    qubits: tuple[int, ...] = (0,),
    controls: ControlProfile | None = None,
    capabilities: Capabilities | None = None,
    adaptive: bool = True,
    target_relative_stderr: float | None = None,
    parallel: bool = True,
) -> StagedRun:
    """Plan, execute and re-plan until the preset is done, then analyse.

    - `capabilities` replaces what the target says about itself (a wrong reference, say).
    - Asserts what the engine enforces: the budget and the promised shots per circuit.
    """
    controls = controls or ControlProfile()
    context = PresetContext(
        qubits=qubits,
        shot_budget=shot_budget,
        controls=controls,
        capabilities=capabilities or target.capabilities(),
        seed=seed,
        target_id=target.descriptor.id,
        adaptive=adaptive,
        target_relative_stderr=target_relative_stderr,
        parallel=parallel,
    )
    device = DeviceControls(controls.drive_bias, controls.thermal_guard_enabled)
    circuit_shots = preset.circuit_shots(context)
    outcomes: list[BatchOutcome] = []
    batches = preset.plan(context)
    while batches:
        assert max(batch.shots for batch in batches) <= circuit_shots
        outcomes += [
            BatchOutcome(
                batch,
                target.execute(
                    batch.circuits,
                    ExecutionOptions(
                        batch.shots, batch_seed(seed, batch.label), batch.layout, device
                    ),
                ),
            )
            for batch in batches
        ]
        assert sum(o.batch.cost for o in outcomes) <= shot_budget
        batches = preset.plan_next(context, outcomes)
    return StagedRun(preset.analyse(context, outcomes), tuple(outcomes))


def run_preset(
    preset: Preset,
    target: Target,
    *,
    shot_budget: int,
    seed: int,
    qubits: tuple[int, ...] = (0,),
    controls: ControlProfile | None = None,
) -> PresetOutcome:
    """`run_stages` with the target's own facts, adaptive: the preset's outcome only."""
    staged = run_stages(
        preset, target, shot_budget=shot_budget, seed=seed, qubits=qubits, controls=controls
    )
    return staged.outcome


def measured(outcome: PresetOutcome, name: str) -> tuple[float, float]:
    """(value, stderr) of a named measurement."""
    (quantity,) = [m for m in outcome.measurements if m.name == name]
    assert quantity.stderr is not None
    return quantity.value, quantity.stderr
