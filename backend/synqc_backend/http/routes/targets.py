"""The target registry as the API shows it."""

from fastapi import APIRouter

from synqc_backend.http.deps import EngineDep
from synqc_backend.models import HardwareTargetList

router = APIRouter(tags=["targets"])


@router.get("/hardware/targets")
def list_targets(engine: EngineDep) -> HardwareTargetList:
    """Every target with its readiness and capabilities."""
    return HardwareTargetList(targets=engine.hardware_targets())
