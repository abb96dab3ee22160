"""The OpenAPI schema documents the error envelope for every operation."""

from typing import Any

import pytest

from synqc_backend.config import Settings
from synqc_backend.http.app import create_app

OPENAPI = create_app(Settings(enable_metrics=False)).openapi()
OPERATIONS = [
    pytest.param(operation, id=f"{method.upper()} {path}")
    for path, ops in OPENAPI["paths"].items()
    for method, operation in ops.items()
]
ENVELOPE_REF = "#/components/schemas/ErrorEnvelope"


@pytest.mark.parametrize("operation", OPERATIONS)
def test_every_error_status_is_documented_as_the_envelope_not_fastapis_validation_body(
    operation: dict[str, Any],
) -> None:
    """Found by schema fuzzing: 422 was documented as `{"detail": [ValidationError]}` and
    every other error status not at all, while the API answers each with the envelope."""
    responses = operation["responses"]
    errors = [status for status in responses if status[0] in "45"]
    assert {"4XX", "5XX", "500"} <= set(errors)
    for status in errors:
        schema = responses[status]["content"]["application/json"]["schema"]
        assert schema == {"$ref": ENVELOPE_REF}, status


def test_the_envelope_names_every_error_code() -> None:
    detail = OPENAPI["components"]["schemas"]["ErrorDetail"]
    assert set(detail["required"]) == {
        "code",
        "error_code",
        "error_message",
        "error_detail",
        "action_hint",
    }
    assert "HTTPValidationError" not in OPENAPI["components"]["schemas"]
