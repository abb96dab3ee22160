"""Store fixtures: every storage test runs on SQLite and on the machine's PostgreSQL."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.postgres_server import PostgresServer, ScratchDatabase, require_postgres

BACKENDS = ["sqlite", "postgresql"]


@pytest.fixture(scope="session")
def postgres() -> PostgresServer:
    return require_postgres()


@pytest.fixture(scope="session")
def postgres_database(postgres: PostgresServer) -> Iterator[ScratchDatabase]:
    """One database for the session's storage tests, emptied before each test that uses it."""
    with postgres.database() as scratch:
        yield scratch


@pytest.fixture
def postgres_url(postgres: PostgresServer, postgres_database: ScratchDatabase) -> str:
    """The URL of an empty PostgreSQL database (no tables, no Alembic version)."""
    postgres.empty_database(postgres_database.name)
    return postgres_database.url


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty store on each backend: a new SQLite file, or the emptied PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store' / 'synqc.db'}"
    url: str = request.getfixturevalue("postgres_url")
    return url
