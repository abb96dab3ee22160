"""Single-qubit standard randomized benchmarking: random Clifford sequences plus the inverse."""

from collections.abc import Callable, Sequence

import numpy as np
from qiskit import ClassicalRegister, QuantumCircuit

from synqc_backend.analysis.decay_models import fit_rb
from synqc_backend.analysis.fitting import FitQuality, FitResult
from synqc_backend.analysis.probability import binomial_estimates
from synqc_backend.execution import CircuitBatch
from synqc_backend.measurements.clifford_group import SEQUENCE_REGISTER, clifford_group
from synqc_backend.measurements.parallel import broadcast_block
from synqc_backend.measurements.sweep_data import Stages, merged_counts

# Lengths run geometrically from one Clifford to `SPAN` decay lengths 1/(1 − p) = 1/(2·EPC) of
# the expected error: the decay is resolved even when the true EPC is several times the
# reference (a miscalibrated drive), at a modest cost in precision when it is not.
LENGTH_COUNT = 12
SPAN = 6.0
MAX_LENGTH = 20_000
# The readout part's asymptote is used only when the free fit agrees with it to within this
# many combined stderrs: an over-rotated X gate or leakage would bias it.
OFFSET_AGREEMENT = 3.0


def rb_lengths(epc_guess: float) -> tuple[int, ...]:
    """Sequence lengths for an expected error per Clifford, starting at one Clifford."""
    longest = min(MAX_LENGTH, max(50.0, SPAN / (2 * max(epc_guess, 1e-5))))
    return tuple(sorted({round(float(m)) for m in np.geomspace(1, longest, LENGTH_COUNT)}))


def rb_batch(
    lengths: Sequence[int],
    samples: int,
    shots: int,
    seed: int | None,
    qubits: Sequence[int],
    label: str = "rb",
    stage: int = 1,
) -> CircuitBatch:
    """`samples` random sequences per length; x value = the sequence length m.

    - Each `stage` of a run draws its own sequences (the seed and the stage seed the draw).
    - Several `qubits` run the same sequence at once, each measured into its own bit
      (`parallel.broadcast_block`).
    """
    rng = np.random.default_rng(seed if seed is None or stage == 1 else (seed, stage))
    circuits, x_values = [], []
    for length in lengths:
        for _ in range(samples):
            elements = rng.integers(0, 24, size=length)
            if len(qubits) == 1:
                circuits.append(rb_circuit(elements))
            else:
                sequence = rb_sequence(elements)
                circuits.append(broadcast_block(sequence, len(qubits), sequence.name))
            x_values.append(float(length))
    return CircuitBatch(label, tuple(circuits), shots, tuple(x_values), tuple(qubits))


def rb_circuit(elements: Sequence[int] | np.ndarray) -> QuantumCircuit:
    """The given Cliffords, then the one Clifford that inverts their product, then measure."""
    circuit = rb_sequence(elements)
    circuit.add_register(ClassicalRegister(1, "c"))
    circuit.measure(0, 0)
    return circuit


def rb_sequence(elements: Sequence[int] | np.ndarray) -> QuantumCircuit:
    """The given Cliffords, then the one Clifford that inverts their product (no measurement),
    each Clifford one block instruction (`CliffordGroup.blocks`)."""
    group = clifford_group()
    circuit = QuantumCircuit(SEQUENCE_REGISTER, name=f"rb_m{len(elements)}")
    product_index = 0
    for element in (*[int(e) for e in elements], -1):
        if element == -1:
            element = int(group.inverse[product_index])
        product_index = int(group.multiply[product_index, element])
        # Appending the shared, placed block keeps long sequences cheap to build.
        circuit._append(group.placed[element])
    return circuit


def survival_curve(
    outcomes: Stages, model: Callable[[np.ndarray], np.ndarray] | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(length m, mean P(0) over the sequences of that length, its standard error).

    The error combines the spread between random sequences with the binomial error of each,
    so coherent errors (which make sequences differ) widen the bars honestly. The binomial
    part is p(1 − p)/n of the measured p, or of `model`'s P(0) at m when given.
    """
    x, hits, shots = merged_counts(outcomes, outcome_bit="0")
    p0 = hits / shots
    lengths = np.unique(x)
    expected = model(lengths) if model is not None else None
    means, errors = [], []
    for index, length in enumerate(lengths):
        chosen = x == length
        samples = p0[chosen]
        spread = samples.std(ddof=1) if samples.size > 1 else 0.0
        if expected is None:
            binomial = binomial_estimates(hits[chosen], shots[chosen])[1]
        else:
            p = np.clip(expected[index], 0.5 / (shots[chosen] + 1), 1 - 0.5 / (shots[chosen] + 1))
            binomial = np.sqrt(p * (1 - p) / shots[chosen])
        floor = np.sqrt(np.mean(binomial**2))
        means.append(samples.mean())
        errors.append(max(spread, floor) / np.sqrt(samples.size))
    return lengths, np.array(means), np.array(errors)


def analyse_rb(outcomes: Stages, offset_prior: tuple[float, float] | None = None) -> FitResult:
    """Fit A·p^m + B to every stage's sequences; error per Clifford EPC = (1 − p)/2.

    - `offset_prior`: B as the readout part measured it (`readout.mixed_state_p0`), fitted with
      its stderr, instead of leaving B free for the long sequences alone to pin down.
    - Refitted once with binomial errors from the first fit's curve: errors from the measured
      survival favour sequences that happened to survive more, which biases EPC low.
    """
    first = fit_rb(*survival_curve(outcomes), offset_prior=offset_prior)
    if first.quality is not FitQuality.GOOD:
        return first
    return fit_rb(*survival_curve(outcomes, first.curve), offset_prior=offset_prior)


def readout_offset(
    free: FitResult, offset_prior: tuple[float, float] | None
) -> tuple[float, float] | None:
    """The readout part's asymptote when the free fit agrees with it, else None.

    Why the check: the readout circuits prepare |1⟩ with an X gate, so a miscalibrated drive
    shows up in p(0|1) and hence in the asymptote they predict, although RB's asymptote is
    the mixed state's and does not see it.
    """
    if offset_prior is None or free.quality is not FitQuality.GOOD:
        return None
    value, error = offset_prior
    gap = abs(free.values["offset"] - value)
    return (
        offset_prior if gap <= OFFSET_AGREEMENT * np.hypot(free.stderr["offset"], error) else None
    )
