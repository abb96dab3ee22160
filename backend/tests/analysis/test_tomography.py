"""Single-qubit tomography: Bloch vectors from counts, projection, distances and bootstraps."""

from math import sqrt

import numpy as np
import pytest

from synqc_backend.analysis.tomography import (
    BasisCounts,
    bloch_vector,
    bootstrap_state_fidelity,
    bootstrap_trace_distance,
    coherence,
    density_matrix,
    marginal,
    state_fidelity,
    trace_distance,
)

HALF = {"0": 500, "1": 500}
ZERO = np.array([[1, 0], [0, 0]], dtype=complex)
ONE = np.array([[0, 0], [0, 1]], dtype=complex)
PLUS = 0.5 * np.array([[1, 1], [1, 1]], dtype=complex)
PLUS_I = 0.5 * np.array([[1, -1j], [1j, 1]], dtype=complex)
MIXED = 0.5 * np.eye(2, dtype=complex)


@pytest.mark.parametrize(
    ("counts", "bit_index", "expected"),
    [
        pytest.param({"01": 10, "11": 5, "00": 3}, 0, {"0": 3, "1": 15}, id="bit-0-rightmost"),
        pytest.param({"01": 10, "11": 5, "00": 3}, 1, {"0": 13, "1": 5}, id="bit-1"),
        pytest.param({"1 0": 4, "0 1": 6}, 1, {"0": 6, "1": 4}, id="register-spaces"),
        pytest.param({"0": 7}, 0, {"0": 7, "1": 0}, id="missing-outcome"),
    ],
)
def test_marginal_sums_over_the_other_bits(
    counts: dict[str, int], bit_index: int, expected: dict[str, int]
) -> None:
    assert marginal(counts, bit_index) == expected


def test_marginal_of_a_missing_bit_raises() -> None:
    with pytest.raises(ValueError, match="no bit 2"):
        marginal({"01": 3}, 2)


@pytest.mark.parametrize(
    ("counts", "vector", "state"),
    [
        pytest.param((HALF, HALF, {"0": 1000}), (0, 0, 1), ZERO, id="zero"),
        pytest.param((HALF, HALF, {"1": 1000}), (0, 0, -1), ONE, id="one"),
        pytest.param(({"0": 1000}, HALF, HALF), (1, 0, 0), PLUS, id="plus"),
        pytest.param((HALF, {"0": 1000}, HALF), (0, 1, 0), PLUS_I, id="plus-i"),
        pytest.param((HALF, HALF, HALF), (0, 0, 0), MIXED, id="mixed"),
        pytest.param(
            (HALF, HALF, {"0": 750, "1": 250}),
            (0, 0, 0.5),
            np.diag([0.75, 0.25]).astype(complex),
            id="partly-mixed",
        ),
    ],
)
def test_tomography_of_known_states(
    counts: BasisCounts, vector: tuple[float, float, float], state: np.ndarray
) -> None:
    bloch = bloch_vector(*counts)

    assert bloch.vector == pytest.approx(vector, abs=1e-12)
    assert bloch.shots == (1000, 1000, 1000)
    np.testing.assert_allclose(density_matrix(bloch), state, atol=1e-12)


def test_bloch_stderr_is_twice_the_binomial_stderr_and_never_zero() -> None:
    bloch = bloch_vector({"0": 1000}, HALF, {"0": 750, "1": 250})

    # p̃ = (k + ½)/(n + 1); σ_r = 2·√(p̃(1 − p̃)/n)
    tilde = 1000.5 / 1001
    assert bloch.stderr[0] == pytest.approx(2 * sqrt(tilde * (1 - tilde) / 1000))
    assert bloch.stderr[0] > 0
    assert bloch.stderr[1] == pytest.approx(2 * sqrt(0.25 / 1000), rel=1e-6)
    assert bloch.stderr[2] == pytest.approx(2 * sqrt(0.75 * 0.25 / 1000), rel=1e-3)


@pytest.mark.parametrize(
    "counts",
    [
        pytest.param(({"00": 5}, HALF, HALF), id="two-bit-keys"),
        pytest.param(({}, HALF, HALF), id="no-shots"),
    ],
)
def test_counts_that_are_not_one_qubit_outcomes_raise(counts: BasisCounts) -> None:
    with pytest.raises(ValueError, match=r"marginal|no shots"):
        bloch_vector(*counts)


@pytest.mark.parametrize(
    "vector",
    [(1.0, 0.0, 1.0), (0.9, 0.9, 0.9), (0.0, -1.2, 0.0), (-1.0, 1.0, -1.0)],
)
def test_vectors_outside_the_ball_are_scaled_onto_a_pure_state(
    vector: tuple[float, float, float],
) -> None:
    rho = density_matrix(vector)
    unit = np.array(vector) / np.linalg.norm(vector)

    np.testing.assert_allclose(rho, rho.conj().T, atol=1e-15)
    np.testing.assert_allclose(np.linalg.eigvalsh(rho), [0.0, 1.0], atol=1e-12)
    np.testing.assert_allclose(rho, density_matrix(tuple(unit)), atol=1e-12)


def test_vectors_inside_the_ball_are_kept() -> None:
    rho = density_matrix((0.3, -0.4, 0.5))

    assert rho[0, 0].real == pytest.approx(0.75)
    assert rho[0, 1] == pytest.approx(0.5 * (0.3 + 0.4j))
    assert np.trace(rho).real == pytest.approx(1.0)


