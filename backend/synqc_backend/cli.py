"""`synqc`: serve the API, run a preset in-process, list targets, migrate the store."""

import json
import time
from pathlib import Path
from typing import Annotated

import typer
import uvicorn

from synqc_backend.config import Settings
from synqc_backend.errors import ApiError
from synqc_backend.http import deployment_policy
from synqc_backend.http.app import create_app
from synqc_backend.http.server import serve_processes, uvicorn_config
from synqc_backend.logs import configure_logging
from synqc_backend.models import Preset, RunExperimentRequest, RunExperimentResponse
from synqc_backend.runs import report
from synqc_backend.runs.services import Services, create_services, start_services, targets_for
from synqc_backend.storage.database import Database
from synqc_backend.storage.repository import RunRepository
from synqc_backend.targets.base import hardware_target
from synqc_backend.worker import run_worker

CLI_SESSION = "cli"

cli = typer.Typer(
    help="SynQc TDS: qubit characterization with KPIs from measured counts.",
    no_args_is_help=True,
    add_completion=False,
)


@cli.command()
def serve(
    host: Annotated[str, typer.Option(help="address to bind")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port to bind")] = 8001,
    workers: Annotated[
        int,
        typer.Option(
            min=1, help="API processes sharing the port (production: needs SYNQC_REDIS_URL)"
        ),
    ] = 1,
) -> None:
    """Serve the API and the console (embedded default: SQLite, in-process workers)."""
    configure_logging()
    settings = Settings()
    try:
        deployment_policy.enforce(settings)
    except deployment_policy.UnsafeSettingsError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from error
    if workers == 1:
        uvicorn.Server(uvicorn_config(create_app(settings), settings, host, port)).run()
        return
    if settings.embedded:
        # Each process would run its own queue, budgets and recovery over one store.
        typer.echo(
            "error: --workers above 1 needs the production deployment (SYNQC_REDIS_URL); "
            "the embedded default serves from one process",
            err=True,
        )
        raise typer.Exit(2)
    serve_processes(settings, host, port, workers)


@cli.command()
def worker(
    threads: Annotated[
        int | None, typer.Option(help="worker threads (default SYNQC_WORKER_CONCURRENCY)")
    ] = None,
) -> None:
    """Run a production worker process (needs SYNQC_REDIS_URL)."""
    configure_logging()
    settings = Settings()
    if threads is not None:
        settings = settings.model_copy(update={"worker_concurrency": threads})
    run_worker(settings)


@cli.command()
def run(
    preset: Annotated[Preset, typer.Argument(help="preset to run")],
    target: Annotated[str, typer.Option(help="hardware target id")] = "sim_local",
    shots: Annotated[int | None, typer.Option(help="shot budget of the run")] = None,
    seed: Annotated[int | None, typer.Option(help="seed for reproducible simulation")] = None,
    compare: Annotated[
        list[str] | None, typer.Option(help="target to compare (backend_compare; repeat it)")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print the response as JSON")] = False,
    plot: Annotated[
        Path | None, typer.Option(help="folder to write the run's figures to, as SVG")
    ] = None,
) -> None:
    """Run one preset in this process and print its result."""
    settings = Settings()
    services = start_services(settings, recover=False, export_metrics=False)
    try:
        request = RunExperimentRequest(
            preset=preset,
            hardware_target=target,
            shot_budget=shots,
            seed=seed,
            compare_targets=compare or None,
        )
        response = _run_to_end(services, request)
        if plot is not None:
            _write_figures(services, response, plot)
    except ApiError as error:
        typer.echo(f"error {error.code.value}: {error.message}\nhint: {error.hint}", err=True)
        raise typer.Exit(2) from error
    finally:
        services.close()
    if as_json:
        typer.echo(response.model_dump_json(indent=2))
    else:
        typer.echo(_summary(response))
    if response.error_code is not None:
        raise typer.Exit(1)


@cli.command()
def reanalyse(
    run_id: Annotated[str, typer.Argument(help="id of a succeeded run")],
    as_json: Annotated[bool, typer.Option("--json", help="print the response as JSON")] = False,
) -> None:
    """Recompute a run's measurements, KPIs and figures from its stored raw counts."""
    services = create_services(Settings())
    try:
        services.engine.reanalyse(run_id)
        response = _response(services, run_id)
    except ApiError as error:
        typer.echo(f"error {error.code.value}: {error.message}\nhint: {error.hint}", err=True)
        raise typer.Exit(2) from error
    finally:
        services.close()
    typer.echo(response.model_dump_json(indent=2) if as_json else _summary(response))


@cli.command()
def targets() -> None:
    """List the targets with their readiness."""
    for target in targets_for(Settings()).values():
        view = hardware_target(target)
        typer.echo(f"{view.id:<16} {view.status.value:<13} {view.name}: {view.status_detail}")


@cli.command()
def migrate() -> None:
    """Apply the store's migrations (SYNQC_DATABASE_URL)."""
    database = Database(Settings().database_url)
    try:
        database.migrate()
    finally:
        database.dispose()
    typer.echo(f"schema of {database.backend} store is up to date")


def _run_to_end(services: Services, request: RunExperimentRequest) -> RunExperimentResponse:
    engine = services.engine
    run_id = engine.submit(request, CLI_SESSION, received_at=time.time()).id
    engine.wait_until_finished(run_id, timeout_s=services.settings.job_timeout_seconds + 30)
    return _response(services, run_id)


def _write_figures(services: Services, response: RunExperimentResponse, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for url in response.figures:
        name = url.rsplit("/", 1)[-1].removesuffix(".svg")
        svg = services.engine.figure_svg(response.id, name)
        if svg is not None:
            (folder / f"{name}.svg").write_text(svg, encoding="utf-8")


def _response(services: Services, run_id: str) -> RunExperimentResponse:
    with services.database.unit_of_work() as session:
        row = RunRepository(session).get(run_id)
        assert row is not None
        return report.response(row)


def _summary(response: RunExperimentResponse) -> str:
    kpis = response.kpis
    lines = [
        f"run {response.id}  {response.preset.value} on {response.hardware_target}",
        f"status   {kpis.status.value}",
        f"shots    {kpis.shots_used} of {kpis.shot_budget}",
    ]
    for detail in response.kpi_details:
        value = "n/a" if detail.value is None else f"{detail.value:.6g}"
        ci = "" if detail.ci95 is None else f"  ci95 [{detail.ci95[0]:.4g}, {detail.ci95[1]:.4g}]"
        lines.append(f"{detail.name:<11} {value} {detail.units}{ci}  ({detail.definition_id})")
    for m in response.measurements:
        error = "" if m.stderr is None else f" ± {m.stderr:.3g}"
        flag = "" if m.quality == "good" else f"  [{m.quality}: {m.quality_reason}]"
        lines.append(f"  {m.name:<30} {m.value:.6g}{error} {m.unit}{flag}")
    lines += [f"  {stage.id:<9}{stage.dwell_ms:9.1f} ms" for stage in response.workflow_trace]
    lines += [f"warning  {warning}" for warning in response.warnings]
    if response.error_code:
        lines.append(f"error    {response.error_code}: {response.error_message}")
        lines.append(f"hint     {response.action_hint}")
    if kpis.raw_counts:
        lines.append("counts   " + json.dumps(kpis.raw_counts, sort_keys=True))
    return "\n".join(lines)


def main() -> None:
    cli()
