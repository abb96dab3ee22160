"""What runs measured of each target's qubits: their latest state, and each quantity's history
(JSON, or CSV with `Accept: text/csv`)."""

import csv
import io
from typing import Annotated

from fastapi import APIRouter, Header, Path, Query, Response

from synqc_backend.figures.svg import render_svg
from synqc_backend.http.deps import EngineDep
from synqc_backend.http.error_schema import INPUT_RESPONSES, error_responses
from synqc_backend.models import QubitHistory, TargetQubits
from synqc_backend.runs.qubit_history_figure import history_figure

router = APIRouter(tags=["qubits"])

TARGET_NOT_FOUND = error_responses({404: "NOT_FOUND: no target with this id"})


@router.get("/hardware/targets/{target_id}/qubits", responses=INPUT_RESPONSES | TARGET_NOT_FOUND)
def get_target_qubits(
    engine: EngineDep,
    target_id: Annotated[str, Path(max_length=64)],
    best: Annotated[
        int | None,
        Query(ge=1, le=1024, description="Only the N qubits with the lowest qubit_score_v1"),
    ] = None,
) -> TargetQubits:
    """Per qubit, the latest T1, T2*, T2 echo, EPC and readout fidelity any succeeded run
    measured (value, stderr, fit quality, when, which run), its status and its score."""
    return engine.target_qubits(target_id, best)


@router.get(
    "/hardware/targets/{target_id}/qubits/{qubit}/history",
    response_model=QubitHistory,
    responses=INPUT_RESPONSES
    | TARGET_NOT_FOUND
    | {200: {"content": {"text/csv": {"schema": {"type": "string"}}}}},
)
def get_qubit_history(
    engine: EngineDep,
    target_id: Annotated[str, Path(max_length=64)],
    qubit: Annotated[int, Path(ge=0, le=100_000)],
    quantity: Annotated[
        str, Query(max_length=48, description="t1_s, t2_star_s, t2_echo_s, epc, ...")
    ] = "t1_s",
    since: Annotated[float | None, Query(description="Unix time; default: all")] = None,
    limit: Annotated[int, Query(ge=1, le=200_000)] = 10_000,
    accept: Annotated[str | None, Header()] = None,
) -> QubitHistory | Response:
    """The time series of one quantity of one qubit: every succeeded run's value and stderr,
    the target's reported value beside it, and where the drift test flagged a change."""
    history = engine.qubit_history(target_id, qubit, quantity, since, limit)
    if accept is not None and "text/csv" in accept:
        return Response(_csv(history), media_type="text/csv")
    return history


@router.get(
    "/hardware/targets/{target_id}/qubits/{qubit}/history.svg",
    response_class=Response,
    responses=INPUT_RESPONSES
    | TARGET_NOT_FOUND
    | {200: {"content": {"image/svg+xml": {"schema": {"type": "string"}}}}},
)
def get_qubit_history_figure(
    engine: EngineDep,
    target_id: Annotated[str, Path(max_length=64)],
    qubit: Annotated[int, Path(ge=0, le=100_000)],
    quantity: Annotated[str, Query(max_length=48)] = "t1_s",
    since: Annotated[float | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=200_000)] = 10_000,
) -> Response:
    """The history as a plot: values with error bars, the reported value, drift markers."""
    history = engine.qubit_history(target_id, qubit, quantity, since, limit)
    return Response(render_svg(history_figure(history)), media_type="image/svg+xml")


def _csv(history: QubitHistory) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["measured_at", "value", "stderr", "quality", "reported", "drift_z", "run_id"])
    for point in history.points:
        writer.writerow(
            [
                point.measured_at,
                point.value,
                point.stderr,
                point.quality,
                point.reported,
                point.drift_z,
                point.run_id,
            ]
        )
    return out.getvalue()
