"""The run repository: round trips of every persisted type, and the run state machine in SQL."""

from typing import Any

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import OperationalError

from synqc_backend.storage.database import Database
from synqc_backend.storage.repository import QueueCounts, RunRepository, StoredCounts
from synqc_backend.storage.tables import ControlProfileRow, RunRow

MAX_ATTEMPTS = 3
T0 = 1_717_000_000.0


def make_run(run_id: str, **values: Any) -> RunRow:
    """A minimal valid run; keyword arguments override its columns."""
    columns: dict[str, Any] = {
        "id": run_id,
        "session_id": "session-a",
        "preset": "hello_quantum_sim",
        "preset_version": 1,
        "hardware_target": "sim_local",
        "status": "queued",
        "created_at": T0,
        "shot_budget": 1000,
        "shots_executed": 0,
        "progress": 0.0,
        "cancel_requested": False,
        "attempts": 0,
        "request": {},
        "control_profile": {},
        "target_snapshot": {},
        "timeline": {},
    }
    columns.update(values)
    return RunRow(**columns)


def store(database: Database, *rows: RunRow) -> None:
    with database.unit_of_work() as session:
        for row in rows:
            RunRepository(session).add(row)


def load(database: Database, run_id: str) -> RunRow:
    with database.unit_of_work() as session:
        row = RunRepository(session).get(run_id)
    assert row is not None
    return row


def columns_of(row: RunRow) -> dict[str, Any]:
    return {column.key: getattr(row, column.key) for column in inspect(RunRow).columns}


def counts(batch: int, circuit: int, label: str = "bell") -> StoredCounts:
    return StoredCounts(batch, circuit, label, None, 100, {"00": 60, "11": 40})


FULL_RUN: dict[str, Any] = {
    "id": "8a0f0d5e-1b7c-4c35-9a53-2d0f4a2b9e11",
    "session_id": "key:0123456789ab",
    "preset": "health",
    "preset_version": 3,
    "hardware_target": "ibm_quantum",
    "status": "failed",
    "created_at": T0 + 0.123456,
    "started_at": T0 + 1.5,
    "finished_at": T0 + 9.75,
    "shot_budget": 200_000,
    "shots_executed": 12_345,
    "progress": 0.625,
    "cancel_requested": True,
    "attempts": 2,
    "request": {
        "preset": "health",
        "qubits": [0, 2],
        "seed": None,
        "control_overrides": {"drive_bias": 1.05, "thermal_guard_enabled": False},
    },
    "control_profile": {"drive_bias": 1.05, "probe_window_ns": 120.0, "notes": "µs ≠ ms"},
    "target_snapshot": {
        "calibration": {"t1_s": 1.0e-4, "readout": [[0.988, 0.012], [0.03, 0.97]]},
        "basis_gates": ["rz", "sx", "x", "cx"],
    },
    "timeline": {"validate": [T0, T0 + 0.01], "queue": [T0 + 0.01, T0 + 1.5]},
    "result": {
        "kpis": {"fidelity": 0.97, "latency_us": None, "status": "warn"},
        "measurements": [{"name": "t1", "value": 9.8e-5, "stderr": 2e-6, "quality": "good"}],
        "qubits_used": [0, 2],
    },
    "batches": [{"index": 0, "label": "t1", "target": "ibm_quantum", "queue_s": None}],
    "notes": "nightly check — qubit 2 looked slow",
    "error_code": "PROVIDER_ERROR",
    "error_message": "job 42 failed on the provider",
    "error_detail": {"provider": {"job_id": "42", "reasons": ["timeout", {"retry": 1}]}},
    "action_hint": "retry later or pick another target",
    "idempotency_key": "nightly-2026-12-06:q2",
    "submit_warnings": ["shot_budget 200000 is above 20000 shots on 'ibm_quantum'"],
    "monitor_id": "8d3c1a52-5f2e-4b7a-9c1e-2f0a6b4d7e91",
}


def test_run_row_with_every_column_round_trips(database: Database) -> None:
    assert set(FULL_RUN) == set(columns_of(make_run("x")))  # the fixture covers every column
    store(database, RunRow(**FULL_RUN))

    loaded = load(database, FULL_RUN["id"])

    assert columns_of(loaded) == FULL_RUN


