"""`latency`: small feed-forward probe jobs, each timed from submit to result."""

from collections.abc import Sequence

import numpy as np

from synqc_backend.analysis.probability import binomial_estimate
from synqc_backend.definitions import E2E_LATENCY_P50, FEEDFORWARD_FIDELITY, LATENCY_STATUS
from synqc_backend.execution import BatchOutcome, CircuitBatch
from synqc_backend.measurements.latency_probe import latency_batch, scheduled_duration_s
from synqc_backend.measurements.sweep_data import outcome_count
from synqc_backend.models import KpiStatus
from synqc_backend.presets.base import (
    KpiValue,
    MeasuredQuantity,
    PhysicsNotes,
    PresetContext,
    PresetOutcome,
)

JOBS = 20
MIN_SHOTS_PER_JOB = 10
TAIL_RATIO = 10.0


class Latency:
    """`JOBS` one-circuit jobs; the budget is split evenly between them."""

    name = "latency"
    version = 1
    min_shot_budget = JOBS * MIN_SHOTS_PER_JOB
    default_shot_budget = 0

    def plan(self, context: PresetContext) -> list[CircuitBatch]:
        shots = self.circuit_shots(context)
        return [latency_batch(index, shots, context.qubit) for index in range(JOBS)]

    def circuit_shots(self, context: PresetContext) -> int:
        return context.shot_budget // JOBS

    def plan_next(
        self, context: PresetContext, outcomes: Sequence[BatchOutcome]
    ) -> list[CircuitBatch]:
        """One stage: nothing follows it."""
        return []

    def analyse(self, context: PresetContext, outcomes: Sequence[BatchOutcome]) -> PresetOutcome:
        e2e_us = np.array([o.result.submit_to_result_s for o in outcomes]) * 1e6
        p50, p95 = (float(v) for v in np.percentile(e2e_us, [50, 95]))
        exec_us = float(np.median([o.result.execution_s for o in outcomes])) * 1e6
        queues = [o.result.queue_s for o in outcomes if o.result.queue_s is not None]
        counts = [c for o in outcomes for c in o.result.counts]
        # Bit 1 is the second outcome: 0 when the conditional X undid the first outcome.
        good = sum(sum(c.values()) - outcome_count(c, "1", bit=1) for c in counts)
        fidelity = binomial_estimate(good, sum(sum(c.values()) for c in counts))
        status = KpiStatus.WARN if p95 > TAIL_RATIO * p50 else KpiStatus.OK
        scheduled = scheduled_duration_s(dict(context.capabilities.gate_durations_s))
        measured = [
            MeasuredQuantity("e2e_latency_p50_s", p50 * 1e-6, None, "s"),
            MeasuredQuantity("e2e_latency_p95_s", p95 * 1e-6, None, "s"),
            MeasuredQuantity("e2e_latency_max_s", float(e2e_us.max()) * 1e-6, None, "s"),
            MeasuredQuantity("execution_time_median_s", exec_us * 1e-6, None, "s"),
            MeasuredQuantity("scheduled_circuit_duration_s", scheduled, None, "s"),
        ]
        if queues:
            measured.append(
                MeasuredQuantity("queue_time_median_s", float(np.median(queues)), None, "s")
            )
        return PresetOutcome(
            fidelity=KpiValue(
                FEEDFORWARD_FIDELITY,
                fidelity.value,
                fidelity.stderr,
                (fidelity.value - 1.96 * fidelity.stderr, fidelity.value + 1.96 * fidelity.stderr),
            ),
            latency=KpiValue(E2E_LATENCY_P50, p50),
            backaction=None,
            status=status,
            status_definition=LATENCY_STATUS,
            qubits_used=(context.qubit,),
            physics=PhysicsNotes(
                plant="one qubit with mid-circuit measurement and classical feed-forward",
                measurement_model="two projective Z measurements; counts of the second outcome",
                assumptions=(
                    "latency is wall time around each target call (monotonic clock)",
                    "scheduled duration = sx + x + 2 measurements from the target's durations",
                ),
            ),
            measurements=tuple(measured),
            warnings=(f"p95 {p95:.0f} µs > {TAIL_RATIO:g} × p50 {p50:.0f} µs",)
            if status is KpiStatus.WARN
            else (),
        )
