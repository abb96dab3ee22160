"""Qubit usage of the caller's session."""

from fastapi import APIRouter

from synqc_backend.http.deps import RepositoryDep, SessionIdDep
from synqc_backend.http.error_schema import INPUT_RESPONSES
from synqc_backend.models import QubitTelemetry

router = APIRouter(tags=["telemetry"])


@router.get("/telemetry/qubits", responses=INPUT_RESPONSES)
def get_qubit_telemetry(repository: RepositoryDep, session: SessionIdDep) -> QubitTelemetry:
    """Qubits used by the session's succeeded runs, in total and in the latest one."""
    total, last, updated = repository.qubit_usage(session)
    return QubitTelemetry(session_total_qubits=total, last_run_qubits=last, last_updated=updated)
