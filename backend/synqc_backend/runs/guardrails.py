"""Submit-time checks of a run request: target, remote policy, shot limits, per-circuit
capacity, qubits."""

from synqc_backend.config import Settings
from synqc_backend.errors import ApiError, ErrorCode
from synqc_backend.models import Preset as PresetName
from synqc_backend.models import RunExperimentRequest, TargetKind, TargetStatus
from synqc_backend.presets.base import Preset, PresetContext
from synqc_backend.runs.context import requested_qubits
from synqc_backend.targets.base import Target


def resolve_preset(presets: dict[PresetName, Preset], name: PresetName) -> Preset:
    preset = presets.get(name)
    if preset is None:
        available = ", ".join(sorted(presets))
        raise ApiError(
            422,
            ErrorCode.INVALID_REQUEST,
            f"preset '{name}' is not available in this release",
            hint=f"choose one of: {available}",
            detail={"preset": name.value, "available": sorted(presets)},
        )
    return preset


def resolve_target(targets: dict[str, Target], target_id: str, settings: Settings) -> Target:
    """The ready target for `target_id`, or the contract's error saying why not."""
    target = targets.get(target_id)
    if target is None:
        raise ApiError(
            400,
            ErrorCode.INVALID_TARGET,
            f"unknown hardware target '{target_id}'",
            hint="GET /hardware/targets lists the valid ids",
            detail={"hardware_target": target_id, "valid": sorted(targets)},
        )
    if target.descriptor.kind is not TargetKind.SIM and not settings.allow_remote_hardware:
        raise ApiError(
            403,
            ErrorCode.REMOTE_DISABLED,
            f"remote hardware is disabled on this server ('{target_id}')",
            hint="use sim_local, or set SYNQC_ALLOW_REMOTE_HARDWARE=true",
            detail={"hardware_target": target_id},
        )
    readiness = target.readiness()
    if readiness.status is TargetStatus.UNCONFIGURED:
        raise ApiError(
            400,
            ErrorCode.PROVIDER_CREDENTIALS,
            f"target '{target_id}' is not configured: {readiness.detail}",
            hint="GET /hardware/targets shows what each target needs",
            detail={"hardware_target": target_id, "status": readiness.status.value},
        )
    if readiness.status is TargetStatus.UNAVAILABLE:
        raise ApiError(
            503,
            ErrorCode.PROVIDER_ERROR,
            f"target '{target_id}' is unavailable: {readiness.detail}",
            hint="try again later or choose another target",
            detail={"hardware_target": target_id, "status": readiness.status.value},
        )
    return target


def shot_budget(request: RunExperimentRequest, preset: Preset, settings: Settings) -> int:
    """The run's budget: as asked, else the larger of the server's and the preset's default."""
    if request.shot_budget is not None:
        return request.shot_budget
    return max(settings.default_shot_budget, preset.default_shot_budget)


def check_shots(shots: int, preset: Preset, settings: Settings) -> None:
    """The run's total against the per-run maximum (422, never clamped) and the preset's
    minimum (422)."""
    limit = settings.max_shots_per_experiment
    if shots > limit:
        raise ApiError(
            422,
            ErrorCode.INVALID_REQUEST,
            f"shot_budget {shots} is above the per-run maximum of {limit} "
            "(SYNQC_MAX_SHOTS_PER_EXPERIMENT)",
            hint=f"ask for at most {limit} shots",
            detail={"shot_budget": shots, "max_shots_per_experiment": limit},
        )
    if shots < preset.min_shot_budget:
        raise ApiError(
            422,
            ErrorCode.INVALID_REQUEST,
            f"preset '{preset.name}' needs a shot_budget of at least {preset.min_shot_budget}",
            hint=f"ask for at least {preset.min_shot_budget} shots",
            detail={"shot_budget": shots, "min_shot_budget": preset.min_shot_budget},
        )