def test_non_finite_numbers_in_json_are_stored_as_null(database: Database) -> None:
    # PostgreSQL's json type refuses NaN; both stores keep null instead.
    result = {"kpis": {"fidelity": float("nan")}, "fits": [1.5, float("inf"), -float("inf")]}
    store(database, make_run("r", result=result))

    loaded = load(database, "r")

    assert loaded.result == {"kpis": {"fidelity": None}, "fits": [1.5, None, None]}


def test_get_for_update_returns_the_committed_row(database: Database) -> None:
    store(database, make_run("r"))

    with database.unit_of_work() as session:
        repository = RunRepository(session)
        stale = repository.get("r")
        with database.unit_of_work() as other:
            RunRepository(other).claim("r", T0 + 5, MAX_ATTEMPTS)
        locked = repository.get_for_update("r")

        assert locked is stale
        assert locked is not None
        assert (locked.status, locked.attempts) == ("running", 1)


def test_get_for_update_makes_a_concurrent_writer_wait_on_postgresql(postgres_url: str) -> None:
    database = Database(postgres_url)
    database.migrate()
    store(database, make_run("r"))
    try:
        with database.unit_of_work() as session:
            assert RunRepository(session).get_for_update("r") is not None
            with pytest.raises(OperationalError, match="lock timeout"):
                claim_with_lock_timeout(database)
    finally:
        database.dispose()


def claim_with_lock_timeout(database: Database) -> None:
    with database.unit_of_work() as other:
        other.execute(text("SET LOCAL lock_timeout = '200ms'"))
        RunRepository(other).claim("r", T0 + 5, MAX_ATTEMPTS)


def test_column_defaults_apply(database: Database) -> None:
    row = RunRow(
        id="r",
        session_id="s",
        preset="p",
        preset_version=1,
        hardware_target="sim_local",
        status="queued",
        created_at=T0,
        shot_budget=10,
        request={},
        control_profile={},
        target_snapshot={},
        timeline={},
    )
    store(database, row)

    loaded = load(database, "r")

    assert (loaded.shots_executed, loaded.progress, loaded.cancel_requested, loaded.attempts) == (
        0,
        0.0,
        False,
        0,
    )
    assert loaded.result is None
    assert loaded.started_at is None


def test_counts_round_trip_in_batch_and_circuit_order(database: Database) -> None:
    stored = [
        StoredCounts(1, 0, "rb", 30.0, 500, {"0": 480, "1": 20}),
        StoredCounts(0, 1, "t1", 2.5e-5, 200, {"0": 150, "1": 50}),
        StoredCounts(0, 0, "t1", None, 200, {"0": 10, "1": 190}),
    ]
    store(database, make_run("r"), make_run("other"))
    with database.unit_of_work() as session:
        RunRepository(session).add_counts("r", stored)
        RunRepository(session).add_counts("other", [counts(0, 0)])

    with database.unit_of_work() as session:
        loaded = RunRepository(session).counts_of("r")

    assert loaded == [stored[2], stored[1], stored[0]]


def test_claim_moves_a_queued_run_to_running(database: Database) -> None:
    store(database, make_run("r"))

    with database.unit_of_work() as session:
        assert RunRepository(session).claim("r", T0 + 5, MAX_ATTEMPTS)

    row = load(database, "r")
    assert (row.status, row.started_at, row.attempts) == ("running", T0 + 5, 1)


def test_second_claim_fails(database: Database) -> None:
    store(database, make_run("r"))

    with database.unit_of_work() as session:
        first = RunRepository(session).claim("r", T0 + 5, MAX_ATTEMPTS)
    with database.unit_of_work() as session:
        second = RunRepository(session).claim("r", T0 + 6, MAX_ATTEMPTS)

    assert (first, second) == (True, False)
    row = load(database, "r")
    assert (row.started_at, row.attempts) == (T0 + 5, 1)


@pytest.mark.parametrize(
    ("status", "attempts", "claimed"),
    [
        ("queued", MAX_ATTEMPTS - 1, True),
        ("queued", MAX_ATTEMPTS, False),
        ("running", 0, False),
        ("succeeded", 0, False),
        ("cancelled", 0, False),
    ],
)
def test_claim_is_a_compare_and_set_with_an_attempt_limit(
    database: Database, status: str, attempts: int, claimed: bool
) -> None:
    store(database, make_run("r", status=status, attempts=attempts))

    with database.unit_of_work() as session:
        assert RunRepository(session).claim("r", T0 + 5, MAX_ATTEMPTS) is claimed

    row = load(database, "r")
    assert (row.status, row.attempts) == (
        ("running", attempts + 1) if claimed else (status, attempts)
    )


