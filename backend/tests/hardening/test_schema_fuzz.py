"""Schema fuzzing with Schemathesis against the live OpenAPI schema of both deployments.

Every operation, with and without the API key: no 5xx, status codes (each declared by number)
and bodies as the schema documents them, and every error in the contract's envelope. The
example count is bounded (`FUZZ_EXAMPLES` per operation) so the suite stays within CI's
budget; `test_schema_checks.py` runs every check Schemathesis has, with more examples.
"""

import os
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import APIOperation, BaseSchema, Case, GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from synqc_backend.config import Settings
from synqc_backend.http.app import create_app
from tests.hardening.contract_checks import error_envelope, status_declared
from tests.hardening.deployments import API_KEY, DEPLOYMENTS, deployment
from tests.hardening.figures import record
from tests.live_server import LiveServer

pytestmark = pytest.mark.slow
# Per operation, deployment and key/no key; `SYNQC_FUZZ_EXAMPLES` raises it for a longer hunt.
FUZZ_EXAMPLES = int(os.environ.get("SYNQC_FUZZ_EXAMPLES", "12"))
FUZZ_ENV = {
    # Accepted runs really execute: keep them few and small so fuzzing stays quick.
    "SYNQC_MAX_SHOTS_PER_SESSION": "40000",
    "SYNQC_MAX_SHOTS_PER_EXPERIMENT": "20000",
    "SYNQC_LEGACY_RUN_WAIT_SECONDS": "1",
    "SYNQC_WORKER_CONCURRENCY": "1",
    # The fuzzer is one client at one address; the limiter has tests of its own.
    "SYNQC_RATE_LIMIT_PER_MINUTE": "0",
}
CASES: Counter[str] = Counter()
type Operation = APIOperation[Any, Any, Any, Any]
type FuzzCase = Case[Operation]


@pytest.fixture(scope="module", params=DEPLOYMENTS)
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    kind: str = request.param
    with deployment(kind, tmp_path_factory.mktemp(f"fuzz-{kind}"), FUZZ_ENV) as running:
        running.server.kind = kind  # type: ignore[attr-defined]
        yield running.server
    record("fuzz_cases", CASES.pop(kind, 0), deployment=kind)


@pytest.fixture(scope="module")
def live_schema(server: LiveServer) -> BaseSchema:
    """The schema the running server publishes; it is the one this code builds."""
    loaded = schemathesis.openapi.from_url(f"{server.base_url}/openapi.json")
    assert set(_labels(loaded.raw_schema)) == set(OPERATIONS)
    return loaded


def _labels(openapi: dict[str, Any]) -> list[str]:
    return [f"{method.upper()} {path}" for path, ops in openapi["paths"].items() for method in ops]


# Collected from this code's app (no server needed), checked against the live schema above.
OPERATIONS = _labels(create_app(Settings(enable_metrics=False)).openapi())


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    error_envelope,
    status_declared,
]


def cases(operation: Operation) -> st.SearchStrategy[FuzzCase]:
    """Valid and invalid requests for the operation (invalid only where it has inputs)."""
    strategies = [operation.as_strategy(GenerationMode.POSITIVE)]
    if operation.body or any(True for _ in operation.iter_parameters()):
        strategies.append(operation.as_strategy(GenerationMode.NEGATIVE))
    return st.one_of(strategies)


@pytest.mark.parametrize("with_key", [True, False], ids=["key", "no-key"])
@pytest.mark.parametrize("label", OPERATIONS)
def test_the_operation_holds_under_fuzzing(
    label: str, with_key: bool, server: LiveServer, live_schema: BaseSchema
) -> None:
    operation = live_schema.find_operation_by_label(label)
    assert operation is not None, label
    headers = {"X-Api-Key": API_KEY} if with_key else {}

    @given(case=cases(operation))
    @settings(
        max_examples=FUZZ_EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def holds(case: FuzzCase) -> None:
        CASES[server.kind] += 1  # type: ignore[attr-defined]
        case.call_and_validate(headers=headers, checks=CHECKS, timeout=30)

    holds()
