"""`health`: T1, Ramsey T2*, Hahn-echo T2, readout, measurement repeatability and 1-qubit RB.

The budget is split between the parts (`health_design`). An adaptive run measures each swept
part in two stages: a wide sweep around the target's reference values with about a third of
the part's shots, then the rest where the Cramér–Rao bound says the decay time is learnt best,
placed at the first stage's estimate. Every KPI comes from a fit or a count.
"""

from collections.abc import Sequence
from statistics import median

from synqc_backend.definitions import (
    AVG_CLIFFORD_FIDELITY,
    EXEC_LATENCY_PER_CIRCUIT,
    HEALTH_STATUS,
    MEASUREMENT_BACKACTION,
)
from synqc_backend.execution import BatchOutcome, CircuitBatch
from synqc_backend.measurements import readout
from synqc_backend.presets.base import (
    KpiValue,
    MeasuredQuantity,
    PhysicsNotes,
    PresetContext,
    PresetOutcome,
)
from synqc_backend.presets.health_design import (
    FITTED_PARTS,
    allocation,
    by_part,
    min_budget,
    part_batch,
    ramsey_detuning_hz,
    reference_placement,
    stage_one_circuits,
)
from synqc_backend.presets.health_figures import health_figures
from synqc_backend.presets.health_fits import PartFit, part_fits
from synqc_backend.presets.health_stages import next_stage
from synqc_backend.presets.health_status import HealthFindings, health_status
from synqc_backend.presets.qubit_reference import reference_of


class Health:
    """Qubit health check on `context.qubit`."""

    name = "health"
    version = 2
    min_shot_budget = min_budget()
    # Sixty default runs fit a default session budget (1,000,000 shots); T1 comes out within
    # about 5 % on a typical transmon. An explicit shot_budget wins.
    default_shot_budget = 16_000

    def plan(self, context: PresetContext) -> list[CircuitBatch]:
        parts, q = allocation(context.shot_budget), context.qubit
        swept = [
            part_batch(
                context,
                part,
                reference_placement(context, part),
                stage_one_circuits(context, part),
                1,
            )
            for part in FITTED_PARTS
        ]
        return [
            *swept,
            readout.readout_batch(parts["readout"].shots, q),
            readout.repeatability_batch(parts["rep"].shots, q),
        ]

    def circuit_shots(self, context: PresetContext) -> int:
        return max(part.shots for part in allocation(context.shot_budget).values())

    def plan_next(
        self, context: PresetContext, outcomes: Sequence[BatchOutcome]
    ) -> list[CircuitBatch]:
        return next_stage(context, outcomes)

    def analyse(self, context: PresetContext, outcomes: Sequence[BatchOutcome]) -> PresetOutcome:
        parts = by_part(outcomes)
        fits = part_fits(context, outcomes)
        t1, ramsey, echo, rb_fit = (fits[part] for part in FITTED_PARTS)
        assignment = readout.analyse_readout(parts["readout"][0])
        repeatability = readout.analyse_repeatability(parts["repeatability"][0])
        findings = HealthFindings(
            fits=tuple(fit.fit for fit in (t1, ramsey, echo, rb_fit)),
            epc=rb_fit.value,
            t1_s=t1.value,
            t2_s=echo.value,
            assignment_fidelity=assignment.assignment_fidelity,
            reference=reference_of(context),
        )
        status, reasons = health_status(findings)
        fidelity, epc_err = 1 - rb_fit.value, rb_fit.stderr
        backaction = 1 - repeatability.value
        return PresetOutcome(
            fidelity=KpiValue(
                AVG_CLIFFORD_FIDELITY,
                fidelity,
                epc_err,
                (fidelity - 1.96 * epc_err, fidelity + 1.96 * epc_err),
            ),
            latency=KpiValue(EXEC_LATENCY_PER_CIRCUIT, _latency_us(outcomes)),
            backaction=KpiValue(
                MEASUREMENT_BACKACTION,
                backaction,
                repeatability.stderr,
                (
                    backaction - 1.96 * repeatability.stderr,
                    backaction + 1.96 * repeatability.stderr,
                ),
            ),
            status=status,
            status_definition=HEALTH_STATUS,
            qubits_used=(context.qubit,),
            physics=_physics(),
            measurements=(
                _fitted("t1_s", t1, "s"),
                _fitted("t2_star_s", ramsey, "s"),
                _frequency_offset(context, ramsey),
                _fitted("t2_echo_s", echo, "s"),
                _fitted("epc", rb_fit, "1"),
                MeasuredQuantity(
                    "readout_assignment_fidelity",
                    assignment.assignment_fidelity,
                    assignment.assignment_stderr,
                    "1",
                ),
                MeasuredQuantity(
                    "readout_p1_given_0",
                    assignment.p1_given_0.value,
                    assignment.p1_given_0.stderr,
                    "1",
                ),
                MeasuredQuantity(
                    "readout_p0_given_1",
                    assignment.p0_given_1.value,
                    assignment.p0_given_1.stderr,
                    "1",
                ),
                MeasuredQuantity(
                    "qnd_repeatability", repeatability.value, repeatability.stderr, "1"
                ),
            ),
            figures=health_figures(t1.fit, ramsey.fit, echo.fit, rb_fit.fit),
            warnings=reasons,
        )


def _fitted(name: str, part: PartFit, unit: str) -> MeasuredQuantity:
    fit = part.fit
    return MeasuredQuantity(
        name,
        part.value,
        part.stderr,
        unit,
        fit.quality.value,
        fit.quality_reason,
        part.crb_stderr,
    )


def _frequency_offset(context: PresetContext, ramsey: PartFit) -> MeasuredQuantity:
    """f − δ: the qubit's own detuning from the drive, from the Ramsey fit."""
    fit = ramsey.fit
    detuning = ramsey_detuning_hz(reference_of(context))
    return MeasuredQuantity(
        "qubit_frequency_offset_hz",
        fit.values["frequency"] - detuning,
        fit.stderr["frequency"],
        "Hz",
        fit.quality.value,
        fit.quality_reason,
        ramsey.parameter_crb["frequency"],
    )


def _latency_us(outcomes: Sequence[BatchOutcome]) -> float:
    return median(o.result.execution_s / len(o.result.counts) for o in outcomes) * 1e6


def _physics() -> PhysicsNotes:
    return PhysicsNotes(
        plant="one qubit: relaxation, dephasing, gate and readout errors of the target",
        measurement_model="projective Z measurement; probabilities with binomial errors",
        assumptions=(
            "decays are single exponentials; Ramsey adds a virtual detuning",
            "RB: random single-qubit Cliffords, gate-independent noise, fit A*p^m + B",
            "fits are weighted least squares with absolute binomial sigmas",
            "adaptive runs place later stages at earlier stages' estimates; "
            "one fit covers every stage",
        ),
    )
