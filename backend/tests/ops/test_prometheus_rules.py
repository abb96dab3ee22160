"""The Prometheus configs and alert rules pass promtool, and every alert has tests both ways."""

import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.ops.ops_files import OPS, require_tool

ALERTS = (
    "RedisDisconnected",
    "QueueBacklogGrowing",
    "QueueOldestRunTooOld",
    "BudgetKeyChurnSpike",
    "RunFailureRateHigh",
    "MetricsExporterDown",
    "QubitDegraded",
    "QubitDrifting",
    "MonitorStale",
)


def promtool(*args: str, cwd: Path = OPS) -> subprocess.CompletedProcess[str]:
    executable = require_tool("promtool", "prometheus")
    return subprocess.run(
        [executable, *args], cwd=cwd, capture_output=True, text=True, timeout=60, check=False
    )


def rules() -> dict[str, dict[str, Any]]:
    document = yaml.safe_load((OPS / "synqc-alerts.yml").read_text())
    return {rule["alert"]: rule for group in document["groups"] for rule in group["rules"]}


@pytest.mark.parametrize("config", ["prometheus-synqc-example.yml", "prometheus-ci-scrape.yml"])
def test_prometheus_configs_pass_promtool(config: str) -> None:
    result = promtool("check", "config", config)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "WARNING" not in result.stdout + result.stderr


def test_alert_rules_pass_promtool() -> None:
    result = promtool("check", "rules", "synqc-alerts.yml")
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{len(ALERTS)} rules found" in result.stdout


def test_alert_rule_unit_tests_pass() -> None:
    result = promtool("test", "rules", "synqc-alerts.test.yml")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout


def test_the_unit_tests_fail_when_a_rule_is_broken(tmp_path: Path) -> None:
    """The rule tests can fail: with RedisDisconnected's comparison inverted they do."""
    broken = (
        (OPS / "synqc-alerts.yml")
        .read_text()
        .replace(
            "min by (job, instance, process) (synqc_redis_connected) == 0",
            "min by (job, instance, process) (synqc_redis_connected) == 1",
        )
    )
    (tmp_path / "synqc-alerts.yml").write_text(broken)
    (tmp_path / "synqc-alerts.test.yml").write_text((OPS / "synqc-alerts.test.yml").read_text())
    result = promtool("test", "rules", "synqc-alerts.test.yml", cwd=tmp_path)
    assert result.returncode != 0
    assert "RedisDisconnected" in result.stdout + result.stderr


@pytest.mark.parametrize("name", ALERTS)
def test_each_alert_has_a_severity_and_a_runbook(name: str) -> None:
    rule = rules()[name]
    assert rule["labels"]["severity"] in {"critical", "warning"}
    assert rule["annotations"]["summary"]
    assert "Runbook:" in rule["annotations"]["description"]
    assert "\n1. " in rule["annotations"]["description"]


@pytest.mark.parametrize("name", ALERTS)
def test_each_alert_is_tested_firing_and_silent(name: str) -> None:
    document = yaml.safe_load((OPS / "synqc-alerts.test.yml").read_text())
    cases = [
        case
        for test in document["tests"]
        for case in test["alert_rule_test"]
        if case["alertname"] == name
    ]
    assert any(case["exp_alerts"] for case in cases), f"{name} is never expected to fire"
    assert any(not case["exp_alerts"] for case in cases), f"{name} is never expected silent"


def test_the_rules_file_holds_exactly_the_tested_alerts() -> None:
    assert set(rules()) == set(ALERTS)


def test_the_ci_scrape_config_evaluates_every_5_seconds_and_alerts_on_9093() -> None:
    config = yaml.safe_load((OPS / "prometheus-ci-scrape.yml").read_text())
    assert config["global"]["scrape_interval"] == "5s"
    assert config["global"]["evaluation_interval"] == "5s"
    assert config["rule_files"] == ["synqc-alerts.yml"]
    (manager,) = config["alerting"]["alertmanagers"]
    assert manager["static_configs"][0]["targets"] == ["127.0.0.1:9093"]
