"""T1, Ramsey T2* and Hahn-echo T2 sweeps: circuits tagged with their delay in seconds."""

from collections.abc import Sequence
from math import pi

import numpy as np
from qiskit import QuantumCircuit

from synqc_backend.analysis.binomial_fit import fit_probabilities
from synqc_backend.analysis.decay_models import fit_damped_cosine, fit_exp_decay
from synqc_backend.analysis.fitting import FitResult
from synqc_backend.execution import BatchOutcome, CircuitBatch
from synqc_backend.measurements.sweep_data import outcome_counts

# Delays for an exponential decay with an unknown offset, in units of the decay time: one at 0
# (amplitude), most between 0.4 and 1 (where the slope carries the decay time) and a tail at
# 8-11 (offset). Chosen by the Cramér-Rao bound for equal shots per point: for T1-like
# (0.95 -> 0) and echo-like (0 -> 0.5) curves it gives a decay time 1.7x and 1.75x more precise
# than 16 even points over 0-3 decay times, and it stays better if the true time is half or
# twice the reference.
DECAY_DESIGN = (0.0, *np.linspace(0.4, 1.0, 11).tolist(), 8.0, 9.0, 10.0, 11.0)


def decay_delays_s(reference_s: float) -> tuple[float, ...]:
    """Delays (seconds) for a T1 or echo sweep around the expected decay time."""
    return tuple(float(x * reference_s) for x in DECAY_DESIGN)


def delays_s(reference_s: float, count: int, span: float) -> tuple[float, ...]:
    """`count` delays from 0 to `span`·reference, evenly spaced (seconds)."""
    return tuple(float(t) for t in np.linspace(0.0, span * reference_s, count))


def ramsey_detuning_hz(delays: Sequence[float], oscillations: float = 4.0) -> float:
    """A virtual detuning giving `oscillations` periods over the sweep."""
    return oscillations / max(delays)


def t1_batch(delays: Sequence[float], shots: int, qubit: int) -> CircuitBatch:
    """X, wait t, measure: P1(t) = A·exp(−t/T1) + B."""
    return CircuitBatch("t1", tuple(_t1(t) for t in delays), shots, tuple(delays), (qubit,))


def ramsey_batch(
    delays: Sequence[float], detuning_hz: float, shots: int, qubit: int
) -> CircuitBatch:
    """√X, wait t, RZ(2π·δ·t), √X, measure: a cosine at δ decaying with T2*."""
    circuits = tuple(_ramsey(t, detuning_hz) for t in delays)
    return CircuitBatch("ramsey", circuits, shots, tuple(delays), (qubit,))


def echo_batch(delays: Sequence[float], shots: int, qubit: int) -> CircuitBatch:
    """√X, wait t/2, X, wait t/2, √X, measure: P1(t) = A·exp(−t/T2) + B."""
    return CircuitBatch("echo", tuple(_echo(t) for t in delays), shots, tuple(delays), (qubit,))


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


def analyse_t1(outcome: BatchOutcome) -> FitResult:
    """Fit P1(t) = A·exp(−t/T1) + B; T1 is `values["tau"]` in seconds."""
    return fit_probabilities(fit_exp_decay, *outcome_counts(outcome))


def analyse_echo(outcome: BatchOutcome) -> FitResult:
    """Fit P1(t) = A·exp(−t/T2) + B; T2 is `values["tau"]` in seconds."""
    return fit_probabilities(fit_exp_decay, *outcome_counts(outcome))


def analyse_ramsey(outcome: BatchOutcome, detuning_hz: float) -> FitResult:
    """Fit A·exp(−t/T2*)·cos(2πf t + φ) + B; the qubit's frequency offset is f − δ."""

    def fit(t: np.ndarray, p: np.ndarray, sigma: np.ndarray) -> FitResult:
        return fit_damped_cosine(t, p, sigma, expected_frequency=detuning_hz)

    return fit_probabilities(fit, *outcome_counts(outcome))
