"""The submit rules as facts: the same targets, budgets and limits the guardrails enforce."""

from pathlib import Path

import pytest

from synqc_backend.config import Settings
from synqc_backend.errors import ApiError
from synqc_backend.models import ControlProfile, RunExperimentRequest
from synqc_backend.models import Preset as PresetName
from synqc_backend.presets.registry import PRESETS
from synqc_backend.runs import guardrails
from synqc_backend.runs.context import preset_context
from synqc_backend.runs.request_rules import server_rules
from synqc_backend.runs.services import targets_for
from tests.conftest import make_settings

# ibm_quantum in Qiskit Runtime's local testing mode: ready, remote, with its own qubit count.
ON_FAKE_IBM = {"qiskit_backend_ibm_quantum": "FakeManilaV2"}


def submit_refuses(settings: Settings, target_id: str) -> bool:
    try:
        guardrails.resolve_target(targets_for(settings), target_id, settings)
    except ApiError:
        return True
    return False


@pytest.mark.parametrize(
    "overrides",
    [
        pytest.param({}, id="defaults"),
        pytest.param(ON_FAKE_IBM, id="fake-ibm"),
        pytest.param({**ON_FAKE_IBM, "allow_remote_hardware": False}, id="remote-disabled"),
    ],
)
def test_the_targets_are_the_registry_ids_submit_accepts(
    tmp_path: Path, overrides: dict[str, object]
) -> None:
    settings = make_settings(tmp_path, **overrides)
    registry = targets_for(settings)

    rules = server_rules(settings)

    accepted = [rule.target_id for rule in rules.targets]
    assert accepted == [tid for tid in registry if not submit_refuses(settings, tid)]
    assert "sim_local" in accepted
    assert ("ibm_quantum" in accepted) == (overrides == ON_FAKE_IBM)
    for rule in rules.targets:
        assert rule.num_qubits == registry[rule.target_id].capabilities().num_qubits


def test_every_preset_has_its_registry_minimum_and_the_default_an_omitted_budget_gets(
    tmp_path: Path,
) -> None:
    settings = make_settings(tmp_path)

    rules = server_rules(settings)

    assert [rule.name for rule in rules.presets] == [name.value for name in PRESETS]
    for rule in rules.presets:
        preset = PRESETS[PresetName(rule.name)]
        assert rule.min_shot_budget == preset.min_shot_budget
        assert rule.default_shot_budget == max(
            settings.default_shot_budget, preset.default_shot_budget
        )


@pytest.mark.parametrize("name", list(PRESETS))
@pytest.mark.parametrize("max_shots", [200_000, 5_000])
def test_the_largest_budget_is_the_last_one_submit_admits(
    tmp_path: Path, name: PresetName, max_shots: int
) -> None:
    settings = make_settings(tmp_path, max_shots_per_experiment=max_shots, **ON_FAKE_IBM)
    rules = server_rules(settings)
    (rule,) = [rule for rule in rules.presets if rule.name == name]

    assert set(rule.max_shot_budget) == {target.target_id for target in rules.targets}
    for target_id, largest in rule.max_shot_budget.items():
        assert largest <= max_shots
        assert admitted(settings, name, target_id, largest)
        if largest < max_shots:
            assert not admitted(settings, name, target_id, largest + 1)


def test_a_one_circuit_preset_is_capped_at_the_targets_per_circuit_limit(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    capacity = targets_for(settings)["sim_local"].capabilities().max_shots

    rules = server_rules(settings)

    (hello,) = [rule for rule in rules.presets if rule.name == PresetName.HELLO_QUANTUM_SIM]
    assert capacity < settings.max_shots_per_experiment
    assert hello.max_shot_budget["sim_local"] == capacity


def test_a_preset_whose_minimum_is_above_the_per_run_maximum_cannot_run(tmp_path: Path) -> None:
    smallest_minimum = min(preset.min_shot_budget for preset in PRESETS.values())
    largest_minimum = max(preset.min_shot_budget for preset in PRESETS.values())
    settings = make_settings(tmp_path, max_shots_per_experiment=largest_minimum - 1)

    rules = server_rules(settings)

    assert largest_minimum > smallest_minimum
    for rule in rules.presets:
        can_run = rule.max_shot_budget["sim_local"] >= rule.min_shot_budget
        assert can_run == (rule.min_shot_budget < largest_minimum)


def admitted(settings: Settings, name: PresetName, target_id: str, shots: int) -> bool:
    """What submit decides of this budget: the per-run maximum, the preset's minimum and the
    per-circuit capacity of every target the run uses."""
    targets = targets_for(settings)
    preset = PRESETS[name]
    request = RunExperimentRequest(preset=name, hardware_target=target_id, shot_budget=shots)
    try:
        guardrails.check_shots(shots, preset, settings)
        context = preset_context(targets, request, ControlProfile(), shots)
        guardrails.check_capacity(preset, context, targets)
    except ApiError:
        return False
    return True
