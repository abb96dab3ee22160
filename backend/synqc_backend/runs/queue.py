"""The run queue: Dramatiq actors on a broker chosen by settings.

- Embedded default: Dramatiq's StubBroker with worker threads inside the API process.
- Production (`SYNQC_REDIS_URL`): Dramatiq's RedisBroker; API processes only send, worker
  processes (`synqc worker`) consume. A message carries only a run id; the run table is the
  source of truth, so a lost or repeated message never loses or repeats a run.
"""

import logging
from contextlib import AbstractContextManager, nullcontext
from typing import Protocol

import dramatiq
from dramatiq.brokers.redis import RedisBroker
from dramatiq.brokers.stub import StubBroker
from dramatiq.middleware.time_limit import TimeLimitExceeded

from synqc_backend.config import Settings
from synqc_backend.logs import request_id_var

log = logging.getLogger(__name__)

ACTOR_NAME = "execute_run"
QUEUE_NAME = "runs"
NAMESPACE = "synqc"
# A dead worker's unacknowledged messages come back after this long (measured: the defaults
# took 75 s to over 20 min); the run-table sweep is the second line of defence.
BROKER_HEARTBEAT_TIMEOUT_MS = 30_000
BROKER_MAINTENANCE_CHANCE = 50_000
# How often idle worker threads look for messages and for a stop request.
WORKER_POLL_MS = 100
# The engine ends a run at its deadline itself; Dramatiq's time limit is the backstop. Were
# both the same, Dramatiq's interrupt could land in the thread's next run instead.
TIME_LIMIT_GRACE_S = 10


class RunHandler(Protocol):
    """What a worker does with a run id."""

    def execute_run(self, run_id: str) -> None: ...

    def fail_timed_out(self, run_id: str) -> None: ...


class Liveness(Protocol):
    """Marks a run as being executed by this process while the block runs."""

    def beating(self, run_id: str) -> AbstractContextManager[None]: ...


class RunQueue:
    """Sends run ids to the `execute_run` actor and, where asked, runs worker threads."""

    def __init__(self, broker: dramatiq.Broker, backend: str, settings: Settings) -> None:
        self.backend = backend
        self.max_workers = settings.worker_concurrency
        self._broker = broker
        self._handler: RunHandler | None = None
        self._liveness: Liveness | None = None
        self._worker: dramatiq.Worker | None = None
        self._actor = dramatiq.actor(
            broker=broker,
            actor_name=ACTOR_NAME,
            queue_name=QUEUE_NAME,
            max_retries=0,
            time_limit=int((settings.job_timeout_seconds + TIME_LIMIT_GRACE_S) * 1000),
        )(self._process)

    def enqueue(self, run_id: str) -> None:
        self._actor.send(run_id)

    def start_workers(self, handler: RunHandler, liveness: Liveness | None = None) -> None:
        self._handler = handler
        self._liveness = liveness
        # Starts the TimeLimit middleware's watchdog, as Dramatiq's own CLI does at boot.
        self._broker.emit_after("process_boot")
        self._worker = dramatiq.Worker(
            self._broker, worker_threads=self.max_workers, worker_timeout=WORKER_POLL_MS
        )
        self._worker.start()

    def stop_workers(self, timeout_s: float = 10.0) -> None:
        """Stop consuming; messages not yet taken stay on the broker."""
        if self._worker is not None:
            self._worker.stop(timeout=int(timeout_s * 1000))
            self._worker = None

    def stop(self, timeout_s: float = 10.0) -> None:
        self.stop_workers(timeout_s)
        self._broker.close()

    def _process(self, run_id: str) -> None:
        handler = self._handler
        if handler is None:
            raise RuntimeError("queue has no run handler; start_workers() was not called")
        token = request_id_var.set(f"run:{run_id}")
        beating = nullcontext() if self._liveness is None else self._liveness.beating(run_id)
        try:
            with beating:
                handler.execute_run(run_id)
        except TimeLimitExceeded:
            log.warning("run %s exceeded its time limit", run_id)
            handler.fail_timed_out(run_id)
        finally:
            request_id_var.reset(token)


def create_queue(settings: Settings) -> RunQueue:
    """The queue for these settings: StubBroker embedded, RedisBroker with `redis_url`."""
    if settings.redis_url is None:
        return RunQueue(StubBroker(), "dramatiq-stub", settings)
    broker = RedisBroker(  # type: ignore[no-untyped-call]
        url=settings.redis_url,
        namespace=NAMESPACE,
        heartbeat_timeout=BROKER_HEARTBEAT_TIMEOUT_MS,
        maintenance_chance=BROKER_MAINTENANCE_CHANCE,
    )
    return RunQueue(broker, "dramatiq-redis", settings)
