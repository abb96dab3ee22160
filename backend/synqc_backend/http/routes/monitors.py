"""Monitors: scheduled characterisation runs (create, list, read, pause or change, delete)."""

from typing import Annotated

from fastapi import APIRouter, Path, Response

from synqc_backend.http.deps import EngineDep
from synqc_backend.http.error_schema import INPUT_RESPONSES, error_responses
from synqc_backend.models import Monitor, MonitorCreate, MonitorList, MonitorUpdate

router = APIRouter(tags=["monitors"])

MonitorIdPath = Annotated[str, Path(min_length=1, max_length=36)]
MONITOR_RESPONSES = INPUT_RESPONSES | error_responses({404: "NOT_FOUND: no such monitor"})
CREATE_RESPONSES = INPUT_RESPONSES | error_responses(
    {
        400: "INVALID_TARGET, PROVIDER_CAPACITY or PROVIDER_CREDENTIALS: the run it would submit "
        "is refused",
        403: "REMOTE_DISABLED: remote hardware is disabled on this server",
    }
)


@router.post("/monitors", status_code=201, responses=CREATE_RESPONSES)
def create_monitor(body: MonitorCreate, engine: EngineDep) -> Monitor:
    """A monitor that submits its run every `every`; its first run is at the first tick."""
    return engine.create_monitor(body)


@router.get("/monitors", responses=INPUT_RESPONSES)
def list_monitors(engine: EngineDep) -> MonitorList:
    return MonitorList(monitors=engine.list_monitors())


@router.get("/monitors/{monitor_id}", responses=MONITOR_RESPONSES)
def get_monitor(monitor_id: MonitorIdPath, engine: EngineDep) -> Monitor:
    return engine.get_monitor(monitor_id)


@router.patch("/monitors/{monitor_id}", responses=MONITOR_RESPONSES | CREATE_RESPONSES)
def update_monitor(monitor_id: MonitorIdPath, body: MonitorUpdate, engine: EngineDep) -> Monitor:
    """Pause (`paused: true`), resume (at the next tick after now), reschedule or change shots."""
    return engine.update_monitor(monitor_id, body)


@router.delete("/monitors/{monitor_id}", status_code=204, responses=MONITOR_RESPONSES)
def delete_monitor(monitor_id: MonitorIdPath, engine: EngineDep) -> Response:
    """Delete the monitor; the runs it submitted stay."""
    engine.delete_monitor(monitor_id)
    return Response(status_code=204)
