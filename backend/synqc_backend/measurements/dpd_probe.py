"""Drive–probe–drive: a weak probe of a system qubit through an ancilla, with feed-forward.

Circuit qubits: 0 = system s, 1 = probe ancilla a. Classical bits: 0 = probe outcome,
1 = system outcome in the tomography basis.
"""

from dataclasses import dataclass
from math import asin, cos, pi, sin, sqrt

import numpy as np
from qiskit import ClassicalRegister, QuantumCircuit, QuantumRegister

from synqc_backend.analysis.tomography import (
    BasisCounts,
    BlochEstimate,
    bloch_vector,
    density_matrix,
    marginal,
)
from synqc_backend.execution import BatchOutcome, CircuitBatch

FULL_STRENGTH_WINDOW_NS = 500.0
BASES = ("x", "y", "z")
SWEEP_STRENGTHS = (0.0, 0.25, 0.5, 0.75, 1.0)
PROBE_BIT, SYSTEM_BIT = 0, 1


@dataclass(frozen=True)
class ProbeSettings:
    """One DPD sequence: drive angles (rad), probe strength ε ∈ [0, 1], feedback gain."""

    theta1_rad: float
    theta2_rad: float
    strength: float
    feedback_gain: float
    feedback: bool

    @property
    def probe_angle_rad(self) -> float:
        """φ with ε = sin(φ/2)."""
        return 2 * asin(min(1.0, max(0.0, self.strength)))


def strength_from_window(probe_window_ns: float) -> float:
    """ε = sin(φ/2) with φ = π·min(1, window / 500 ns)."""
    return sin(pi * min(1.0, probe_window_ns / FULL_STRENGTH_WINDOW_NS) / 2)


def dpd_batch(
    label: str, settings: ProbeSettings, probed: bool, shots: int, layout: tuple[int, int]
) -> CircuitBatch:
    """Tomography of s after the sequence, in the X, Y and Z bases (x value = basis index)."""
    circuits = tuple(dpd_circuit(settings, probed, basis) for basis in BASES)
    return CircuitBatch(label, circuits, shots, (0.0, 1.0, 2.0), layout)


def dpd_circuit(settings: ProbeSettings, probed: bool, basis: str) -> QuantumCircuit:
    system, ancilla = QuantumRegister(1, "s"), QuantumRegister(1, "a")
    probe_bit, system_bit = ClassicalRegister(1, "probe"), ClassicalRegister(1, "sys")
    circuit = QuantumCircuit(system, ancilla, probe_bit, system_bit, name=f"dpd_{basis}")
    circuit.ry(settings.theta1_rad, system[0])
    phi = settings.probe_angle_rad
    if probed:
        circuit.cry(phi, system[0], ancilla[0])
    circuit.measure(ancilla[0], probe_bit[0])
    if probed and settings.feedback and settings.feedback_gain > 0:
        with circuit.if_test((probe_bit[0], 1)):
            circuit.ry(-settings.feedback_gain * phi / 2, system[0])
    circuit.ry(settings.theta2_rad, system[0])
    if basis == "x":
        circuit.h(system[0])
    elif basis == "y":
        circuit.sdg(system[0])
        circuit.h(system[0])
    circuit.measure(system[0], system_bit[0])
    return circuit


@dataclass(frozen=True)
class StateTomography:
    """A reconstructed single-qubit state and the basis counts it came from."""

    rho: np.ndarray
    counts: BasisCounts
    bloch: BlochEstimate


def system_tomography(outcome: BatchOutcome) -> StateTomography:
    """ρ of the system qubit from the X, Y, Z circuits of a `dpd_batch`."""
    x, y, z = (marginal(c, SYSTEM_BIT) for c in outcome.result.counts)
    bloch = bloch_vector(x, y, z)
    return StateTomography(density_matrix(bloch), (x, y, z), bloch)


def probe_system_joint(outcome: BatchOutcome) -> dict[tuple[int, int], int]:
    """Joint counts of (probe outcome, system Z outcome) from the Z-basis circuit."""
    z_counts = outcome.result.counts[BASES.index("z")]
    joint: dict[tuple[int, int], int] = {}
    for key, n in z_counts.items():
        bits = key.replace(" ", "")
        pair = (int(bits[-1 - PROBE_BIT]), int(bits[-1 - SYSTEM_BIT]))
        joint[pair] = joint.get(pair, 0) + n
    return joint


def ideal_state(settings: ProbeSettings) -> np.ndarray:
    """ρ of RY(θ₂)·RY(θ₁)|0⟩: the no-probe state of a perfect device."""
    angle = settings.theta1_rad + settings.theta2_rad
    return density_matrix((sin(angle), 0.0, cos(angle)))


def state_at_probe(rho: np.ndarray, settings: ProbeSettings) -> np.ndarray:
    """Undo drive 2 (RY(θ₂)) on a reconstructed final state: the state the probe acted on.

    The trace distance is the same before and after a unitary, |ρ₀₁| is not: the theory curve
    needs the coherence of the state at the probe.
    """
    half = settings.theta2_rad / 2
    undo = np.array([[cos(half), sin(half)], [-sin(half), cos(half)]])
    return np.asarray(undo @ rho @ undo.conj().T)


def theory_backaction(coherence_01: float, strength: float) -> float:
    """|ρ₀₁|·(1 − √(1 − ε²)): the trace distance a feedback-free probe of strength ε causes."""
    return coherence_01 * (1 - sqrt(max(0.0, 1 - strength**2)))
