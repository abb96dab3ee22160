"""Single-qubit standard randomized benchmarking: random Clifford sequences plus the inverse."""

from collections.abc import Sequence

import numpy as np
from qiskit import QuantumCircuit

from synqc_backend.analysis.decay_models import fit_rb
from synqc_backend.analysis.fitting import FitResult
from synqc_backend.execution import CircuitBatch
from synqc_backend.measurements.clifford_group import clifford_group
from synqc_backend.measurements.sweep_data import Stages, probability_curve

# Lengths run geometrically from one Clifford to `SPAN` decay lengths 1/(1 − p) = 1/(2·EPC) of
# the expected error: the decay is resolved even when the true EPC is several times the
# reference (a miscalibrated drive), at a modest cost in precision when it is not.
LENGTH_COUNT = 12
SPAN = 6.0
MAX_LENGTH = 20_000


def rb_lengths(epc_guess: float) -> tuple[int, ...]:
    """Sequence lengths for an expected error per Clifford, starting at one Clifford."""
    longest = min(MAX_LENGTH, max(50.0, SPAN / (2 * max(epc_guess, 1e-5))))
    return tuple(sorted({round(float(m)) for m in np.geomspace(1, longest, LENGTH_COUNT)}))


def rb_batch(
    lengths: Sequence[int],
    samples: int,
    shots: int,
    seed: int | None,
    qubit: int,
    label: str = "rb",
    stage: int = 1,
) -> CircuitBatch:
    """`samples` random sequences per length; x value = the sequence length m.

    - Each `stage` of a run draws its own sequences (the seed and the stage seed the draw).
    """
    rng = np.random.default_rng(seed if seed is None or stage == 1 else (seed, stage))
    circuits, x_values = [], []
    for length in lengths:
        for _ in range(samples):
            circuits.append(rb_circuit(rng.integers(0, 24, size=length)))
            x_values.append(float(length))
    return CircuitBatch(label, tuple(circuits), shots, tuple(x_values), (qubit,))


def rb_circuit(elements: Sequence[int] | np.ndarray) -> QuantumCircuit:
    """The given Cliffords, then the one Clifford that inverts their product, then measure."""
    group = clifford_group()
    circuit = QuantumCircuit(1, 1, name=f"rb_m{len(elements)}")
    qubit = circuit.qubits[0]
    product_index = 0
    for element in (*[int(e) for e in elements], -1):
        if element == -1:
            element = int(group.inverse[product_index])
        product_index = int(group.multiply[product_index, element])
        for gate in group.gates[element]:
            # Appending shared gate objects without copies keeps long sequences cheap to build.
            circuit._append(gate, (qubit,), ())
    circuit.measure(0, 0)
    return circuit


def survival_curve(outcomes: Stages) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(length m, mean P(0) over the sequences of that length, its standard error).

    The error combines the spread between random sequences with the binomial error of each,
    so coherent errors (which make sequences differ) widen the bars honestly.
    """
    x, p0, binomial = probability_curve(outcomes, outcome_bit="0")
    lengths = np.unique(x)
    means, errors = [], []
    for length in lengths:
        chosen = x == length
        samples = p0[chosen]
        spread = samples.std(ddof=1) if samples.size > 1 else 0.0
        floor = np.sqrt(np.mean(binomial[chosen] ** 2))
        means.append(samples.mean())
        errors.append(max(spread, floor) / np.sqrt(samples.size))
    return lengths, np.array(means), np.array(errors)


def analyse_rb(outcomes: Stages) -> FitResult:
    """Fit A·p^m + B to every stage's sequences; error per Clifford EPC = (1 − p)/2."""
    return fit_rb(*survival_curve(outcomes))
