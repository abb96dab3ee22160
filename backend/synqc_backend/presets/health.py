"""`health`: T1, Ramsey T2*, Hahn-echo T2, readout, measurement repeatability and 1-qubit RB.

Sweeps are scaled from the target's own reference values and the run's shot budget is split
between the parts; every KPI comes from a fit or a count.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from statistics import median

from synqc_backend.analysis.fitting import FitQuality, FitResult
from synqc_backend.definitions import (
    AVG_CLIFFORD_FIDELITY,
    EXEC_LATENCY_PER_CIRCUIT,
    HEALTH_STATUS,
    MEASUREMENT_BACKACTION,
)
from synqc_backend.execution import BatchOutcome, CircuitBatch
from synqc_backend.figures.plot_data import Figure
from synqc_backend.measurements import coherence, rb, readout
from synqc_backend.measurements.sweep_data import fit_figure
from synqc_backend.presets.base import (
    KpiValue,
    MeasuredQuantity,
    PhysicsNotes,
    PresetContext,
    PresetOutcome,
)
from synqc_backend.presets.health_status import HealthFindings, health_status
from synqc_backend.presets.qubit_reference import reference_of

# Share of the shot budget per part, and circuits per part.
SHARES = {"t1": 0.16, "ramsey": 0.36, "echo": 0.24, "rb": 0.16, "readout": 0.05, "rep": 0.03}
T1_POINTS = ECHO_POINTS = len(coherence.DECAY_DESIGN)
RAMSEY_POINTS, RAMSEY_SPAN = 36, 2.0
RB_LENGTHS, RB_SAMPLES = rb.LENGTH_COUNT, 4
MIN_SHOTS_PER_CIRCUIT = 20


@dataclass(frozen=True)
class HealthPlan:
    t1_delays: tuple[float, ...]
    ramsey_delays: tuple[float, ...]
    ramsey_detuning_hz: float
    echo_delays: tuple[float, ...]
    rb_lengths: tuple[int, ...]


CIRCUITS = {
    "t1": T1_POINTS,
    "ramsey": RAMSEY_POINTS,
    "echo": ECHO_POINTS,
    "rb": RB_LENGTHS * RB_SAMPLES,
    "readout": 2,
    "rep": 1,
}


def _circuit_shots(budget: int, rb_lengths: int) -> dict[str, int]:
    """Shots per circuit of each part: its share of the budget over its circuits."""
    circuits = {**CIRCUITS, "rb": rb_lengths * RB_SAMPLES}
    return {part: max(1, int(budget * share) // circuits[part]) for part, share in SHARES.items()}


def min_budget() -> int:
    """The smallest budget that gives every circuit `MIN_SHOTS_PER_CIRCUIT` shots."""
    return max(int(MIN_SHOTS_PER_CIRCUIT * CIRCUITS[p] / SHARES[p]) + 1 for p in SHARES)


class Health:
    """Qubit health check on `context.qubit`."""

    name = "health"
    version = 1
    min_shot_budget = min_budget()
    # Enough for T1 within about 5 % on a typical transmon; an explicit shot_budget wins.
    default_shot_budget = 80_000

    def sweep(self, context: PresetContext) -> HealthPlan:
        ref = reference_of(context)
        ramsey = coherence.delays_s(ref.t2_s, RAMSEY_POINTS, RAMSEY_SPAN)
        return HealthPlan(
            t1_delays=coherence.decay_delays_s(ref.t1_s),
            ramsey_delays=ramsey,
            ramsey_detuning_hz=coherence.ramsey_detuning_hz(ramsey),
            echo_delays=coherence.decay_delays_s(ref.t2_s),
            rb_lengths=rb.rb_lengths(ref.single_qubit_gate_error),
        )

    def plan(self, context: PresetContext) -> list[CircuitBatch]:
        sweep, q = self.sweep(context), context.qubit
        shots = _circuit_shots(context.shot_budget, len(sweep.rb_lengths))
        return [
            coherence.t1_batch(sweep.t1_delays, shots["t1"], q),
            coherence.ramsey_batch(
                sweep.ramsey_delays, sweep.ramsey_detuning_hz, shots["ramsey"], q
            ),
            coherence.echo_batch(sweep.echo_delays, shots["echo"], q),
            rb.rb_batch(sweep.rb_lengths, RB_SAMPLES, shots["rb"], context.seed, q),
            readout.readout_batch(shots["readout"], q),
            readout.repeatability_batch(shots["rep"], q),
        ]

    def circuit_shots(self, context: PresetContext) -> int:
        rb_lengths = rb.rb_lengths(reference_of(context).single_qubit_gate_error)
        return max(_circuit_shots(context.shot_budget, len(rb_lengths)).values())

    def analyse(self, context: PresetContext, outcomes: Sequence[BatchOutcome]) -> PresetOutcome:
        by_label = {o.batch.label: o for o in outcomes}
        sweep = self.sweep(context)
        t1 = coherence.analyse_t1(by_label["t1"])
        ramsey = coherence.analyse_ramsey(by_label["ramsey"], sweep.ramsey_detuning_hz)
        echo = coherence.analyse_echo(by_label["echo"])
        rb_fit = rb.analyse_rb(by_label["rb"])
        assignment = readout.analyse_readout(by_label["readout"])
        repeatability = readout.analyse_repeatability(by_label["repeatability"])
        epc, epc_err = (1 - rb_fit.values["p"]) / 2, rb_fit.stderr["p"] / 2
        findings = HealthFindings(
            fits=(t1, ramsey, echo, rb_fit),
            epc=epc,
            t1_s=t1.values["tau"],
            t2_s=echo.values["tau"],
            assignment_fidelity=assignment.assignment_fidelity,
            reference=reference_of(context),
        )
        status, reasons = health_status(findings)
        fidelity = 1 - epc
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
                1 - repeatability.value,
                repeatability.stderr,
                (
                    1 - repeatability.value - 1.96 * repeatability.stderr,
                    1 - repeatability.value + 1.96 * repeatability.stderr,
                ),
            ),
            status=status,
            status_definition=HEALTH_STATUS,
            qubits_used=(context.qubit,),
            physics=_physics(),
            measurements=(
                _fitted("t1_s", t1, "tau", "s"),
                _fitted("t2_star_s", ramsey, "tau", "s"),
                MeasuredQuantity(
                    "qubit_frequency_offset_hz",
                    ramsey.values["frequency"] - sweep.ramsey_detuning_hz,
                    ramsey.stderr["frequency"],
                    "Hz",
                    ramsey.quality.value,
                    ramsey.quality_reason,
                ),
                _fitted("t2_echo_s", echo, "tau", "s"),
                MeasuredQuantity(
                    "epc", epc, epc_err, "1", rb_fit.quality.value, rb_fit.quality_reason
                ),
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
            figures=_figures(t1, ramsey, echo, rb_fit),
            warnings=reasons,
        )


def _fitted(name: str, fit: FitResult, parameter: str, unit: str) -> MeasuredQuantity:
    return MeasuredQuantity(
        name,
        fit.values[parameter],
        fit.stderr[parameter],
        unit,
        fit.quality.value,
        fit.quality_reason,
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
        ),
    )


def _figures(
    t1: FitResult, ramsey: FitResult, echo: FitResult, rb_fit: FitResult
) -> tuple[Figure, ...]:
    def us(fit: FitResult, symbol: str) -> str:
        return f"{symbol} = {fit.values['tau'] * 1e6:.1f} ± {fit.stderr['tau'] * 1e6:.1f} µs" + (
            "" if fit.quality is FitQuality.GOOD else " (bad fit)"
        )

    p = rb_fit.values["p"]
    return (
        fit_figure(
            "t1",
            "T1 relaxation",
            t1,
            us(t1, "T1"),
            x_label="delay (µs)",
            y_label="P(1)",
            x_scale=1e6,
        ),
        fit_figure(
            "ramsey",
            "Ramsey (T2*)",
            ramsey,
            us(ramsey, "T2*"),
            x_label="delay (µs)",
            y_label="P(1)",
            x_scale=1e6,
        ),
        fit_figure(
            "echo",
            "Hahn echo (T2)",
            echo,
            us(echo, "T2"),
            x_label="delay (µs)",
            y_label="P(1)",
            x_scale=1e6,
        ),
        fit_figure(
            "rb",
            "Randomized benchmarking",
            rb_fit,
            f"EPC = {(1 - p) / 2:.2e} ± {rb_fit.stderr['p'] / 2:.1e}",
            x_label="sequence length (Cliffords)",
            y_label="survival P(0)",
            log_x=True,
        ),
    )
