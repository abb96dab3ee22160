"""The `synqc` command line: run a preset in-process, list targets, migrate."""

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from synqc_backend.cli import cli

runner = CliRunner()


@pytest.fixture(autouse=True)
def _own_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SYNQC_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")


def test_run_prints_the_response_as_json() -> None:
    result = runner.invoke(
        cli, ["run", "hello_quantum_sim", "--shots", "500", "--seed", "3", "--json"]
    )
    assert result.exit_code == 0, result.output
    response = json.loads(result.output)
    assert response["preset"] == "hello_quantum_sim"
    assert response["kpis"]["shots_used"] == 500
    assert sum(response["kpis"]["raw_counts"].values()) == 500


def test_run_prints_a_readable_summary() -> None:
    result = runner.invoke(cli, ["run", "hello_quantum_sim", "--shots", "500"])
    assert result.exit_code == 0, result.output
    assert "dist_fidelity_v1" in result.output
    assert "shots    500 of 500" in result.output


def test_run_refuses_too_many_shots_with_the_contract_code() -> None:
    result = runner.invoke(cli, ["run", "hello_quantum_sim", "--shots", "300000"])
    assert result.exit_code == 2
    assert "INVALID_REQUEST" in result.output


def test_run_refuses_an_unconfigured_target() -> None:
    result = runner.invoke(cli, ["run", "hello_quantum_sim", "--target", "ionq_cloud"])
    assert result.exit_code == 2
    assert "PROVIDER_CREDENTIALS" in result.output


def test_targets_lists_all_six_with_their_status() -> None:
    result = runner.invoke(cli, ["targets"])
    assert result.exit_code == 0
    lines = result.output.strip().splitlines()
    assert len(lines) == 6
    assert lines[0].split()[:2] == ["sim_local", "ready"]
    assert all("unconfigured" in line for line in lines[1:])


def test_migrate_creates_the_schema(tmp_path: Path) -> None:
    result = runner.invoke(cli, ["migrate"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "cli.db").exists()


def test_serve_refuses_several_processes_in_the_embedded_default(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("SYNQC_REDIS_URL", raising=False)
    result = runner.invoke(cli, ["serve", "--workers", "2"])
    assert result.exit_code == 2
    assert "SYNQC_REDIS_URL" in result.output
