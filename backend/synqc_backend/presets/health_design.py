"""How `health` spends its budget: shots per circuit and circuits per part, and the sweep of
every stage (a wide first stage at the reference, later stages at the estimates).

Batch labels name the part, with `.<stage>` from the second stage on (`t1`, `t1.2`).
"""

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from synqc_backend.execution import BatchOutcome, CircuitBatch
from synqc_backend.measurements import coherence, decay_design, rb
from synqc_backend.measurements.decay_design import HALF_CONTRAST, HIGH_CONTRAST
from synqc_backend.measurements.parallel import broadcast_batch
from synqc_backend.presets.base import PresetContext
from synqc_backend.presets.qubit_reference import reference_of

FITTED_PARTS = ("t1", "ramsey", "echo", "rb")
# Share of the budget per part. Ramsey fits five parameters, so it gets the most.
SHARES = {"t1": 0.18, "ramsey": 0.30, "echo": 0.18, "rb": 0.22, "readout": 0.07, "rep": 0.05}
# Circuits per fitted part, fewest and most: enough distinct points to fit and test the model
# at small budgets; beyond the most, more shots per circuit (simulation cost grows with circuits).
CIRCUIT_RANGE = {"t1": (10, 40), "ramsey": (20, 60), "echo": (10, 40), "rb": (12, 60)}
FIXED_CIRCUITS = {"readout": 2, "rep": 1}
SHOTS_PER_CIRCUIT_AIM = 100
MIN_SHOTS_PER_CIRCUIT = 10
# The first stage of an adaptive run: this share of each part's circuits, at least this many.
STAGE_ONE_SHARE = 0.35
STAGE_ONE_MIN = {"t1": 6, "ramsey": 10, "echo": 6, "rb": 6}
# Ramsey sweeps 0 to RAMSEY_SPAN·T2*. The Cramér–Rao bound on T2* of an even grid (5 detuning
# periods over 2·T2*, 20 or 60 delays) is within 4 % of its value at 2 T2* from 1.5 to 2.5 T2*,
# but about 1.5× the bound of the best Ramsey design: the grid is robust, not optimal.
RAMSEY_SPAN = 2.0
MAX_STAGES = 5


@dataclass(frozen=True)
class PartShots:
    """A part's circuits (its whole allocation) and the shots each circuit gets."""

    circuits: int
    shots: int


