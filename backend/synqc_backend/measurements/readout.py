"""Readout assignment and measurement repeatability circuits."""

from dataclasses import dataclass
from math import pi, sqrt

from qiskit import QuantumCircuit

from synqc_backend.analysis.probability import ProbabilityEstimate, binomial_estimate
from synqc_backend.execution import BatchOutcome, CircuitBatch
from synqc_backend.measurements.sweep_data import outcome_count


def readout_batch(shots: int, qubit: int) -> CircuitBatch:
    """Prepare |0⟩ (x = 0) and |1⟩ (x = 1), measure: p(1|0) and p(0|1)."""
    zero = QuantumCircuit(1, 1, name="readout_0")
    zero.measure(0, 0)
    one = QuantumCircuit(1, 1, name="readout_1")
    one.x(0)
    one.measure(0, 0)
    return CircuitBatch("readout", (zero, one), shots, (0.0, 1.0), (qubit,))


def repeatability_batch(shots: int, qubit: int) -> CircuitBatch:
    """Prepare |+⟩, measure twice: a QND measurement gives the same outcome both times.

    Bits of the counts' keys: bit 0 (rightmost) is the first outcome, bit 1 the second.
    """
    circuit = QuantumCircuit(1, 2, name="repeatability")
    # H as RZ(π/2)·√X·RZ(π/2) (up to a global phase): in every target's basis already.
    circuit.rz(pi / 2, 0)
    circuit.sx(0)
    circuit.rz(pi / 2, 0)
    circuit.measure(0, 0)
    circuit.measure(0, 1)
    return CircuitBatch("repeatability", (circuit,), shots, (None,), (qubit,))


@dataclass(frozen=True)
class ReadoutEstimate:
    """Assignment errors p(1|0), p(0|1) and fidelity 1 − (p(1|0) + p(0|1))/2, with stderrs."""

    p1_given_0: ProbabilityEstimate
    p0_given_1: ProbabilityEstimate
    assignment_fidelity: float
    assignment_stderr: float


def analyse_readout(outcome: BatchOutcome) -> ReadoutEstimate:
    zero_counts, one_counts = outcome.result.counts
    p10 = binomial_estimate(outcome_count(zero_counts, "1"), sum(zero_counts.values()))
    p01 = binomial_estimate(outcome_count(one_counts, "0"), sum(one_counts.values()))
    return ReadoutEstimate(
        p1_given_0=p10,
        p0_given_1=p01,
        assignment_fidelity=1 - (p10.value + p01.value) / 2,
        assignment_stderr=sqrt(p10.stderr**2 + p01.stderr**2) / 2,
    )


def mixed_state_p0(estimate: ReadoutEstimate) -> tuple[float, float]:
    """P(read 0) of the maximally mixed state, (1 − p(1|0) + p(0|1))/2, and its stderr.

    Long random Clifford sequences drive the qubit there (the twirled noise is depolarizing),
    so this is the asymptote B of an RB decay, measured by the readout circuits.
    """
    p10, p01 = estimate.p1_given_0, estimate.p0_given_1
    return (1 - p10.value + p01.value) / 2, sqrt(p10.stderr**2 + p01.stderr**2) / 2


def analyse_repeatability(outcome: BatchOutcome) -> ProbabilityEstimate:
    """P(second outcome = first outcome) with its binomial stderr."""
    (counts,) = outcome.result.counts
    agree = sum(n for key, n in counts.items() if key.replace(" ", "")[-1] == key[0])
    return binomial_estimate(agree, sum(counts.values()))
