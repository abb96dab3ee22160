"""Readout assignment: the asymptote of an RB decay that the readout circuits measure."""

from math import sqrt

import pytest

from synqc_backend.analysis.probability import ProbabilityEstimate
from synqc_backend.measurements.readout import ReadoutEstimate, mixed_state_p0


def test_the_mixed_state_reads_zero_with_the_average_of_the_assignment_columns() -> None:
    estimate = ReadoutEstimate(
        p1_given_0=ProbabilityEstimate(0.02, 0.003),
        p0_given_1=ProbabilityEstimate(0.06, 0.004),
        assignment_fidelity=0.96,
        assignment_stderr=0.0025,
    )

    value, stderr = mixed_state_p0(estimate)

    assert value == pytest.approx((1 - 0.02 + 0.06) / 2)
    assert stderr == pytest.approx(sqrt(0.003**2 + 0.004**2) / 2)
