"""`backend_compare`: the same bundle on every compared target, run concurrently.

Bundle per target: Bell and GHZ-3 distribution fidelities and a short single-qubit RB.
"""

from collections.abc import Sequence
from statistics import median

import numpy as np

from synqc_backend.analysis.distribution import bootstrap_fidelity
from synqc_backend.analysis.fitting import FitQuality, FitResult
from synqc_backend.definitions import COMPARE_STATUS, DIST_FIDELITY, EXEC_LATENCY_PER_CIRCUIT
from synqc_backend.execution import BatchOutcome, CircuitBatch
from synqc_backend.figures.plot_data import Figure, Series
from synqc_backend.measurements import rb
from synqc_backend.measurements.bell_state import (
    IDEAL_DISTRIBUTION,
    bell_circuit,
    ghz_circuit,
    ghz_ideal,
)
from synqc_backend.models import ComparisonRow, KpiStatus, TargetComparison
from synqc_backend.presets.base import (
    KpiValue,
    MeasuredQuantity,
    PhysicsNotes,
    PresetContext,
    PresetOutcome,
)
from synqc_backend.presets.hello_quantum_sim import bell_status

# Long enough to see the decay of a good qubit (EPC ~ 3e-4 decays over ~1,500 Cliffords).
RB_LENGTHS = (1, 30, 100, 300, 800, 1600, 3000)
RB_SAMPLES = 3
SHARES = {"bell": 0.3, "ghz": 0.3, "rb": 0.4}
MIN_SHOTS_PER_CIRCUIT = 20
HIGHER_IS_BETTER = {"fidelity": True, "ghz_fidelity": True, "epc": False, "latency_us": False}
SEVERITY = {KpiStatus.OK: 0, KpiStatus.WARN: 1, KpiStatus.FAIL: 2}


class BackendCompare:
    name = "backend_compare"
    version = 1
    # Two targets with 20 shots per circuit (920): below it RB has too few shots to fit at all;
    # above it a poor fit is reported with its wide error bar and flagged, not refused.
    min_shot_budget = 2 * MIN_SHOTS_PER_CIRCUIT * (2 + len(RB_LENGTHS) * RB_SAMPLES)
    default_shot_budget = 24_000

    def plan(self, context: PresetContext) -> list[CircuitBatch]:
        shots, q = _circuit_shots(context), context.qubit
        batches: list[CircuitBatch] = []
        for target in context.compare_capabilities:
            batches += [
                CircuitBatch(
                    f"bell@{target}",
                    (bell_circuit(),),
                    shots["bell"],
                    (None,),
                    (q, q + 1),
                    target,
                ),
                CircuitBatch(
                    f"ghz@{target}",
                    (ghz_circuit(3),),
                    shots["ghz"],
                    (None,),
                    (q, q + 1, q + 2),
                    target,
                ),
                _on(
                    rb.rb_batch(
                        RB_LENGTHS,
                        RB_SAMPLES,
                        shots["rb"],
                        context.seed,
                        (q,),
                    ),
                    target,
                ),
            ]
        return batches

    def circuit_shots(self, context: PresetContext) -> int:
        return max(_circuit_shots(context).values())

    def plan_next(
        self, context: PresetContext, outcomes: Sequence[BatchOutcome]
    ) -> list[CircuitBatch]:
        """One stage: nothing follows it."""
        return []

    def analyse(self, context: PresetContext, outcomes: Sequence[BatchOutcome]) -> PresetOutcome:
        rows, fits = [], {}
        for target in context.compare_capabilities:
            row, fit = _row(target, [o for o in outcomes if o.batch.target_id == target], context)
            rows.append(row)
            fits[target] = fit
        first = rows[0]
        status = max((row.status for row in rows), key=SEVERITY.__getitem__)
        return PresetOutcome(
            fidelity=KpiValue(DIST_FIDELITY, first.fidelity, first.fidelity_stderr),
            latency=KpiValue(EXEC_LATENCY_PER_CIRCUIT, first.latency_us),
            backaction=None,
            status=status,
            status_definition=COMPARE_STATUS,
            qubits_used=(context.qubit, context.qubit + 1, context.qubit + 2),
            physics=PhysicsNotes(
                plant="each compared target's qubits, same circuits on each",
                measurement_model="projective Z measurements; distribution fidelity and RB fit",
                assumptions=("targets run concurrently; each row comes only from its counts",),
            ),
            measurements=tuple(
                MeasuredQuantity(
                    f"epc@{row.hardware_target}",
                    row.epc or float("nan"),
                    row.epc_stderr,
                    "1",
                    fits[row.hardware_target].quality.value,
                    fits[row.hardware_target].quality_reason,
                )
                for row in rows
            ),
            comparison=TargetComparison(rows=rows, best=_best(rows)),
            figures=(_rb_figure(fits),),
        )


def _on(batch: CircuitBatch, target: str) -> CircuitBatch:
    return CircuitBatch(
        f"rb@{target}", batch.circuits, batch.shots, batch.x_values, batch.layout, target
    )


def _row(
    target: str, outcomes: list[BatchOutcome], context: PresetContext
) -> tuple[ComparisonRow, FitResult]:
    by_kind = {o.batch.label.split("@")[0]: o for o in outcomes}
    bell = bootstrap_fidelity(
        by_kind["bell"].result.counts[0], IDEAL_DISTRIBUTION, seed=context.seed
    )
    ghz = bootstrap_fidelity(by_kind["ghz"].result.counts[0], ghz_ideal(3), seed=context.seed)
    fit = rb.analyse_rb(by_kind["rb"])
    fitted = bool(np.isfinite(fit.values["p"]) and np.isfinite(fit.stderr["p"]))
    return ComparisonRow(
        hardware_target=target,
        fidelity=bell.value,
        fidelity_stderr=bell.stderr,
        ghz_fidelity=ghz.value,
        epc=(1 - fit.values["p"]) / 2 if fitted else None,
        epc_stderr=fit.stderr["p"] / 2 if fitted else None,
        latency_us=median(o.result.execution_s / len(o.result.counts) for o in outcomes) * 1e6,
        status=bell_status(bell.ci95[1]),
    ), fit


def _best(rows: list[ComparisonRow]) -> dict[str, str]:
    best: dict[str, str] = {}
    for kpi, higher in HIGHER_IS_BETTER.items():
        scored = [(getattr(r, kpi), r.hardware_target) for r in rows if getattr(r, kpi) is not None]
        if scored:
            best[kpi] = (max if higher else min)(scored)[1]
    return best


def _rb_figure(fits: dict[str, FitResult]) -> Figure:
    return Figure(
        name="rb_compare",
        title="Randomized benchmarking per target",
        x_label="sequence length (Cliffords)",
        y_label="survival P(0)",
        data=tuple(
            Series(tuple(f.x.tolist()), tuple(f.y.tolist()), target, tuple(f.sigma.tolist()))
            for target, f in fits.items()
        ),
        curves=tuple(
            Series(tuple(f.x.tolist()), tuple(f.curve(f.x).tolist()), f"{target} fit")
            for target, f in fits.items()
            if f.quality is FitQuality.GOOD
        ),
        log_x=True,
    )


def _circuit_shots(context: PresetContext) -> dict[str, int]:
    """Shots per circuit of each part, on every compared target (the budget split evenly)."""
    per_target = context.shot_budget // len(context.compare_capabilities)
    rb_circuits = len(RB_LENGTHS) * RB_SAMPLES
    return {
        "bell": int(per_target * SHARES["bell"]),
        "ghz": int(per_target * SHARES["ghz"]),
        "rb": int(per_target * SHARES["rb"]) // rb_circuits,
    }
