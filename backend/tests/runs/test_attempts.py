"""One attempt holds a run at a time: a stale attempt and a sweep that lost a race change nothing.

The engine of a production worker on PostgreSQL and Redis; attempts run in threads of the test
against a target that holds each call until the test lets it through, so the interleavings the
fault survey met (two sweeps, a claim between them, an attempt that outlived its run) happen in
a fixed order.
"""

import threading
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
import redis
from qiskit import QuantumCircuit

from synqc_backend.execution import ExecutionOptions, ExecutionResult
from synqc_backend.models import RunExperimentRequest
from synqc_backend.runs.engine import SynQcEngine
from synqc_backend.runs.heartbeat import RunHeartbeats
from synqc_backend.runs.recovery import Sweep
from synqc_backend.runs.services import Services, create_services
from synqc_backend.storage.database import Database
from synqc_backend.storage.repository import RunRepository
from synqc_backend.storage.tables import RunRow
from tests.conftest import make_settings
from tests.hardening.faulty_parts import DelegatingTarget
from tests.postgres_server import ScratchDatabase, require_postgres
from tests.redis_server import RedisServer, redis_server_fixture  # noqa: F401

SESSION = "attempts-session"
SHOTS = 2000
STALE_S = 0.3
WAIT_S = 30.0


class GatedTarget(DelegatingTarget):
    """sim_local itself, except that each call waits until the test lets that call through."""

    def __init__(self, inner: Any) -> None:
        super().__init__(inner)
        self._gates: list[threading.Event] = []
        self._entered = threading.Condition()

    def execute(
        self, circuits: Sequence[QuantumCircuit], options: ExecutionOptions
    ) -> ExecutionResult:
        gate = threading.Event()
        with self._entered:
            self._gates.append(gate)
            self._entered.notify_all()
        assert gate.wait(WAIT_S), "the test never let this call through"
        return super().execute(circuits, options)

    def wait_entered(self, calls: int) -> None:
        """Wait until `calls` calls are held (or were let through)."""
        with self._entered:
            assert self._entered.wait_for(lambda: len(self._gates) >= calls, WAIT_S)

    def let_through(self, call: int) -> None:
        """Let the call with this index (0 = the first) go on to the simulator."""
        self.wait_entered(call + 1)
        self._gates[call].set()


@pytest.fixture
def scratch_database() -> Iterator[ScratchDatabase]:
    with require_postgres().database() as scratch:
        store = Database(scratch.url)
        store.migrate()
        store.dispose()
        yield scratch


@pytest.fixture
def worker_services(
    tmp_path: Path, redis_server: RedisServer, scratch_database: ScratchDatabase
) -> Iterator[Callable[..., Services]]:
    """Builds a worker process's services (nothing started) with these settings on top."""
    built: list[Services] = []

    def build(**overrides: Any) -> Services:
        settings = make_settings(
            tmp_path,
            database_url=scratch_database.url,
            redis_url=redis_server.url,
            stale_run_seconds=STALE_S,
            **overrides,
        )
        built.append(create_services(settings))
        return built[-1]

    yield build
    for services in built:
        services.close()


def heartbeats_of(engine: SynQcEngine) -> RunHeartbeats:
    """Heartbeats in the engine's Redis; the attempts of these tests never beat."""
    assert engine.settings.redis_url is not None
    return RunHeartbeats(redis.Redis.from_url(engine.settings.redis_url), ttl_s=3, interval_s=1)


def gate_simulator(engine: SynQcEngine) -> GatedTarget:
    gated = GatedTarget(engine.targets["sim_local"])
    engine.targets["sim_local"] = gated
    return gated


def submit(engine: SynQcEngine) -> str:
    request = RunExperimentRequest.model_validate(
        {"preset": "hello_quantum_sim", "shot_budget": SHOTS}
    )
    return engine.submit(request, SESSION, engine.clock()).id


def in_thread(work: Callable[[], None]) -> threading.Thread:
    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    return thread


def worker_thread(engine: SynQcEngine, run_id: str) -> threading.Thread:
    """A worker thread taking the run's message; after the job it calls `fail_timed_out`, as
    the queue does in that thread when Dramatiq's time limit interrupted the job."""

    def job() -> None:
        engine.execute_run(run_id)
        engine.fail_timed_out(run_id)

    return in_thread(job)


def stored(engine: SynQcEngine, run_id: str) -> tuple[RunRow, int]:
    """The run's row and how many count rows it holds."""
    with engine.database.unit_of_work() as session:
        repository = RunRepository(session)
        row = repository.get(run_id)
        assert row is not None
        return row, len(repository.counts_of(run_id))


def wait_running(engine: SynQcEngine, run_id: str, attempt: int) -> None:
    deadline = time.monotonic() + WAIT_S
    while stored(engine, run_id)[0].attempts != attempt:
        assert time.monotonic() < deadline, f"run {run_id} never ran attempt {attempt}"
        time.sleep(0.02)
    assert stored(engine, run_id)[0].status == "running"


