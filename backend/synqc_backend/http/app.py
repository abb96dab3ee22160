"""The FastAPI app: `create_app(settings)` wires routes, middleware and the services' lifespan."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, override

from fastapi import APIRouter, Depends, FastAPI
from fastapi.middleware.cors import CORSMiddleware
from starlette.concurrency import run_in_threadpool

from synqc_backend import __version__
from synqc_backend.config import Settings
from synqc_backend.http import deployment_policy
from synqc_backend.http.deps import require_api_key
from synqc_backend.http.error_handlers import UnexpectedErrorMiddleware, install_error_handlers
from synqc_backend.http.error_schema import (
    AUTH_RESPONSES,
    ERROR_RESPONSES,
    RATE_LIMITED_RESPONSES,
)
from synqc_backend.http.openapi_schema import served_schema
from synqc_backend.http.rate_limit import RateLimitMiddleware
from synqc_backend.http.request_context import BodySizeLimitMiddleware, RequestIdMiddleware
from synqc_backend.http.routes import (
    console,
    controls,
    experiments,
    health,
    monitors,
    physics,
    qubits,
    run_events,
    runs,
    targets,
    telemetry,
)
from synqc_backend.runs.request_rules import server_rules
from synqc_backend.runs.services import start_services

PUBLIC_ROUTERS = (health.router, targets.router, physics.router, console.router)
PROTECTED_ROUTERS = (
    runs.router,
    run_events.router,
    experiments.router,
    controls.router,
    telemetry.router,
    qubits.router,
    monitors.router,
)
API_PREFIX = "/api"


class SynQcApi(FastAPI):
    """The app; its schema states the rules this server's settings decide (`openapi_schema`)."""

    def __init__(self, settings: Settings, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.settings = settings

    @override
    def openapi(self) -> dict[str, Any]:
        if self.openapi_schema is None:
            self.openapi_schema = served_schema(
                super().openapi(),
                server_rules(self.settings),
                require_api_key=self.settings.require_api_key,
            )
        return self.openapi_schema


def create_app(settings: Settings | None = None) -> FastAPI:
    """The app for these settings; its lifespan starts and stops every service."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        deployment_policy.enforce(settings)
        services = await run_in_threadpool(start_services, settings)
        app.state.services = services
        try:
            yield
        finally:
            await run_in_threadpool(services.close)

    docs = settings.docs_enabled
    app = SynQcApi(
        settings,
        title="SynQc TDS",
        version=__version__,
        summary="Qubit-characterization runs with KPIs from measured counts",
        lifespan=lifespan,
        docs_url="/docs" if docs else None,
        redoc_url="/redoc" if docs else None,
        openapi_url="/openapi.json" if docs else None,
    )
    install_error_handlers(app, api_prefix=API_PREFIX)
    protected = APIRouter(
        dependencies=[Depends(require_api_key)],
        responses=AUTH_RESPONSES if settings.require_api_key else {},
    )
    for router in PROTECTED_ROUTERS:
        protected.include_router(router)
    for prefix, in_schema in (("", True), (API_PREFIX, False)):
        for router in (*PUBLIC_ROUTERS, protected):
            # /health is not rate limited (load balancers poll it).
            limited = {} if router is health.router else RATE_LIMITED_RESPONSES
            app.include_router(
                router,
                prefix=prefix,
                include_in_schema=in_schema,
                responses=ERROR_RESPONSES | limited,
            )
    # Added first, so innermost: every layer below is covered, the ones above still apply.
    app.add_middleware(UnexpectedErrorMiddleware)
    app.add_middleware(
        BodySizeLimitMiddleware,
        max_bytes=settings.max_request_bytes,
        timeout_s=settings.request_body_timeout_seconds,
    )
    app.add_middleware(RateLimitMiddleware, api_key=settings.api_key)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=list(settings.allowed_origins),
        allow_credentials="*" not in settings.allowed_origins,
        allow_methods=["GET", "POST", "OPTIONS"],
        allow_headers=[
            "Authorization",
            "Content-Type",
            "X-Api-Key",
            "X-Session-Id",
            "X-Request-Id",
        ],
        expose_headers=["X-Request-Id"],
    )
    app.add_middleware(RequestIdMiddleware)
    return app