def check_capacity(preset: Preset, context: PresetContext, targets: dict[str, Target]) -> None:
    """The most shots one circuit of the run asks for against the per-circuit `max_shots` of
    every target it runs on (400 `PROVIDER_CAPACITY`)."""
    circuit_shots = preset.circuit_shots(context)
    # Only backend_compare runs circuits on the compared targets too.
    compared = context.compare_capabilities if preset.name == PresetName.BACKEND_COMPARE else {}
    for target_id in dict.fromkeys([context.target_id, *compared]):
        capacity = targets[target_id].capabilities().max_shots
        if circuit_shots > capacity:
            raise ApiError(
                400,
                ErrorCode.PROVIDER_CAPACITY,
                f"a circuit of this run asks for {circuit_shots} shots, above the per-circuit "
                f"limit of '{target_id}' ({capacity})",
                hint="lower shot_budget, or choose a target that takes more shots per circuit",
                detail={
                    "circuit_shots": circuit_shots,
                    "max_shots": capacity,
                    "hardware_target": target_id,
                },
            )


def check_qubits(request: RunExperimentRequest, target: Target) -> None:
    available = target.capabilities().num_qubits
    if request.qubits == "all":
        return
    bad = [q for q in request.qubits if q < 0 or q >= available]
    if bad or len(set(request.qubits)) != len(request.qubits):
        raise ApiError(
            422,
            ErrorCode.INVALID_REQUEST,
            f"qubits {request.qubits} are not distinct qubits of '{target.descriptor.id}'",
            hint=f'choose distinct qubits between 0 and {available - 1}, or "all"',
            detail={"qubits": request.qubits, "num_qubits": available},
        )


# Presets whose budget `parallel: false` splits between the qubits.
SPLITTING_PRESETS = frozenset({PresetName.HEALTH})


def check_qubit_shares(
    request: RunExperimentRequest, preset: Preset, target: Target, shots: int
) -> None:
    """health with `parallel: false` splits the budget between its qubits: each share must
    still be the preset's minimum (422)."""
    if request.parallel or preset.name not in SPLITTING_PRESETS:
        return
    count = len(requested_qubits(request, target.capabilities().num_qubits))
    if shots // count < preset.min_shot_budget:
        needed = count * preset.min_shot_budget
        raise ApiError(
            422,
            ErrorCode.INVALID_REQUEST,
            f"{count} qubits one after another need a shot_budget of at least {needed} "
            f"({preset.min_shot_budget} each)",
            hint=f"ask for at least {needed} shots, fewer qubits, or parallel: true",
            detail={"shot_budget": shots, "qubits": count, "min_shot_budget": needed},
        )


def check_compare_targets(
    request: RunExperimentRequest, targets: dict[str, Target], settings: Settings
) -> None:
    for target_id in request.compare_targets or ():
        resolve_target(targets, target_id, settings)


def check_active_runs(active: int, settings: Settings) -> None:
    """A session may hold at most `max_active_runs_per_session` runs queued or running."""
    limit = settings.max_active_runs_per_session
    if active >= limit:
        raise ApiError(
            429,
            ErrorCode.RATE_LIMITED,
            f"this session already has {active} runs queued or running (the limit is {limit})",
            hint="wait for a run to finish or cancel one (POST /runs/{id}/cancel), then submit",
            detail={"active_runs": active, "max_active_runs_per_session": limit},
        )


def shot_warnings(shots: int, target: Target, settings: Settings) -> tuple[str, ...]:
    """The soft warning for a large budget on hardware: shots there cost money and queue time
    (`SYNQC_HARDWARE_SHOT_WARNING`); the run still goes ahead."""
    threshold = settings.hardware_shot_warning
    if target.descriptor.kind is TargetKind.SIM or shots <= threshold:
        return ()
    return (
        f"shot_budget {shots} is above {threshold} shots on '{target.descriptor.id}', a "
        "non-simulator target: shots there cost money and queue time; check the budget is "
        "intended (SYNQC_HARDWARE_SHOT_WARNING)",
    )
