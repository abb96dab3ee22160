"""Typed request dependencies: services, store access, auth and the caller's session."""

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Header, Path, Request, Security
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from synqc_backend.config import Settings
from synqc_backend.errors import ApiError, ErrorCode
from synqc_backend.http import api_keys
from synqc_backend.models import NO_NUL_PATTERN
from synqc_backend.runs.engine import SynQcEngine
from synqc_backend.runs.services import Services
from synqc_backend.storage.repository import RunRepository

LOCAL_SESSION = "local-session"
SESSION_ID_PATTERN = r"^[A-Za-z0-9_.:-]+$"
SESSION_ID_MAX_LENGTH = 128
# Security schemes, so the schema states how a key is presented; a missing or wrong key is
# answered by `require_api_key`, in the envelope, not by FastAPI's own 403.
API_KEY_HEADER = APIKeyHeader(
    name="X-Api-Key",
    scheme_name="ApiKey",
    description="One of the keys in SYNQC_API_KEY",
    auto_error=False,
)
BEARER = HTTPBearer(
    scheme_name="Bearer",
    description="The same key, as `Authorization: Bearer <key>`",
    auto_error=False,
)


# A run id as a path carries it: ids are uuid4, any other text is not found (404); a NUL is
# refused (422), as PostgreSQL text cannot hold one.
RunIdPath = Annotated[str, Path(pattern=NO_NUL_PATTERN, description="The run's id (a uuid4)")]


def get_services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(get_services)]


def get_settings(services: ServicesDep) -> Settings:
    return services.settings


def get_engine(services: ServicesDep) -> SynQcEngine:
    return services.engine


def get_repository(services: ServicesDep) -> Iterator[RunRepository]:
    """A repository in a unit of work that commits when the request's handler returns."""
    with services.database.unit_of_work() as session:
        yield RunRepository(session)


SettingsDep = Annotated[Settings, Depends(get_settings)]
EngineDep = Annotated[SynQcEngine, Depends(get_engine)]
RepositoryDep = Annotated[RunRepository, Depends(get_repository)]


def presented_key(
    x_api_key: Annotated[str | None, Security(API_KEY_HEADER)],
    bearer: Annotated[HTTPAuthorizationCredentials | None, Security(BEARER)],
) -> str | None:
    """The secret the caller sent: `X-Api-Key`, else `Authorization: Bearer <key>`."""
    return x_api_key or (None if bearer is None else bearer.credentials)


PresentedKeyDep = Annotated[str | None, Depends(presented_key)]


def require_api_key(settings: SettingsDep, key: PresentedKeyDep) -> None:
    """When keys are configured, the caller must present one (compared in constant time)."""
    if not settings.require_api_key:
        return
    if not api_keys.key_matches(settings.api_key, key):
        raise ApiError(
            401,
            ErrorCode.AUTH_REQUIRED,
            "a valid API key is required",
            hint="send it as 'X-Api-Key: <key>' or 'Authorization: Bearer <key>'",
            headers={"WWW-Authenticate": "Bearer"},
        )


def session_id(
    settings: SettingsDep,
    key: PresentedKeyDep,
    x_session_id: Annotated[
        str | None,
        Header(
            pattern=SESSION_ID_PATTERN,
            min_length=1,
            max_length=SESSION_ID_MAX_LENGTH,
            description="The session whose shot budget the request uses: 1-128 characters of "
            "[A-Za-z0-9_.:-] (422 otherwise). Without it: one derived from the API key, else "
            "`local-session`.",
        ),
    ] = None,
) -> str:
    """`X-Session-Id` if given, else one derived from the key's hash, else `local-session`."""
    if x_session_id is not None:
        return x_session_id
    if key and settings.require_api_key:
        return "key:" + api_keys.fingerprint(key)
    return LOCAL_SESSION


SessionIdDep = Annotated[str, Depends(session_id)]


IDEMPOTENCY_KEY_PATTERN = r"^[\x21-\x7e]{1,128}$"
# A retried submit with the same key (in the same session, within 24 h) returns the first run.
IdempotencyKeyDep = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        pattern=IDEMPOTENCY_KEY_PATTERN,
        max_length=128,
        description="Any 1-128 printable ASCII characters, new for each new run: a retry of "
        "the same request with the same key, from the same session within 24 h, returns the "
        "run the first attempt stored instead of a new one.",
    ),
]
