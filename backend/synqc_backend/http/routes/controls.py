"""The server's engineering-controls profile."""

from fastapi import APIRouter

from synqc_backend.http.deps import EngineDep
from synqc_backend.http.error_schema import (
    BAD_INPUT,
    BODY_NOT_JSON,
    BODY_TOO_LARGE,
    STORE_RESPONSES,
    error_responses,
)
from synqc_backend.models import ControlProfile, ControlProfileUpdate

router = APIRouter(tags=["controls"])


@router.get("/controls/profile", responses=STORE_RESPONSES)
def get_control_profile(engine: EngineDep) -> ControlProfile:
    """The profile runs use unless they bring `control_overrides`."""
    return engine.control_profile()


@router.post(
    "/controls/profile",
    responses=STORE_RESPONSES
    | error_responses({400: BODY_NOT_JSON, 413: BODY_TOO_LARGE, 422: BAD_INPUT}),
)
def update_control_profile(update: ControlProfileUpdate, engine: EngineDep) -> ControlProfile:
    """Merge the given fields into the profile (each within the contract's bounds)."""
    return engine.update_control_profile(update)
