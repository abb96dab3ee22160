"""Secrets stay secret: with the API key, provider tokens and a Redis password set, none of
them appears in any log line, in `/health`, `/metrics`, an API response, or any stored row or
Redis key of the runs, in either deployment."""

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import httpx
import psycopg
import pytest
import redis

from synqc_backend.storage.database import normalize_url
from tests.hardening.deployments import API_KEY, DEPLOYMENTS, Deployment, deployment
from tests.hardening.figures import record, settle
from tests.live_server import free_port

pytestmark = pytest.mark.slow
REDIS_PASSWORD = "redis-pw-7d1e0b9a44c2"
PROVIDER_SECRETS = {
    "SYNQC_QISKIT_RUNTIME_TOKEN": "ibm-token-5c0ffee5a1b2c3d4",
    "SYNQC_IONQ_API_KEY": "ionq-key-a9b8c7d6e5f4",
    "IONQ_API_KEY": "ionq-sdk-key-0f1e2d3c4b5a",
    "AWS_SECRET_ACCESS_KEY": "aws-secret-9a8b7c6d5e4f3a2b",
}
SECRETS = [API_KEY, REDIS_PASSWORD, *PROVIDER_SECRETS.values()]


@pytest.fixture(params=DEPLOYMENTS)
def running(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Deployment]:
    kind: str = request.param
    metrics = {"SYNQC_ENABLE_METRICS": "true", "SYNQC_METRICS_PORT": str(free_port())}
    with deployment(
        kind,
        tmp_path,
        {**metrics, **PROVIDER_SECRETS},
        worker_env={"SYNQC_METRICS_PORT": str(free_port())},
        redis_password=REDIS_PASSWORD if kind == "production" else None,
    ) as started:
        yield started


def exercise(running: Deployment) -> str:
    """A run to its end, refused submissions and every read: all the text the API returned."""
    seen = []
    with httpx.Client(base_url=running.server.base_url, timeout=30) as client:
        keyed = {"X-Api-Key": API_KEY}
        run = client.post("/runs", json={"preset": "hello_quantum_sim"}, headers=keyed).json()
        seen.append(str(run))
        client.headers.update(keyed)
        (finished,) = settle(client, [run["id"]], timeout_s=120)
        client.headers.clear()
        assert finished["status"] == "succeeded", finished
        for target in ("ibm_quantum", "ionq_cloud", "aws_braket"):
            body = {"preset": "hello_quantum_sim", "hardware_target": target}
            seen.append(client.post("/runs", json=body, headers=keyed).text)
        seen.append(client.post("/runs", json={"preset": "health"}, headers={}).text)
        bearer = {"Authorization": f"Bearer {API_KEY}"}
        for path in ("/health", "/hardware/targets", "/runs", "/budget", f"/runs/{run['id']}"):
            seen.append(client.get(path, headers=bearer).text)
        seen.append(client.get(f"/experiments/{run['id']}", headers=keyed).text)
    port = running.env["SYNQC_METRICS_PORT"]
    seen.append(httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=10).text)
    return "\n".join(seen)


def stored_text(running: Deployment) -> str:
    """Every row of every table of the store, and every Redis key with its value."""
    url = running.env["SYNQC_DATABASE_URL"]
    if url.startswith("sqlite"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as connection:
            return "\n".join(connection.iterdump())
    dsn = normalize_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    rows = []
    with psycopg.connect(dsn) as connection:
        tables = connection.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
        ).fetchall()
        for (table,) in tables:
            rows += [str(row) for row in connection.execute(f'SELECT * FROM "{table}"')]
    assert running.redis_url is not None
    with redis.Redis.from_url(running.redis_url) as client:
        for key in client.scan_iter():
            value = client.dump(key)
            rows.append(f"{key!r} {value!r}")
    return "\n".join(rows)


def test_no_secret_appears_anywhere(running: Deployment) -> None:
    answered = exercise(running)
    places = {"responses": answered, "stored rows": stored_text(running)}
    running.server.stop()  # flushes the logs
    places["logs"] = running.logs()

    leaks = [
        (place, secret[:6] + "…")
        for place, text in places.items()
        for secret in SECRETS
        if secret in text
    ]
    record("secrets_checked", len(SECRETS) * len(places), deployment=running.kind)
    record("secrets_leaked", len(leaks), deployment=running.kind)
    assert leaks == []
    assert "request_id=" in places["logs"]  # the logs were read, and they are the service's
