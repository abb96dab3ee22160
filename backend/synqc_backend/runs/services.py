"""The service graph of one process: store, budgets, queue and engine, built from settings.

- Embedded default (`SYNQC_REDIS_URL` unset): the API process also runs the workers.
- Production: API processes only submit; worker processes (`synqc worker`) execute, beat for
  the runs they hold and sweep the run table for runs a dead worker left behind.
"""

import logging
import os
import socket
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

import redis

from synqc_backend.config import Settings
from synqc_backend.limits.budgets import BudgetTracker, InMemoryBudget
from synqc_backend.limits.rate_limit import RateLimiter, create_rate_limiter
from synqc_backend.limits.redis_budgets import FallbackBudget, RedisBudget
from synqc_backend.metrics import CollectorSources, MetricsExporter, RunMetrics, start_exporter
from synqc_backend.presets.registry import PRESETS
from synqc_backend.runs.background_loop import BackgroundLoop
from synqc_backend.runs.engine import SynQcEngine
from synqc_backend.runs.events import InProcessEvents, RedisEvents, RunEvents
from synqc_backend.runs.heartbeat import RunHeartbeats
from synqc_backend.runs.queue import RunQueue, create_queue
from synqc_backend.runs.warm_up import warm_up_in_background
from synqc_backend.storage.availability import is_unreachable
from synqc_backend.storage.database import Database
from synqc_backend.storage.repository import RunAttempt
from synqc_backend.targets.base import Target
from synqc_backend.targets.ibm_profiles import resolve_profile
from synqc_backend.targets.registry import SIM_LOCAL, build_targets

log = logging.getLogger(__name__)


@dataclass
class Services:
    settings: Settings
    database: Database
    budget: BudgetTracker
    queue: RunQueue
    engine: SynQcEngine
    metrics: RunMetrics
    redis_client: redis.Redis | None = None
    heartbeats: RunHeartbeats | None = None
    exporter: MetricsExporter | None = None
    rate_limiter: RateLimiter | None = None
    _loops: list[BackgroundLoop] = field(default_factory=list)

    def close(self) -> None:
        if self.exporter is not None:
            self.exporter.stop()
        for loop in self._loops:
            loop.stop()
        self.queue.stop()
        if self.heartbeats is not None:
            self.heartbeats.stop()
        if self.redis_client is not None:
            self.redis_client.close()
        self.budget.close()
        if self.rate_limiter is not None:
            self.rate_limiter.close()
        self.database.dispose()

    def export_metrics(self, role: str) -> None:
        """Serve this process's metrics (`SYNQC_ENABLE_METRICS`, `SYNQC_METRICS_PORT`)."""
        sources = CollectorSources(self.database, self.budget, self.queue, self.metrics)
        self.exporter = start_exporter(self.settings, sources, role=role)

    def run_sweeper(self, interval_s: float) -> None:
        """Sweep the run table every `interval_s` in a background loop (worker processes).

        A pass that fails (the store or Redis away) is tried again, at most `2 × interval_s`
        apart, until one works.
        """
        heartbeats = self.heartbeats
        if heartbeats is None:
            raise RuntimeError("the sweeper needs Redis heartbeats")
        suspects: frozenset[RunAttempt] = frozenset()

        def sweep() -> None:
            nonlocal suspects
            suspects = self.engine.sweep(heartbeats.alive, suspects).unbeaten

        loop = BackgroundLoop("run-sweeper", sweep, interval_s, max_backoff_s=2 * interval_s)
        loop.start()
        self._loops.append(loop)

    def schedule_monitors(self) -> None:
        """Look for due monitors every `SYNQC_MONITOR_TICK_SECONDS` in a background loop; the
        process that holds the scheduler's lease submits their runs (`runs/monitors`)."""
        holder = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        interval_s = self.settings.monitor_tick_seconds

        def tick() -> None:
            self.engine.schedule_monitors(holder)

        loop = BackgroundLoop(
            "monitor-scheduler",
            tick,
            interval_s,
            max_backoff_s=max(30.0, 2 * interval_s),
        )
        loop.start()
        self._loops.append(loop)


