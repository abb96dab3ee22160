"""Whole deployments as `synqc` processes, for attacks over real HTTP.

- Embedded: `synqc serve` on SQLite with in-process workers.
- Production: `synqc serve` and `synqc worker` on a throwaway Redis and a scratch PostgreSQL
  database, with `SYNQC_ENV=prod`.
"""

from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from synqc_backend.storage.database import Database
from tests.live_server import LiveServer, WorkerProcess, live_server, server_env
from tests.postgres_server import require_postgres
from tests.redis_server import require_redis_server, running_redis_server

DEPLOYMENTS = ("embedded", "production")
API_KEY = "hardening-key-3f9c2a71d05e"


@dataclass(frozen=True)
class Deployment:
    """A running deployment: its API server, its settings and where its logs go."""

    kind: str
    server: LiveServer
    env: dict[str, str]
    workdir: Path
    redis_url: str | None = None

    def logs(self) -> str:
        """Everything every process of the deployment has logged so far."""
        return "".join(path.read_text(errors="replace") for path in self.workdir.glob("*.log"))


@contextmanager
def deployment(
    kind: str,
    workdir: Path,
    env: Mapping[str, str] | None = None,
    worker_env: Mapping[str, str] | None = None,
    redis_password: str | None = None,
) -> Iterator[Deployment]:
    """A running deployment of `kind` with the API key set; `env` adds or overrides settings
    of every process, `worker_env` those of the production worker only."""
    base = server_env(workdir / "synqc.db", SYNQC_API_KEY=API_KEY, **(env or {}))
    if kind == "embedded":
        with live_server(workdir, base) as server:
            yield Deployment(kind, server, base, workdir)
        return
    with ExitStack() as stack:
        redis = stack.enter_context(
            running_redis_server(workdir, require_redis_server(), password=redis_password)
        )
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
        worker = WorkerProcess(workdir, {**production, **(worker_env or {})}, threads=1)
        stack.callback(worker.stop)
        yield Deployment(kind, server, production, workdir, redis.url)
