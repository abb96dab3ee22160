"""The error envelope as an OpenAPI model, so the schema documents what every error returns.

Every operation lists it for 4XX and 5XX (422 included: the envelope, not FastAPI's default
validation body, is what the API sends).
"""

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


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    "4XX": {"model": ErrorEnvelope, "description": "The request cannot be served as sent"},
    "5XX": {"model": ErrorEnvelope, "description": "The service or a store it needs failed"},
}
