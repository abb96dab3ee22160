"""Error codes of the contract and the exception that carries one to the HTTP edge."""

from enum import StrEnum
from typing import Any


class ErrorCode(StrEnum):
    AUTH_REQUIRED = "AUTH_REQUIRED"
    INVALID_REQUEST = "INVALID_REQUEST"
    INVALID_TARGET = "INVALID_TARGET"
    REMOTE_DISABLED = "REMOTE_DISABLED"
    PROVIDER_CREDENTIALS = "PROVIDER_CREDENTIALS"
    PROVIDER_CAPACITY = "PROVIDER_CAPACITY"
    PROVIDER_ERROR = "PROVIDER_ERROR"
    BUDGET_EXHAUSTED = "BUDGET_EXHAUSTED"
    RATE_LIMITED = "RATE_LIMITED"
    TIMEOUT = "TIMEOUT"
    CANCELLED = "CANCELLED"
    NOT_FOUND = "NOT_FOUND"
    PAYLOAD_TOO_LARGE = "PAYLOAD_TOO_LARGE"
    INTERRUPTED = "INTERRUPTED"
    STORE_UNAVAILABLE = "STORE_UNAVAILABLE"
    INTERNAL_ERROR = "INTERNAL_ERROR"


class ApiError(Exception):
    """A failure the caller can act on: HTTP status, code, message, detail and a hint."""

    def __init__(
        self,
        status_code: int,
        code: ErrorCode,
        message: str,
        *,
        hint: str,
        detail: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.code = code
        self.message = message
        self.hint = hint
        self.detail = detail or {}
        self.headers = headers or {}

    def envelope(self) -> dict[str, Any]:
        """The contract's error body: `{"detail": {code, error_code, ...}}`."""
        return error_envelope(self.code, self.message, self.detail, self.hint)


def error_envelope(
    code: ErrorCode, message: str, detail: dict[str, Any], hint: str
) -> dict[str, Any]:
    return {
        "detail": {
            "code": code.value,
            "error_code": code.value,
            "error_message": message,
            "error_detail": detail,
            "action_hint": hint,
        }
    }


def run_not_found(run_id: str) -> ApiError:
    return ApiError(
        404,
        ErrorCode.NOT_FOUND,
        f"no run with id {run_id}",
        hint="GET /runs lists the runs this server knows",
        detail={"run_id": run_id},
    )
