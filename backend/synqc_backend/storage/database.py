"""Connection to the store: engine factory, units of work, and schema migrations.

- SQLite (embedded default) and PostgreSQL through psycopg 3 (production) share every table,
  query and migration; a plain `postgresql://` URL selects psycopg 3.
- PostgreSQL pools stay small (several API and worker processes share one server) and connect
  with a short timeout, so `/health` answers quickly while the server is down.
"""

import json
import math
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import URL, Engine, create_engine, event, make_url, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = Path(__file__).parent / "migrations"
POSTGRES_DRIVER = "postgresql+psycopg"
# Per process: API workers and job threads share it; overflow absorbs bursts, then callers wait.
POOL_SIZE = 5
POOL_MAX_OVERFLOW = 5
POOL_TIMEOUT_S = 10
POOL_RECYCLE_S = 1800
# libpq's minimum is 2 s; psycopg waits 130 s without one. `?connect_timeout=` in the URL wins.
CONNECT_TIMEOUT_S = 3
# Any constant shared by every process: `synqc migrate` run twice at once applies one at a time.
MIGRATION_LOCK_KEY = 0x5359_4E51


class SchemaMismatchError(RuntimeError):
    """The database schema is not the one this code was written for."""


class Database:
    """The store's engine and session factory; `unit_of_work` commits once at the end."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = _create_engine(url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def backend(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def unit_of_work(self) -> Iterator[Session]:
        with self._sessions.begin() as session:
            yield session

    def ping(self) -> bool:
        """True when a connection can be had and answers; bounded by the connect timeout."""
        try:
            with self.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except SQLAlchemyError:
            return False
        return True

    def migrate(self) -> None:
        """Bring the schema to the newest migration, in one transaction where DDL allows it."""
        with self.engine.begin() as connection:
            if self.backend == "postgresql":
                lock = text("SELECT pg_advisory_xact_lock(:key)")
                connection.execute(lock, {"key": MIGRATION_LOCK_KEY})
            config = _alembic_config()
            config.attributes["connection"] = connection
            command.upgrade(config, "head")

    def check_schema(self) -> None:
        """Raise `SchemaMismatchError` unless the schema is at this code's newest migration."""
        script = ScriptDirectory.from_config(_alembic_config())
        head = script.get_current_head()
        with self.engine.connect() as connection:
            current = MigrationContext.configure(connection).get_current_revision()
        if current == head:
            return
        where = f"the {self.backend} store at {self.engine.url.render_as_string()}"
        if current is None:
            message = (
                f"{where} has no SynQc schema (this code needs revision {head}): "
                "run `synqc migrate` with the same SYNQC_DATABASE_URL, then start again"
            )
        elif current in {revision.revision for revision in script.walk_revisions()}:
            message = (
                f"{where} is at schema revision {current}, this code needs {head}: "
                "run `synqc migrate` with the same SYNQC_DATABASE_URL, then start again"
            )
        else:
            message = (
                f"{where} is at schema revision {current}, which this code does not know "
                f"(its newest is {head}): a newer SynQc migrated it; run that version"
            )
        # The caller is about to give up on this store: keep no connection open to it.
        self.engine.dispose()
        raise SchemaMismatchError(message)

    def dispose(self) -> None:
        self.engine.dispose()


def normalize_url(url: str) -> URL:
    """The URL with PostgreSQL's driver made explicit: psycopg 3 unless another is named."""
    parsed = make_url(url)
    if parsed.drivername in {"postgresql", "postgres"}:
        return parsed.set(drivername=POSTGRES_DRIVER)
    return parsed


def _alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def _create_engine(url: str) -> Engine:
    parsed = normalize_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return _create_sqlite_engine(parsed)
    if backend != "postgresql":
        return create_engine(parsed, pool_pre_ping=True, json_serializer=json_text)
    connect_args: dict[str, Any] = {"application_name": "synqc"}
    if "connect_timeout" not in parsed.query:
        connect_args["connect_timeout"] = CONNECT_TIMEOUT_S
    return create_engine(
        parsed,
        pool_pre_ping=True,
        pool_size=POOL_SIZE,
        max_overflow=POOL_MAX_OVERFLOW,
        pool_timeout=POOL_TIMEOUT_S,
        pool_recycle=POOL_RECYCLE_S,
        connect_args=connect_args,
        json_serializer=json_text,
    )


def _create_sqlite_engine(url: URL) -> Engine:
    if url.database and url.database != ":memory:":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        url, connect_args={"check_same_thread": False, "timeout": 30}, json_serializer=json_text
    )
    event.listen(engine, "connect", _configure_sqlite)
    return engine


def _configure_sqlite(connection: Any, _record: Any) -> None:
    # WAL lets the API read while a worker thread writes; foreign keys are off by default.
    # With WAL, synchronous=NORMAL keeps every commit through a crash of the process (what
    # run recovery relies on) and skips an fsync per commit; a power loss may undo the last few.
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def json_text(value: Any) -> str:
    """JSON for a JSON column; NaN and ±inf (a failed fit) are stored as null.

    PostgreSQL's `json` refuses them and SQLite would keep them: one rule for both stores.
    """
    try:
        return json.dumps(value, allow_nan=False)
    except ValueError:
        return json.dumps(_finite(value), allow_nan=False)


def _finite(value: Any) -> Any:
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(item) for item in value]
    return value
