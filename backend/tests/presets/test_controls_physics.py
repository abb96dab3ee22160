"""Engineering controls act on the simulated device, and the KPIs show it."""

import pytest

from synqc_backend.models import ControlProfile
from synqc_backend.presets.health import Health
from synqc_backend.targets.device_profile import DEFAULT_TRANSMON
from synqc_backend.targets.local_sim import LocalSimulator
from tests.presets.preset_runner import measured, run_preset

BUDGET = 40_000
# The residual population lowers the assignment fidelity by about 1 %: 3 standard errors of the
# difference stay below that from about 100,000 shots (7 % of them on readout) on.
READOUT_BUDGET = 100_000


@pytest.fixture(scope="module")
def target() -> LocalSimulator:
    return LocalSimulator(DEFAULT_TRANSMON)


@pytest.mark.slow
def test_drive_bias_over_rotation_raises_epc(target: LocalSimulator) -> None:
    calibrated = run_preset(Health(), target, shot_budget=BUDGET, seed=4)
    biased = run_preset(
        Health(), target, shot_budget=BUDGET, seed=4, controls=ControlProfile(drive_bias=1.1)
    )
    epc, epc_err = measured(calibrated, "epc")
    biased_epc, biased_err = measured(biased, "epc")
    # A 10 % over-rotation is a coherent error far above the incoherent gate error; random
    # sequences then differ a lot, which the wider error bar reports honestly.
    assert biased_epc > 5 * epc
    assert biased_epc - epc > 3 * (epc_err**2 + biased_err**2) ** 0.5
    assert biased.fidelity is not None
    assert calibrated.fidelity is not None
    assert biased.fidelity.value is not None
    assert calibrated.fidelity.value is not None
    assert biased.fidelity.value < calibrated.fidelity.value


@pytest.mark.slow
def test_thermal_guard_off_lowers_readout_assignment(target: LocalSimulator) -> None:
    guarded = run_preset(Health(), target, shot_budget=READOUT_BUDGET, seed=5)
    unguarded = run_preset(
        Health(),
        target,
        shot_budget=READOUT_BUDGET,
        seed=5,
        controls=ControlProfile(thermal_guard_enabled=False),
    )
    value, err = measured(guarded, "readout_assignment_fidelity")
    lowered, lowered_err = measured(unguarded, "readout_assignment_fidelity")
    # The 2 % residual excited population moves p(1|0) up by about 2 %.
    assert value - lowered > 3 * (err**2 + lowered_err**2) ** 0.5
    p10, _ = measured(unguarded, "readout_p1_given_0")
    expected = DEFAULT_TRANSMON.qubit(0).readout_p1_given_0 + 0.02
    assert p10 == pytest.approx(expected, abs=0.01)