def allocation(budget: int) -> dict[str, PartShots]:
    """Circuits and shots per circuit of every part for a run of `budget` shots."""
    parts = {}
    for part, share in SHARES.items():
        shots = int(budget * share)
        if part in FIXED_CIRCUITS:
            circuits = FIXED_CIRCUITS[part]
        else:
            fewest, most = CIRCUIT_RANGE[part]
            circuits = min(most, max(fewest, shots // SHOTS_PER_CIRCUIT_AIM))
        parts[part] = PartShots(circuits, max(1, shots // circuits))
    return parts


def qubit_budget(context: PresetContext) -> int:
    """The shots each qubit's measurement gets: the whole budget when the qubits share the
    circuits (parallel), an equal share when they are measured one after another."""
    return context.shot_budget if context.parallel else context.shot_budget // len(context.qubits)


def run_allocation(context: PresetContext) -> dict[str, PartShots]:
    """`allocation` of the run's per-qubit budget."""
    return allocation(qubit_budget(context))


def copies(context: PresetContext) -> int:
    """How many times each planned circuit runs: once, or once per qubit when sequential."""
    return 1 if context.parallel else len(context.qubits)


def min_budget() -> int:
    """The smallest budget that gives every circuit `MIN_SHOTS_PER_CIRCUIT` shots."""
    fewest = {**{p: r[0] for p, r in CIRCUIT_RANGE.items()}, **FIXED_CIRCUITS}
    return max(int(MIN_SHOTS_PER_CIRCUIT * fewest[p] / SHARES[p]) + 1 for p in SHARES)


def part_of(label: str) -> str:
    return label.split(".")[0]


def stage_of(label: str) -> int:
    _, _, stage = label.partition(".")
    return int(stage) if stage else 1


def stage_label(part: str, stage: int) -> str:
    return part if stage == 1 else f"{part}.{stage}"


def by_part(outcomes: Sequence[BatchOutcome]) -> dict[str, list[BatchOutcome]]:
    """Every stage's outcomes of each part, in execution order."""
    parts: dict[str, list[BatchOutcome]] = {}
    for outcome in outcomes:
        parts.setdefault(part_of(outcome.batch.label), []).append(outcome)
    return parts


def stage_one_circuits(context: PresetContext, part: str) -> int:
    """Circuits of a part's first stage: a share of its allocation, or all of it."""
    total = run_allocation(context)[part].circuits
    if not context.adaptive:
        return total
    return max(STAGE_ONE_MIN[part], round(STAGE_ONE_SHARE * total))


def ramsey_detuning_hz(context: PresetContext) -> float:
    """The virtual detuning: `RAMSEY_PERIODS` periods over the span of the median reference
    T2 of the run's qubits (all of them see the same detuning)."""
    t2_s = float(np.median([reference_of(context, q).t2_s for q in context.qubits]))
    return coherence.RAMSEY_PERIODS / (RAMSEY_SPAN * t2_s)


def rb_decay_length(epc: float) -> float:
    """The RB decay length −1/ln p ≈ 1/(2·EPC), in Cliffords."""
    return 1.0 / (2.0 * max(epc, 1e-5))


def rb_wide_lengths(decay_lengths: Sequence[float], circuits: int) -> tuple[float, ...]:
    """RB's wide stage: one Clifford and a geometric grid from 1 to 12 times the longest
    reference decay length.

    Why from one Clifford, not 0.1 decay lengths: a miscalibrated drive makes the error per
    Clifford tens to hundreds of times the reference, and the decay then ends within the
    first few hundred Cliffords.
    """
    longest = decay_design.WIDE_RANGE[1] * max(decay_lengths)
    return (1.0, *(float(m) for m in np.geomspace(1.0, longest, circuits - 1)))


@dataclass(frozen=True)
class Placement:
    """Where a stage of a fitted part samples: at the qubits' decay times (or lengths), wide
    around them or at the optimal design they share (`decay_design.shared_optimal_points`)."""

    decays: tuple[float, ...]
    wide: bool


def part_batches(
    context: PresetContext,
    part: str,
    placement: Placement,
    circuits: int,
    stage: int,
) -> list[CircuitBatch]:
    """A fitted part's batches for one stage: `circuits` circuits of the part's shots each,
    on every qubit of the run at once, or (sequential) one batch per qubit."""
    shots = run_allocation(context)[part].shots
    label, q, decays = stage_label(part, stage), context.qubit, placement.decays
    if part == "ramsey":
        detuning = ramsey_detuning_hz(context)
        span = coherence.ramsey_span_s(max(decays), circuits, detuning, RAMSEY_SPAN)
        batch = coherence.ramsey_batch(
            coherence.ramsey_points(span, circuits), detuning, shots, q, label
        )
        return on_every_qubit(context, batch)
    shape = HIGH_CONTRAST if part == "t1" else HALF_CONTRAST
    if placement.wide and part == "rb":
        points = rb_wide_lengths(decays, circuits)
    elif placement.wide:
        points = decay_design.wide_points(min(decays), circuits, max(decays))
    else:
        points = decay_design.shared_optimal_points(decays, circuits, shape)
    if part == "t1":
        return on_every_qubit(context, coherence.t1_batch(points, shots, q, label))
    if part == "echo":
        return on_every_qubit(context, coherence.echo_batch(points, shots, q, label))
    lengths = [min(rb.MAX_LENGTH, max(1, round(x))) for x in points]
    if context.parallel:
        return [rb.rb_batch(lengths, 1, shots, context.seed, context.qubits, label, stage)]
    return on_every_qubit(context, rb.rb_batch(lengths, 1, shots, context.seed, (q,), label, stage))


def on_every_qubit(context: PresetContext, batch: CircuitBatch) -> list[CircuitBatch]:
    """A one-qubit batch on every qubit of the run: broadcast into the same circuits, or
    (sequential) the same circuits once per qubit."""
    if context.parallel:
        return [broadcast_batch(batch, context.qubits)]
    return [replace(batch, layout=(q,)) for q in context.qubits]


def reference_placement(context: PresetContext, part: str) -> Placement:
    """The first stage: wide around the references when adaptive, else optimal at them."""
    decays = []
    for qubit in context.qubits:
        reference = reference_of(context, qubit)
        decays.append(
            {
                "t1": reference.t1_s,
                "ramsey": reference.t2_s,
                "echo": reference.t2_s,
                "rb": rb_decay_length(reference.single_qubit_gate_error),
            }[part]
        )
    return Placement(tuple(decays), wide=context.adaptive)
