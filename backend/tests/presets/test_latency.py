"""`latency`: measured submit-to-result percentiles and the probe's scheduled duration."""

import pytest

from synqc_backend.definitions import E2E_LATENCY_P50, FEEDFORWARD_FIDELITY
from synqc_backend.presets.latency import Latency
from synqc_backend.targets.device_profile import DEFAULT_TRANSMON
from synqc_backend.targets.local_sim import LocalSimulator
from tests.presets.preset_runner import run_preset


@pytest.mark.slow
def test_latency_reports_measured_percentiles_and_scheduled_duration() -> None:
    outcome = run_preset(Latency(), LocalSimulator(DEFAULT_TRANSMON), shot_budget=2000, seed=2)
    values = {m.name: m.value for m in outcome.measurements}
    assert outcome.latency is not None
    assert outcome.latency.definition is E2E_LATENCY_P50
    p50_s = values["e2e_latency_p50_s"]
    assert outcome.latency.value == pytest.approx(p50_s * 1e6)
    assert 0 < p50_s <= values["e2e_latency_p95_s"] <= values["e2e_latency_max_s"]
    qubit = DEFAULT_TRANSMON.qubit(0)
    assert values["scheduled_circuit_duration_s"] == pytest.approx(
        2 * qubit.single_qubit_gate_duration_s + 2 * qubit.measurement_duration_s
    )
    assert outcome.fidelity is not None
    assert outcome.fidelity.definition is FEEDFORWARD_FIDELITY
    # Feed-forward works on the simulator; readout errors and the X gate's error remain.
    assert outcome.fidelity.value is not None
    assert 0.9 < outcome.fidelity.value < 1.0
