"""Faults inside a run: a target that hangs, a preset that raises. The worker survives both."""

import logging
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from synqc_backend.http.app import create_app
from synqc_backend.logs import RequestIdLogFilter
from synqc_backend.models import Preset as PresetName
from synqc_backend.presets.base import Preset
from synqc_backend.targets.base import Target
from tests.conftest import make_settings, services_of, wait_finished
from tests.hardening.faulty_parts import HANGING_TARGET, HangingTarget, RaisingPreset
from tests.hardening.figures import record_fault, settle

HELLO = "hello_quantum_sim"
DEADLINE_S = 4.0


@pytest.fixture
def one_worker(tmp_path: Path) -> Iterator[TestClient]:
    """The embedded server with a single worker thread and a short run deadline."""
    settings = make_settings(tmp_path, worker_concurrency=1, job_timeout_seconds=DEADLINE_S)
    with TestClient(create_app(settings)) as client:
        # A first run pays the simulator's start-up cost, so runs under test time only themselves.
        warm_up = client.post("/runs", json={"preset": HELLO, "shot_budget": 100}).json()
        assert wait_finished(client, warm_up["id"])["status"] == "succeeded"
        yield client


def test_a_hanging_target_times_out_at_the_deadline_and_the_worker_moves_on(
    one_worker: TestClient,
) -> None:
    engine = services_of(one_worker).engine
    hanging = HangingTarget(engine.targets["sim_local"])
    as_target: Target = hanging
    engine.targets[HANGING_TARGET] = as_target
    try:
        started = time.monotonic()
        stuck = one_worker.post("/runs", json={"preset": HELLO, "hardware_target": HANGING_TARGET})
        after = one_worker.post("/runs", json={"preset": HELLO, "shot_budget": 500})
        (failed,) = settle(one_worker, [stuck.json()["id"]], timeout_s=30)
        failed_after_s = time.monotonic() - started
        (done,) = settle(one_worker, [after.json()["id"]], timeout_s=30)
        budget = one_worker.get("/budget").json()
    finally:
        hanging.release()
    moved_on = failed["status"] == "failed" and done["status"] == "succeeded"
    assert record_fault("target hangs", [failed, done], moved_on) == 0
    assert hanging.entered.is_set()
    assert (failed["status"], failed["error_code"]) == ("failed", "TIMEOUT")
    assert failed["error_detail"] == {"limit_s": DEADLINE_S}
    assert DEADLINE_S <= failed_after_s < DEADLINE_S + 3
    assert done["status"] == "succeeded", (done["error_code"], done["error_message"])
    # The hung run spent nothing; the other run holds what it executed.
    assert budget["used"] == 600


def test_a_preset_that_raises_fails_its_run_with_the_request_id_and_the_worker_survives(
    one_worker: TestClient, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    engine = services_of(one_worker).engine
    broken: Preset = RaisingPreset(engine.presets[PresetName.HEALTH])
    monkeypatch.setattr(engine, "presets", {**engine.presets, PresetName.HEALTH: broken})

    caplog.handler.addFilter(RequestIdLogFilter())
    with caplog.at_level(logging.ERROR):
        bad = one_worker.post("/runs", json={"preset": "health"}).json()
        (failed,) = settle(one_worker, [bad["id"]])
    good = one_worker.post("/runs", json={"preset": HELLO, "shot_budget": 500}).json()
    (done,) = settle(one_worker, [good["id"]])
    survived = failed["status"] == "failed" and done["status"] == "succeeded"
    assert record_fault("preset raises", [failed, done], survived) == 0

    assert (failed["status"], failed["error_code"]) == ("failed", "INTERNAL_ERROR")
    request_id = failed["error_detail"]["request_id"]
    assert request_id == f"run:{bad['id']}"
    assert "PresetBugError" in failed["error_message"]
    assert any(
        getattr(record, "request_id", None) == request_id and record.exc_info
        for record in caplog.records
    )
    assert done["status"] == "succeeded"
    assert one_worker.get("/budget").json()["used"] == 600
