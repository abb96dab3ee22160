"""The stages of an adaptive `health` run after the first: placed at the current estimates,
sized to spend the parts' allocations or, with a precision target, what reaching it needs."""

from collections.abc import Sequence
from math import ceil, isfinite

from synqc_backend.execution import BatchOutcome, CircuitBatch
from synqc_backend.measurements.decay_design import MIN_CIRCUITS
from synqc_backend.presets.base import PresetContext
from synqc_backend.presets.health_design import (
    FITTED_PARTS,
    MAX_STAGES,
    Placement,
    allocation,
    by_part,
    part_batch,
    reference_placement,
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
    fits = part_fits(context, outcomes)
    done = {
        part: sum(len(o.result.counts) for o in stages)
        for part, stages in by_part(outcomes).items()
    }
    wanted = _wanted_circuits(context, fits, done)
    spent = sum(o.batch.cost for o in outcomes)
    circuits = _within_budget(context, wanted, context.shot_budget - spent)
    return [
        part_batch(context, part, _placement(context, part, fits[part]), count, stage)
        for part, count in circuits.items()
    ]


def _wanted_circuits(
    context: PresetContext, fits: dict[str, PartFit], done: dict[str, int]
) -> dict[str, int]:
    parts = allocation(context.shot_budget)
    target = context.target_relative_stderr
    if target is None:
        return {part: parts[part].circuits - done[part] for part in FITTED_PARTS}
    wanted = {}
    for part in FITTED_PARTS:
        relative = fits[part].relative_stderr
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
    shots = {part: allocation(context.shot_budget)[part].shots for part in wanted}
    cost = sum(count * shots[part] for part, count in wanted.items())
    factor = min(1.0, remaining / cost) if cost > 0 else 0.0
    scaled = {part: int(count * factor) for part, count in wanted.items()}
    return {part: count for part, count in scaled.items() if count >= MIN_CIRCUITS}


def _placement(context: PresetContext, part: str, fit: PartFit) -> Placement:
    """At the estimate when there is one; otherwise another wide look around the reference."""
    if isfinite(fit.decay):
        return Placement(fit.decay, wide=False)
    return Placement(reference_placement(context, part).decay, wide=True)
