"""The embedded store's SQLite settings: WAL with one fsync per checkpoint, not per commit."""

import multiprocessing
import os
from pathlib import Path

from sqlalchemy import text

from synqc_backend.storage.database import Database
from synqc_backend.storage.repository import RunRepository


def test_every_connection_uses_wal_with_normal_sync_and_foreign_keys(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'synqc.db'}")
    try:
        with database.engine.connect() as connection:
            pragmas = {
                name: connection.execute(text(f"PRAGMA {name}")).scalar()
                for name in ("journal_mode", "synchronous", "foreign_keys")
            }
    finally:
        database.dispose()

    assert pragmas == {"journal_mode": "wal", "synchronous": 1, "foreign_keys": 1}


def _write_then_die(url: str) -> None:
    database = Database(url)
    with database.unit_of_work() as session:
        RunRepository(session).save_control_profile("default", {"written_by": "the child"}, 1.0)
    # No dispose, no checkpoint: the process ends as a crash would end it.
    os._exit(0)


def test_a_commit_survives_the_process_dying_right_after_it(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'synqc.db'}"
    database = Database(url)
    database.migrate()
    child = multiprocessing.get_context("spawn").Process(target=_write_then_die, args=(url,))
    child.start()
    child.join(timeout=60)
    try:
        with database.unit_of_work() as session:
            stored = RunRepository(session).control_profile("default")
    finally:
        database.dispose()

    assert child.exitcode == 0
    assert stored == {"written_by": "the child"}
