"""`dpd_demo`: drive–probe–drive — what a weak probe learns vs. how much it disturbs.

The system qubit's state is reconstructed by tomography with and without the probe, at the
run's probe strength and over the ε sweep; backaction is their trace distance.
"""

from collections.abc import Sequence
from math import pi

from synqc_backend.analysis.information import mutual_information
from synqc_backend.analysis.tomography import (
    bootstrap_state_fidelity,
    bootstrap_trace_distance,
    coherence,
    state_fidelity,
    trace_distance,
)
from synqc_backend.definitions import DPD_STATUS, PROBE_BACKACTION, STATE_FIDELITY
from synqc_backend.execution import BatchOutcome, CircuitBatch
from synqc_backend.figures.plot_data import Figure, Series
from synqc_backend.measurements import dpd_probe
from synqc_backend.measurements.dpd_probe import ProbeSettings
from synqc_backend.models import KpiStatus, TradeoffPoint
from synqc_backend.presets.base import (
    KpiValue,
    MeasuredQuantity,
    PhysicsNotes,
    PresetContext,
    PresetOutcome,
)

THETA1_RAD = pi / 2
THETA2_RAD = pi / 4
THEORY_SIGMAS = 3.0
# 21 circuits of 40 shots: 840, so every preset accepts a budget of 1,000.
MIN_SHOTS_PER_CIRCUIT = 40


def settings_for(context: PresetContext, strength: float) -> ProbeSettings:
    controls = context.controls
    # The probe window is the probe-to-feedback delay; past the clamp feedback is skipped.
    feedback = controls.probe_window_ns <= controls.safety_clamp_ns
    return ProbeSettings(THETA1_RAD, THETA2_RAD, strength, controls.feedback_gain, feedback)


def _layout(context: PresetContext) -> tuple[int, int]:
    q = context.qubits
    return (q[0], q[1]) if len(q) > 1 else (q[0], q[0] + 1)


class DpdDemo:
    name = "dpd_demo"
    version = 1
    sequences = 2 + len(dpd_probe.SWEEP_STRENGTHS)
    min_shot_budget = MIN_SHOTS_PER_CIRCUIT * 3 * sequences
    default_shot_budget = 42_000

    def plan(self, context: PresetContext) -> list[CircuitBatch]:
        shots = self.circuit_shots(context)
        run_strength = dpd_probe.strength_from_window(context.controls.probe_window_ns)
        layout = _layout(context)
        batches = [
            dpd_probe.dpd_batch("no_probe", settings_for(context, 0.0), False, shots, layout),
            dpd_probe.dpd_batch("probe", settings_for(context, run_strength), True, shots, layout),
        ]
        for index, strength in enumerate(dpd_probe.SWEEP_STRENGTHS):
            batches.append(
                dpd_probe.dpd_batch(
                    f"sweep_{index}", settings_for(context, strength), True, shots, layout
                )
            )
        return batches

    def circuit_shots(self, context: PresetContext) -> int:
        """Each sequence is measured in three bases, one circuit each."""
        return context.shot_budget // (3 * self.sequences)

    def plan_next(
        self, context: PresetContext, outcomes: Sequence[BatchOutcome]
    ) -> list[CircuitBatch]:
        """One stage: nothing follows it."""
        return []

    def analyse(self, context: PresetContext, outcomes: Sequence[BatchOutcome]) -> PresetOutcome:
        by_label = {o.batch.label: o for o in outcomes}
        reference = dpd_probe.system_tomography(by_label["no_probe"])
        probed = dpd_probe.system_tomography(by_label["probe"])
        run_strength = dpd_probe.strength_from_window(context.controls.probe_window_ns)
        settings = settings_for(context, run_strength)
        ideal = dpd_probe.ideal_state(settings)
        backaction = trace_distance(probed.rho, reference.rho)
        ba_err, ba_ci = bootstrap_trace_distance(probed.counts, reference.counts, seed=context.seed)
        fidelity = state_fidelity(probed.rho, ideal)
        f_err, f_ci = bootstrap_state_fidelity(probed.counts, ideal, seed=context.seed)
        information = mutual_information(
            dpd_probe.probe_system_joint(by_label["probe"]), seed=context.seed
        )
        tradeoff = _sweep(context, by_label, reference)
        status, warnings = _status(settings, tradeoff)
        return PresetOutcome(
            fidelity=KpiValue(STATE_FIDELITY, fidelity, f_err, f_ci),
            latency=None,
            backaction=KpiValue(PROBE_BACKACTION, backaction, ba_err, ba_ci),
            status=status,
            status_definition=DPD_STATUS,
            qubits_used=_layout(context),
            physics=PhysicsNotes(
                plant="system qubit s driven by RY(π/2) then RY(π/4); ancilla a probes s "
                "through controlled-RY(φ), ε = sin(φ/2), and is measured mid-circuit",
                measurement_model="X/Y/Z tomography of s (no readout correction: it scales "
                "probed and unprobed states alike); probe outcome from a",
                assumptions=(
                    "feed-forward RY(−g·φ/2) on s when a reads 1, unless the probe window "
                    "exceeds the safety clamp",
                    "theory |ρ01|(1 − √(1 − ε²)) holds for g = 0; |ρ01| is that of the "
                    "measured no-probe state with drive 2 undone (the state the probe sees)",
                ),
            ),
            measurements=(
                MeasuredQuantity("probe_strength", run_strength, None, "1"),
                MeasuredQuantity(
                    "information_gain_bits", information.bits, information.stderr, "bit"
                ),
                MeasuredQuantity(
                    "coherence_at_probe",
                    coherence(dpd_probe.state_at_probe(reference.rho, settings)),
                    None,
                    "1",
                ),
            ),
            figures=(_tradeoff_figure(tradeoff),),
            warnings=warnings,
            tradeoff=tradeoff,
        )


