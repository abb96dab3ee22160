"""Why a run stopped early, as the contract's error fields."""

from typing import Any

from synqc_backend.errors import ErrorCode
from synqc_backend.logs import request_id_var
from synqc_backend.storage.availability import is_store_fault


class RunFailure(Exception):
    """Raised inside a job to end the run as `failed` (or `cancelled`) with these fields."""

    def __init__(
        self, code: ErrorCode, message: str, hint: str, detail: dict[str, Any] | None = None
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.hint = hint
        self.detail = detail or {}


def cancelled() -> RunFailure:
    return RunFailure(
        ErrorCode.CANCELLED,
        "the run was cancelled on request",
        "submit the run again if you still need it",
    )


def timed_out(limit_s: float) -> RunFailure:
    return RunFailure(
        ErrorCode.TIMEOUT,
        f"the run exceeded its time limit of {limit_s:g} s",
        "lower the shot budget or raise SYNQC_JOB_TIMEOUT_SECONDS",
        {"limit_s": limit_s},
    )


def interrupted(reason: str) -> RunFailure:
    return RunFailure(
        ErrorCode.INTERRUPTED,
        f"the run was interrupted: {reason}",
        "submit the run again; shots it did not execute were given back to the session",
    )


def internal_error(error: Exception) -> RunFailure:
    """A bug met while running: the error's type and message, and the request id its
    traceback was logged with (`run:<id>` inside a job)."""
    return RunFailure(
        ErrorCode.INTERNAL_ERROR,
        f"{type(error).__name__}: {error}",
        "report the request id; the error was logged with it",
        {"request_id": request_id_var.get()},
    )


def from_error(error: Exception) -> RunFailure:
    """The failure for an unexpected exception: the store's fault, or a bug."""
    if is_store_fault(error):
        return RunFailure(
            ErrorCode.STORE_UNAVAILABLE,
            "the run store failed mid-run (unreachable, or its disk full or read-only)",
            "submit the run again once GET /health shows persistence.ok; shots it did not "
            "execute were given back",
        )
    return internal_error(error)
