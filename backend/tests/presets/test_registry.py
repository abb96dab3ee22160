"""Every registered preset: its `circuit_shots` is the most shots a circuit of its plan asks
for, so the per-circuit capacity checked at submit is the one the run will need."""

import pytest

from synqc_backend.models import ControlProfile
from synqc_backend.models import Preset as PresetName
from synqc_backend.presets.base import PresetContext
from synqc_backend.presets.registry import PRESETS
from synqc_backend.targets.device_profile import DEFAULT_TRANSMON
from synqc_backend.targets.local_sim import LocalSimulator

SIM = LocalSimulator(DEFAULT_TRANSMON)


@pytest.mark.parametrize("name", list(PresetName))
@pytest.mark.parametrize("extra", [0, 1, 7_777, 290_000])
def test_circuit_shots_is_the_largest_circuit_of_the_plan(name: PresetName, extra: int) -> None:
    preset = PRESETS[name]
    context = PresetContext(
        qubits=(0,),
        shot_budget=preset.min_shot_budget + extra,
        controls=ControlProfile(),
        capabilities=SIM.capabilities(),
        seed=5,
        compare_capabilities={"sim_local": SIM.capabilities(), "other": SIM.capabilities()},
    )

    planned = max(batch.shots for batch in preset.plan(context))

    assert preset.circuit_shots(context) == planned
