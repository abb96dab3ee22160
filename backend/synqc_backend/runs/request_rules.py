"""The rules a run request meets at submit on this server, as facts the API schema states.

Derived from the registries, the settings and the guardrails that enforce them, so the schema
and the checks cannot drift apart:
- the targets a run may name are the ones `guardrails.resolve_target` accepts (known, allowed
  by the remote-hardware policy, configured, available);
- per preset: its minimum budget, the budget an omitted `shot_budget` stands for, and per
  target the largest budget that both the per-run maximum and `guardrails.check_capacity` (the
  largest circuit against the target's per-circuit `max_shots`) admit.
"""

from collections.abc import Mapping
from dataclasses import dataclass

from synqc_backend.config import Settings
from synqc_backend.errors import ApiError
from synqc_backend.models import ControlProfile, RunExperimentRequest
from synqc_backend.models import Preset as PresetName
from synqc_backend.presets.base import Preset
from synqc_backend.presets.registry import PRESETS
from synqc_backend.runs import guardrails
from synqc_backend.runs.context import preset_context
from synqc_backend.runs.services import targets_for
from synqc_backend.targets.base import Target


@dataclass(frozen=True)
class TargetRule:
    """A target a run may name, with the number of qubits its `qubits` may index."""

    target_id: str
    num_qubits: int


@dataclass(frozen=True)
class PresetRule:
    """One preset's shot budgets.

    - `default_shot_budget`: what an omitted or null `shot_budget` stands for.
    - `max_shot_budget`: by target id, the largest budget submit admits there; below
      `min_shot_budget` when the preset cannot run on that target at all.
    - `splits_per_qubit`: with `parallel: false` the budget is split between the qubits, each
      share at least `min_shot_budget` (`guardrails.check_qubit_shares`).
    """

    name: str
    min_shot_budget: int
    default_shot_budget: int
    max_shot_budget: Mapping[str, int]
    splits_per_qubit: bool = False


@dataclass(frozen=True)
class RunRequestRules:
    """Everything submit checks of a request that does not depend on the server's state."""

    targets: tuple[TargetRule, ...]
    presets: tuple[PresetRule, ...]
    max_shots_per_experiment: int


def server_rules(settings: Settings) -> RunRequestRules:
    """The rules of a server with these settings: its target registry, every preset."""
    return run_request_rules(settings, targets_for(settings), PRESETS)


def run_request_rules(
    settings: Settings, targets: dict[str, Target], presets: Mapping[PresetName, Preset]
) -> RunRequestRules:
    accepted = [target_id for target_id in targets if _accepts(targets, target_id, settings)]
    return RunRequestRules(
        targets=tuple(
            TargetRule(target_id, targets[target_id].capabilities().num_qubits)
            for target_id in accepted
        ),
        presets=tuple(
            PresetRule(
                name=name.value,
                min_shot_budget=preset.min_shot_budget,
                default_shot_budget=guardrails.shot_budget(
                    RunExperimentRequest(preset=name), preset, settings
                ),
                max_shot_budget={
                    target_id: _largest_budget(name, preset, target_id, targets, settings)
                    for target_id in accepted
                },
                splits_per_qubit=name in guardrails.SPLITTING_PRESETS,
            )
            for name, preset in presets.items()
        ),
        max_shots_per_experiment=settings.max_shots_per_experiment,
    )


def _accepts(targets: dict[str, Target], target_id: str, settings: Settings) -> bool:
    try:
        guardrails.resolve_target(targets, target_id, settings)
    except ApiError:
        return False
    return True


def _largest_budget(
    name: PresetName,
    preset: Preset,
    target_id: str,
    targets: dict[str, Target],
    settings: Settings,
) -> int:
    """The largest budget up to the per-run maximum whose largest circuit fits every target
    the run uses; a preset's circuits grow with its budget, so a bisection finds it."""

    def admitted(shots: int) -> bool:
        request = RunExperimentRequest(preset=name, hardware_target=target_id, shot_budget=shots)
        context = preset_context(targets, request, ControlProfile(), shots)
        try:
            guardrails.check_capacity(preset, context, targets)
        except ApiError:
            return False
        return True

    low, high = preset.min_shot_budget - 1, settings.max_shots_per_experiment
    if low >= high or admitted(high):
        return high
    # Invariant: `high` is refused; `low` is admitted or below the preset's minimum.
    while high - low > 1:
        middle = (low + high) // 2
        if admitted(middle):
            low = middle
        else:
            high = middle
    return low
