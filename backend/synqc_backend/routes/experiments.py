"""The v0.1 console's experiment routes: run-and-wait, recent results, one result."""

import time
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from synqc_backend import run_report
from synqc_backend.deps import EngineDep, RepositoryDep, SessionIdDep, SettingsDep
from synqc_backend.engine import not_found
from synqc_backend.errors import ApiError, ErrorCode
from synqc_backend.models import (
    ExperimentSummary,
    RunExperimentRequest,
    RunExperimentResponse,
    RunState,
    RunSubmission,
)

router = APIRouter(tags=["experiments"])


@router.post(
    "/experiments/run",
    response_model=RunExperimentResponse,
    responses={202: {"model": RunSubmission, "description": "still running at the wait limit"}},
)
def run_experiment(
    request: RunExperimentRequest,
    engine: EngineDep,
    repository: RepositoryDep,
    session: SessionIdDep,
    settings: SettingsDep,
) -> RunExperimentResponse | JSONResponse:
    """Submit a run and wait for it (up to SYNQC_LEGACY_RUN_WAIT_SECONDS)."""
    run_id = engine.submit(request, session, received_at=time.time())
    finished = engine.wait_until_finished(run_id, settings.legacy_run_wait_seconds)
    row = repository.get(run_id)
    if row is None:
        raise not_found(run_id)
    if not finished:
        body = run_report.submission(row).model_dump(mode="json")
        return JSONResponse(body, status_code=202)
    return run_report.response(row)


@router.get("/experiments/recent")
def recent_experiments(
    repository: RepositoryDep, limit: Annotated[int, Query(ge=1, le=500)] = 50
) -> list[ExperimentSummary]:
    """Finished runs, newest first, without notes, traces, raw counts or figures."""
    rows = repository.list_runs(limit=limit, finished_only=True)
    return [run_report.summary(row) for row in rows]


@router.get("/experiments/{run_id}")
def get_experiment(run_id: str, repository: RepositoryDep) -> RunExperimentResponse:
    """The full response of a finished run."""
    row = repository.get(run_id)
    if row is None:
        raise not_found(run_id)
    if not RunState(row.status).finished:
        raise ApiError(
            409,
            ErrorCode.INVALID_REQUEST,
            f"run {run_id} has not finished yet (status {row.status})",
            hint=f"poll GET /runs/{run_id} until it finishes",
            detail={"run_id": run_id, "status": row.status},
        )
    return run_report.response(row)
