"""NUL characters in text, on both stores: found by hand-probing after fuzzing, PostgreSQL
refused them with a DataError and the API answered 500."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from synqc_backend.http.app import create_app
from synqc_backend.storage.database import Database
from tests.conftest import make_settings, services_of
from tests.postgres_server import require_postgres

HELLO = "hello_quantum_sim"


@pytest.fixture(params=["sqlite", "postgresql"])
def client(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[TestClient]:
    if request.param == "sqlite":
        with TestClient(create_app(make_settings(tmp_path))) as test_client:
            yield test_client
        return
    with require_postgres().database() as scratch:
        store = Database(scratch.url)
        store.migrate()
        store.dispose()
        settings = make_settings(tmp_path, database_url=scratch.url)
        with TestClient(create_app(settings)) as test_client:
            services_of(test_client).queue.stop_workers()
            yield test_client


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        pytest.param("/runs", {"preset": HELLO, "notes": "a\x00b"}, "notes", id="run-notes"),
        pytest.param(
            "/runs",
            {"preset": HELLO, "control_overrides": {"notes": "\x00"}},
            "control_overrides",
            id="override-notes",
        ),
        pytest.param("/controls/profile", {"notes": "x\x00"}, "notes", id="profile-notes"),
    ],
)
def test_a_note_with_a_nul_character_is_a_422_not_a_500(
    client: TestClient, path: str, body: dict[str, Any], field: str
) -> None:
    response = client.post(path, json=body)

    assert response.status_code == 422, response.text
    detail = response.json()["detail"]
    assert detail["code"] == "INVALID_REQUEST"
    assert ["body", field] == detail["error_detail"]["errors"][0]["loc"][:2]
    assert client.get("/budget").json()["used"] == 0


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/runs/a%00b"),
        ("POST", "/runs/a%00b/cancel"),
        ("GET", "/experiments/a%00b"),
        ("GET", "/runs?hardware_target=sim%00local"),
        ("GET", "/runs/a%00b/figures/x.svg"),
    ],
)
def test_a_nul_character_in_a_path_or_query_is_a_4xx_not_a_500(
    client: TestClient, method: str, path: str
) -> None:
    """SQLite finds nothing by such a value (404, or an empty list); PostgreSQL refuses it."""
    response = client.request(method, path)

    assert response.status_code in {200, 404, 422}, response.text
    if response.status_code != 200:
        assert response.json()["detail"]["code"] in {"NOT_FOUND", "INVALID_REQUEST"}
