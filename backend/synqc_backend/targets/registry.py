"""The target registry: every target id the API knows, built from settings."""

from collections.abc import Mapping

from synqc_backend.models import TargetKind
from synqc_backend.targets.base import Target, TargetDescriptor
from synqc_backend.targets.device_profile import DEFAULT_TRANSMON, DeviceProfile
from synqc_backend.targets.local_sim import LocalSimulator
from synqc_backend.targets.mapped import mapped_target
from synqc_backend.targets.providers import PendingProvider

SIM_LOCAL = "sim_local"


def _pending(
    target_id: str,
    name: str,
    kind: TargetKind,
    vendor: str,
    extra: str,
    variables: tuple[str, ...],
    basis_gates: tuple[str, ...],
) -> PendingProvider:
    descriptor = TargetDescriptor(target_id, name, kind, vendor, f"{vendor} through its SDK")
    return PendingProvider(descriptor, extra, variables, 100_000, basis_gates)


def build_targets(
    profile: DeviceProfile = DEFAULT_TRANSMON, backends: Mapping[str, str] | None = None
) -> dict[str, Target]:
    """All six targets of the contract by id, in the order `/hardware/targets` shows them.

    - `profile` is sim_local's device; `backends` maps a target id to a local Qiskit backend
      that executes in its place (`SYNQC_QISKIT_BACKEND_<TARGET_ID>`).
    """
    targets = _catalog(profile)
    for target_id, backend_name in (backends or {}).items():
        if target_id in targets:
            targets[target_id] = mapped_target(targets[target_id].descriptor, backend_name)
    return targets


def _catalog(profile: DeviceProfile) -> dict[str, Target]:
    return {
        SIM_LOCAL: LocalSimulator(profile),
        "aws_braket": _pending(
            "aws_braket",
            "AWS Braket",
            TargetKind.SUPERCONDUCTING,
            "Amazon Web Services",
            "braket",
            ("AWS_REGION", "AWS credentials", "SYNQC_BRAKET_DEVICE_ARN"),
            ("rx", "rz", "cz"),
        ),
        "ibm_quantum": _pending(
            "ibm_quantum",
            "IBM Quantum",
            TargetKind.SUPERCONDUCTING,
            "IBM",
            "ibm",
            ("SYNQC_QISKIT_RUNTIME_TOKEN", "SYNQC_QISKIT_RUNTIME_INSTANCE"),
            ("rz", "sx", "x", "ecr"),
        ),
        "azure_quantum": _pending(
            "azure_quantum",
            "Azure Quantum",
            TargetKind.TRAPPED_ION,
            "Microsoft",
            "azure",
            ("AZURE_QUANTUM_WORKSPACE_RESOURCE_ID", "AZURE_QUANTUM_WORKSPACE_LOCATION"),
            ("rx", "ry", "rz", "cx"),
        ),
        "ionq_cloud": _pending(
            "ionq_cloud",
            "IonQ Cloud",
            TargetKind.TRAPPED_ION,
            "IonQ",
            "ionq",
            ("IONQ_API_KEY",),
            ("gpi", "gpi2", "ms"),
        ),
        "rigetti_forest": _pending(
            "rigetti_forest",
            "Rigetti QCS",
            TargetKind.SUPERCONDUCTING,
            "Rigetti",
            "rigetti",
            ("QCS_SETTINGS_APPLICATIONS_PYQUIL_QVM_URL", "QCS credentials"),
            ("rx", "rz", "cz"),
        ),
    }
