"""PostgreSQL for tests: the machine's server, and throwaway servers a test may stop.

- The machine's server is `SYNQC_TEST_POSTGRES_URL` (default: user `postgres` on
  127.0.0.1:5432, trust auth), shared by every test: tests take a fresh, uniquely named
  database on it (dropped after) and never start or stop it. Unreachable: tests that need it
  skip, except under `CI=true`, where they fail.
- `throwaway_postgres` fixture: a `ThrowawayPostgres`, a server of the test's own (`initdb` and
  `pg_ctl` in a temp dir, on a free port) with a database at `url`; `stop()` takes it away
  and `start()` brings it back with its data, mid-test. Stopped and removed on teardown.
  Without the PostgreSQL server binaries tests that need it skip, under `CI=true` they fail.
  Import it as `from tests.postgres_server import throwaway_postgres_fixture  # noqa: F401`.
"""

import os
import pwd
import re
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from psycopg import sql
from psycopg.conninfo import make_conninfo
from sqlalchemy import make_url

from tests.live_server import free_port
from tests.redis_server import in_ci

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

    def create_database(self, name: str | None = None) -> str:
        """A new empty database, by default with a unique name; returns its name."""
        name = name or f"{DATABASE_PREFIX}_{os.getpid()}_{uuid.uuid4().hex[:12]}"
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
    if in_ci():
        pytest.fail(message)
    pytest.skip(message)


# Debian keeps each major version's server binaries here, not on PATH.
DEBIAN_BINARIES = Path("/usr/lib/postgresql")
# initdb and the server refuse to run as root; as root they run as this user.
SERVER_USER = "postgres"
THROWAWAY_DATABASE = "synqc"
START_ATTEMPTS = 3
# A throwaway server keeps nothing worth an fsync; sessions end at once on a fast stop.
SERVER_OPTIONS = "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"


class PostgresStartError(RuntimeError):
    """`pg_ctl start` failed (most likely another process took the free port first)."""


def require_postgres_binaries() -> Path:
    """The directory of `initdb` and `pg_ctl` (the newest Debian version, else PATH); skips
    the test when there is none, fails under `CI=true`. As root, also needs the user
    `postgres` to run them as."""
    bindir = _newest_debian_binaries() or _binaries_on_path()
    message = (
        "PostgreSQL server binaries not found (Debian/Ubuntu: apt-get install postgresql)"
        if bindir is None
        else f"running PostgreSQL as root needs the user '{SERVER_USER}'"
    )
    if bindir is not None and (os.geteuid() != 0 or _server_user() is not None):
        return bindir
    if in_ci():
        pytest.fail(message)
    pytest.skip(message)


class ThrowawayPostgres:
    """A PostgreSQL server of one test's own, in a temp dir, on a port kept across restarts.

    - `url`: the SQLAlchemy URL of its database `synqc` (user `postgres`, trust auth);
      `admin`: the same server as a `PostgresServer`, for more databases on it.
    - `stop()`: `pg_ctl stop -m fast` (sessions cut off, as an operator's stop) or
      `mode="immediate"` (as a crash); `start()` brings the same data back on the same port.
    - Its log is `postgres.log` in `workdir`; `remove()` deletes the directory.
    """

    def __init__(self, bindir: Path, port: int | None = None) -> None:
        self.bindir = bindir
        self.port = free_port() if port is None else port
        self.workdir = Path(tempfile.mkdtemp(prefix="synqc-postgres-"))
        self.datadir = self.workdir / "data"
        self.log_path = self.workdir / "postgres.log"
        owner = _server_user() if os.geteuid() == 0 else None
        self._run_as = [] if owner is None else ["runuser", "-u", owner.pw_name, "--"]
        if owner is not None:
            os.chown(self.workdir, owner.pw_uid, owner.pw_gid)
        self._created = False

    @property
    def url(self) -> str:
        return self.admin.url_of(THROWAWAY_DATABASE)

    @property
    def admin(self) -> PostgresServer:
        return PostgresServer(f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres")

    @property
    def running(self) -> bool:
        return self._pg_ctl("status").returncode == 0

    def initialize(self) -> None:
        """Create the cluster (`initdb`); the first `start()` creates `url`'s database."""
        initdb = [str(self.bindir / "initdb"), "-D", str(self.datadir), "-U", "postgres"]
        _check(self._run(*initdb, "-A", "trust", "-E", "UTF8", "--no-sync", "--no-instructions"))

    def start(self, timeout_s: float = 30.0) -> None:
        """Start the server and wait until it takes connections."""
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.workdir} "
        wait = ["-w", "-t", str(int(timeout_s))]
        completed = self._pg_ctl(
            "start", *wait, "-l", str(self.log_path), "-o", options + SERVER_OPTIONS
        )
        if completed.returncode != 0:
            raise PostgresStartError(f"pg_ctl start on port {self.port}: {self._log_tail()}")
        if not self._created:
            self.admin.create_database(THROWAWAY_DATABASE)
            self._created = True

    def stop(self, mode: str = "fast") -> None:
        """Stop the server (`fast`, `smart` or `immediate`) and wait; a no-op when stopped."""
        if self.running:
            _check(self._pg_ctl("stop", "-w", "-m", mode))

    def remove(self) -> None:
        shutil.rmtree(self.workdir, ignore_errors=True)

    def _pg_ctl(self, *args: str) -> subprocess.CompletedProcess[str]:
        return self._run(str(self.bindir / "pg_ctl"), "-D", str(self.datadir), *args)

    def _run(self, *command: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*self._run_as, *command], capture_output=True, text=True, check=False
        )

    def _log_tail(self) -> str:
        if not self.log_path.exists():
            return "no log"
        return " | ".join(self.log_path.read_text(errors="replace").strip().splitlines()[-3:])


@contextmanager
def running_throwaway_postgres(bindir: Path) -> Iterator[ThrowawayPostgres]:
    """A started throwaway server, stopped and removed after the block."""
    for attempt in range(1, START_ATTEMPTS + 1):
        server = ThrowawayPostgres(bindir)
        try:
            server.initialize()
            server.start()
            break
        except PostgresStartError:
            server.remove()
            if attempt == START_ATTEMPTS:
                raise
    try:
        yield server
    finally:
        server.stop(mode="immediate")
        server.remove()


@pytest.fixture(name="throwaway_postgres")
def throwaway_postgres_fixture() -> Iterator[ThrowawayPostgres]:
    with running_throwaway_postgres(require_postgres_binaries()) as server:
        yield server


def _newest_debian_binaries() -> Path | None:
    found = [path.parent for path in DEBIAN_BINARIES.glob("*/bin/pg_ctl")]
    numbered = [bindir for bindir in found if re.fullmatch(r"\d+", bindir.parent.name)]
    return max(numbered, key=lambda bindir: int(bindir.parent.name), default=None)


def _binaries_on_path() -> Path | None:
    pg_ctl = shutil.which("pg_ctl")
    bindir = None if pg_ctl is None else Path(pg_ctl).resolve().parent
    return bindir if bindir is not None and (bindir / "initdb").exists() else None


def _check(completed: subprocess.CompletedProcess[str]) -> None:
    if completed.returncode != 0:
        output = completed.stderr.strip() or completed.stdout.strip()
        raise RuntimeError(f"{' '.join(completed.args)} failed: {output}")


def _server_user() -> pwd.struct_passwd | None:
    try:
        return pwd.getpwnam(SERVER_USER)
    except KeyError:
        return None
