"""What a preset may know of the run it plans: qubits, budget, controls and the targets' facts."""

from synqc_backend.models import ControlProfile, RunExperimentRequest
from synqc_backend.presets.base import PresetContext
from synqc_backend.targets.base import Target
from synqc_backend.targets.registry import SIM_LOCAL


def preset_context(
    targets: dict[str, Target],
    request: RunExperimentRequest,
    controls: ControlProfile,
    shot_budget: int,
) -> PresetContext:
    """The context of `request` on these targets (compared targets: the run's and sim_local
    unless the request names them)."""
    compared = request.compare_targets or [request.hardware_target, SIM_LOCAL]
    return PresetContext(
        qubits=requested_qubits(
            request, targets[request.hardware_target].capabilities().num_qubits
        ),
        shot_budget=shot_budget,
        controls=controls,
        capabilities=targets[request.hardware_target].capabilities(),
        seed=request.seed,
        target_id=request.hardware_target,
        compare_capabilities={
            target_id: targets[target_id].capabilities() for target_id in dict.fromkeys(compared)
        },
        adaptive=request.adaptive,
        target_relative_stderr=request.target_relative_stderr,
        parallel=request.parallel,
    )


def requested_qubits(request: RunExperimentRequest, num_qubits: int) -> tuple[int, ...]:
    """The qubits the request names; "all" is every qubit of a target with `num_qubits`."""
    return tuple(range(num_qubits)) if request.qubits == "all" else tuple(request.qubits)
