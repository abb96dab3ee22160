"""A qubit's status and score from its latest values (`health_status_v1`, `qubit_score_v1`)."""

import pytest

from synqc_backend.execution import QubitReference
from synqc_backend.models import KpiStatus, QubitValue
from synqc_backend.runs.qubit_states import qubit_status, score

REFERENCE = QubitReference(t1_s=100e-6, t2_s=80e-6)


def latest(quality: str = "good", **values: float) -> dict[str, QubitValue]:
    found = {"t1_s": 100e-6, "t2_echo_s": 80e-6, "epc": 4e-4, "readout_assignment_fidelity": 0.98}
    found |= values
    return {
        name: QubitValue(
            value=value, stderr=value / 20, quality=quality, measured_at=1.0, run_id="r"
        )
        for name, value in found.items()
    }


def test_a_healthy_qubit_is_ok_and_scored() -> None:
    values = latest()

    assert qubit_status(values, REFERENCE) == (KpiStatus.OK, [])
    assert score(values) == pytest.approx(4e-4 + 0.02 + 1e-6 / 80e-6)


@pytest.mark.parametrize(
    ("values", "status", "reason"),
    [
        pytest.param(latest(t1_s=60e-6), KpiStatus.WARN, "T1 60.0 µs is over 30 %", id="t1-drop"),
        pytest.param(latest(epc=3e-3), KpiStatus.WARN, "EPC 3.00e-03 > 0.002", id="epc-warn"),
        pytest.param(latest(epc=2e-2), KpiStatus.FAIL, "EPC 2.00e-02 > 0.01", id="epc-fail"),
        pytest.param(
            latest(readout_assignment_fidelity=0.7), KpiStatus.FAIL, "readout", id="readout"
        ),
        pytest.param(latest(quality="bad"), KpiStatus.FAIL, "fit is bad", id="bad-fit"),
    ],
)
def test_what_makes_a_qubit_warn_or_fail(
    values: dict[str, QubitValue], status: KpiStatus, reason: str
) -> None:
    found, reasons = qubit_status(values, REFERENCE)

    assert found is status
    assert any(reason in r for r in reasons), reasons


def test_no_score_without_every_term_or_with_a_bad_fit() -> None:
    missing = latest()
    del missing["epc"]

    assert score(missing) is None
    assert score(latest(quality="bad")) is None
