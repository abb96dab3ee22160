"""The stages of an adaptive `health` run after the first: placed at the current estimates,
sized to spend the parts' allocations or, with a precision target, what reaching it needs."""

from collections.abc import Sequence
from math import ceil, isfinite

from synqc_backend.execution import BatchOutcome, CircuitBatch
from synqc_backend.measurements.decay_design import MIN_CIRCUITS
from synqc_backend.measurements.parallel import views_by_qubit
from synqc_backend.presets.base import PresetContext
from synqc_backend.presets.health_design import (
    FITTED_PARTS,
    MAX_STAGES,
    Placement,
    by_part,
    copies,
    part_batches,
    reference_placement,
    run_allocation,
    stage_of,
)
from synqc_backend.presets.health_fits import PartFit, part_fits


def next_stage(context: PresetContext, outcomes: Sequence[BatchOutcome]) -> list[CircuitBatch]:
    """The next stage's batches, or none when the run is done.

    - Without a target: one more stage that spends what each part's allocation has left.
    - With `target_relative_stderr`: a stage for every part not yet that precise, sized by the
      1/√shots scaling of its stderr, until all are or the budget or `MAX_STAGES` runs out.
    """
    stage = max(stage_of(o.batch.label) for o in outcomes) + 1
    if not context.adaptive or stage > MAX_STAGES:
        return []
    if context.target_relative_stderr is None and stage > 2:
        return []
    views = views_by_qubit(outcomes, context.qubits)
    fits = {q: part_fits(context, views[q]) for q in context.qubits}
    done = {
        part: sum(len(o.result.counts) for o in stages) // copies(context)
        for part, stages in by_part(outcomes).items()
    }
    wanted = _wanted_circuits(context, fits, done)
    spent = sum(o.batch.cost for o in outcomes)
    circuits = _within_budget(context, wanted, context.shot_budget - spent)
    return [
        batch
        for part, count in circuits.items()
        for batch in part_batches(context, part, _placement(context, part, fits), count, stage)
    ]


def _wanted_circuits(
    context: PresetContext, fits: dict[int, dict[str, PartFit]], done: dict[str, int]
) -> dict[str, int]:
    parts = run_allocation(context)
    target = context.target_relative_stderr
    if target is None:
        return {part: parts[part].circuits - done[part] for part in FITTED_PARTS}
    wanted = {}
    for part in FITTED_PARTS:
        # The least precise qubit decides: every qubit is measured in the same circuits.
        relative = max(qubit[part].relative_stderr for qubit in fits.values())
        if relative <= target:
            continue
        # stderr ∝ 1/√shots: reaching the target takes (relative/target)² times the shots.
        needed = done[part] * ((relative / target) ** 2 - 1) if isfinite(relative) else done[part]
        wanted[part] = max(MIN_CIRCUITS, ceil(needed))
    return wanted


def _within_budget(
    context: PresetContext, wanted: dict[str, int], remaining: int
) -> dict[str, int]:
    """The wanted circuits, scaled down alike to fit `remaining` shots; too few are dropped."""
    shots = {part: run_allocation(context)[part].shots * copies(context) for part in wanted}
    cost = sum(count * shots[part] for part, count in wanted.items())
    factor = min(1.0, remaining / cost) if cost > 0 else 0.0
    scaled = {part: int(count * factor) for part, count in wanted.items()}
    return {part: count for part, count in scaled.items() if count >= MIN_CIRCUITS}


def _placement(context: PresetContext, part: str, fits: dict[int, dict[str, PartFit]]) -> Placement:
    """At the qubits' estimates; a qubit without one counts with its reference, and when no
    qubit has one, another wide look around the references."""
    references = reference_placement(context, part).decays
    estimates = [fits[q][part].decay for q in context.qubits]
    if not any(isfinite(decay) for decay in estimates):
        return Placement(references, wide=True)
    decays = tuple(
        decay if isfinite(decay) else reference
        for decay, reference in zip(estimates, references, strict=True)
    )
    return Placement(decays, wide=False)
