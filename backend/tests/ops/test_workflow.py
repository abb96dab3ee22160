""".github/workflows/backend-load-test.yml: schema-valid, consistent with the code it runs.

There is no GitHub runner here, so the workflow is checked against the GitHub workflow schema
(the copy check-jsonschema ships), its Alertmanager-config step is run for real, and every
script, option, port and setting it names is cross-checked.
"""

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from synqc_backend.config import Settings
from tests.ops.ops_files import OPS, PYTHON, REPOSITORY, SCRIPTS

WORKFLOW = REPOSITORY / ".github/workflows/backend-load-test.yml"
CHECK_JSONSCHEMA = str(Path(sys.executable).parent / "check-jsonschema")
SECRETS = {
    "SLACK_WEBHOOK_URL": "https://hooks.slack.example/services/T0/B0/x",
    "SLACK_CHANNEL": "#synqc",
    "PAGERDUTY_ROUTING_KEY": "routing-key",
}


def workflow() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load(WORKFLOW.read_text())
    return document


def job() -> dict[str, Any]:
    load_test: dict[str, Any] = workflow()["jobs"]["load-test"]
    return load_test


def step(name_start: str) -> dict[str, Any]:
    steps: list[dict[str, Any]] = job()["steps"]
    (found,) = [s for s in steps if s.get("name", "").startswith(name_start)]
    return found


@pytest.mark.parametrize(
    "schema", ["vendor.github-workflows", "custom.github-workflows-require-timeout"]
)
def test_the_workflow_follows_the_github_workflow_schema(schema: str) -> None:
    result = subprocess.run(
        [CHECK_JSONSCHEMA, "--builtin-schema", schema, str(WORKFLOW)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def run_config_step(tmp_path: Path, template: str, **secrets: str) -> tuple[int, str, Path]:
    """The 'Alertmanager config' step's script, as the runner would run it."""
    config_step = step("Alertmanager config")
    github_env = tmp_path / "github_env"
    github_env.touch()
    env = {k: v for k, v in os.environ.items() if k not in SECRETS}
    env |= {
        **config_step["env"],
        **dict.fromkeys(SECRETS, ""),
        **secrets,
        "ALERTMANAGER_CONFIG_TEMPLATE": template,
        "RUNNER_TEMP": str(tmp_path),
        "GITHUB_ENV": str(github_env),
    }
    result = subprocess.run(
        ["bash", "-e", "-c", config_step["run"]],
        cwd=REPOSITORY,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return result.returncode, result.stderr + github_env.read_text(), tmp_path / "alertmanager.yml"


def test_the_ci_template_is_the_ci_config(tmp_path: Path) -> None:
    code, output, config = run_config_step(tmp_path, "ci")
    assert code == 0, output
    assert config.read_text() == (OPS / "alertmanager-ci.yml").read_text()
    assert f"ALERTMANAGER_CONFIG={config}" in output


def test_the_staging_template_fails_fast_without_its_secrets(tmp_path: Path) -> None:
    code, output, config = run_config_step(tmp_path, "staging", SLACK_CHANNEL="#synqc")
    assert code == 1
    assert "PAGERDUTY_ROUTING_KEY" in output
    assert "SLACK_WEBHOOK_URL" in output
    assert not config.exists()


def test_the_staging_template_mirrors_to_the_local_sink(tmp_path: Path) -> None:
    code, output, config = run_config_step(tmp_path, "staging", **SECRETS)
    assert code == 0, output
    rendered = yaml.safe_load(config.read_text())
    mirror = next(r for r in rendered["receivers"] if r["name"] == "mirror")
    ci = yaml.safe_load((OPS / "alertmanager-ci.yml").read_text())
    assert mirror["webhook_configs"][0]["url"] == ci["receivers"][0]["webhook_configs"][0]["url"]


def test_an_unknown_template_is_refused(tmp_path: Path) -> None:
    code, output, _config = run_config_step(tmp_path, "production")
    assert code == 1
    assert "ci or staging" in output


def test_the_staging_secrets_are_the_templates_placeholders() -> None:
    template = (OPS / "alertmanager-staging.yml").read_text()
    placeholders = set(re.findall(r"\$\{([A-Z_]+)\}", template))
    config_env = step("Alertmanager config")["env"]
    assert set(config_env) == placeholders
    for name in SECRETS:
        assert config_env[name] == f"${{{{ secrets.{name} }}}}"


def test_runs_and_concurrency_come_from_repository_variables() -> None:
    env = job()["env"]
    assert env["LOAD_TEST_RUNS"] == "${{ vars.LOAD_TEST_RUNS || '60' }}"
    assert env["LOAD_TEST_CONCURRENCY"] == "${{ vars.LOAD_TEST_CONCURRENCY || '15' }}"
    load_test = step("Load test")["run"]
    assert '--runs "$LOAD_TEST_RUNS" --concurrency "$LOAD_TEST_CONCURRENCY" --strict' in load_test


def test_every_load_test_option_it_passes_exists() -> None:
    help_text = subprocess.run(
        [PYTHON, str(SCRIPTS / "load_test.py"), "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    options = set(re.findall(r"(--[a-z-]+)", step("Load test")["run"]))
    assert options
    assert all(option in help_text for option in options)


def test_the_processes_it_starts_match_the_scrape_targets() -> None:
    start = step("Start 2 API processes")["run"]
    assert "synqc serve --host 127.0.0.1 --port 8001 --workers 2" in start
    assert "for index in 1 2; do" in start
    assert "synqc worker" in start
    targets = yaml.safe_load((OPS / "synqc-targets.json").read_text())[0]["targets"]
    assert ",".join(targets) == step("Live alert check")["env"]["SYNQC_METRICS_TARGETS"]
    for target in targets:
        assert f"http://{target}/metrics" in step("Load test")["run"]


def test_its_settings_are_real_settings_and_the_services_match() -> None:
    env = job()["env"]
    known = {f"SYNQC_{name.upper()}" for name in Settings.model_fields}
    assert {name for name in env if name.startswith("SYNQC_")} <= known
    services = job()["services"]
    assert services["redis"]["ports"] == ["6379:6379"]
    assert env["SYNQC_REDIS_URL"] == "redis://127.0.0.1:6379/0"
    postgres = services["postgres"]["env"]
    user, password, database = (
        postgres["POSTGRES_USER"],
        postgres["POSTGRES_PASSWORD"],
        postgres["POSTGRES_DB"],
    )
    assert env["SYNQC_DATABASE_URL"] == (
        f"postgresql+psycopg://{user}:{password}@127.0.0.1:5432/{database}"
    )
    assert step("Live alert check")["env"]["STOP_REDIS_COMMAND"] == (
        "docker stop ${{ job.services.redis.id }}"
    )


def test_every_script_it_runs_exists() -> None:
    runs = "\n".join(s.get("run", "") for s in job()["steps"])
    paths = re.findall(r"(?:bash|python) ((?:backend/)?scripts/[\w.]+)", runs)
    assert len(paths) >= 3
    for path in paths:
        assert (REPOSITORY / path).is_file() or (REPOSITORY / "backend" / path).is_file(), path


def test_every_run_script_is_valid_bash() -> None:
    for workflow_step in job()["steps"]:
        if "run" in workflow_step:
            result = subprocess.run(
                ["bash", "-n", "-c", workflow_step["run"]],
                capture_output=True,
                text=True,
                check=False,
            )
            assert result.returncode == 0, (workflow_step.get("name"), result.stderr)
