"""Outage or bug: real database errors, told apart the way the HTTP edge needs (503 vs 500)."""

from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from synqc_backend.storage.availability import is_unreachable
from synqc_backend.storage.database import Database
from tests.live_server import free_port
from tests.postgres_server import PostgresServer, ScratchDatabase


def error_of(database: Database, statement: str) -> DBAPIError:
    with pytest.raises(DBAPIError) as raised, database.unit_of_work() as session:
        session.execute(text(statement))
    return raised.value


def test_a_refused_connection_is_an_outage() -> None:
    database = Database(f"postgresql://postgres@127.0.0.1:{free_port()}/synqc")
    try:
        assert is_unreachable(error_of(database, "SELECT 1"))
    finally:
        database.dispose()


def test_a_missing_database_is_an_outage(
    postgres: PostgresServer, postgres_database: ScratchDatabase
) -> None:
    database = Database(postgres.url_of(postgres_database.name + "_missing"))
    try:
        assert is_unreachable(error_of(database, "SELECT 1"))
    finally:
        database.dispose()


def test_a_session_terminated_mid_transaction_is_an_outage(
    postgres: PostgresServer, postgres_database: ScratchDatabase
) -> None:
    database = Database(postgres_database.url)

    def cut_off_mid_transaction() -> None:
        with database.unit_of_work() as session:
            session.execute(text("SELECT 1"))
            postgres.disconnect(postgres_database.name)
            session.execute(text("SELECT 1"))

    try:
        with pytest.raises(DBAPIError) as raised:
            cut_off_mid_transaction()
        assert is_unreachable(raised.value)
    finally:
        database.dispose()


def test_an_sqlite_file_that_cannot_be_opened_is_an_outage(tmp_path: Path) -> None:
    (tmp_path / "synqc.db").mkdir()
    database = Database(f"sqlite:///{tmp_path / 'synqc.db'}")
    try:
        assert is_unreachable(error_of(database, "SELECT 1"))
    finally:
        database.dispose()


@pytest.mark.parametrize(
    "statement",
    [
        pytest.param("SELECT * FROM no_such_table", id="missing-table"),
        pytest.param("SELEKT 1", id="syntax"),
        pytest.param(
            "INSERT INTO control_profiles (name, profile, updated_at) VALUES (NULL, '{}', 0)",
            id="constraint",
        ),
    ],
)
def test_a_statement_error_is_not_an_outage(database: Database, statement: str) -> None:
    assert not is_unreachable(error_of(database, statement))


def test_other_exceptions_are_not_outages() -> None:
    assert not is_unreachable(RuntimeError("boom"))
