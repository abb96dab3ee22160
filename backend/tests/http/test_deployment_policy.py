"""`SYNQC_ENV=prod` refuses unsafe settings; docs are served in prod only when asked for."""

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from synqc_backend.cli import cli
from synqc_backend.http.app import create_app
from synqc_backend.http.deployment_policy import UnsafeSettingsError, production_problems
from tests.conftest import make_settings

GOOD_KEY = "a-production-key-0123456789"


@pytest.fixture
def cli_logging() -> Iterator[None]:
    """`synqc serve` configures the process's logging, to the runner's stream that closes after
    the command: take its handlers off again, so later tests do not log to a closed stream."""
    before = set(logging.getLogger().handlers)
    yield
    root = logging.getLogger()
    for handler in set(root.handlers) - before:
        root.removeHandler(handler)


def prod(**overrides: Any) -> dict[str, Any]:
    return {"env": "prod", "api_key": (GOOD_KEY,), "allowed_origins": ("https://q.example",)} | (
        overrides
    )


@pytest.mark.parametrize(
    ("overrides", "problem"),
    [
        pytest.param({"api_key": ()}, "SYNQC_API_KEY is not set", id="no-key"),
        pytest.param({"api_key": ("short",)}, "shorter than 16", id="short-key"),
        pytest.param(
            {"allowed_origins": ("https://q.example", "*")}, "contains '*'", id="cors-star"
        ),
    ],
)
def test_prod_refuses_to_start_with_unsafe_settings(
    tmp_path: Path, overrides: dict[str, Any], problem: str
) -> None:
    settings = make_settings(tmp_path, **prod(**overrides))

    (message,) = production_problems(settings)
    assert problem in message
    with (
        pytest.raises(UnsafeSettingsError, match="refusing to start"),
        TestClient(create_app(settings)),
    ):
        pass


def test_dev_starts_with_the_same_settings(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, api_key=(), allowed_origins=("*",))
    assert production_problems(settings) == []
    with TestClient(create_app(settings)) as client:
        assert client.get("/health").status_code == 200


@pytest.mark.parametrize(
    ("overrides", "served"),
    [
        pytest.param({"env": "dev"}, True, id="dev"),
        pytest.param({"env": "prod"}, False, id="prod"),
        pytest.param({"env": "prod", "enable_docs": True}, True, id="prod-asked"),
        pytest.param({"env": "dev", "enable_docs": False}, False, id="dev-off"),
    ],
)
def test_docs_are_served_in_prod_only_when_asked(
    tmp_path: Path, overrides: dict[str, Any], served: bool
) -> None:
    settings = make_settings(tmp_path, **prod(**overrides))
    with TestClient(create_app(settings)) as client:
        codes = {client.get(path).status_code for path in ("/docs", "/openapi.json", "/redoc")}
        assert client.get("/health").status_code == 200
    assert codes == ({200} if served else {404})


@pytest.mark.usefixtures("cli_logging")
def test_synqc_serve_refuses_prod_without_a_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SYNQC_DATABASE_URL", f"sqlite:///{tmp_path / 'serve.db'}")
    monkeypatch.setenv("SYNQC_ENV", "prod")
    monkeypatch.setenv("SYNQC_API_KEY", "")

    result = CliRunner().invoke(cli, ["serve", "--port", "1"])

    assert result.exit_code == 2
    assert "SYNQC_API_KEY is not set" in result.output