def create_budget(settings: Settings) -> BudgetTracker:
    """In-memory without `redis_url`; else Redis, falling back to memory while Redis is down."""
    limit, ttl_s = settings.max_shots_per_session, settings.session_budget_ttl_seconds
    if settings.redis_url is None:
        return InMemoryBudget(limit, ttl_s)
    return FallbackBudget(RedisBudget.from_url(settings.redis_url, limit, ttl_s))


def targets_for(settings: Settings) -> dict[str, Target]:
    """The registry with sim_local's device profile and any local backend mappings."""
    return build_targets(resolve_profile(settings.sim_profile), settings.qiskit_backends, settings)


def create_services(settings: Settings) -> Services:
    """Build every service; nothing is started and no run is touched yet."""
    database = Database(settings.database_url)
    budget = create_budget(settings)
    queue = create_queue(settings)
    client = None if settings.redis_url is None else redis.Redis.from_url(settings.redis_url)
    events: RunEvents = (
        InProcessEvents() if client is None else RedisEvents(client, settings.redis_events_channel)
    )
    targets = targets_for(settings)
    metrics = RunMetrics(targets)
    engine = SynQcEngine(settings, database, budget, targets, PRESETS, queue, events, metrics)
    return Services(settings, database, budget, queue, engine, metrics, client)


def start_services(
    settings: Settings, *, recover: bool = True, export_metrics: bool = True
) -> Services:
    """Services of an API process (or a one-shot CLI run), ready to take submissions.

    - SQLite is migrated in place (the embedded default needs no separate step); any other
      database must already be at this code's schema (`synqc migrate`).
    - Embedded: recovers what a crash left behind and starts the in-process workers.
      `recover=False` is for a one-shot CLI run beside a server that owns the same store.
    - Every API and worker process looks for due monitors; one at a time acts on them.
    - Production: rebuilds budgets from the run table; workers run elsewhere.
    """
    services = create_services(settings)
    _prepare_schema(services)
    if settings.rate_limit_per_minute:
        services.rate_limiter = create_rate_limiter(
            settings.rate_limit_per_minute, settings.redis_url
        )
    if export_metrics:
        services.export_metrics("api")
    if recover:
        services.schedule_monitors()
    if not settings.embedded:
        _while_store_reachable(services.engine.resume, "session budgets are rebuilt per submit")
        return services
    if recover:
        services.engine.recover()
    services.queue.start_workers(services.engine)
    warm_up_in_background(services.engine.targets[SIM_LOCAL])
    return services


def start_worker_services(settings: Settings) -> Services:
    """Services of a production worker process: consume runs, beat for them, sweep."""
    services = create_services(settings)
    if services.redis_client is None:
        raise ValueError("a worker process needs SYNQC_REDIS_URL (the embedded default has none)")
    _while_store_reachable(services.database.check_schema, "runs wait for it")
    heartbeats = RunHeartbeats(
        services.redis_client,
        ttl_s=3 * settings.heartbeat_interval_seconds,
        interval_s=settings.heartbeat_interval_seconds,
    )
    heartbeats.start()
    services.heartbeats = heartbeats
    services.queue.start_workers(services.engine, heartbeats)
    warm_up_in_background(services.engine.targets[SIM_LOCAL])
    services.run_sweeper(settings.stale_run_seconds / 2)
    services.schedule_monitors()
    services.export_metrics("worker")
    return services


def _prepare_schema(services: Services) -> None:
    if services.database.backend == "sqlite":
        services.database.migrate()
    else:
        _while_store_reachable(services.database.check_schema, "requests answer 503 meanwhile")


def _while_store_reachable(step: Callable[[], None], meanwhile: str) -> None:
    """Run a start-up step that reads the store; a store that cannot be reached skips it.

    A process that (re)starts during a database outage keeps running rather than exiting:
    under `synqc serve --workers N` one API process failing its start-up stops them all. A
    schema at the wrong revision still stops the start.
    """
    try:
        step()
    except Exception as error:
        if not is_unreachable(error):
            raise
        log.warning("start-up: the store is unreachable (%s); %s", error, meanwhile)
