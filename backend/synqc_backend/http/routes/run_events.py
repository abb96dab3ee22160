"""Live run events as Server-Sent Events: `GET /runs/{id}/events`."""

import json
from collections.abc import AsyncIterator
from contextlib import ExitStack

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from synqc_backend.errors import run_not_found
from synqc_backend.http.deps import RunIdPath, ServicesDep
from synqc_backend.http.error_schema import RUN_RESPONSES
from synqc_backend.models import RunState
from synqc_backend.runs.events import Event, Subscription, run_event
from synqc_backend.runs.services import Services
from synqc_backend.storage.repository import RunRepository

router = APIRouter(tags=["runs"])

POLL_S = 1.0
# A snapshot from the run table every few seconds covers an event lost on the way.
RESYNC_EVERY = 5


@router.get(
    "/runs/{run_id}/events",
    response_class=StreamingResponse,
    responses=RUN_RESPONSES | {200: {"content": {"text/event-stream": {}}}},
)
async def stream_run_events(
    run_id: RunIdPath, request: Request, services: ServicesDep
) -> StreamingResponse:
    """The run's status and progress now, then every change until it finishes."""
    if await run_in_threadpool(_snapshot, services, run_id) is None:
        raise run_not_found(run_id)
    return StreamingResponse(
        _stream(services, run_id, request),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


async def _stream(services: Services, run_id: str, request: Request) -> AsyncIterator[str]:
    with ExitStack() as stack:
        # Subscribing is network I/O on Redis (and waits for its confirmation): not on the loop.
        subscribe = services.engine.events.subscribe(run_id)
        subscription = await run_in_threadpool(stack.enter_context, subscribe)
        # Read after subscribing: a change made before then is in this snapshot, any later one
        # arrives as an event.
        first = await run_in_threadpool(_snapshot, services, run_id)
        if first is None:
            return
        last = first
        yield _format(first)
        polls = 0
        while not RunState(last["status"]).finished and not await request.is_disconnected():
            event = await _next(subscription, services, run_id, polls)
            polls += 1
            if event is None:
                yield ": keep-alive\n\n"
                continue
            if (event["status"], event["progress"]) != (last["status"], last["progress"]):
                last = event
                yield _format(event)


async def _next(
    subscription: Subscription, services: Services, run_id: str, polls: int
) -> Event | None:
    event = await run_in_threadpool(subscription.get, POLL_S)
    if event is None and polls % RESYNC_EVERY == RESYNC_EVERY - 1:
        return await run_in_threadpool(_snapshot, services, run_id)
    return event


def _snapshot(services: Services, run_id: str) -> Event | None:
    with services.database.unit_of_work() as session:
        row = RunRepository(session).get(run_id)
        if row is None:
            return None
        return run_event(row.id, row.status, row.progress, services.engine.clock())


def _format(event: Event) -> str:
    return f"event: run\ndata: {json.dumps(event)}\n\n"
