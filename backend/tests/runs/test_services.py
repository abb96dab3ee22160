"""The service graph follows the settings: simulator profile and mapped backends."""

from pathlib import Path

import pytest

from synqc_backend.models import TargetStatus
from synqc_backend.runs.services import targets_for
from synqc_backend.targets.base import hardware_target
from synqc_backend.targets.local_sim import LocalSimulator
from tests.conftest import make_settings


def test_sim_profile_setting_selects_the_device(tmp_path: Path) -> None:
    targets = targets_for(make_settings(tmp_path, sim_profile="ibm:FakeManilaV2"))
    simulator = targets["sim_local"]
    assert isinstance(simulator, LocalSimulator)
    assert simulator.profile.num_qubits == 5
    assert "FakeManilaV2" in simulator.descriptor.description


def test_unknown_sim_profile_is_refused_with_the_choices(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="transmon_default"):
        targets_for(make_settings(tmp_path, sim_profile="no_such_device"))


@pytest.mark.parametrize(
    ("backend", "status"),
    [
        ("aer_simulator", TargetStatus.READY),
        ("FakeManilaV2", TargetStatus.READY),
        ("FakeNoSuchDevice", TargetStatus.UNAVAILABLE),
    ],
)
def test_qiskit_backend_setting_maps_a_target(
    tmp_path: Path, backend: str, status: TargetStatus
) -> None:
    targets = targets_for(make_settings(tmp_path, qiskit_backend_ionq_cloud=backend))
    view = hardware_target(targets["ionq_cloud"])
    assert view.status is status
    assert backend in view.status_detail
    assert view.id == "ionq_cloud"
