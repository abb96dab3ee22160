"""The service graph of one process: store, budgets, queue and engine, built from settings."""

from dataclasses import dataclass

from synqc_backend.budget import BudgetTracker, InMemoryBudget
from synqc_backend.config import Settings
from synqc_backend.engine import SynQcEngine
from synqc_backend.presets.registry import PRESETS
from synqc_backend.queue import RunQueue, create_queue
from synqc_backend.storage.database import Database
from synqc_backend.targets.base import Target
from synqc_backend.targets.ibm_profiles import resolve_profile
from synqc_backend.targets.registry import build_targets


@dataclass(frozen=True)
class Services:
    settings: Settings
    database: Database
    budget: BudgetTracker
    queue: RunQueue
    engine: SynQcEngine

    def close(self) -> None:
        self.queue.stop()
        self.database.dispose()


def create_services(settings: Settings) -> Services:
    """Build every service; nothing is started and no run is touched yet."""
    database = Database(settings.database_url)
    budget = InMemoryBudget(settings.max_shots_per_session, settings.session_budget_ttl_seconds)
    queue = create_queue(settings)
    targets = targets_for(settings)
    engine = SynQcEngine(settings, database, budget, targets, PRESETS, queue)
    return Services(settings, database, budget, queue, engine)


def targets_for(settings: Settings) -> dict[str, Target]:
    """The registry with sim_local's device profile and any local backend mappings."""
    return build_targets(resolve_profile(settings.sim_profile), settings.qiskit_backends)


def start_services(settings: Settings, *, recover: bool = True) -> Services:
    """Build, prepare the schema, recover what a crash left behind, and start the workers.

    - SQLite is migrated in place (the embedded default needs no separate step); any other
      database must already be at this code's schema (`synqc migrate`).
    - `recover=False` is for a one-shot CLI run beside a server that owns the same store.
    """
    services = create_services(settings)
    if services.database.backend == "sqlite":
        services.database.migrate()
    else:
        services.database.check_schema()
    if recover:
        services.engine.recover()
    services.queue.start_workers(services.engine)
    return services
