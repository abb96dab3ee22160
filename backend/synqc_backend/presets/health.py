"""`health`: T1, Ramsey T2*, Hahn-echo T2, readout, measurement repeatability and 1-qubit RB.

The budget is split between the parts (`health_design`). An adaptive run measures each swept
part in two stages: a wide sweep around the target's reference values with about a third of
the part's shots, then the rest where the Cramér–Rao bound says the decay time is learnt best,
placed at the first stage's estimate. Every KPI comes from a fit or a count.

Several qubits are measured in the same circuits (`parallel.broadcast`), one design for all
of them chosen from the spread of their references and estimates; each qubit is analysed from
its own bits (`health_qubit`), and the run reports the median over the qubits with the worst
named (`health_device`). With `parallel` false they run one after another instead.
"""

from collections.abc import Sequence
from dataclasses import replace
from statistics import median

from synqc_backend.definitions import (
    AVG_CLIFFORD_FIDELITY,
    EXEC_LATENCY_PER_CIRCUIT,
    HEALTH_STATUS,
    MEASUREMENT_BACKACTION,
)
from synqc_backend.execution import BatchOutcome, CircuitBatch
from synqc_backend.measurements import readout
from synqc_backend.measurements.parallel import views_by_qubit
from synqc_backend.presets.base import (
    KpiValue,
    PhysicsNotes,
    PresetContext,
    PresetOutcome,
)
from synqc_backend.presets.health_design import (
    FITTED_PARTS,
    min_budget,
    on_every_qubit,
    part_batches,
    reference_placement,
    run_allocation,
    stage_one_circuits,
)
from synqc_backend.presets.health_device import (
    device_figures,
    median_kpi,
    qubit_reasons,
    worst_status,
)
from synqc_backend.presets.health_qubit import qubit_health
from synqc_backend.presets.health_stages import next_stage


class Health:
    """Qubit health check on every qubit of `context.qubits`, measured in the same circuits."""

    name = "health"
    version = 2
    min_shot_budget = min_budget()
    # Sixty default runs fit a default session budget (1,000,000 shots); T1 comes out within
    # about 5 % on a typical transmon. An explicit shot_budget wins.
    default_shot_budget = 16_000

    def plan(self, context: PresetContext) -> list[CircuitBatch]:
        parts, q = run_allocation(context), context.qubit
        swept = [
            batch
            for part in FITTED_PARTS
            for batch in part_batches(
                context,
                part,
                reference_placement(context, part),
                stage_one_circuits(context, part),
                1,
            )
        ]
        return [
            *swept,
            *on_every_qubit(context, readout.readout_batch(parts["readout"].shots, q)),
            *on_every_qubit(context, readout.repeatability_batch(parts["rep"].shots, q)),
        ]

    def circuit_shots(self, context: PresetContext) -> int:
        return max(part.shots for part in run_allocation(context).values())

    def plan_next(
        self, context: PresetContext, outcomes: Sequence[BatchOutcome]
    ) -> list[CircuitBatch]:
        return next_stage(context, outcomes)

    def analyse(self, context: PresetContext, outcomes: Sequence[BatchOutcome]) -> PresetOutcome:
        several = len(context.qubits) > 1
        views = views_by_qubit(outcomes, context.qubits)
        qubits = [
            qubit_health(context, q, views[q], f"_q{q}" if several else "") for q in context.qubits
        ]
        fidelity = median_kpi(
            AVG_CLIFFORD_FIDELITY,
            qubits,
            lambda q: 1 - q.epc.value,
            lambda q: q.epc.stderr,
            higher_is_better=True,
        )
        backaction = median_kpi(
            MEASUREMENT_BACKACTION,
            qubits,
            lambda q: 1 - q.repeatability.value,
            lambda q: q.repeatability.stderr,
            higher_is_better=False,
        )
        if not several:
            fidelity = replace(fidelity, aggregation=None, worst_qubit=None)
            backaction = replace(backaction, aggregation=None, worst_qubit=None)
        return PresetOutcome(
            fidelity=fidelity,
            latency=KpiValue(EXEC_LATENCY_PER_CIRCUIT, _latency_us(outcomes)),
            backaction=backaction,
            status=worst_status(qubits),
            status_definition=HEALTH_STATUS,
            qubits_used=tuple(context.qubits),
            physics=_physics(several, context.parallel),
            measurements=tuple(m for q in qubits for m in q.measurements),
            figures=tuple(f for q in qubits for f in q.figures)
            + (device_figures(qubits) if several else ()),
            warnings=qubit_reasons(qubits) if several else qubits[0].reasons,
        )


def _latency_us(outcomes: Sequence[BatchOutcome]) -> float:
    return median(o.result.execution_s / len(o.result.counts) for o in outcomes) * 1e6


def _physics(several: bool, parallel: bool) -> PhysicsNotes:
    together = (
        (
            "the qubits are measured simultaneously, in the same circuits and one design; "
            "crosstalk between them is not modelled (on hardware it can make the parallel "
            "result differ from one qubit at a time: parallel false)",
        )
        if several and parallel
        else ()
    )
    return PhysicsNotes(
        plant="each qubit: relaxation, dephasing, gate and readout errors of the target",
        measurement_model="projective Z measurement; probabilities with binomial errors",
        assumptions=(
            "decays are single exponentials; Ramsey adds a virtual detuning",
            "RB: random single-qubit Cliffords, gate-independent noise, fit A*p^m + B",
            "fits are weighted least squares with absolute binomial sigmas",
            "adaptive runs place later stages at earlier stages' estimates; "
            "one fit covers every stage",
            *together,
        ),
    )
