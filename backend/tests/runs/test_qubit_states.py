"""A qubit's status, drift and score from its measurements (`qubit_drift_v1`, `qubit_score_v1`)."""

import numpy as np
import pytest

from synqc_backend.models import QubitValue
from synqc_backend.runs.qubit_drift import DRIFT_K, Point, drift_against
from synqc_backend.runs.qubit_states import qubit_status, score


def latest(
    quality: str = "good", drift_z: float | None = None, **values: float
) -> dict[str, QubitValue]:
    found = {"t1_s": 100e-6, "t2_echo_s": 80e-6, "epc": 4e-4, "readout_assignment_fidelity": 0.98}
    found |= values
    reported = {"t1_s": 100e-6, "t2_echo_s": 80e-6}
    return {
        name: QubitValue(
            value=value,
            stderr=value / 20,
            quality=quality,
            measured_at=1.0,
            run_id=f"run-{name}",
            reported=reported.get(name),
            drift_z=drift_z,
        )
        for name, value in found.items()
    }


def test_a_healthy_qubit_is_ok_and_scored() -> None:
    values = latest()

    assert qubit_status(values) == ("ok", [])
    assert score(values) == pytest.approx(4e-4 + 0.02 + 1e-6 / 80e-6)


@pytest.mark.parametrize(
    ("values", "reason", "run"),
    [
        pytest.param(latest(t1_s=60e-6), "T1 60.0 µs is over 30 %", "run-t1_s", id="t1-drop"),
        pytest.param(latest(epc=3e-3), "EPC 3.00e-03 > 0.002", "run-epc", id="epc"),
        pytest.param(
            latest(readout_assignment_fidelity=0.7),
            "readout",
            "run-readout_assignment_fidelity",
            id="readout",
        ),
        pytest.param(latest(quality="bad"), "fit is bad", "run-t1_s", id="bad-fit"),
    ],
)
def test_out_of_spec_is_degraded_naming_the_run(
    values: dict[str, QubitValue], reason: str, run: str
) -> None:
    status, reasons = qubit_status(values)

    assert status == "degraded"
    assert any(reason in r.text for r in reasons), reasons
    assert reasons[0].run_id == run


def test_a_value_far_from_its_baseline_but_in_spec_is_drifting() -> None:
    status, reasons = qubit_status(latest(drift_z=-(DRIFT_K + 1)))

    assert status == "drifting"
    assert "stderrs from its baseline" in reasons[0].text
    assert qubit_status(latest(drift_z=DRIFT_K - 1))[0] == "ok"


def test_no_score_without_every_term_or_with_a_bad_fit() -> None:
    missing = latest()
    del missing["epc"]

    assert score(missing) is None
    assert score(latest(quality="bad")) is None


def drift_scores(points: list[Point | None]) -> list[float | None]:
    """Each point against the ones before it, as each run is recorded."""
    return [drift_against(point, points[:index]) for index, point in enumerate(points)]


def test_drift_scores_are_standard_normal_without_drift_and_flag_a_step() -> None:
    rng = np.random.default_rng(7)
    steady: list[Point | None] = [
        Point(float(v), 2.0, True) for v in rng.normal(100.0, 2.0, size=400)
    ]

    z = np.array([s for s in drift_scores(steady) if s is not None])

    assert len(z) == 400 - 3
    # Honest bars: the scores spread like N(0, 1), so |z| > 4 (the drift line) is rare.
    assert 0.85 < np.std(z) < 1.15
    assert np.mean(np.abs(z) > DRIFT_K) < 0.005
    stepped = [*steady[:20], Point(100.0 - 20.0, 2.0, True)]
    last = drift_scores(stepped)[-1]
    assert last is not None
    assert last < -DRIFT_K


def test_run_to_run_scatter_beyond_the_error_bars_is_not_drift() -> None:
    """Values that scatter three times their error bars widen the baseline (Birge ratio)."""
    rng = np.random.default_rng(3)
    noisy: list[Point | None] = [
        Point(float(v), 1.0, True) for v in rng.normal(50.0, 3.0, size=300)
    ]

    z = np.array([s for s in drift_scores(noisy) if s is not None])

    assert np.mean(np.abs(z) > DRIFT_K) < 0.02


def test_no_score_before_three_good_values_and_none_for_a_bad_one() -> None:
    points: list[Point | None] = [
        Point(1.0, 0.1, True),
        Point(1.0, 0.1, False),
        None,
        Point(1.1, 0.1, True),
        Point(0.9, 0.1, True),
        Point(1.0, 0.1, False),
        Point(1.0, 0.1, True),
    ]

    scores = drift_scores(points)

    assert scores[:6] == [None] * 6
    assert scores[6] is not None
