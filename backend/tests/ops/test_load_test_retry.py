"""Which answers the load test waits for and retries, and which it counts as failures."""

import httpx
import pytest
from load_test import error_code_of, retry_after_s


def answer(status: int, code: str | None = None, retry_after: str | None = None) -> httpx.Response:
    """A response in the API's error envelope (`detail.code`), as the server sends it."""
    headers = {} if retry_after is None else {"Retry-After": retry_after}
    body = {} if code is None else {"detail": {"code": code, "error_code": code}}
    return httpx.Response(status, json=body, headers=headers)


@pytest.mark.parametrize(
    ("response", "wait_s"),
    [
        (answer(429, "RATE_LIMITED", "17"), 17.0),
        (answer(503, "STORE_UNAVAILABLE", "5"), 5.0),
        (answer(429, "RATE_LIMITED"), 1.0),
        (answer(429, "RATE_LIMITED", "soon"), 1.0),
        (answer(429, "BUDGET_EXHAUSTED", "1"), None),
        (answer(400, "INVALID_TARGET"), None),
        (answer(202), None),
    ],
)
def test_only_rate_limits_and_unavailability_are_waited_for(
    response: httpx.Response, wait_s: float | None
) -> None:
    assert retry_after_s(response) == wait_s


def test_failures_are_named_by_their_error_code() -> None:
    assert error_code_of(answer(429, "BUDGET_EXHAUSTED")) == "BUDGET_EXHAUSTED"
    assert error_code_of(httpx.Response(502, text="bad gateway")) == "HTTP_502"
    assert error_code_of(None) == "UNREACHABLE"
