"""The store's connection: migrations, the schema check, and the liveness ping."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from synqc_backend.storage.database import Database, SchemaMismatchError
from synqc_backend.storage.tables import Base

TABLES = {"runs", "circuit_counts", "control_profiles", "run_figures"}


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    db = Database(f"sqlite:///{tmp_path / 'store' / 'synqc.db'}")
    yield db
    db.dispose()


def test_sqlite_file_and_its_directory_are_created(database: Database, tmp_path: Path) -> None:
    assert database.backend == "sqlite"
    assert database.ping()
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
