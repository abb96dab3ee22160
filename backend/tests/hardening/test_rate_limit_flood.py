"""A flood from one client over real HTTP, in both deployments: the limit holds exactly
within a window, every refusal is a 429 `RATE_LIMITED` with `Retry-After`, and `/health`
is not held back. (Separate addresses and keys: tests/test_rate_limit.py.)"""

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from tests.hardening.deployments import API_KEY, DEPLOYMENTS, deployment
from tests.hardening.figures import record

pytestmark = pytest.mark.slow
LIMIT = 50
FLOOD = 200


@pytest.mark.parametrize("kind", DEPLOYMENTS)
def test_a_flood_from_one_address_is_held_to_the_limit(kind: str, tmp_path: Path) -> None:
    env = {"SYNQC_RATE_LIMIT_PER_MINUTE": str(LIMIT)}
    with deployment(kind, tmp_path, env) as running:
        url = running.server.base_url
        headers = {"X-Api-Key": API_KEY}
        with httpx.Client(base_url=url, timeout=30, headers=headers) as client:
            with ThreadPoolExecutor(max_workers=16) as pool:
                responses = list(pool.map(lambda _: client.get("/runs?limit=1"), range(FLOOD)))
            health = client.get("/health")

    codes = Counter(response.status_code for response in responses)
    refused = [response for response in responses if response.status_code == 429]
    record("rate_limit_tried", FLOOD, deployment=kind)
    record("rate_limit_rejected", len(refused), deployment=kind)
    record("rate_limit_admitted_over_limit", max(0, codes[200] - LIMIT), deployment=kind)
    assert codes == {200: LIMIT, 429: FLOOD - LIMIT}
    for response in refused:
        assert 1 <= int(response.headers["Retry-After"]) <= 60
        assert response.json()["detail"]["code"] == "RATE_LIMITED"
    assert health.status_code == 200
