"""The error envelope as an OpenAPI model, and the error statuses each operation declares.

- Every operation declares the statuses it can answer, each with what it means there; `4XX`
  and `5XX` cover the rest (a body that arrives too slowly, a request that is not valid HTTP),
  so every error status is documented as the envelope, 422 included (not FastAPI's default
  validation body).
- A status that depends on server state (a spent budget, an unknown run id, a finished run)
  is documented here, not turned into a schema rule: a schema-valid request may still get it.
"""

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel

from synqc_backend.errors import ErrorCode


class ErrorDetail(BaseModel):
    code: ErrorCode
    error_code: ErrorCode
    error_message: str
    error_detail: dict[str, Any]
    action_hint: str


class ErrorEnvelope(BaseModel):
    detail: ErrorDetail


type Responses = dict[int | str, dict[str, Any]]


def error_responses(descriptions: Mapping[int | str, str]) -> Responses:
    """The envelope for each status, described as given."""
    return {
        status: {"model": ErrorEnvelope, "description": description}
        for status, description in descriptions.items()
    }


AUTH_REQUIRED = "AUTH_REQUIRED: no API key, or not one of SYNQC_API_KEY (WWW-Authenticate)"
BAD_INPUT = "INVALID_REQUEST: a parameter, header or body breaks the schema's rules"
BODY_NOT_JSON = "INVALID_REQUEST: the body cannot be parsed as JSON"
BODY_TOO_LARGE = "PAYLOAD_TOO_LARGE: the body is larger than SYNQC_MAX_REQUEST_BYTES"
RATE_LIMITED = (
    "RATE_LIMITED: more than SYNQC_RATE_LIMIT_PER_MINUTE requests a minute from this address "
    "or key (Retry-After)"
)
RUN_NOT_FOUND = "NOT_FOUND: no run with this id"
STORE_UNAVAILABLE = (
    "STORE_UNAVAILABLE: the run store cannot be reached or cannot take writes (Retry-After)"
)

# Every operation: the envelope for any error status.
ERROR_RESPONSES = error_responses(
    {
        "4XX": "The request cannot be served as sent",
        "5XX": "The service or a store it needs failed",
        500: "INTERNAL_ERROR: an unexpected error, logged with the request id in error_detail",
    }
)
# Every operation the rate limit counts (all but GET /health).
RATE_LIMITED_RESPONSES = error_responses({429: RATE_LIMITED})
# The operations behind the API key, when one is configured.
AUTH_RESPONSES = error_responses({401: AUTH_REQUIRED})
# Operations that read the run store and take nothing but the key.
STORE_RESPONSES = error_responses({503: STORE_UNAVAILABLE})
# Operations on one run by id.
RUN_RESPONSES = error_responses({404: RUN_NOT_FOUND, 422: BAD_INPUT, 503: STORE_UNAVAILABLE})
# Operations whose parameters or headers the schema constrains.
INPUT_RESPONSES = error_responses({422: BAD_INPUT, 503: STORE_UNAVAILABLE})
# Submitting a run: POST /runs and the v0.1 POST /experiments/run.
SUBMIT_RESPONSES = error_responses(
    {
        400: "INVALID_TARGET: hardware_target or a compare target is not a target id; "
        "PROVIDER_CREDENTIALS: the target is not configured; PROVIDER_CAPACITY: a circuit asks "
        f"for more shots than the target's max_shots; {BODY_NOT_JSON}",
        403: "REMOTE_DISABLED: remote hardware is disabled on this server",
        409: "INVALID_REQUEST: the Idempotency-Key was used for a different request",
        413: BODY_TOO_LARGE,
        422: "INVALID_REQUEST: the body breaks the schema's rules (the preset's minimum "
        "shot_budget, the target's qubits, …)",
        429: "BUDGET_EXHAUSTED: shot_budget is above what the session has left "
        "(error_detail.remaining); RATE_LIMITED: the session already has "
        "SYNQC_MAX_ACTIVE_RUNS_PER_SESSION runs queued or running, or too many requests",
        503: "PROVIDER_ERROR: the target is unavailable; STORE_UNAVAILABLE: the run store "
        "cannot be reached (Retry-After)",
    }
)
