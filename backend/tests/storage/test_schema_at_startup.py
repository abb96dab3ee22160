"""An API process refuses a PostgreSQL store it does not know; `synqc migrate` fixes that."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from synqc_backend.cli import cli
from synqc_backend.runs.services import start_services
from synqc_backend.storage.database import Database, SchemaMismatchError
from tests.conftest import make_settings
from tests.postgres_server import PostgresServer, ScratchDatabase


@pytest.fixture
def fresh_postgres(postgres: PostgresServer) -> Iterator[ScratchDatabase]:
    with postgres.database() as scratch:
        yield scratch


def migrate_with_the_cli(url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.chdir(tmp_path)  # no `.env` from the working directory
    monkeypatch.setenv("SYNQC_DATABASE_URL", url)
    result = CliRunner().invoke(cli, ["migrate"])
    assert result.exit_code == 0, result.output
    return result.output


def test_api_refuses_to_start_on_an_unmigrated_postgres_store(
    fresh_postgres: ScratchDatabase, tmp_path: Path
) -> None:
    settings = make_settings(tmp_path, database_url=fresh_postgres.url)

    with pytest.raises(SchemaMismatchError, match="has no SynQc schema") as refused:
        start_services(settings)

    assert "run `synqc migrate`" in str(refused.value)
    assert fresh_postgres.name in str(refused.value)


def test_synqc_migrate_brings_the_store_to_head_and_the_api_starts(
    fresh_postgres: ScratchDatabase, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A plain postgresql:// URL, as operators write it, selects psycopg 3.
    plain_url = fresh_postgres.url.replace("postgresql+psycopg://", "postgresql://")

    output = migrate_with_the_cli(plain_url, tmp_path, monkeypatch)

    assert "schema of postgresql store is up to date" in output
    database = Database(plain_url)
    try:
        database.check_schema()
    finally:
        database.dispose()
    services = start_services(make_settings(tmp_path, database_url=plain_url))
    try:
        assert services.database.backend == "postgresql"
        assert services.database.ping()
    finally:
        services.close()
