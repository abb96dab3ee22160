"""Single-qubit state tomography from X, Y, Z basis counts, and distances between states.

Basis convention: each counts dict comes from rotating that basis's +1 eigenstate onto |0⟩
before measuring (X: H; Y: S†·H), so its component is P(0) − P(1).
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from synqc_backend.analysis.probability import binomial_estimate

type Counts = Mapping[str, int]
type BasisCounts = tuple[Counts, Counts, Counts]

_PAULIS = np.array([[[0, 1], [1, 0]], [[0, -1j], [1j, 0]], [[1, 0], [0, -1]]], dtype=complex)


@dataclass(frozen=True)
class BlochEstimate:
    """Bloch vector (x, y, z), each in [−1, 1], with binomial stderrs and the shots per basis."""

    vector: tuple[float, float, float]
    stderr: tuple[float, float, float]
    shots: tuple[int, int, int]


def marginal(counts: Counts, bit_index: int) -> dict[str, int]:
    """Counts of one classical bit ("0"/"1"), summed over the others.

    - Qiskit little-endian: bit 0 is the rightmost character; spaces between registers are
      ignored.
    """
    result = {"0": 0, "1": 0}
    for bits, n in counts.items():
        compact = bits.replace(" ", "")
        if not 0 <= bit_index < len(compact):
            raise ValueError(f"bitstring {bits!r} has no bit {bit_index}")
        result[compact[-1 - bit_index]] += n
    return result


def bloch_vector(x_counts: Counts, y_counts: Counts, z_counts: Counts) -> BlochEstimate:
    """r_k = P(0) − P(1) in basis k, stderr 2·binomial stderr of P(0) (never zero).

    - Keys must be "0" and "1"; select one bit of wider bitstrings with `marginal`.
    """
    estimates = [_component(counts) for counts in (x_counts, y_counts, z_counts)]
    (x, dx, nx), (y, dy, ny), (z, dz, nz) = estimates
    return BlochEstimate(vector=(x, y, z), stderr=(dx, dy, dz), shots=(nx, ny, nz))


def density_matrix(bloch: BlochEstimate | Sequence[float] | np.ndarray) -> np.ndarray:
    """ρ = (I + r·σ)/2 as a 2×2 complex array, with r scaled onto the Bloch ball if |r| > 1.

    - The radial scaling is the closest physical state in the Bloch-ball (Hilbert–Schmidt)
      sense, a maximum-likelihood-like projection that keeps ρ positive semidefinite.
    """
    vector = np.asarray(bloch.vector if isinstance(bloch, BlochEstimate) else bloch, dtype=float)
    if vector.shape != (3,):
        raise ValueError("a Bloch vector has three components")
    matrix: np.ndarray = _density_matrices(vector[None, :])[0]
    return matrix


def trace_distance(rho: np.ndarray, sigma: np.ndarray) -> float:
    """½‖ρ − σ‖₁, from the eigenvalues of the Hermitian difference; in [0, 1]."""
    return float(_trace_distances(np.asarray(rho)[None], np.asarray(sigma)[None])[0])


def state_fidelity(rho: np.ndarray, sigma: np.ndarray) -> float:
    """Uhlmann fidelity (tr √(√ρ σ √ρ))², clipped to [0, 1]."""
    return float(_fidelities(np.asarray(rho)[None], np.asarray(sigma))[0])


def coherence(rho: np.ndarray) -> float:
    """|ρ₀₁|, the magnitude of the off-diagonal element."""
    return float(abs(np.asarray(rho)[0, 1]))


def bootstrap_trace_distance(
    counts_a: BasisCounts,
    counts_b: BasisCounts,
    *,
    resamples: int = 2000,
    seed: int | None = None,
) -> tuple[float, tuple[float, float]]:
    """(stderr, ci95) of the trace distance between two tomographed states.

    - Each basis's counts are resampled multinomially and both states reconstructed again;
      ci95 is the 2.5 / 97.5 % percentile interval.
    """
    rng = np.random.default_rng(seed)
    states_a = _density_matrices(_resampled_vectors(counts_a, resamples, rng))
    states_b = _density_matrices(_resampled_vectors(counts_b, resamples, rng))
    return _spread(_trace_distances(states_a, states_b))


def bootstrap_state_fidelity(
    counts: BasisCounts,
    ideal: np.ndarray,
    *,
    resamples: int = 2000,
    seed: int | None = None,
) -> tuple[float, tuple[float, float]]:
    """(stderr, ci95) of the fidelity between a tomographed state and a fixed `ideal` ρ."""
    rng = np.random.default_rng(seed)
    states = _density_matrices(_resampled_vectors(counts, resamples, rng))
    return _spread(_fidelities(states, np.asarray(ideal, dtype=complex)))


def _component(counts: Counts) -> tuple[float, float, int]:
    if set(counts) - {"0", "1"}:
        raise ValueError("counts keys must be '0' or '1'; select a bit with marginal()")
    shots = sum(counts.values())
    if shots <= 0:
        raise ValueError("no shots in counts")
    estimate = binomial_estimate(counts.get("0", 0), shots)
    return 2 * estimate.value - 1, 2 * estimate.stderr, shots


def _resampled_vectors(counts: BasisCounts, resamples: int, rng: np.random.Generator) -> np.ndarray:
    """Bloch vectors (resamples × 3) from binomially resampled counts in each basis."""
    columns = []
    for basis in counts:
        _, _, shots = _component(basis)
        zeros = rng.binomial(shots, basis.get("0", 0) / shots, size=resamples)
        columns.append(2 * zeros / shots - 1)
    return np.stack(columns, axis=-1)


def _density_matrices(vectors: np.ndarray) -> np.ndarray:
    """Stack of projected ρ (n × 2 × 2) from Bloch vectors (n × 3)."""
    length = np.linalg.norm(vectors, axis=-1, keepdims=True)
    physical = vectors / np.maximum(length, 1.0)
    matrices: np.ndarray = 0.5 * (np.eye(2) + np.einsum("nk,kij->nij", physical, _PAULIS))
    return matrices


def _trace_distances(rho: np.ndarray, sigma: np.ndarray) -> np.ndarray:
    difference = rho - sigma
    hermitian = 0.5 * (difference + np.conj(np.swapaxes(difference, -1, -2)))
    return 0.5 * np.abs(np.linalg.eigvalsh(hermitian)).sum(axis=-1)


def _fidelities(rho: np.ndarray, sigma: np.ndarray) -> np.ndarray:
    """Uhlmann fidelity of each ρ in a stack with σ (one matrix or a matching stack).

    Why not scipy.linalg.sqrtm: it warns and loses accuracy on the singular (pure) states this
    is mostly used for; for Hermitian PSD matrices an eigendecomposition is exact.
    """
    root = _psd_sqrt(rho)
    product = root @ sigma @ root
    eigenvalues = np.linalg.eigvalsh(0.5 * (product + np.conj(np.swapaxes(product, -1, -2))))
    values = np.sqrt(np.clip(eigenvalues, 0.0, None)).sum(axis=-1) ** 2
    clipped: np.ndarray = np.clip(values, 0.0, 1.0)
    return clipped


def _psd_sqrt(matrices: np.ndarray) -> np.ndarray:
    hermitian = 0.5 * (matrices + np.conj(np.swapaxes(matrices, -1, -2)))
    eigenvalues, vectors = np.linalg.eigh(hermitian)
    roots = np.sqrt(np.clip(eigenvalues, 0.0, None))
    return (vectors * roots[..., None, :]) @ np.conj(np.swapaxes(vectors, -1, -2))


def _spread(values: np.ndarray) -> tuple[float, tuple[float, float]]:
    if values.size < 2:
        raise ValueError("need at least two bootstrap resamples")
    low, high = np.percentile(values, [2.5, 97.5])
    return float(values.std(ddof=1)), (float(low), float(high))
