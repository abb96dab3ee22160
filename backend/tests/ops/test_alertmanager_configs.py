"""The Alertmanager configs pass amtool; the staging template renders, routes and fails fast."""

import os
import stat
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.ops.ops_files import OPS, SCRIPTS, require_tool

RENDER = SCRIPTS / "render_alertmanager_config.sh"
STAGING = OPS / "alertmanager-staging.yml"
SECRETS = {
    "SLACK_WEBHOOK_URL": "https://hooks.slack.example/services/T0/B0/secret-slack",
    "SLACK_CHANNEL": "#synqc-alerts",
    "PAGERDUTY_ROUTING_KEY": "secret-pagerduty-key",
    "ALERT_MIRROR_WEBHOOK_URL": "http://mirror.internal:8080/alerts",
}


def render(output: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in SECRETS}
    return subprocess.run(
        ["bash", str(RENDER), str(STAGING), str(output)],
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def amtool(*args: str) -> subprocess.CompletedProcess[str]:
    executable = require_tool("amtool", "prometheus-alertmanager")
    return subprocess.run(
        [executable, *args], capture_output=True, text=True, timeout=60, check=False
    )


@pytest.fixture
def rendered(tmp_path: Path) -> Path:
    require_tool("amtool", "prometheus-alertmanager")
    output = tmp_path / "alertmanager-staging.yml"
    result = render(output, **SECRETS)
    assert result.returncode == 0, result.stderr
    return output


def test_the_ci_config_passes_amtool() -> None:
    result = amtool("check-config", str(OPS / "alertmanager-ci.yml"))
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_ci_config_sends_everything_to_the_local_sink_at_once() -> None:
    config = yaml.safe_load((OPS / "alertmanager-ci.yml").read_text())
    assert "routes" not in config["route"]
    (receiver,) = config["receivers"]
    assert receiver["name"] == config["route"]["receiver"]
    (webhook,) = receiver["webhook_configs"]
    assert webhook["url"] == "http://127.0.0.1:9095/alerts"
    assert webhook["send_resolved"] is True
    assert config["route"]["group_wait"] == "1s"


def test_the_rendered_staging_config_passes_amtool_and_holds_the_secrets(rendered: Path) -> None:
    result = amtool("check-config", str(rendered))
    assert result.returncode == 0, result.stdout + result.stderr
    config = yaml.safe_load(rendered.read_text())
    assert config["global"]["slack_api_url"] == SECRETS["SLACK_WEBHOOK_URL"]
    by_name = {receiver["name"]: receiver for receiver in config["receivers"]}
    pagerduty = by_name["pagerduty-and-slack"]["pagerduty_configs"][0]
    assert pagerduty["routing_key"] == SECRETS["PAGERDUTY_ROUTING_KEY"]
    assert by_name["slack"]["slack_configs"][0]["channel"] == "#synqc-alerts"
    # Alertmanager's own templates are left for Alertmanager.
    assert "{{ .CommonAnnotations.summary }}" in rendered.read_text()
    assert stat.S_IMODE(rendered.stat().st_mode) == 0o600


@pytest.mark.parametrize(
    ("labels", "receivers"),
    [
        (["severity=critical", "alertname=RedisDisconnected"], "mirror,pagerduty-and-slack"),
        (["severity=warning", "alertname=QueueBacklogGrowing"], "mirror,slack"),
        (["alertname=Unlabelled"], "mirror,slack"),
    ],
)
def test_staging_routes_copy_everything_to_the_mirror_and_page_only_critical(
    rendered: Path, labels: list[str], receivers: str
) -> None:
    result = amtool("config", "routes", "test", f"--config.file={rendered}", *labels)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == receivers


def test_a_missing_secret_fails_fast_naming_it_without_values(tmp_path: Path) -> None:
    output = tmp_path / "out.yml"
    partial = {**SECRETS, "SLACK_CHANNEL": ""}
    del partial["PAGERDUTY_ROUTING_KEY"]
    result = render(output, **partial)
    assert result.returncode == 1
    assert "PAGERDUTY_ROUTING_KEY" in result.stderr
    assert "SLACK_CHANNEL" in result.stderr
    assert "SLACK_WEBHOOK_URL" not in result.stderr
    assert all(value not in result.stdout + result.stderr for value in SECRETS.values())
    assert not output.exists()


def test_bad_arguments_exit_2(tmp_path: Path) -> None:
    result = subprocess.run(
        ["bash", str(RENDER), str(STAGING)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 2
    missing = subprocess.run(
        ["bash", str(RENDER), str(tmp_path / "nope.yml"), str(tmp_path / "out.yml")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert missing.returncode == 2
