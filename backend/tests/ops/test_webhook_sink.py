"""The webhook sink records what Alertmanager posts and lists it at /alerts."""

import json
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.live_server import free_port
from tests.ops.ops_files import PYTHON, SCRIPTS


@pytest.fixture
def sink(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    port, output = free_port(), tmp_path / "alerts.jsonl"
    process = subprocess.Popen(
        [PYTHON, str(SCRIPTS / "webhook_sink.py"), "--port", str(port), "--output", str(output)],
        stdout=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                httpx.get(f"{url}/health", timeout=1).raise_for_status()
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "the sink did not start"
                time.sleep(0.05)
        yield url, output
    finally:
        process.terminate()
        process.wait(timeout=10)


def notification(status: str, *names: str) -> dict[str, object]:
    """The shape of an Alertmanager webhook notification (version 4)."""
    alerts = [
        {"status": status, "labels": {"alertname": name, "severity": "critical"}} for name in names
    ]
    return {"version": "4", "status": status, "receiver": "sink", "alerts": alerts}


def test_notifications_are_recorded_and_listed(sink: tuple[str, Path]) -> None:
    url, output = sink
    assert httpx.get(f"{url}/alerts").json() == []

    first = httpx.post(f"{url}/alerts", json=notification("firing", "RedisDisconnected", "X"))
    second = httpx.post(f"{url}/alerts", json=notification("resolved", "RedisDisconnected"))

    assert (first.status_code, second.status_code) == (200, 200)
    listed = httpx.get(f"{url}/alerts").json()
    assert [(a["alertname"], a["status"]) for a in listed] == [
        ("RedisDisconnected", "firing"),
        ("X", "firing"),
        ("RedisDisconnected", "resolved"),
    ]
    lines = [json.loads(line) for line in output.read_text().splitlines()]
    assert [line["body"]["status"] for line in lines] == ["firing", "resolved"]


def test_a_body_that_is_not_json_is_refused(sink: tuple[str, Path]) -> None:
    url, output = sink
    response = httpx.post(f"{url}/alerts", content=b"not json")
    assert response.status_code == 400
    assert httpx.get(f"{url}/alerts").json() == []
    assert not output.exists()
