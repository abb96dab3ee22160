"""The target registry: the contract's six ids, their readiness and their public view."""

import pytest
from qiskit import QuantumCircuit

from synqc_backend.execution import ExecutionOptions
from synqc_backend.models import TargetStatus
from synqc_backend.targets.base import Target, hardware_target
from synqc_backend.targets.providers import PendingProvider, ProviderNotReadyError
from synqc_backend.targets.registry import SIM_LOCAL, build_targets

CONTRACT_IDS = [
    "sim_local",
    "aws_braket",
    "ibm_quantum",
    "azure_quantum",
    "ionq_cloud",
    "rigetti_forest",
]
PROVIDER_IDS = CONTRACT_IDS[1:]


@pytest.fixture(scope="module")
def targets() -> dict[str, Target]:
    return build_targets()


def test_registry_holds_exactly_the_contract_ids_in_order(targets: dict[str, Target]) -> None:
    assert list(targets) == CONTRACT_IDS
    assert SIM_LOCAL == "sim_local"


@pytest.mark.parametrize("target_id", CONTRACT_IDS)
def test_each_target_is_registered_under_its_own_id(
    targets: dict[str, Target], target_id: str
) -> None:
    assert targets[target_id].descriptor.id == target_id


def test_sim_local_is_ready(targets: dict[str, Target]) -> None:
    assert targets[SIM_LOCAL].readiness().status is TargetStatus.READY


@pytest.mark.parametrize("target_id", PROVIDER_IDS)
def test_providers_are_unconfigured_and_say_what_they_need(
    targets: dict[str, Target], target_id: str
) -> None:
    target = targets[target_id]
    assert isinstance(target, PendingProvider)

    readiness = target.readiness()

    assert readiness.status is TargetStatus.UNCONFIGURED
    assert f"synqc-backend[{target.extra}]" in readiness.detail
    assert target.variables
    for variable in target.variables:
        assert variable in readiness.detail


@pytest.mark.parametrize("target_id", CONTRACT_IDS)
def test_hardware_target_view(targets: dict[str, Target], target_id: str) -> None:
    target = targets[target_id]
    descriptor, capabilities = target.descriptor, target.capabilities()

    view = hardware_target(target)

    assert (view.id, view.name, view.kind, view.vendor, view.description) == (
        descriptor.id,
        descriptor.name,
        descriptor.kind,
        descriptor.vendor,
        descriptor.description,
    )
    assert (view.status, view.status_detail) == (
        target.readiness().status,
        target.readiness().detail,
    )
    assert view.capabilities.max_shots == capabilities.max_shots > 0
    assert view.capabilities.supported_gates == list(capabilities.basis_gates)
    assert view.capabilities.queue_behavior == capabilities.queue_behavior
    assert view.capabilities.notes == capabilities.notes


@pytest.mark.parametrize("target_id", PROVIDER_IDS)
def test_pending_provider_refuses_to_execute(targets: dict[str, Target], target_id: str) -> None:
    circuit = QuantumCircuit(1, 1)
    circuit.measure(0, 0)

    with pytest.raises(ProviderNotReadyError, match="no adapter"):
        targets[target_id].execute([circuit], ExecutionOptions(shots=100))