def first_pass_on_a_stale_attempt(engine: SynQcEngine, alive: Callable[[str], bool]) -> Sweep:
    """A sweep's pass after the running attempt went stale: it only suspects it."""
    time.sleep(STALE_S + 0.1)
    first = engine.sweep(alive)
    assert (first.requeued, first.failed) == ([], [])
    return first


def assert_budget_holds_what_the_run_kept(engine: SynQcEngine, run_id: str) -> None:
    row, counts = stored(engine, run_id)
    assert (row.status, row.attempts) == ("succeeded", 2), row.error_message
    # One attempt's counts and shots, and the session holds exactly those shots.
    assert (row.shots_executed, counts, len(row.batches)) == (SHOTS, 1, 1)
    assert engine.budget.used(SESSION) == SHOTS


def test_an_attempt_that_lost_its_run_records_and_ends_nothing(
    worker_services: Callable[..., Services],
) -> None:
    engine = worker_services().engine
    assert engine.budget.backend == "redis"
    alive = heartbeats_of(engine).alive
    gated = gate_simulator(engine)
    run_id = submit(engine)
    stale = worker_thread(engine, run_id)  # its worker stops beating: a partition, a pause
    gated.wait_entered(1)

    first = first_pass_on_a_stale_attempt(engine, alive)
    second = engine.sweep(alive, first.unbeaten)
    assert second.requeued == [run_id]
    rescue = worker_thread(engine, run_id)
    wait_running(engine, run_id, attempt=2)

    gated.let_through(0)  # the stale attempt's batch comes back while attempt 2 holds the run
    stale.join(WAIT_S)
    row, counts = stored(engine, run_id)
    assert (row.status, row.attempts, row.shots_executed, counts) == ("running", 2, 0, 0)

    gated.let_through(1)
    rescue.join(WAIT_S)
    assert_budget_holds_what_the_run_kept(engine, run_id)


def test_a_sweep_that_lost_the_race_for_an_attempt_leaves_the_next_attempt_alone(
    worker_services: Callable[..., Services],
) -> None:
    engine = worker_services().engine
    alive = heartbeats_of(engine).alive
    gated = gate_simulator(engine)
    run_id = submit(engine)
    dead = worker_thread(engine, run_id)
    gated.wait_entered(1)
    first_of_a = first_pass_on_a_stale_attempt(engine, alive)
    first_of_b = engine.sweep(alive)
    rescue: list[threading.Thread] = []

    def alive_once_sweep_a_and_a_claim_went_first(checked: str) -> bool:
        # Sweep B listed attempt 1; before it looks at the heartbeat, sweep A gives the run
        # back and another worker claims it (attempt 2, not beating yet).
        assert engine.sweep(alive, first_of_a.unbeaten).requeued == [run_id]
        rescue.append(worker_thread(engine, run_id))
        wait_running(engine, run_id, attempt=2)
        return alive(checked)

    second_of_b = engine.sweep(alive_once_sweep_a_and_a_claim_went_first, first_of_b.unbeaten)

    assert (second_of_b.requeued, second_of_b.failed) == ([], [])
    row, _ = stored(engine, run_id)
    assert (row.status, row.attempts, row.error_code) == ("running", 2, None)
    gated.let_through(1)
    rescue[0].join(WAIT_S)
    gated.let_through(0)
    dead.join(WAIT_S)
    assert_budget_holds_what_the_run_kept(engine, run_id)


def test_two_sweeps_fail_an_attempt_out_of_attempts_once_and_refund_it_once(
    worker_services: Callable[..., Services],
) -> None:
    engine = worker_services(max_run_attempts=1).engine
    other = worker_services(max_run_attempts=1).engine
    alive = heartbeats_of(engine).alive
    gated = gate_simulator(engine)
    run_id = submit(engine)
    dead = worker_thread(engine, run_id)
    gated.wait_entered(1)
    suspects = first_pass_on_a_stale_attempt(engine, alive).unbeaten
    start = threading.Barrier(2)
    passes: list[Sweep] = []

    def second_pass(sweeper: SynQcEngine) -> None:
        start.wait()
        passes.append(sweeper.sweep(alive, suspects))

    for thread in [in_thread(lambda: second_pass(engine)), in_thread(lambda: second_pass(other))]:
        thread.join(WAIT_S)
    gated.let_through(0)
    dead.join(WAIT_S)

    assert sorted(len(done.failed) for done in passes) == [0, 1]
    row, counts = stored(engine, run_id)
    assert (row.status, row.error_code, row.shots_executed, counts) == (
        "failed",
        "INTERRUPTED",
        0,
        0,
    )
    assert engine.budget.used(SESSION) == 0
