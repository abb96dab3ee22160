"""docker-compose.yml and backend/Dockerfile, checked without a Docker engine.

- The Compose file, interpolated with the values of `.env.example`, validates against the
  Compose Specification JSON schema (the copy check-jsonschema ships: `vendor.compose-spec`).
- Every command, port, URL and SYNQC_ variable in them is cross-checked against the code.
"""

import inspect
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from synqc_backend.cli import cli, serve
from synqc_backend.config import Environment, Settings
from synqc_backend.http.deployment_policy import production_problems
from tests.ops.ops_files import BACKEND, OPS, REPOSITORY

COMPOSE = REPOSITORY / "docker-compose.yml"
DOCKERFILE = BACKEND / "Dockerfile"
CHECK_JSONSCHEMA = str(Path(sys.executable).parent / "check-jsonschema")
VARIABLE = re.compile(r"\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}")
SERVICES = {"migrate", "api", "worker", "redis", "postgres", "prometheus", "alertmanager"}


class MissingVariable(Exception):
    """A `${NAME:?message}` variable is unset."""


def env_example() -> dict[str, str]:
    pairs = [
        line.split("=", 1)
        for line in (REPOSITORY / ".env.example").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    return {name.strip(): value.strip() for name, value in pairs}


def interpolate(value: Any, env: dict[str, str]) -> Any:
    """Compose's `${NAME}`, `${NAME:-default}`, `${NAME:?error}` and `$$`, on every string."""
    if isinstance(value, dict):
        return {key: interpolate(item, env) for key, item in value.items()}
    if isinstance(value, list):
        return [interpolate(item, env) for item in value]
    if not isinstance(value, str):
        return value

    def substitute(match: re.Match[str]) -> str:
        if match.group(0) == "$$":
            return "$"
        name, operator, argument = match.groups()
        current = env.get(name, "")
        if operator in {":-", "-"}:
            return current or argument
        if operator in {":?", "?"} and not current:
            raise MissingVariable(f"{name}: {argument}")
        return current

    return VARIABLE.sub(substitute, value)


def operator_env() -> dict[str, str]:
    """`.env.example` with the secrets an operator must fill in."""
    return {**env_example(), "POSTGRES_PASSWORD": "pg-secret", "SYNQC_API_KEY": "k" * 24}


def compose(env: dict[str, str] | None = None) -> dict[str, Any]:
    document = yaml.safe_load(COMPOSE.read_text())
    interpolated: dict[str, Any] = interpolate(document, operator_env() if env is None else env)
    return interpolated


def schema_check(document: dict[str, Any], folder: Path) -> subprocess.CompletedProcess[str]:
    """check-jsonschema with the Compose Specification schema, on `document` as YAML."""
    path = folder / "docker-compose.interpolated.yml"
    path.write_text(yaml.safe_dump(document))
    return subprocess.run(
        [CHECK_JSONSCHEMA, "--builtin-schema", "vendor.compose-spec", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def settings_variables() -> set[str]:
    return {f"SYNQC_{name.upper()}" for name in Settings.model_fields}


@pytest.fixture(scope="module")
def services() -> dict[str, dict[str, Any]]:
    result: dict[str, dict[str, Any]] = compose()["services"]
    return result


def test_the_compose_file_follows_the_compose_specification(tmp_path: Path) -> None:
    result = schema_check(compose(), tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ok -- validation done" in result.stdout


def test_the_schema_check_catches_an_invalid_file(tmp_path: Path) -> None:
    document = compose()
    document["services"]["worker"]["restart_policy"] = "always"
    result = schema_check(document, tmp_path)
    assert result.returncode == 1
    assert "restart_policy" in result.stdout + result.stderr


@pytest.mark.parametrize("secret", ["POSTGRES_PASSWORD", "SYNQC_API_KEY"])
def test_the_secrets_are_required(secret: str) -> None:
    with pytest.raises(MissingVariable, match=secret):
        compose({**operator_env(), secret: ""})


@pytest.mark.parametrize("service", ["migrate", "api", "worker"])
def test_the_services_settings_pass_the_production_policy(
    services: dict[str, dict[str, Any]], service: str
) -> None:
    environment = services[service]["environment"]
    settings = Settings.model_validate(
        {name.removeprefix("SYNQC_").lower(): value for name, value in environment.items()}
    )
    assert settings.env is Environment.PROD
    assert production_problems(settings) == []


def test_every_service_is_there_and_every_dependency_exists(
    services: dict[str, dict[str, Any]],
) -> None:
    assert set(services) == SERVICES
    for service in services.values():
        assert set(service.get("depends_on", [])) <= SERVICES


def test_synqc_commands_exist_in_the_cli(services: dict[str, dict[str, Any]]) -> None:
    commands = {
        command.callback.__name__ for command in cli.registered_commands if command.callback
    }
    for name in ("migrate", "worker", "api"):
        program, subcommand = services[name]["command"][:2]
        assert program == "synqc"
        assert subcommand in commands
    pyproject = (BACKEND / "pyproject.toml").read_text()
    assert 'synqc = "synqc_backend.cli:main"' in pyproject


def test_the_api_serves_on_the_port_it_publishes(services: dict[str, dict[str, Any]]) -> None:
    command = services["api"]["command"]
    assert command[:2] == ["synqc", "serve"]
    options = dict(zip(command[2::2], command[3::2], strict=True))
    assert set(options) <= {f"--{name}" for name in inspect.signature(serve).parameters}
    assert options["--host"] == "0.0.0.0"
    assert options["--workers"] == env_example()["API_WORKERS"] == "2"
    port = options["--port"]
    assert port == str(inspect.signature(serve).parameters["port"].default) == "8001"
    assert services["api"]["ports"] == [f"{env_example()['API_PORT']}:{port}"]


def test_synqc_settings_in_compose_and_env_example_are_real_settings(
    services: dict[str, dict[str, Any]],
) -> None:
    known = settings_variables()
    for name in ("migrate", "api", "worker"):
        assert set(services[name]["environment"]) <= known
    example = {name for name in env_example() if name.startswith("SYNQC_")}
    assert example <= known


def test_service_urls_point_at_the_redis_and_postgres_services(
    services: dict[str, dict[str, Any]],
) -> None:
    environment = services["api"]["environment"]
    redis = urlsplit(environment["SYNQC_REDIS_URL"])
    database = urlsplit(environment["SYNQC_DATABASE_URL"])
    assert (redis.hostname, redis.port) == ("redis", 6379)
    assert (database.scheme, database.hostname, database.port) == (
        "postgresql+psycopg",
        "postgres",
        5432,
    )
    postgres = services["postgres"]["environment"]
    assert database.username == postgres["POSTGRES_USER"]
    assert database.password == postgres["POSTGRES_PASSWORD"]
    assert database.path == f"/{postgres['POSTGRES_DB']}"
    assert environment["SYNQC_METRICS_PORT"] == str(Settings.model_fields["metrics_port"].default)


def test_redis_keeps_an_append_only_file_on_a_volume(services: dict[str, dict[str, Any]]) -> None:
    command = services["redis"]["command"]
    assert command[0] == "redis-server"
    options = dict(zip(command[1::2], command[2::2], strict=True))
    assert options["--appendonly"] == "yes"
    assert options["--maxmemory-policy"] == "noeviction"
    assert "redis-data:/data" in services["redis"]["volumes"]
    assert "postgres-data:/var/lib/postgresql/data" in services["postgres"]["volumes"]


def test_the_worker_healthcheck_reads_its_exporter(services: dict[str, dict[str, Any]]) -> None:
    check = " ".join(services["worker"]["healthcheck"]["test"])
    port = Settings.model_fields["metrics_port"].default
    assert f"http://127.0.0.1:{port}/metrics" in check


def test_prometheus_mounts_the_ops_files_and_scrapes_every_process(
    services: dict[str, dict[str, Any]],
) -> None:
    mounts = dict(volume.rsplit(":", 1)[0].split(":", 1) for volume in _bind_mounts(services))
    config_path = mounts["./backend/ops/prometheus-synqc-example.yml"]
    assert (REPOSITORY / "backend/ops/prometheus-synqc-example.yml").is_file()
    config = yaml.safe_load((OPS / "prometheus-synqc-example.yml").read_text())
    (rule_file,) = config["rule_files"]
    assert mounts["./backend/ops/synqc-alerts.yml"] == str(Path(config_path).parent / rule_file)
    job = next(job for job in config["scrape_configs"] if job["job_name"] == "synqc")
    first = Settings.model_fields["metrics_port"].default
    workers = int(env_example()["API_WORKERS"])
    api_targets = [f"api:{first + index}" for index in range(workers)]
    assert job["static_configs"][0]["targets"] == api_targets
    assert job["dns_sd_configs"][0] == {**job["dns_sd_configs"][0], "names": ["worker"]}
    assert job["dns_sd_configs"][0]["port"] == first
    (manager,) = config["alerting"]["alertmanagers"]
    assert manager["static_configs"][0]["targets"] == ["alertmanager:9093"]
    assert services["alertmanager"]["ports"] == ["9093:9093"]
    assert services["prometheus"]["ports"] == ["9090:9090"]


def test_alertmanager_mounts_an_existing_config(services: dict[str, dict[str, Any]]) -> None:
    source = services["alertmanager"]["volumes"][0].split(":")[0]
    assert (REPOSITORY / source).is_file()


def _bind_mounts(services: dict[str, dict[str, Any]]) -> list[str]:
    return [volume for volume in services["prometheus"]["volumes"] if volume.startswith("./")]


def dockerfile_instructions() -> list[tuple[str, str]]:
    text = DOCKERFILE.read_text().replace("\\\n", " ")
    lines = [line.strip() for line in text.splitlines()]
    return [
        (line.split(None, 1)[0].upper(), line.split(None, 1)[1])
        for line in lines
        if line and not line.startswith("#")
    ]


def test_the_image_runs_as_a_non_root_user() -> None:
    instructions = dockerfile_instructions()
    (user,) = [argument for keyword, argument in instructions if keyword == "USER"]
    assert user not in {"root", "0"}
    assert any(
        keyword == "RUN" and "useradd" in argument and user in argument
        for keyword, argument in instructions
    )


def test_the_image_checks_health_and_serves_the_api_like_compose(
    services: dict[str, dict[str, Any]],
) -> None:
    instructions = dict(dockerfile_instructions())
    assert "http://127.0.0.1:8001/health" in instructions["HEALTHCHECK"]
    command = json.loads(instructions["CMD"])
    assert command[:2] == services["api"]["command"][:2]
    assert command[command.index("--port") + 1] == "8001"
    assert instructions["EXPOSE"].split() == ["8001", "9000"]


def test_the_image_builds_from_files_that_exist() -> None:
    sources = [
        source
        for keyword, argument in dockerfile_instructions()
        if keyword == "COPY" and not argument.startswith("--from")
        for source in argument.split()[:-1]
    ]
    assert sources
    assert all((BACKEND / source).exists() for source in sources)
    ignore = (BACKEND / ".dockerignore").read_text().splitlines()
    assert ignore[1] == "*"
    allowed = {line.removeprefix("!").rstrip("/") for line in ignore if line.startswith("!")}
    assert {source.rstrip("/") for source in sources} == allowed
    froms = [argument for keyword, argument in dockerfile_instructions() if keyword == "FROM"]
    assert all(image.startswith("python:3.12-slim") for image in froms)
