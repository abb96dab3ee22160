"""The v0.1 console's experiment routes: run-and-wait, recent results, one result."""

import asyncio
import time
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from synqc_backend.errors import ApiError, ErrorCode, run_not_found
from synqc_backend.http.deps import (
    IdempotencyKeyDep,
    RepositoryDep,
    RunIdPath,
    ServicesDep,
    SessionIdDep,
)
from synqc_backend.http.error_schema import (
    INPUT_RESPONSES,
    RUN_RESPONSES,
    SUBMIT_RESPONSES,
    error_responses,
)
from synqc_backend.models import (
    ExperimentSummary,
    RunExperimentRequest,
    RunExperimentResponse,
    RunState,
    RunSubmission,
)
from synqc_backend.runs import report
from synqc_backend.runs.services import Services
from synqc_backend.storage.repository import RunRepository
from synqc_backend.storage.tables import RunRow

LEGACY_POLL_SECONDS = 0.05

router = APIRouter(tags=["experiments"])


@router.post(
    "/experiments/run",
    response_model=RunExperimentResponse,
    responses=SUBMIT_RESPONSES
    | {202: {"model": RunSubmission, "description": "still running at the wait limit"}},
)
async def run_experiment(
    request: RunExperimentRequest,
    services: ServicesDep,
    session: SessionIdDep,
    idempotency_key: IdempotencyKeyDep = None,
) -> RunExperimentResponse | JSONResponse:
    """Submit a run and wait for it (up to SYNQC_LEGACY_RUN_WAIT_SECONDS)."""
    engine = services.engine
    submitted = await run_in_threadpool(
        engine.submit, request, session, time.time(), idempotency_key
    )
    run_id = submitted.id
    # Waiting on the event loop, not in a worker thread, so waiting callers hold no threads.
    deadline = time.monotonic() + services.settings.legacy_run_wait_seconds
    while not (finished := await run_in_threadpool(engine.is_finished, run_id)):
        if time.monotonic() >= deadline:
            break
        await asyncio.sleep(LEGACY_POLL_SECONDS)
    row = await run_in_threadpool(_load, services, run_id)
    if not finished:
        return JSONResponse(report.submission(row).model_dump(mode="json"), status_code=202)
    return report.response(row)


@router.get("/experiments/recent", responses=INPUT_RESPONSES)
def recent_experiments(
    repository: RepositoryDep, limit: Annotated[int, Query(ge=1, le=500)] = 50
) -> list[ExperimentSummary]:
    """Finished runs, newest first, without notes, traces, raw counts or figures."""
    rows = repository.list_runs(limit=limit, finished_only=True)
    return [report.summary(row) for row in rows]


@router.get(
    "/experiments/{run_id}",
    responses=RUN_RESPONSES
    | error_responses({409: "INVALID_REQUEST: the run has not finished yet"}),
)
def get_experiment(run_id: RunIdPath, repository: RepositoryDep) -> RunExperimentResponse:
    """The full response of a finished run."""
    row = repository.get(run_id)
    if row is None:
        raise run_not_found(run_id)
    if not RunState(row.status).finished:
        raise ApiError(
            409,
            ErrorCode.INVALID_REQUEST,
            f"run {run_id} has not finished yet (status {row.status})",
            hint=f"poll GET /runs/{run_id} until it finishes",
            detail={"run_id": run_id, "status": row.status},
        )
    return report.response(row)


def _load(services: Services, run_id: str) -> RunRow:
    with services.database.unit_of_work() as session:
        row = RunRepository(session).get(run_id)
    if row is None:
        raise run_not_found(run_id)
    return row
