"""Runs: submit, read, list, cancel."""

import time
from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from synqc_backend.errors import ApiError, ErrorCode, run_not_found
from synqc_backend.http.deps import (
    EngineDep,
    IdempotencyKeyDep,
    RepositoryDep,
    RunIdPath,
    SessionIdDep,
)
from synqc_backend.http.error_schema import (
    BAD_INPUT,
    INPUT_RESPONSES,
    RUN_RESPONSES,
    SUBMIT_RESPONSES,
    error_responses,
)
from synqc_backend.models import (
    NO_NUL_PATTERN,
    Preset,
    RunExperimentRequest,
    RunList,
    RunState,
    RunStatus,
    RunSubmission,
    SessionBudget,
)
from synqc_backend.runs import report
from synqc_backend.storage.tables import RunRow

router = APIRouter(tags=["runs"])


@router.post("/runs", status_code=202, responses=SUBMIT_RESPONSES)
def submit_run(
    request: RunExperimentRequest,
    engine: EngineDep,
    session: SessionIdDep,
    idempotency_key: IdempotencyKeyDep = None,
) -> RunSubmission:
    """Queue a run; shots are reserved from the session's budget now."""
    row = engine.submit(request, session, time.time(), idempotency_key)
    return report.submission(row)


@router.get("/runs", responses=INPUT_RESPONSES)
def list_runs(
    repository: RepositoryDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    state: RunState | None = None,
    preset: Preset | None = None,
    hardware_target: Annotated[str | None, Query(max_length=64, pattern=NO_NUL_PATTERN)] = None,
) -> RunList:
    """Runs, newest first, optionally filtered."""
    rows = repository.list_runs(
        limit=limit,
        status=None if state is None else state.value,
        preset=None if preset is None else preset.value,
        hardware_target=hardware_target,
    )
    return RunList(runs=[report.run_status(row) for row in rows])


@router.get("/runs/{run_id}", responses=RUN_RESPONSES)
def get_run(run_id: RunIdPath, repository: RepositoryDep) -> RunStatus:
    """A run's state, progress and, once it succeeded, its result."""
    return report.run_status(_row(repository, run_id))


@router.post(
    "/runs/{run_id}/cancel",
    responses=RUN_RESPONSES
    | error_responses({409: "INVALID_REQUEST: the run has already finished"}),
)
def cancel_run(run_id: RunIdPath, engine: EngineDep, repository: RepositoryDep) -> RunStatus:
    """Cancel a queued run, or ask a running one to stop at its next checkpoint."""
    engine.cancel(run_id)
    return report.run_status(_row(repository, run_id))


@router.get(
    "/runs/{run_id}/figures/{name}.svg",
    response_class=Response,
    responses=RUN_RESPONSES
    | error_responses({404: "NOT_FOUND: no run with this id, or the run has no such figure"})
    | {200: {"content": {"image/svg+xml": {}}}},
)
def get_run_figure(
    run_id: RunIdPath,
    name: Annotated[str, Path(pattern=NO_NUL_PATTERN, description="A name from its result")],
    engine: EngineDep,
) -> Response:
    """One of the run's fit or trade-off figures, as SVG."""
    svg = engine.figure_svg(run_id, name)
    if svg is None:
        raise ApiError(
            404,
            ErrorCode.NOT_FOUND,
            f"run {run_id} has no figure '{name}'",
            hint=f"the run's result lists its figures: GET /runs/{run_id}",
            detail={"run_id": run_id, "figure": name},
        )
    return Response(svg, media_type="image/svg+xml")


@router.get("/budget", responses=error_responses({422: BAD_INPUT}))
def get_session_budget(engine: EngineDep, session: SessionIdDep) -> SessionBudget:
    """The caller's session shot budget: limit, used (held by active runs included), remaining."""
    return engine.session_budget(session)


def _row(repository: RepositoryDep, run_id: str) -> RunRow:
    row = repository.get(run_id)
    if row is None:
        raise run_not_found(run_id)
    return row
