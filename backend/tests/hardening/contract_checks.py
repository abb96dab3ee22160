"""Checks of the HTTP contract that Schemathesis runs beside its own.

Registered with `schemathesis.check`, so `schemathesis run --checks all` includes them when
this file is its hooks module (`SCHEMATHESIS_HOOKS`); the Python fuzz test passes them itself.
"""

from typing import Any

import schemathesis
from schemathesis import APIOperation, Case, CheckContext, Response

type FuzzCase = Case[APIOperation[Any, Any, Any, Any]]


@schemathesis.check
def error_envelope(ctx: CheckContext, response: Response, case: FuzzCase) -> bool | None:
    """Every 4xx and 5xx body is the contract's envelope, `code` equal to `error_code`."""
    if response.status_code < 400:
        return None
    detail = response.json()["detail"]
    assert isinstance(detail, dict), f"error body is not the envelope: {response.text[:200]}"
    assert detail["code"] == detail["error_code"], detail
    assert isinstance(detail["error_detail"], dict), detail
    for text in ("error_message", "action_hint"):
        assert isinstance(detail[text], str), detail
        assert detail[text], detail
    return None


@schemathesis.check
def status_declared(ctx: CheckContext, response: Response, case: FuzzCase) -> bool | None:
    """The operation declares the status it answered by its number, not only by a `4XX` or
    `5XX` range, so a client knows every answer it can get and what each means."""
    if case.method.upper() != case.operation.method.upper():
        # A probe with another method: the path answers it (405), not the operation.
        return None
    declared = case.operation.responses.status_codes
    assert str(response.status_code) in declared, (
        f"{case.operation.label} answered {response.status_code}, which it does not declare "
        f"by number (declared: {', '.join(declared)}): {response.text[:200]}"
    )
    return None
