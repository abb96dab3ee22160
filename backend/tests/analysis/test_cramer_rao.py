"""The Cramér–Rao bound of a design: closed forms where they exist, and what identifies what."""

from math import exp, sqrt

import numpy as np
import pytest

from synqc_backend.analysis.cramer_rao import crb_stderr, fisher_information
from synqc_backend.analysis.decay_models import EXP_DECAY
from synqc_backend.analysis.fitting import FitModel

CONSTANT = FitModel("constant", "c", ("c",), lambda x, c: np.full_like(x, c))
DECAY = {"amplitude": 0.9, "tau": 50e-6, "offset": 0.05}


@pytest.mark.parametrize(("p", "shots"), [(0.5, 100), (0.1, 1_000), (0.97, 4_000)])
def test_a_constant_probability_has_the_binomial_bound(p: float, shots: int) -> None:
    bound = crb_stderr(CONSTANT, np.zeros(4), np.full(4, shots), {"c": p})

    assert bound["c"] == pytest.approx(sqrt(p * (1 - p) / (4 * shots)), rel=1e-6)


def test_the_bound_on_tau_with_only_tau_unknown_is_the_closed_form() -> None:
    # One free parameter: 1/I = p(1 − p) / (n (∂P/∂τ)²) with ∂P/∂τ = A·t/τ²·exp(−t/τ).
    tau, t, n = DECAY["tau"], 60e-6, 500
    only_tau = FitModel(
        "tau_only", "A exp(-t/tau) + B", ("tau",), lambda x, tau: 0.9 * np.exp(-x / tau) + 0.05
    )
    p = 0.9 * exp(-t / tau) + 0.05
    slope = 0.9 * t / tau**2 * exp(-t / tau)

    bound = crb_stderr(only_tau, np.array([t]), np.array([n]), {"tau": tau})

    assert bound["tau"] == pytest.approx(sqrt(p * (1 - p) / n) / slope, rel=1e-5)


def test_the_bound_shrinks_as_one_over_root_shots() -> None:
    x = np.linspace(0, 200e-6, 12)
    few = crb_stderr(EXP_DECAY, x, np.full(12, 100), DECAY)["tau"]
    many = crb_stderr(EXP_DECAY, x, np.full(12, 400), DECAY)["tau"]

    assert many == pytest.approx(few / 2, rel=1e-9)


def test_a_design_that_cannot_separate_the_parameters_has_no_bound() -> None:
    # Every point at one delay: amplitude, tau and offset cannot be told apart.
    bound = crb_stderr(EXP_DECAY, np.full(6, 40e-6), np.full(6, 100), DECAY)

    assert all(np.isnan(v) for v in bound.values())


def test_the_information_is_symmetric_and_positive_semidefinite() -> None:
    information = fisher_information(EXP_DECAY, np.linspace(0, 300e-6, 9), np.full(9, 200), DECAY)

    assert np.allclose(information, information.T)
    assert np.linalg.eigvalsh(information).min() > -1e-9 * np.abs(information).max()


def test_a_prior_adds_its_inverse_variance_to_the_information() -> None:
    values = {"amplitude": 0.9, "tau": 1.0, "offset": 0.05}
    x, shots = np.array([0.0, 0.5, 1.0, 2.0, 6.0]), np.full(5, 100.0)
    free = fisher_information(EXP_DECAY, x, shots, values)
    known = fisher_information(EXP_DECAY, x, shots, values, {"offset": 0.01})

    assert known - free == pytest.approx(np.diag([0.0, 0.0, 1e4]))
    assert (
        crb_stderr(EXP_DECAY, x, shots, values, {"offset": 0.01})["tau"]
        < crb_stderr(EXP_DECAY, x, shots, values)["tau"]
    )
