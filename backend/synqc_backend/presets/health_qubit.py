"""One qubit's health from its view of the run's counts: fits, readout, repeatability, status,
measurements and figures."""

from collections.abc import Sequence
from dataclasses import dataclass

from synqc_backend.analysis.probability import ProbabilityEstimate
from synqc_backend.execution import BatchOutcome, QubitReference
from synqc_backend.figures.plot_data import Figure
from synqc_backend.measurements import readout
from synqc_backend.models import KpiStatus
from synqc_backend.presets.base import MeasuredQuantity, PresetContext
from synqc_backend.presets.health_design import FITTED_PARTS, by_part, ramsey_detuning_hz
from synqc_backend.presets.health_figures import health_figures
from synqc_backend.presets.health_fits import PartFit, part_fits
from synqc_backend.presets.health_status import HealthFindings, health_status
from synqc_backend.presets.qubit_reference import reference_of


@dataclass(frozen=True)
class QubitHealth:
    """What one qubit's outcomes say; `epc` and `repeatability` feed the run's KPIs."""

    qubit: int
    epc: PartFit
    t1: PartFit
    t2_star: PartFit
    t2_echo: PartFit
    assignment: readout.ReadoutEstimate
    repeatability: ProbabilityEstimate
    status: KpiStatus
    reasons: tuple[str, ...]
    measurements: tuple[MeasuredQuantity, ...]
    figures: tuple[Figure, ...]


def qubit_health(
    context: PresetContext, qubit: int, outcomes: Sequence[BatchOutcome], figure_suffix: str = ""
) -> QubitHealth:
    """`qubit`'s health from its own outcomes (`parallel.views_by_qubit`)."""
    parts = by_part(outcomes)
    fits = part_fits(context, outcomes)
    t1, ramsey, echo, rb_fit = (fits[part] for part in FITTED_PARTS)
    assignment = readout.analyse_readout(parts["readout"][0])
    repeatability = readout.analyse_repeatability(parts["repeatability"][0])
    status, reasons = health_status(
        HealthFindings(
            fits=tuple(fit.fit for fit in (t1, ramsey, echo, rb_fit)),
            epc=rb_fit.value,
            t1_s=t1.value,
            t2_s=echo.value,
            assignment_fidelity=assignment.assignment_fidelity,
            reference=reference_of(context, qubit),
        )
    )
    reported = context.capabilities.reference.get(qubit)
    measured = (
        _fitted("t1_s", t1, "s", qubit, reported.t1_s if reported else None),
        _fitted("t2_star_s", ramsey, "s", qubit),
        _frequency_offset(context, ramsey, qubit),
        # Providers publish T2 from a Hahn echo (IBM's `T2`), so it stands beside our echo.
        _fitted("t2_echo_s", echo, "s", qubit, reported.t2_s if reported else None),
        _fitted("epc", rb_fit, "1", qubit),
        MeasuredQuantity(
            "readout_assignment_fidelity",
            assignment.assignment_fidelity,
            assignment.assignment_stderr,
            "1",
            qubit=qubit,
            reported=_reported_assignment(reported),
        ),
        MeasuredQuantity(
            "readout_p1_given_0",
            assignment.p1_given_0.value,
            assignment.p1_given_0.stderr,
            "1",
            qubit=qubit,
        ),
        MeasuredQuantity(
            "readout_p0_given_1",
            assignment.p0_given_1.value,
            assignment.p0_given_1.stderr,
            "1",
            qubit=qubit,
        ),
        MeasuredQuantity(
            "qnd_repeatability", repeatability.value, repeatability.stderr, "1", qubit=qubit
        ),
    )
    return QubitHealth(
        qubit=qubit,
        epc=rb_fit,
        t1=t1,
        t2_star=ramsey,
        t2_echo=echo,
        assignment=assignment,
        repeatability=repeatability,
        status=status,
        reasons=reasons,
        measurements=measured,
        figures=health_figures(t1.fit, ramsey.fit, echo.fit, rb_fit.fit, figure_suffix),
    )


def _fitted(
    name: str, part: PartFit, unit: str, qubit: int, reported: float | None = None
) -> MeasuredQuantity:
    fit = part.fit
    return MeasuredQuantity(
        name,
        part.value,
        part.stderr,
        unit,
        fit.quality.value,
        fit.quality_reason,
        part.crb_stderr,
        qubit,
        reported,
    )


def _reported_assignment(reported: QubitReference | None) -> float | None:
    """1 − (p(1|0) + p(0|1))/2 from the target's published readout errors, when it has both."""
    if reported is None:
        return None
    p10, p01 = reported.readout_p1_given_0, reported.readout_p0_given_1
    return None if p10 is None or p01 is None else 1 - (p10 + p01) / 2


def _frequency_offset(context: PresetContext, ramsey: PartFit, qubit: int) -> MeasuredQuantity:
    """f − δ: the qubit's own detuning from the drive, from the Ramsey fit."""
    fit = ramsey.fit
    return MeasuredQuantity(
        "qubit_frequency_offset_hz",
        fit.values["frequency"] - ramsey_detuning_hz(context),
        fit.stderr["frequency"],
        "Hz",
        fit.quality.value,
        fit.quality_reason,
        ramsey.parameter_crb["frequency"],
        qubit,
    )