def test_claim_of_an_unknown_run_fails(database: Database) -> None:
    with database.unit_of_work() as session:
        assert not RunRepository(session).claim("missing", T0, MAX_ATTEMPTS)


def test_claim_drops_counts_of_an_interrupted_attempt(database: Database) -> None:
    store(database, make_run("r", attempts=1), make_run("other", status="running"))
    with database.unit_of_work() as session:
        RunRepository(session).add_counts("r", [counts(0, 0), counts(0, 1)])
        RunRepository(session).add_counts("other", [counts(0, 0)])

    with database.unit_of_work() as session:
        assert RunRepository(session).claim("r", T0 + 5, MAX_ATTEMPTS)

    with database.unit_of_work() as session:
        repository = RunRepository(session)
        assert repository.counts_of("r") == []
        assert repository.counts_of("other") == [counts(0, 0)]


def test_failed_claim_keeps_counts(database: Database) -> None:
    store(database, make_run("r", status="running", attempts=1))
    with database.unit_of_work() as session:
        RunRepository(session).add_counts("r", [counts(0, 0)])

    with database.unit_of_work() as session:
        assert not RunRepository(session).claim("r", T0 + 5, MAX_ATTEMPTS)
        assert RunRepository(session).counts_of("r") == [counts(0, 0)]


@pytest.mark.parametrize(
    ("status", "cancelled"),
    [("queued", True), ("running", False), ("succeeded", False), ("cancelled", False)],
)
def test_cancel_if_queued(database: Database, status: str, cancelled: bool) -> None:
    store(database, make_run("r", status=status))

    with database.unit_of_work() as session:
        reason = {"error_code": "CANCELLED", "action_hint": "submit it again"}
        assert RunRepository(session).cancel_if_queued("r", T0 + 3, reason) is cancelled

    row = load(database, "r")
    if cancelled:
        assert (row.status, row.finished_at, row.progress) == ("cancelled", T0 + 3, 1.0)
        assert (row.error_code, row.action_hint) == ("CANCELLED", "submit it again")
    else:
        assert (row.status, row.finished_at) == (status, None)


@pytest.mark.parametrize(
    ("status", "requested"),
    [("running", True), ("queued", False), ("succeeded", False), ("failed", False)],
)
def test_request_cancel_flags_running_runs_only(
    database: Database, status: str, requested: bool
) -> None:
    store(database, make_run("r", status=status))

    with database.unit_of_work() as session:
        assert RunRepository(session).request_cancel("r") is requested

    with database.unit_of_work() as session:
        assert RunRepository(session).cancel_requested("r") is requested
    assert load(database, "r").status == status  # the worker, not the request, stops the run


def test_cancel_requested_of_an_unknown_run_is_false(database: Database) -> None:
    with database.unit_of_work() as session:
        assert RunRepository(session).cancel_requested("missing") is False


@pytest.fixture
def listed(database: Database) -> Database:
    store(
        database,
        make_run("a", created_at=T0 + 1, status="succeeded"),
        make_run("b", created_at=T0 + 2, status="queued", preset="health"),
        make_run("c", created_at=T0 + 3, status="failed", hardware_target="aws_braket"),
        make_run("d", created_at=T0 + 4, status="running", preset="health"),
        make_run("e", created_at=T0 + 4, status="cancelled"),
    )
    return database


@pytest.mark.parametrize(
    ("filters", "ids"),
    [
        pytest.param({}, ["d", "e", "c", "b", "a"], id="newest-first-then-id"),
        pytest.param({"limit": 2}, ["d", "e"], id="limit"),
        pytest.param({"status": "queued"}, ["b"], id="status"),
        pytest.param({"preset": "health"}, ["d", "b"], id="preset"),
        pytest.param({"hardware_target": "aws_braket"}, ["c"], id="target"),
        pytest.param({"finished_only": True}, ["e", "c", "a"], id="finished"),
        pytest.param({"preset": "health", "finished_only": True}, [], id="combined"),
    ],
)
def test_list_runs_filters_and_orders(
    listed: Database, filters: dict[str, Any], ids: list[str]
) -> None:
    arguments: dict[str, Any] = {"limit": 100, **filters}
    with listed.unit_of_work() as session:
        rows = RunRepository(session).list_runs(**arguments)

    assert [row.id for row in rows] == ids