def _sweep(
    context: PresetContext,
    by_label: dict[str, BatchOutcome],
    reference: dpd_probe.StateTomography,
) -> tuple[TradeoffPoint, ...]:
    settings = settings_for(context, 0.0)
    coherence_01 = coherence(dpd_probe.state_at_probe(reference.rho, settings))
    points = []
    for index, strength in enumerate(dpd_probe.SWEEP_STRENGTHS):
        outcome = by_label[f"sweep_{index}"]
        state = dpd_probe.system_tomography(outcome)
        stderr, _ = bootstrap_trace_distance(
            state.counts, reference.counts, resamples=500, seed=context.seed
        )
        information = mutual_information(dpd_probe.probe_system_joint(outcome), seed=context.seed)
        points.append(
            TradeoffPoint(
                strength=strength,
                information_bits=information.bits,
                information_stderr=information.stderr,
                backaction=trace_distance(state.rho, reference.rho),
                backaction_stderr=stderr,
                theory_backaction=dpd_probe.theory_backaction(coherence_01, strength),
            )
        )
    return tuple(points)


def _status(
    settings: ProbeSettings, tradeoff: tuple[TradeoffPoint, ...]
) -> tuple[KpiStatus, tuple[str, ...]]:
    feedback_free = not settings.feedback or settings.feedback_gain == 0
    if feedback_free:
        off = [
            p
            for p in tradeoff
            if abs(p.backaction - p.theory_backaction) > THEORY_SIGMAS * p.backaction_stderr
        ]
        if off:
            return KpiStatus.FAIL, tuple(
                f"backaction {p.backaction:.3f} at ε={p.strength} is more than "
                f"{THEORY_SIGMAS:g} stderr from theory {p.theory_backaction:.3f}"
                for p in off
            )
    if not settings.feedback:
        return KpiStatus.WARN, ("feedback skipped: probe window exceeds the safety clamp",)
    return KpiStatus.OK, ()


def _tradeoff_figure(tradeoff: tuple[TradeoffPoint, ...]) -> Figure:
    strengths = tuple(p.strength for p in tradeoff)
    return Figure(
        name="dpd_tradeoff",
        title="Information gain vs. backaction",
        x_label="probe strength ε",
        y_label="bits / trace distance",
        data=(
            Series(
                strengths,
                tuple(p.information_bits for p in tradeoff),
                "information (bit)",
                tuple(p.information_stderr for p in tradeoff),
            ),
            Series(
                strengths,
                tuple(p.backaction for p in tradeoff),
                "backaction (trace dist.)",
                tuple(p.backaction_stderr for p in tradeoff),
            ),
        ),
        curves=(
            Series(
                strengths,
                tuple(p.theory_backaction for p in tradeoff),
                "theory |ρ01|(1 − √(1 − ε²))",
            ),
        ),
    )
