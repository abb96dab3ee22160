"""Two-qubit parity ⟨Z⊗Z⟩ from counts, with its binomial standard error."""

from math import sqrt

import pytest

from synqc_backend.analysis.parity import zz_parity


@pytest.mark.parametrize(
    ("counts", "value", "stderr"),
    [
        pytest.param({"00": 50, "11": 50}, 1.0, 0.0, id="all-even"),
        pytest.param({"01": 30, "10": 70}, -1.0, 0.0, id="all-odd"),
        pytest.param({"00": 25, "01": 25, "10": 25, "11": 25}, 0.0, sqrt(1 / 100), id="uniform"),
        # even = 80 of 100: ⟨ZZ⟩ = 0.6, stderr = √((1 - 0.36) / 100) = 0.08
        pytest.param({"00": 30, "01": 10, "10": 10, "11": 50}, 0.6, 0.08, id="hand"),
        # even = 10 of 40: ⟨ZZ⟩ = -0.5, stderr = √(0.75 / 40)
        pytest.param({"00": 10, "01": 30}, -0.5, sqrt(0.75 / 40), id="missing-keys"),
    ],
)
def test_zz_parity_golden_values(counts: dict[str, int], value: float, stderr: float) -> None:
    estimate = zz_parity(counts)

    assert estimate.value == pytest.approx(value, abs=1e-12)
    assert estimate.stderr == pytest.approx(stderr, abs=1e-12)


@pytest.mark.parametrize(
    ("counts", "value"),
    [
        # Only the two lowest (rightmost) bits count: "100" is even, "101" and "010" are odd.
        pytest.param({"100": 3, "101": 1}, 0.5, id="high-bit-ignored"),
        pytest.param({"010": 4}, -1.0, id="low-pair-odd"),
    ],
)
def test_zz_parity_uses_the_two_lowest_bits(counts: dict[str, int], value: float) -> None:
    assert zz_parity(counts).value == pytest.approx(value)


def test_zz_parity_stderr_shrinks_as_one_over_root_shots() -> None:
    small = zz_parity({"00": 30, "01": 10, "10": 10, "11": 50})
    large = zz_parity({"00": 3000, "01": 1000, "10": 1000, "11": 5000})

    assert large.value == pytest.approx(small.value)
    assert large.stderr == pytest.approx(small.stderr / 10)


@pytest.mark.parametrize("counts", [{}, {"00": 0, "11": 0}], ids=["empty", "all-zero"])
def test_zz_parity_without_shots_raises(counts: dict[str, int]) -> None:
    with pytest.raises(ValueError, match="no shots"):
        zz_parity(counts)
