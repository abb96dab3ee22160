"""Cancelling runs (queued and running) and timing them out: final states and shot refunds."""

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from qiskit import QuantumCircuit

from synqc_backend.execution import (
    BatchOutcome,
    CircuitBatch,
    ExecutionOptions,
    ExecutionResult,
)
from synqc_backend.http.app import create_app
from synqc_backend.models import Preset as PresetName
from synqc_backend.presets.base import Preset, PresetContext, PresetOutcome
from synqc_backend.runs.engine import SynQcEngine
from synqc_backend.storage.repository import RunRepository
from synqc_backend.targets.base import Target
from tests.conftest import make_settings, services_of, wait_finished
from tests.hardening.faulty_parts import DelegatingTarget

HELLO = "hello_quantum_sim"


def shots_used(client: TestClient) -> int:
    used: int = client.get("/budget").json()["used"]
    return used


def cancel_the_running_run(engine: SynQcEngine) -> str:
    """Ask the one running run to stop, as `POST /runs/{id}/cancel` would; return its id."""
    with engine.database.unit_of_work() as session:
        (run_id,) = RunRepository(session).ids_in_state("running")
    engine.cancel(run_id)
    return run_id


class CancelOnExecute(DelegatingTarget):
    """The real target, except that the run is asked to stop just before its circuits run."""

    def __init__(self, inner: Target, engine: SynQcEngine) -> None:
        super().__init__(inner)
        self.engine = engine
        self.cancelled: list[str] = []
        self.shots_executed = 0

    def execute(
        self, circuits: Sequence[QuantumCircuit], options: ExecutionOptions
    ) -> ExecutionResult:
        self.cancelled.append(cancel_the_running_run(self.engine))
        result = self.inner.execute(circuits, options)
        self.shots_executed += result.shots_executed
        return result


class CancelDuring:
    """The real preset, except that the run is asked to stop during `plan` or `analyse`."""

    def __init__(self, inner: Preset, engine: SynQcEngine, step: str) -> None:
        self.inner = inner
        self.engine = engine
        self.step = step
        self.name = inner.name
        self.version = inner.version
        self.min_shot_budget = inner.min_shot_budget
        self.default_shot_budget = inner.default_shot_budget
        self.cancelled: list[str] = []

    def plan(self, context: PresetContext) -> list[CircuitBatch]:
        self._cancel_during("plan")
        return self.inner.plan(context)

    def circuit_shots(self, context: PresetContext) -> int:
        return self.inner.circuit_shots(context)

    def plan_next(
        self, context: PresetContext, outcomes: Sequence[BatchOutcome]
    ) -> list[CircuitBatch]:
        return self.inner.plan_next(context, outcomes)

    def analyse(self, context: PresetContext, outcomes: Sequence[BatchOutcome]) -> PresetOutcome:
        self._cancel_during("analyse")
        return self.inner.analyse(context, outcomes)

    def _cancel_during(self, step: str) -> None:
        if step == self.step:
            self.cancelled.append(cancel_the_running_run(self.engine))


def test_cancelling_a_queued_run_gives_its_shots_back(paused_client: TestClient) -> None:
    run = paused_client.post("/runs", json={"preset": HELLO, "shot_budget": 3_000}).json()
    assert shots_used(paused_client) == 3_000

    response = paused_client.post(f"/runs/{run['id']}/cancel")

    assert response.status_code == 200
    body = response.json()
    assert (body["id"], body["status"]) == (run["id"], "cancelled")
    assert body["finished_at"] is not None
    assert body["started_at"] is None
    assert paused_client.get(f"/runs/{run['id']}").json()["status"] == "cancelled"
    assert shots_used(paused_client) == 0


def test_cancelling_twice_is_a_conflict_and_refunds_once(paused_client: TestClient) -> None:
    held = paused_client.post("/runs", json={"preset": HELLO, "shot_budget": 1_000}).json()
    run = paused_client.post("/runs", json={"preset": HELLO, "shot_budget": 3_000}).json()
    paused_client.post(f"/runs/{run['id']}/cancel")

    again = paused_client.post(f"/runs/{run['id']}/cancel")

    assert again.status_code == 409
    detail = again.json()["detail"]
    assert detail["code"] == detail["error_code"] == "INVALID_REQUEST"
    assert detail["error_detail"] == {"run_id": run["id"]}
    assert shots_used(paused_client) == 1_000
    assert paused_client.get(f"/runs/{held['id']}").json()["status"] == "queued"


