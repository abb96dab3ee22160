"""The machine's PostgreSQL for tests: a fresh, uniquely named database per use, dropped after.

- The server is `SYNQC_TEST_POSTGRES_URL` (default: user `postgres` on 127.0.0.1:5432, trust
  auth); tests never start or stop it.
- Unreachable: tests that need it skip, except under `CI=true`, where they fail.
"""

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import psycopg
import pytest
from psycopg import sql
from psycopg.conninfo import make_conninfo
from sqlalchemy import make_url

ADMIN_URL = os.environ.get(
    "SYNQC_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
DATABASE_PREFIX = "synqc_test"


@dataclass(frozen=True)
class ScratchDatabase:
    """A database created for a test: its name on the server and its SQLAlchemy URL."""

    name: str
    url: str


class PostgresServer:
    """Creates, renames and drops databases on a running server through its admin database."""

    def __init__(self, admin_url: str) -> None:
        self.admin_url = make_url(admin_url)

    def url_of(self, name: str) -> str:
        """The SQLAlchemy URL of database `name` on this server (psycopg 3 driver)."""
        url = self.admin_url.set(drivername="postgresql+psycopg", database=name)
        return url.render_as_string(hide_password=False)

    def reachable(self) -> bool:
        try:
            self._execute(sql.SQL("SELECT 1"))
        except psycopg.OperationalError:
            return False
        return True

    def create_database(self) -> str:
        """A new empty database with a unique name; returns its name."""
        name = f"{DATABASE_PREFIX}_{os.getpid()}_{uuid.uuid4().hex[:12]}"
        self._execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return name

    def drop_database(self, name: str) -> None:
        """Drop it even if connections are still open (PostgreSQL 13+)."""
        statement = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
        self._execute(statement.format(sql.Identifier(name)))

    def disconnect(self, name: str) -> None:
        """Terminate every session connected to database `name`, as a server restart would."""
        self._execute(
            sql.SQL(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = {} AND pid <> pg_backend_pid()"
            ).format(sql.Literal(name))
        )

    def rename_database(self, old: str, new: str) -> None:
        """Rename, first terminating the sessions on it (a database in use cannot be renamed)."""
        statement = sql.SQL("ALTER DATABASE {} RENAME TO {}").format(
            sql.Identifier(old), sql.Identifier(new)
        )
        for _attempt in range(20):
            self.disconnect(old)
            try:
                self._execute(statement)
                return
            except psycopg.errors.ObjectInUse:
                continue  # a pool reconnected between the two statements
        raise RuntimeError(f"database {old} stayed in use")

    def empty_database(self, name: str) -> None:
        """Drop everything in database `name` (tables, the Alembic version), keep the database."""
        statement = sql.SQL("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        self._execute(statement, dbname=name)

    @contextmanager
    def database(self) -> Iterator[ScratchDatabase]:
        """A fresh database for the block, dropped afterwards."""
        name = self.create_database()
        try:
            yield ScratchDatabase(name, self.url_of(name))
        finally:
            self.drop_database(name)

    def _execute(self, statement: sql.SQL | sql.Composed, dbname: str | None = None) -> None:
        # CREATE/DROP/ALTER DATABASE cannot run inside a transaction block.
        params: dict[str, str | int] = {
            "host": self.admin_url.host or "127.0.0.1",
            "port": self.admin_url.port or 5432,
            "user": self.admin_url.username or "postgres",
            "dbname": dbname or self.admin_url.database or "postgres",
            "connect_timeout": 3,
        }
        if self.admin_url.password is not None:
            params["password"] = str(self.admin_url.password)
        with psycopg.connect(make_conninfo("", **params), autocommit=True) as connection:
            connection.execute(statement)


def require_postgres() -> PostgresServer:
    """The configured server; skips the test when it is unreachable, fails under `CI=true`."""
    server = PostgresServer(ADMIN_URL)
    if server.reachable():
        return server
    where = server.admin_url.render_as_string(hide_password=True)
    message = f"PostgreSQL at {where} is unreachable (set SYNQC_TEST_POSTGRES_URL)"
    if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
        pytest.fail(message)
    pytest.skip(message)
