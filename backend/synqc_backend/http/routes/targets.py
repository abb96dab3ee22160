"""The target registry as the API shows it, and what runs measured of each target's qubits."""

from typing import Annotated

from fastapi import APIRouter, Query

from synqc_backend.http.deps import EngineDep
from synqc_backend.http.error_schema import INPUT_RESPONSES, error_responses
from synqc_backend.models import HardwareTargetList, TargetQubits

router = APIRouter(tags=["targets"])


@router.get("/hardware/targets")
def list_targets(engine: EngineDep) -> HardwareTargetList:
    """Every target with its readiness and capabilities."""
    return HardwareTargetList(targets=engine.hardware_targets())


@router.get(
    "/hardware/targets/{target_id}/qubits",
    responses=INPUT_RESPONSES | error_responses({404: "NOT_FOUND: no target with this id"}),
)
def get_target_qubits(
    engine: EngineDep,
    target_id: str,
    best: Annotated[
        int | None,
        Query(ge=1, le=1024, description="Only the N qubits with the lowest qubit_score_v1"),
    ] = None,
) -> TargetQubits:
    """Per qubit, the latest T1, T2*, T2 echo, EPC and readout fidelity any succeeded run
    measured (value, stderr, fit quality, when, which run) and its score."""
    return engine.target_qubits(target_id, best)
