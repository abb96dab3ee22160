"""T1, Ramsey T2* and Hahn-echo T2 sweeps: circuits tagged with their delay in seconds."""

from collections.abc import Sequence
from math import pi

import numpy as np
from qiskit import QuantumCircuit

from synqc_backend.analysis.binomial_fit import fit_probabilities
from synqc_backend.analysis.decay_models import fit_damped_cosine, fit_exp_decay
from synqc_backend.analysis.fitting import FitResult
from synqc_backend.execution import CircuitBatch
from synqc_backend.measurements.decay_design import HIGH_CONTRAST, optimal_points
from synqc_backend.measurements.sweep_data import Stages, merged_counts

# Ramsey: the virtual detuning puts this many periods into the first stage's span, and a later
# stage's span is cut so that every period still gets this many points.
RAMSEY_PERIODS = 5.0
MIN_POINTS_PER_PERIOD = 3.0
# A Ramsey design resolves T2* when it reaches T2* with this many distinct delays up to it.
MIN_RAMSEY_POINTS_IN_DECAY = 4


# Circuits of `decay_delays_s`, the one-stage T1 design a provider check runs.
DEFAULT_DECAY_CIRCUITS = 16


def decay_delays_s(reference_s: float) -> tuple[float, ...]:
    """Delays (s) of the one-stage high-contrast design (T1) at a reference decay time."""
    return optimal_points(reference_s, DEFAULT_DECAY_CIRCUITS, HIGH_CONTRAST)


def ramsey_points(span_s: float, circuits: int) -> tuple[float, ...]:
    """`circuits` delays evenly spaced from 0 to `span_s` (seconds)."""
    return tuple(float(t) for t in np.linspace(0.0, span_s, circuits))


def ramsey_span_s(t2_star_s: float, circuits: int, detuning_hz: float, span: float) -> float:
    """`span`·T2*, cut so that `circuits` points give each detuning period enough points."""
    return min(span * t2_star_s, circuits / (MIN_POINTS_PER_PERIOD * detuning_hz))


def ramsey_unresolved_reason(
    delays_s: Sequence[float] | np.ndarray, t2_star_s: float
) -> str | None:
    """Why these delays cannot resolve T2*, or None when they can."""
    if not (np.isfinite(t2_star_s) and t2_star_s > 0):
        return "no T2* to judge the design by"
    distinct = np.unique(np.asarray(delays_s, dtype=float))
    if distinct.max() < t2_star_s:
        return f"the delays end before T2* = {t2_star_s:.3g} s"
    if np.sum(distinct <= t2_star_s) < MIN_RAMSEY_POINTS_IN_DECAY:
        return f"fewer than {MIN_RAMSEY_POINTS_IN_DECAY} delays within T2* = {t2_star_s:.3g} s"
    return None


def t1_batch(delays: Sequence[float], shots: int, qubit: int, label: str = "t1") -> CircuitBatch:
    """X, wait t, measure: P1(t) = A·exp(−t/T1) + B."""
    return CircuitBatch(label, tuple(_t1(t) for t in delays), shots, tuple(delays), (qubit,))


def ramsey_batch(
    delays: Sequence[float], detuning_hz: float, shots: int, qubit: int, label: str = "ramsey"
) -> CircuitBatch:
    """√X, wait t, RZ(2π·δ·t), √X, measure: a cosine at δ decaying with T2*."""
    circuits = tuple(_ramsey(t, detuning_hz) for t in delays)
    return CircuitBatch(label, circuits, shots, tuple(delays), (qubit,))


def echo_batch(
    delays: Sequence[float], shots: int, qubit: int, label: str = "echo"
) -> CircuitBatch:
    """√X, wait t/2, X, wait t/2, √X, measure: P1(t) = A·exp(−t/T2) + B."""
    return CircuitBatch(label, tuple(_echo(t) for t in delays), shots, tuple(delays), (qubit,))


def _t1(delay: float) -> QuantumCircuit:
    circuit = QuantumCircuit(1, 1, name="t1")
    circuit.x(0)
    _wait(circuit, delay)
    circuit.measure(0, 0)
    return circuit


def _ramsey(delay: float, detuning_hz: float) -> QuantumCircuit:
    circuit = QuantumCircuit(1, 1, name="ramsey")
    circuit.sx(0)
    _wait(circuit, delay)
    circuit.rz(2 * pi * detuning_hz * delay, 0)
    circuit.sx(0)
    circuit.measure(0, 0)
    return circuit


def _echo(delay: float) -> QuantumCircuit:
    circuit = QuantumCircuit(1, 1, name="echo")
    circuit.sx(0)
    _wait(circuit, delay / 2)
    circuit.x(0)
    _wait(circuit, delay / 2)
    circuit.sx(0)
    circuit.measure(0, 0)
    return circuit


def _wait(circuit: QuantumCircuit, delay: float) -> None:
    if delay > 0:
        circuit.delay(delay, 0, unit="s")


def analyse_t1(outcomes: Stages) -> FitResult:
    """Fit P1(t) = A·exp(−t/T1) + B to every stage's counts; T1 is `values["tau"]` (s)."""
    return fit_probabilities(fit_exp_decay, *merged_counts(outcomes))


def analyse_echo(outcomes: Stages) -> FitResult:
    """Fit P1(t) = A·exp(−t/T2) + B to every stage's counts; T2 is `values["tau"]` (s)."""
    return fit_probabilities(fit_exp_decay, *merged_counts(outcomes))


def analyse_ramsey(outcomes: Stages, detuning_hz: float) -> FitResult:
    """Fit A·exp(−t/T2*)·cos(2πf t + φ) + B; the qubit's frequency offset is f − δ."""

    def fit(t: np.ndarray, p: np.ndarray, sigma: np.ndarray) -> FitResult:
        return fit_damped_cosine(t, p, sigma, expected_frequency=detuning_hz)

    return fit_probabilities(fit, *merged_counts(outcomes))