def test_a_run_cancelled_while_queued_carries_the_cancelled_code(
    paused_client: TestClient,
) -> None:
    run_id = paused_client.post("/runs", json={"preset": HELLO}).json()["id"]
    paused_client.post(f"/runs/{run_id}/cancel")

    run = paused_client.get(f"/runs/{run_id}").json()

    assert run["status"] == "cancelled"
    assert run["error_code"] == "CANCELLED"
    assert run["result"]["error_code"] == "CANCELLED"


def test_a_running_run_stops_after_the_batch_it_was_executing(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = services_of(client).engine
    target = CancelOnExecute(engine.targets["sim_local"], engine)
    swapped: Target = target
    monkeypatch.setitem(engine.targets, "sim_local", swapped)

    run_id = client.post("/runs", json={"preset": HELLO, "shot_budget": 3_000}).json()["id"]
    run = wait_finished(client, run_id)

    assert target.cancelled == [run_id]
    assert (run["status"], run["error_code"]) == ("cancelled", "CANCELLED")
    assert run["action_hint"]
    # The batch in flight when the cancel arrived ran to the end and is paid for; no other.
    assert target.shots_executed > 0
    assert run["result"]["shots"] == {"requested": 3_000, "executed": target.shots_executed}
    assert shots_used(client) == target.shots_executed
    assert run["result"]["kpis"]["fidelity"] is None


@pytest.mark.parametrize(
    ("step", "executed"),
    [
        pytest.param("plan", 0, id="before-executing-every-shot-back"),
        pytest.param("analyse", 3_000, id="during-the-analysis-shots-paid"),
    ],
)
def test_a_cancel_during_a_preset_step_cancels_the_run(
    client: TestClient, monkeypatch: pytest.MonkeyPatch, step: str, executed: int
) -> None:
    engine = services_of(client).engine
    preset = CancelDuring(engine.presets[PresetName.HELLO_QUANTUM_SIM], engine, step)
    presets: dict[PresetName, Preset] = {**engine.presets, PresetName.HELLO_QUANTUM_SIM: preset}
    monkeypatch.setattr(engine, "presets", presets)

    run_id = client.post("/runs", json={"preset": HELLO, "shot_budget": 3_000}).json()["id"]
    run = wait_finished(client, run_id)

    assert preset.cancelled == [run_id]
    assert (run["status"], run["error_code"]) == ("cancelled", "CANCELLED")
    assert run["result"]["shots"] == {"requested": 3_000, "executed": executed}
    assert shots_used(client) == executed


def test_cancelling_a_running_run_over_http_asks_it_to_stop(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`POST /runs/{id}/cancel` on a running run answers at once with the run still running."""
    engine = services_of(client).engine
    answers: list[dict[str, Any]] = []

    class CancelOverHttp(CancelOnExecute):
        def execute(
            self, circuits: Sequence[QuantumCircuit], options: ExecutionOptions
        ) -> ExecutionResult:
            with self.engine.database.unit_of_work() as session:
                (run_id,) = RunRepository(session).ids_in_state("running")
            # A second client without its own lifespan: same app, same services.
            answers.append(TestClient(client.app).post(f"/runs/{run_id}/cancel").json())
            return self.inner.execute(circuits, options)

    swapped: Target = CancelOverHttp(engine.targets["sim_local"], engine)
    monkeypatch.setitem(engine.targets, "sim_local", swapped)
    run_id = client.post("/runs", json={"preset": HELLO, "shot_budget": 500}).json()["id"]

    assert wait_finished(client, run_id)["status"] == "cancelled"
    (answer,) = answers
    assert (answer["id"], answer["status"]) == (run_id, "running")


def test_a_run_past_its_time_limit_fails_and_gives_back_unspent_shots(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, job_timeout_seconds=1e-6)
    with TestClient(create_app(settings)) as client:
        run_id = client.post("/runs", json={"preset": HELLO, "shot_budget": 3_000}).json()["id"]
        run = wait_finished(client, run_id)
        used = shots_used(client)

    assert (run["status"], run["error_code"]) == ("failed", "TIMEOUT")
    assert run["error_detail"] == {"limit_s": 1e-6}
    assert run["result"]["error_code"] == "TIMEOUT"
    assert used == run["result"]["shots"]["executed"] == 0
