"""`hello_quantum_sim`: a Bell pair, scored by classical fidelity to the ideal distribution."""

from collections.abc import Sequence

from synqc_backend.analysis.distribution import bootstrap_fidelity
from synqc_backend.analysis.latency import median_per_circuit_us
from synqc_backend.analysis.parity import zz_parity
from synqc_backend.definitions import BELL_STATUS, DIST_FIDELITY, EXEC_LATENCY_PER_CIRCUIT
from synqc_backend.execution import BatchOutcome, CircuitBatch
from synqc_backend.measurements.bell_state import IDEAL_DISTRIBUTION, bell_circuit
from synqc_backend.models import KpiStatus
from synqc_backend.presets.base import (
    KpiValue,
    MeasuredQuantity,
    PhysicsNotes,
    PresetContext,
    PresetOutcome,
)

OK_FIDELITY = 0.95
WARN_FIDELITY = 0.85


class HelloQuantumSim:
    """Prepare (|00⟩ + |11⟩)/√2 once with the whole shot budget and compare to ideal."""

    name = "hello_quantum_sim"
    version = 1
    min_shot_budget = 1
    default_shot_budget = 0

    def plan(self, context: PresetContext) -> list[CircuitBatch]:
        layout = _bell_qubits(context.qubits)
        return [
            CircuitBatch("bell", (bell_circuit(),), self.circuit_shots(context), (None,), layout)
        ]

    def circuit_shots(self, context: PresetContext) -> int:
        return context.shot_budget

    def plan_next(
        self, context: PresetContext, outcomes: Sequence[BatchOutcome]
    ) -> list[CircuitBatch]:
        """One stage: nothing follows it."""
        return []

    def analyse(self, context: PresetContext, outcomes: Sequence[BatchOutcome]) -> PresetOutcome:
        (outcome,) = outcomes
        counts = outcome.result.counts[0]
        fidelity = bootstrap_fidelity(counts, IDEAL_DISTRIBUTION, seed=context.seed)
        parity = zz_parity(counts)
        latency_us = median_per_circuit_us(
            [o.result.execution_s for o in outcomes], [len(o.result.counts) for o in outcomes]
        )
        return PresetOutcome(
            fidelity=KpiValue(DIST_FIDELITY, fidelity.value, fidelity.stderr, fidelity.ci95),
            latency=KpiValue(EXEC_LATENCY_PER_CIRCUIT, latency_us),
            backaction=None,
            status=bell_status(fidelity.ci95[1]),
            status_definition=BELL_STATUS,
            qubits_used=_bell_qubits(context.qubits),
            physics=PhysicsNotes(
                plant="two qubits prepared in a Bell pair by H and CX",
                measurement_model="projective Z measurement of both qubits, counts per bitstring",
                assumptions=(
                    "ideal distribution: 50 % 00, 50 % 11",
                    "shots are independent; bootstrap resamples the observed frequencies",
                    "engineering controls are recorded but do not act on this preset",
                ),
            ),
            measurements=(
                MeasuredQuantity("bell_classical_fidelity", fidelity.value, fidelity.stderr, "1"),
                MeasuredQuantity("zz_parity", parity.value, parity.stderr, "1"),
            ),
            raw_counts=dict(counts),
            expected_distribution=dict(IDEAL_DISTRIBUTION),
        )


def bell_status(fidelity_upper: float) -> KpiStatus:
    """`bell_status_v1`: judged on the upper end of the fidelity's CI95."""
    if fidelity_upper >= OK_FIDELITY:
        return KpiStatus.OK
    if fidelity_upper >= WARN_FIDELITY:
        return KpiStatus.WARN
    return KpiStatus.FAIL


def _bell_qubits(requested: tuple[int, ...]) -> tuple[int, ...]:
    if len(requested) >= 2:
        return requested[:2]
    return (requested[0], requested[0] + 1)
