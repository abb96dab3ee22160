"""backend/scripts/load_test.py against the production deployment, and its exit codes.

Acceptance: `--runs 60 --concurrency 15 --strict` exits 0 against 2 API processes and 2 worker
processes (default preset `health`); with the workers stopped the queue cannot drain and it
exits 1; bad arguments exit 2.
"""

import subprocess
from collections.abc import Iterator

import pytest

from tests.ops.ops_files import PYTHON, SCRIPTS
from tests.ops.production_deployment import ProductionDeployment, production_deployment

LOAD_TEST = SCRIPTS / "load_test.py"


def load_test(*args: str, timeout_s: float = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [PYTHON, str(LOAD_TEST), *args],
        capture_output=True,
        text=True,
        timeout=timeout_s,
        check=False,
    )


def against(deployment: ProductionDeployment, *args: str) -> list[str]:
    urls = [arg for url in deployment.metrics_urls for arg in ("--metrics-url", url)]
    return ["--base-url", deployment.base_url, *urls, *args]


def line(output: str, heading: str) -> str:
    (found,) = [text for text in output.splitlines() if text.startswith(heading)]
    return found.removeprefix(heading).strip()


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ProductionDeployment]:
    with production_deployment(tmp_path_factory.mktemp("production")) as running:
        yield running


@pytest.mark.parametrize(
    "args",
    [
        ["--runs", "0"],
        ["--concurrency", "-1"],
        ["--runs", "many"],
        ["--timeout", "0"],
        ["--base-url", "ftp://example.org"],
        ["--metrics-url", "not a url"],
        ["--no-such-option"],
    ],
)
def test_bad_arguments_exit_2(args: list[str]) -> None:
    result = load_test(*args, timeout_s=60)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "error:" in result.stderr


@pytest.mark.slow
def test_60_runs_at_concurrency_15_pass_strict(deployment: ProductionDeployment) -> None:
    result = load_test(*against(deployment, "--runs", "60", "--concurrency", "15", "--strict"))

    print(result.stdout)
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert line(out, "runs finished").startswith("60 / 60 submitted (60 requested), 60 succeeded")
    assert line(out, "failures by code") == "none"
    assert line(out, "queue drained").startswith("yes (queued 0, running 0, backend dramatiq-redis")
    assert line(out, "redis connected").startswith("yes (budget backend redis, metrics min 1)")
    assert line(out, "metrics").startswith("4 of 4 reachable")
    assert "succeeded +60" in line(out, "metrics")
    assert line(out, "verdict") == "PASS"


@pytest.mark.slow
def test_an_unknown_preset_exits_2(deployment: ProductionDeployment) -> None:
    result = load_test(*against(deployment, "--preset", "no_such_preset"))
    assert result.returncode == 2
    assert "unknown preset 'no_such_preset'" in result.stderr


@pytest.mark.slow
def test_an_unreachable_exporter_fails_strict_only(deployment: ProductionDeployment) -> None:
    dead = ["--metrics-url", "http://127.0.0.1:9/metrics"]
    args = against(deployment, "--runs", "2", "--preset", "hello_quantum_sim", *dead)

    strict = load_test(*args)
    relaxed = load_test(*args, "--no-strict")

    assert strict.returncode == 1, strict.stdout
    assert "metrics unreachable at http://127.0.0.1:9/metrics" in line(strict.stdout, "verdict")
    assert relaxed.returncode == 0, relaxed.stdout


@pytest.mark.slow
def test_stopped_workers_leave_the_queue_undrained_and_exit_1(
    deployment: ProductionDeployment,
) -> None:
    """Runs last in this module: it stops the deployment's workers."""
    deployment.stop_workers()
    args = ["--runs", "3", "--concurrency", "3", "--preset", "hello_quantum_sim"]

    result = load_test(*against(deployment, *args, "--timeout", "4"))

    assert result.returncode == 1, result.stdout + result.stderr
    out = result.stdout
    assert line(out, "runs finished").startswith("0 / 3 submitted")
    assert line(out, "failures by code") == "UNFINISHED 3"
    assert line(out, "queue drained").startswith("no (queued 3, running 0")
    assert "3 of 3 submitted runs unfinished" in line(out, "verdict")
