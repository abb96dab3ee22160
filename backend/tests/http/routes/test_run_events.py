"""`GET /runs/{id}/events`: Server-Sent Events from queued to finished."""

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from fastapi.testclient import TestClient

from synqc_backend.runs.events import Subscription
from tests.conftest import services_of


def events_of(client: TestClient, run_id: str) -> list[dict[str, Any]]:
    events = []
    with client.stream("GET", f"/runs/{run_id}/events") as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        for line in response.iter_lines():
            if line.startswith("data: "):
                events.append(json.loads(line.removeprefix("data: ")))
    return events


def test_events_follow_a_run_to_its_end(client: TestClient) -> None:
    run_id = client.post("/runs", json={"preset": "hello_quantum_sim"}).json()["id"]
    events = events_of(client, run_id)
    assert events[-1]["status"] == "succeeded"
    assert events[-1]["progress"] == 1.0
    assert all(event["run_id"] == run_id for event in events)
    progress = [event["progress"] for event in events]
    assert progress == sorted(progress)


def test_events_of_a_finished_run_end_at_once(client: TestClient) -> None:
    run_id = client.post("/experiments/run", json={"preset": "hello_quantum_sim"}).json()["id"]
    assert [event["status"] for event in events_of(client, run_id)] == ["succeeded"]


def test_events_of_a_cancelled_queued_run(paused_client: TestClient) -> None:
    run_id = paused_client.post("/runs", json={"preset": "hello_quantum_sim"}).json()["id"]
    paused_client.post(f"/runs/{run_id}/cancel")
    assert [e["status"] for e in events_of(paused_client, run_id)] == ["cancelled"]


def test_events_of_an_unknown_run_are_404(client: TestClient) -> None:
    response = client.get("/runs/no-such-run/events")
    assert response.status_code == 404
    assert response.json()["detail"]["code"] == "NOT_FOUND"


def test_a_change_made_while_the_stream_opens_is_not_lost(
    paused_client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A run cancelled after the 404 check but before the stream subscribes streams as cancelled.

    Before the fix the stream began from a snapshot taken before subscribing: it showed the run
    `queued` and learnt of the cancel only from the resync snapshot seconds later.
    """
    run_id = paused_client.post("/runs", json={"preset": "hello_quantum_sim"}).json()["id"]
    engine = services_of(paused_client).engine
    subscribe = engine.events.subscribe

    @contextmanager
    def cancel_then_subscribe(subscribed_run_id: str) -> Iterator[Subscription]:
        engine.cancel(subscribed_run_id)
        with subscribe(subscribed_run_id) as subscription:
            yield subscription

    monkeypatch.setattr(engine.events, "subscribe", cancel_then_subscribe)
    assert [e["status"] for e in events_of(paused_client, run_id)] == ["cancelled"]
