"""Runs a preset against a real target in-process (no store, no queue): plan, execute, analyse."""

from synqc_backend.execution import BatchOutcome, DeviceControls, ExecutionOptions
from synqc_backend.models import ControlProfile
from synqc_backend.presets.base import Preset, PresetContext, PresetOutcome
from synqc_backend.targets.base import Target


def run_preset(
    preset: Preset,
    target: Target,
    *,
    shot_budget: int,
    seed: int,
    qubits: tuple[int, ...] = (0,),
    controls: ControlProfile | None = None,
) -> PresetOutcome:
    controls = controls or ControlProfile()
    context = PresetContext(
        qubits=qubits,
        shot_budget=shot_budget,
        controls=controls,
        capabilities=target.capabilities(),
        seed=seed,
        target_id=target.descriptor.id,
    )
    device = DeviceControls(controls.drive_bias, controls.thermal_guard_enabled)
    batches = preset.plan(context)
    assert sum(batch.cost for batch in batches) <= shot_budget
    outcomes = [
        BatchOutcome(
            batch,
            target.execute(
                batch.circuits, ExecutionOptions(batch.shots, seed, batch.layout, device)
            ),
        )
        for batch in batches
    ]
    return preset.analyse(context, outcomes)


def measured(outcome: PresetOutcome, name: str) -> tuple[float, float]:
    """(value, stderr) of a named measurement."""
    (quantity,) = [m for m in outcome.measurements if m.name == name]
    assert quantity.stderr is not None
    return quantity.value, quantity.stderr
