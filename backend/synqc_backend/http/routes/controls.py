"""The server's engineering-controls profile."""

from fastapi import APIRouter

from synqc_backend.http.deps import EngineDep
from synqc_backend.models import ControlProfile, ControlProfileUpdate

router = APIRouter(tags=["controls"])


@router.get("/controls/profile")
def get_control_profile(engine: EngineDep) -> ControlProfile:
    """The profile runs use unless they bring `control_overrides`."""
    return engine.control_profile()


@router.post("/controls/profile")
def update_control_profile(update: ControlProfileUpdate, engine: EngineDep) -> ControlProfile:
    """Merge the given fields into the profile (each within the contract's bounds)."""
    return engine.update_control_profile(update)
