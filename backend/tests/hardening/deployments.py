"""Whole deployments as `synqc` processes, for attacks over real HTTP.

- Embedded: `synqc serve` on SQLite with in-process workers.
- Production: `synqc serve` and `synqc worker` on a throwaway Redis and a scratch PostgreSQL
  database, with `SYNQC_ENV=prod`.
"""

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from synqc_backend.storage.database import Database
from tests.live_server import LiveServer, WorkerProcess, live_server, server_env
from tests.postgres_server import require_postgres
from tests.redis_server import require_redis_server, running_redis_server

DEPLOYMENTS = ("embedded", "production")
API_KEY = "hardening-key-3f9c2a71d05e"


@contextmanager
def deployment(kind: str, workdir: Path, **env: str) -> Iterator[LiveServer]:
    """A running deployment of `kind` with the API key set; `env` adds or overrides settings."""
    base = server_env(workdir / "synqc.db", SYNQC_API_KEY=API_KEY, **env)
    if kind == "embedded":
        with live_server(workdir, base) as server:
            yield server
        return
    with ExitStack() as stack:
        redis = stack.enter_context(running_redis_server(workdir, require_redis_server()))
        scratch = stack.enter_context(require_postgres().database())
        store = Database(scratch.url)
        store.migrate()
        store.dispose()
        production = {
            **base,
            "SYNQC_ENV": "prod",
            "SYNQC_ENABLE_DOCS": "true",
            "SYNQC_ALLOWED_ORIGINS": "https://console.example",
            "SYNQC_REDIS_URL": redis.url,
            "SYNQC_DATABASE_URL": scratch.url,
        }
        server = stack.enter_context(live_server(workdir, production))
        worker = WorkerProcess(workdir, production, threads=1)
        stack.callback(worker.stop)
        yield server
