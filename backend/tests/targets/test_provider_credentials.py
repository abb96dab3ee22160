"""Without credentials a run on any provider target is refused at submit: 400
`PROVIDER_CREDENTIALS` naming what is missing, nothing stored, no shots reserved."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from synqc_backend.http.app import create_app
from tests.conftest import make_settings
from tests.targets.provider_env import clear_provider_credentials

PROVIDERS = ("aws_braket", "ibm_quantum", "azure_quantum", "ionq_cloud", "rigetti_forest")


@pytest.fixture
def bare_client(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[TestClient]:
    clear_provider_credentials(monkeypatch, str(tmp_path))
    with TestClient(create_app(make_settings(tmp_path))) as client:
        yield client


@pytest.mark.parametrize("target_id", PROVIDERS)
def test_a_run_on_an_unconfigured_provider_is_refused_before_anything(
    bare_client: TestClient, target_id: str
) -> None:
    listed = {t["id"]: t for t in bare_client.get("/hardware/targets").json()["targets"]}

    response = bare_client.post(
        "/runs", json={"preset": "hello_quantum_sim", "hardware_target": target_id}
    )

    assert listed[target_id]["status"] == "unconfigured"
    assert response.status_code == 400, response.text
    detail = response.json()["detail"]
    assert detail["code"] == "PROVIDER_CREDENTIALS"
    assert listed[target_id]["status_detail"] in detail["error_message"]
    assert bare_client.get("/runs").json()["runs"] == []
    assert bare_client.get("/budget").json()["used"] == 0
