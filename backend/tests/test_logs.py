"""Logs never carry a credential: an API key sent in a URL's query is redacted, live too."""

import logging
from pathlib import Path

import httpx
import pytest

from synqc_backend.logs import RedactSecretsFilter
from tests.live_server import live_server, server_env

SECRET = "hunter2-in-the-url"


def test_a_key_in_a_query_is_redacted_from_the_record() -> None:
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", f"/runs?limit=5&api_key={SECRET}&x=1", "1.1", 401),
        None,
    )

    assert RedactSecretsFilter().filter(record)

    message = record.getMessage()
    assert SECRET not in message
    assert "/runs?limit=5&api_key=[redacted]&x=1" in message


@pytest.mark.slow
def test_a_server_does_not_log_a_key_sent_in_the_url(tmp_path: Path) -> None:
    env = server_env(tmp_path / "synqc.db", SYNQC_API_KEY="the-real-key")
    with live_server(tmp_path, env) as server:
        refused = httpx.get(f"{server.base_url}/runs", params={"api_key": SECRET}, timeout=10)
        assert refused.status_code == 401
    log = "".join(path.read_text() for path in tmp_path.glob("serve-*.log"))

    assert "GET /runs?api_key=[redacted]" in log
    assert SECRET not in log
