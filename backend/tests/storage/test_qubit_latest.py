"""Each qubit series' latest entry under runs on the same qubit that finish at once in two
processes (PostgreSQL, two connections): no collision, and the later measurement wins whichever
transaction commits last."""

import threading
from collections.abc import Iterator

import pytest

from synqc_backend.storage.database import Database
from synqc_backend.storage.repository import RunRepository
from synqc_backend.storage.tables import QubitMeasurementRow
from tests.storage.test_repository import load, make_run, store


@pytest.fixture
def postgres_store(postgres_url: str) -> Iterator[Database]:
    database = Database(postgres_url)
    database.migrate()
    yield database
    database.dispose()


def record(database: Database, run_id: str, at: float, held: threading.Event | None) -> None:
    """Record one T1 of qubit 0 for `run_id` at time `at`; hold the transaction open until
    `held` is set, when given."""
    with database.unit_of_work() as session:
        repository = RunRepository(session)
        row = QubitMeasurementRow(
            run_id=run_id,
            hardware_target="sim_local",
            qubit=0,
            quantity="t1_s",
            value=at * 1e-6,
            stderr=1e-6,
            quality="good",
            measured_at=at,
        )
        repository.replace_qubit_measurements(load(database, run_id), [row])
        repository.point_latest(row)
        if held is not None:
            held.wait(10)


@pytest.mark.parametrize(("first", "second"), [(11.0, 10.0), (10.0, 11.0)])
def test_the_later_measurement_is_the_latest_whichever_commits_last(
    postgres_store: Database, first: float, second: float
) -> None:
    store(postgres_store, make_run("run-a"), make_run("run-b"))
    release = threading.Event()
    holder = threading.Thread(target=record, args=(postgres_store, "run-a", first, release))
    holder.start()
    # The second transaction's upsert waits on the first's entry until it commits.
    waiter = threading.Thread(target=record, args=(postgres_store, "run-b", second, None))
    threading.Timer(0.5, waiter.start).start()
    threading.Timer(1.5, release.set).start()
    holder.join(15)
    waiter.join(15)

    with postgres_store.unit_of_work() as session:
        (latest,) = RunRepository(session).latest_qubit_measurements("sim_local", ["t1_s"])
        assert latest.measured_at == max(first, second)