def test_ids_in_state_oldest_first(listed: Database) -> None:
    store(listed, make_run("f", created_at=T0 - 1, status="queued"))

    with listed.unit_of_work() as session:
        assert RunRepository(session).ids_in_state("queued") == ["f", "b"]


def test_queue_counts(database: Database) -> None:
    store(
        database,
        make_run("q1", status="queued", created_at=T0 + 7),
        make_run("q2", status="queued", created_at=T0 + 2),
        make_run("r", status="running", created_at=T0 + 1),
        make_run("f1", status="failed", hardware_target="sim_local"),
        make_run("f2", status="failed", hardware_target="ibm_quantum"),
        make_run("f3", status="failed", hardware_target="ibm_quantum"),
    )

    with database.unit_of_work() as session:
        result = RunRepository(session).queue_counts()

    assert result == QueueCounts(
        by_status={"queued": 2, "running": 1, "failed": 3},
        oldest_queued_created_at=T0 + 2,
        failures_by_target={"sim_local": 1, "ibm_quantum": 2},
    )


def test_queue_counts_of_an_empty_store(database: Database) -> None:
    with database.unit_of_work() as session:
        assert RunRepository(session).queue_counts() == QueueCounts({}, None, {})


def test_session_usage(database: Database) -> None:
    since = T0
    store(
        database,
        make_run("queued", session_id="a", status="queued", shot_budget=1000, created_at=since),
        make_run(
            "running",
            session_id="a",
            status="running",
            shot_budget=500,
            shots_executed=200,
            created_at=since + 1,
        ),
        make_run(
            "done",
            session_id="a",
            status="succeeded",
            shot_budget=4000,
            shots_executed=4000,
            created_at=since + 2,
        ),
        make_run(
            "failed",
            session_id="b",
            status="failed",
            shot_budget=3000,
            shots_executed=700,
            created_at=since + 3,
        ),
        make_run(
            "cancelled", session_id="b", status="cancelled", shot_budget=900, created_at=since + 4
        ),
        make_run(
            "old", session_id="a", status="succeeded", shots_executed=9999, created_at=since - 1
        ),
        make_run("old-active", session_id="c", status="queued", created_at=since - 0.5),
    )

    with database.unit_of_work() as session:
        usage = RunRepository(session).session_usage(since)

    # a: budgets of queued + running (1000 + 500) plus executed of the finished run (4000).
    assert usage == {"a": 5500, "b": 700}


def test_qubit_usage(database: Database) -> None:
    store(
        database,
        make_run("r1", status="succeeded", finished_at=T0 + 1, result={"qubits_used": [0]}),
        make_run("r2", status="succeeded", finished_at=T0 + 5, result={"qubits_used": [0, 1]}),
        make_run("r3", status="failed", finished_at=T0 + 9, result={"qubits_used": [0, 1, 2]}),
        make_run("r4", session_id="other", status="succeeded", result={"qubits_used": [3]}),
    )

    with database.unit_of_work() as session:
        repository = RunRepository(session)
        assert repository.qubit_usage("session-a") == (3, 2, T0 + 5)
        assert repository.qubit_usage("nobody") == (0, 0, None)


def test_qubit_usage_latest_ignores_a_succeeded_run_without_finish_time(
    database: Database,
) -> None:
    store(
        database,
        make_run("r1", status="succeeded", finished_at=T0 + 1, result={"qubits_used": [0, 1]}),
        make_run("r2", status="succeeded", finished_at=None, result={"qubits_used": [0]}),
    )

    with database.unit_of_work() as session:
        assert RunRepository(session).qubit_usage("session-a") == (3, 2, T0 + 1)


def test_control_profile_save_and_load(database: Database) -> None:
    first = {"drive_bias": 1.0, "thermal_guard_enabled": True, "notes": ""}
    second = {"drive_bias": 1.2, "thermal_guard_enabled": False, "notes": "hot fridge"}

    with database.unit_of_work() as session:
        assert RunRepository(session).control_profile("default") is None
        RunRepository(session).save_control_profile("default", first, T0)
    with database.unit_of_work() as session:
        assert RunRepository(session).control_profile("default") == first
        RunRepository(session).save_control_profile("default", second, T0 + 1)

    with database.unit_of_work() as session:
        repository = RunRepository(session)
        assert repository.control_profile("default") == second
        assert repository.control_profile("other") is None
        row = session.get(ControlProfileRow, "default")
        assert row is not None
        assert row.updated_at == T0 + 1
