"""The target registry: the contract's six ids, their readiness and their public view."""

from pathlib import Path

import pytest

from synqc_backend.models import TargetStatus
from synqc_backend.targets.base import Target, hardware_target
from synqc_backend.targets.registry import SIM_LOCAL, build_targets
from tests.conftest import make_settings
from tests.targets.provider_env import clear_provider_credentials

CONTRACT_IDS = [
    "sim_local",
    "aws_braket",
    "ibm_quantum",
    "azure_quantum",
    "ionq_cloud",
    "rigetti_forest",
]
PROVIDER_IDS = CONTRACT_IDS[1:]
# What an operator must set for each provider, as the status detail names it.
NEEDS = {
    "aws_braket": ("SYNQC_BRAKET_DEVICE", "SYNQC_BRAKET_S3_BUCKET", "AWS credentials"),
    "ibm_quantum": ("SYNQC_QISKIT_RUNTIME_TOKEN", "QISKIT_IBM_TOKEN"),
    "azure_quantum": ("SYNQC_AZURE_QUANTUM_RESOURCE_ID", "SYNQC_AZURE_QUANTUM_LOCATION"),
    "ionq_cloud": ("SYNQC_IONQ_API_KEY", "IONQ_API_KEY"),
    "rigetti_forest": ("SYNQC_RIGETTI_QUANTUM_PROCESSOR", "QCS credentials"),
}


@pytest.fixture
def targets(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> dict[str, Target]:
    clear_provider_credentials(monkeypatch, str(tmp_path))
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
def test_without_credentials_a_provider_is_unconfigured_and_names_what_it_needs(
    targets: dict[str, Target], target_id: str
) -> None:
    readiness = targets[target_id].readiness()

    assert readiness.status is TargetStatus.UNCONFIGURED
    for variable in NEEDS[target_id]:
        assert variable in readiness.detail


@pytest.mark.parametrize(
    ("target_id", "overrides", "env"),
    [
        ("ibm_quantum", {"qiskit_runtime_token": "t"}, {}),
        ("ibm_quantum", {}, {"QISKIT_IBM_TOKEN": "t"}),
        (
            "aws_braket",
            {
                "braket_device": "arn:aws:braket:::device/quantum-simulator/amazon/sv1",
                "braket_s3_bucket": "b",
            },
            {"AWS_ACCESS_KEY_ID": "k"},
        ),
        ("aws_braket", {"braket_device": "braket_dm"}, {}),
        ("ionq_cloud", {"ionq_api_key": "k"}, {}),
        ("ionq_cloud", {}, {"IONQ_API_KEY": "k"}),
        (
            "azure_quantum",
            {"azure_quantum_resource_id": "/subscriptions/s", "azure_quantum_location": "x"},
            {},
        ),
        ("azure_quantum", {}, {"AZURE_QUANTUM_CONNECTION_STRING": "Endpoint=x"}),
        ("azure_quantum", {"azure_quantum_target": "local"}, {}),
        ("rigetti_forest", {"rigetti_quantum_processor": "pyqvm"}, {}),
        (
            "rigetti_forest",
            {"rigetti_quantum_processor": "Ankaa-3"},
            {"QCS_SECRETS_FILE_PATH": "/secrets.toml"},
        ),
    ],
)
def test_with_credentials_a_provider_is_ready(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    target_id: str,
    overrides: dict[str, str],
    env: dict[str, str],
) -> None:
    clear_provider_credentials(monkeypatch, str(tmp_path))
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    settings = make_settings(tmp_path, **overrides)

    readiness = build_targets(settings=settings)[target_id].readiness()

    assert readiness.status is TargetStatus.READY, readiness.detail


def test_a_missing_extra_is_named_with_its_install_command(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import importlib.metadata

    real = importlib.metadata.version

    def without_ionq(name: str) -> str:
        if name == "qiskit-ionq":
            raise importlib.metadata.PackageNotFoundError(name)
        return real(name)

    monkeypatch.setattr(importlib.metadata, "version", without_ionq)
    settings = make_settings(tmp_path, ionq_api_key="k")

    readiness = build_targets(settings=settings)["ionq_cloud"].readiness()

    assert readiness.status is TargetStatus.UNCONFIGURED
    assert "pip install 'synqc-backend[ionq]'" in readiness.detail


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