def test_density_matrix_needs_three_components() -> None:
    with pytest.raises(ValueError, match="three components"):
        density_matrix((0.1, 0.2))


@pytest.mark.parametrize(
    ("rho", "sigma", "distance", "fidelity"),
    [
        pytest.param(ZERO, PLUS, 1 / sqrt(2), 0.5, id="zero-plus"),
        pytest.param(ZERO, ONE, 1.0, 0.0, id="orthogonal"),
        pytest.param(PLUS, PLUS, 0.0, 1.0, id="same"),
        pytest.param(PLUS, PLUS_I, 1 / sqrt(2), 0.5, id="plus-plus-i"),
        pytest.param(MIXED, ZERO, 0.5, 0.5, id="mixed-pure"),
        # r = ±0.6 ẑ: eigenvalues (0.8, 0.2) and (0.2, 0.8) → F = (2·√0.16)²
        pytest.param(
            np.diag([0.8, 0.2]).astype(complex),
            np.diag([0.2, 0.8]).astype(complex),
            0.6,
            0.64,
            id="two-mixed",
        ),
    ],
)
def test_distance_and_fidelity_golden_values(
    rho: np.ndarray, sigma: np.ndarray, distance: float, fidelity: float
) -> None:
    assert trace_distance(rho, sigma) == pytest.approx(distance, abs=1e-12)
    assert trace_distance(sigma, rho) == pytest.approx(distance, abs=1e-12)
    assert state_fidelity(rho, sigma) == pytest.approx(fidelity, abs=1e-12)
    assert state_fidelity(sigma, rho) == pytest.approx(fidelity, abs=1e-12)


def test_fidelity_of_general_mixed_states_matches_the_qubit_formula() -> None:
    r, s = np.array([0.3, -0.2, 0.5]), np.array([-0.1, 0.6, 0.2])
    # For qubits F = (1 + r·s + √((1 − |r|²)(1 − |s|²)))/2.
    expected = (1 + r @ s + sqrt((1 - r @ r) * (1 - s @ s))) / 2

    assert state_fidelity(density_matrix(r), density_matrix(s)) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("vector", "expected"),
    [
        pytest.param((1.0, 0.0, 0.0), 0.5, id="plus"),
        pytest.param((0.0, 0.0, 1.0), 0.0, id="zero"),
        pytest.param((0.3, 0.4, 0.0), 0.25, id="partial"),
    ],
)
def test_coherence_is_the_off_diagonal_magnitude(
    vector: tuple[float, float, float], expected: float
) -> None:
    assert coherence(density_matrix(vector)) == pytest.approx(expected)


STATE_A: BasisCounts = ({"0": 650, "1": 350}, {"0": 600, "1": 400}, {"0": 800, "1": 200})
STATE_B: BasisCounts = ({"0": 800, "1": 200}, {"0": 450, "1": 550}, {"0": 600, "1": 400})


def _state(counts: BasisCounts) -> np.ndarray:
    return density_matrix(bloch_vector(*counts))


def test_bootstrap_trace_distance_is_reproducible_and_brackets_the_estimate() -> None:
    first = bootstrap_trace_distance(STATE_A, STATE_B, seed=1)
    again = bootstrap_trace_distance(STATE_A, STATE_B, seed=1)
    other = bootstrap_trace_distance(STATE_A, STATE_B, seed=2)
    stderr, (low, high) = first

    assert first == again
    assert other != first
    assert low < trace_distance(_state(STATE_A), _state(STATE_B)) < high
    # Delta method: ½·√(Σ (Δr_k/|Δr|)² (σ²_a,k + σ²_b,k)) ≈ 0.0205 for these counts.
    assert stderr == pytest.approx(0.0205, rel=0.15)


def test_bootstrap_fidelity_against_an_ideal_state() -> None:
    ideal = density_matrix((0.3, 0.2, 0.6))  # what STATE_A's counts estimate

    stderr, (low, high) = bootstrap_state_fidelity(STATE_A, ideal, seed=3)

    assert state_fidelity(_state(STATE_A), ideal) == pytest.approx(1.0)
    assert 0.0 < stderr < 0.01
    assert 0.99 < low < high <= 1.0


def test_bootstrap_ci95_covers_the_true_trace_distance_about_95_percent_of_the_time() -> None:
    r_a, r_b = np.array([0.3, 0.2, 0.6]), np.array([0.6, -0.1, 0.2])
    truth = 0.5 * float(np.linalg.norm(r_a - r_b))
    rng = np.random.default_rng(2025)
    trials = 100

    def sample(r: np.ndarray) -> BasisCounts:
        zeros = rng.binomial(1000, (1 + r) / 2)
        x, y, z = ({"0": int(n), "1": 1000 - int(n)} for n in zeros)
        return x, y, z

    covered = 0
    for trial in range(trials):
        _, (low, high) = bootstrap_trace_distance(sample(r_a), sample(r_b), seed=trial)
        covered += low <= truth <= high

    assert 0.88 * trials <= covered <= trials


def test_bootstrap_needs_two_resamples() -> None:
    with pytest.raises(ValueError, match="two bootstrap resamples"):
        bootstrap_trace_distance(STATE_A, STATE_B, resamples=1, seed=0)
