"""Service health: limits, queue and budget numbers, store reachability."""

import time
from datetime import UTC, datetime

from fastapi import APIRouter

from synqc_backend import __version__
from synqc_backend.http.deps import ServicesDep
from synqc_backend.limits.budgets import budget_snapshot
from synqc_backend.models import (
    BudgetTrackerHealth,
    ControlProfile,
    HealthResponse,
    PersistenceHealth,
    QueueHealth,
    RunState,
)
from synqc_backend.storage.repository import RunRepository

router = APIRouter(tags=["health"])


@router.get("/health")
def get_health(services: ServicesDep) -> HealthResponse:
    """Cheap status of this process and the state it shares (one grouped query on runs)."""
    settings, engine, budget = services.settings, services.engine, services.budget
    persistence_ok = services.database.ping()
    queue = _queue_health(services) if persistence_ok else None
    snapshot = budget_snapshot(budget)
    # Production without Redis runs on per-process budgets: still serving, but degraded.
    redis_missing = not settings.embedded and not snapshot.redis_connected
    return HealthResponse(
        status="ok" if persistence_ok and not redis_missing else "degraded",
        version=__version__,
        server_time=datetime.now(UTC).isoformat(),
        env=settings.env.value,
        max_shots_per_experiment=settings.max_shots_per_experiment,
        max_shots_per_session=settings.max_shots_per_session,
        default_shot_budget=settings.default_shot_budget,
        hardware_shot_warning=settings.hardware_shot_warning,
        allow_remote_hardware=settings.allow_remote_hardware,
        require_api_key=settings.require_api_key,
        presets=engine.preset_names(),
        visible_target_count=len(engine.targets),
        control_profile=engine.control_profile() if persistence_ok else ControlProfile(),
        budget_tracker=BudgetTrackerHealth(
            backend=snapshot.backend,
            redis_connected=snapshot.redis_connected,
            redis_ok=snapshot.redis_connected,
            session_keys=snapshot.session_keys,
            session_ttl_seconds=budget.ttl_s,
        ),
        queue=queue or _unknown_queue(services),
        persistence=PersistenceHealth(backend=services.database.backend, ok=persistence_ok),
    )


def _queue_health(services: ServicesDep) -> QueueHealth:
    with services.database.unit_of_work() as session:
        counts = RunRepository(session).queue_counts()
    by_status = counts.by_status
    oldest = counts.oldest_queued_created_at
    return QueueHealth(
        backend=services.queue.backend,
        total=sum(by_status.values()),
        **{state.value: by_status.get(state.value, 0) for state in RunState},
        oldest_queued_age_s=None if oldest is None else max(0.0, time.time() - oldest),
        max_workers=services.queue.max_workers,
        failures_by_target=counts.failures_by_target,
    )


def _unknown_queue(services: ServicesDep) -> QueueHealth:
    """Queue numbers while the store is unreachable: unknown, not zero."""
    return QueueHealth(backend=services.queue.backend, max_workers=services.queue.max_workers)
