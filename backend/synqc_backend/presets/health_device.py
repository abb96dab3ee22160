"""A run over several qubits as one result: KPIs as the median over the qubits with the worst
named, the worst status, and device figures with every qubit's values and error bars."""

from collections.abc import Callable, Sequence

import numpy as np

from synqc_backend.definitions import KpiDefinition
from synqc_backend.figures.plot_data import Figure, Series
from synqc_backend.models import KpiStatus
from synqc_backend.presets.base import KpiValue
from synqc_backend.presets.health_qubit import QubitHealth

_SEVERITY = {KpiStatus.OK: 0, KpiStatus.WARN: 1, KpiStatus.FAIL: 2}


def median_kpi(
    definition: KpiDefinition,
    qubits: Sequence[QubitHealth],
    value: Callable[[QubitHealth], float],
    stderr: Callable[[QubitHealth], float],
    *,
    higher_is_better: bool,
) -> KpiValue:
    """The median over `qubits` of a KPI, with the stderr of the qubit at the median (the lower
    of the middle two for an even count) and the worst qubit named."""
    values = np.array([value(q) for q in qubits], dtype=float)
    finite = np.flatnonzero(np.isfinite(values))
    if finite.size == 0:
        return KpiValue(definition, float("nan"), aggregation=_aggregation(len(qubits)))
    order = finite[np.argsort(values[finite])]
    middle = qubits[int(order[(order.size - 1) // 2])]
    centre = float(np.median(values[finite]))
    worst = qubits[int(order[0] if higher_is_better else order[-1])]
    error = stderr(middle)
    return KpiValue(
        definition,
        centre,
        error,
        (centre - 1.96 * error, centre + 1.96 * error),
        aggregation=_aggregation(len(qubits)),
        worst_qubit=worst.qubit,
    )


def worst_status(qubits: Sequence[QubitHealth]) -> KpiStatus:
    """The run's status: its worst qubit's."""
    return max((q.status for q in qubits), key=_SEVERITY.__getitem__)


def qubit_reasons(qubits: Sequence[QubitHealth]) -> tuple[str, ...]:
    """Every qubit's status reasons, each naming its qubit."""
    return tuple(f"qubit {q.qubit}: {reason}" for q in qubits for reason in q.reasons)


def device_figures(qubits: Sequence[QubitHealth]) -> tuple[Figure, ...]:
    """T1, T2* and T2 echo per qubit (µs), and EPC and readout error per qubit (%)."""

    def series(
        label: str, pick: Callable[[QubitHealth], tuple[float, float]], scale: float
    ) -> Series:
        # A qubit whose fit failed has no point in the series (its own figures say why).
        points = [(q.qubit, *pick(q)) for q in qubits]
        kept = [(x, v, e) for x, v, e in points if np.isfinite(v) and np.isfinite(e)]
        return Series(
            tuple(float(x) for x, _, _ in kept),
            tuple(v * scale for _, v, _ in kept),
            label,
            tuple(e * scale for _, _, e in kept),
        )

    coherence = Figure(
        name="device_coherence",
        title="Coherence per qubit",
        x_label="qubit",
        y_label="µs",
        data=(
            series("T1", lambda q: (q.t1.value, q.t1.stderr), 1e6),
            series("T2*", lambda q: (q.t2_star.value, q.t2_star.stderr), 1e6),
            series("T2 echo", lambda q: (q.t2_echo.value, q.t2_echo.stderr), 1e6),
        ),
    )
    errors = Figure(
        name="device_errors",
        title="Gate and readout error per qubit",
        x_label="qubit",
        y_label="%",
        data=(
            series("EPC", lambda q: (q.epc.value, q.epc.stderr), 100),
            series(
                "readout error",
                lambda q: (1 - q.assignment.assignment_fidelity, q.assignment.assignment_stderr),
                100,
            ),
        ),
    )
    return coherence, errors


def _aggregation(count: int) -> str:
    return f"median over {count} qubits"
