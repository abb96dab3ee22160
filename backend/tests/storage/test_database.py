"""The store's connection: migrations, the schema check, and the liveness ping."""

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from synqc_backend.storage.database import (
    CONNECT_TIMEOUT_S,
    Database,
    SchemaMismatchError,
    normalize_url,
)
from synqc_backend.storage.tables import Base
from tests.live_server import free_port

TABLES = {
    "runs",
    "circuit_counts",
    "control_profiles",
    "run_figures",
    "provider_jobs",
    "qubit_measurements",
    "qubit_latest",
    "monitors",
    "leases",
}


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    db = Database(database_url)
    yield db
    db.dispose()


def test_sqlite_file_and_its_directory_are_created(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'store' / 'synqc.db'}")
    try:
        assert database.backend == "sqlite"
        assert database.ping()
    finally:
        database.dispose()
    assert (tmp_path / "store" / "synqc.db").is_file()


def test_migrate_creates_the_schema(database: Database) -> None:
    database.migrate()

    tables = set(inspect(database.engine).get_table_names())
    assert tables == TABLES | {"alembic_version"}


def test_migrate_twice_is_harmless(database: Database) -> None:
    database.migrate()
    database.migrate()

    database.check_schema()


def test_check_schema_refuses_an_unmigrated_database(database: Database) -> None:
    with pytest.raises(SchemaMismatchError, match="synqc migrate"):
        database.check_schema()


def test_check_schema_passes_after_migrate(database: Database) -> None:
    database.migrate()

    database.check_schema()


def test_migration_matches_the_sqlalchemy_tables(database: Database) -> None:
    database.migrate()

    with database.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)

    assert differences == []


def test_unit_of_work_commits_at_the_end_and_rolls_back_on_error(database: Database) -> None:
    database.migrate()
    insert = text(
        "INSERT INTO control_profiles (name, profile, updated_at) VALUES (:name, '{}', 0)"
    )

    def insert_then_fail(name: str) -> None:
        with database.unit_of_work() as session:
            session.execute(insert, {"name": name})
            raise RuntimeError("boom")

    with database.unit_of_work() as session:
        session.execute(insert, {"name": "kept"})
    with pytest.raises(RuntimeError, match="boom"):
        insert_then_fail("lost")

    with database.unit_of_work() as session:
        names = session.scalars(text("SELECT name FROM control_profiles")).all()
    assert names == ["kept"]


def test_ping_is_false_when_the_database_cannot_be_opened(tmp_path: Path) -> None:
    # A directory where the database file should be: SQLite cannot open it.
    (tmp_path / "synqc.db").mkdir()
    db = Database(f"sqlite:///{tmp_path / 'synqc.db'}")
    try:
        assert db.ping() is False
    finally:
        db.dispose()


def set_revision(database: Database, revision: str) -> None:
    with database.unit_of_work() as session:
        session.execute(text("UPDATE alembic_version SET version_num = :r"), {"r": revision})


def test_check_schema_asks_for_synqc_migrate_on_an_older_revision(database: Database) -> None:
    database.migrate()
    set_revision(database, "0001")

    with pytest.raises(SchemaMismatchError, match=r"revision 0001, .*run `synqc migrate`"):
        database.check_schema()


def test_check_schema_refuses_a_revision_it_does_not_know(database: Database) -> None:
    database.migrate()
    set_revision(database, "9999")

    with pytest.raises(SchemaMismatchError, match="does not know") as refused:
        database.check_schema()

    assert "synqc migrate" not in str(refused.value)  # it cannot downgrade a newer schema


# Each process waits for a shared start time, so the migrations overlap for real.
MIGRATE_AT = """
import sys, time
from synqc_backend.storage.database import Database
database = Database(sys.argv[1])
time.sleep(max(0.0, float(sys.argv[2]) - time.time()))
database.migrate()
database.dispose()
"""


def test_concurrent_migrations_of_one_postgresql_store_take_turns(postgres_url: str) -> None:
    """`synqc migrate` started by two deploy jobs at once must not race on CREATE TABLE."""
    start_at = str(time.time() + 3.0)
    children = [
        subprocess.Popen(
            [sys.executable, "-c", MIGRATE_AT, postgres_url, start_at],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for _ in range(3)
    ]
    outputs = [child.communicate(timeout=60)[0] for child in children]

    assert [child.returncode for child in children] == [0, 0, 0], outputs
    database = Database(postgres_url)
    try:
        database.check_schema()
    finally:
        database.dispose()


@pytest.mark.parametrize(
    ("url", "driver"),
    [
        ("postgresql://postgres@db:5432/synqc", "postgresql+psycopg"),
        ("postgres://postgres@db:5432/synqc", "postgresql+psycopg"),
        ("postgresql+psycopg://postgres@db:5432/synqc", "postgresql+psycopg"),
        ("postgresql+psycopg2://postgres@db:5432/synqc", "postgresql+psycopg2"),
        ("sqlite:///./data/synqc.db", "sqlite"),
    ],
)
def test_a_plain_postgresql_url_selects_psycopg_3(url: str, driver: str) -> None:
    assert normalize_url(url).drivername == driver


def test_a_postgresql_store_uses_psycopg_3_with_a_bounded_pool() -> None:
    database = Database("postgresql://postgres@127.0.0.1:5432/synqc")
    try:
        assert (database.backend, database.engine.dialect.driver) == ("postgresql", "psycopg")
        assert database.engine.pool.size() == 5  # type: ignore[attr-defined]
    finally:
        database.dispose()


def test_ping_is_false_at_once_when_postgresql_refuses_connections() -> None:
    database = Database(f"postgresql://postgres@127.0.0.1:{free_port()}/synqc")
    try:
        started = time.monotonic()
        assert database.ping() is False
        assert time.monotonic() - started < 1.0
    finally:
        database.dispose()


@contextmanager
def silent_server() -> Iterator[int]:
    """A port that accepts TCP connections and never answers, like a hung or firewalled host."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        yield listener.getsockname()[1]


def test_ping_gives_up_after_the_connect_timeout_when_postgresql_hangs() -> None:
    with silent_server() as port:
        database = Database(f"postgresql://postgres@127.0.0.1:{port}/synqc")
        try:
            started = time.monotonic()
            assert database.ping() is False
            elapsed_s = time.monotonic() - started
        finally:
            database.dispose()

    assert CONNECT_TIMEOUT_S - 0.5 < elapsed_s < CONNECT_TIMEOUT_S + 1.5
