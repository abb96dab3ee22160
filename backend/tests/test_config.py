"""Settings read from `SYNQC_` environment variables and `.env` files."""

import os
from pathlib import Path

import pytest

from synqc_backend.config import Environment, Settings


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Settings must not see whatever `SYNQC_` variables the shell running the tests has."""
    for name in os.environ:
        if name.upper().startswith("SYNQC_"):
            monkeypatch.delenv(name)


def settings() -> Settings:
    return Settings(_env_file=None)


@pytest.mark.parametrize(
    ("field", "default"),
    [
        # API_CONTRACT.md, "Environment"
        ("database_url", "sqlite:///./data/synqc.db"),
        ("redis_url", None),
        ("session_budget_ttl_seconds", 3600),
        ("max_shots_per_experiment", 200_000),
        ("max_shots_per_session", 1_000_000),
        ("default_shot_budget", 2048),
        ("allow_remote_hardware", True),
        ("enable_metrics", True),
        ("metrics_port", 9000),
        ("legacy_run_wait_seconds", 60.0),
        ("api_key", ()),
    ],
)
def test_defaults_match_the_contract(field: str, default: object) -> None:
    assert getattr(settings(), field) == default


def test_default_is_an_open_embedded_dev_server() -> None:
    defaults = settings()

    assert defaults.env is Environment.DEV
    assert defaults.embedded
    assert not defaults.require_api_key
    assert "*" not in defaults.allowed_origins


@pytest.mark.parametrize(
    ("raw", "keys"),
    [
        ("secret", ("secret",)),
        ("one,two", ("one", "two")),
        (" one , two ,, three, ", ("one", "two", "three")),
        ("", ()),
        (" , ", ()),
    ],
)
def test_api_key_is_a_comma_separated_list(
    monkeypatch: pytest.MonkeyPatch, raw: str, keys: tuple[str, ...]
) -> None:
    monkeypatch.setenv("SYNQC_API_KEY", raw)

    configured = settings()

    assert configured.api_key == keys
    assert configured.require_api_key is bool(keys)


@pytest.mark.parametrize(
    ("raw", "origins"),
    [
        ("https://console.example", ("https://console.example",)),
        (
            "https://a.example, http://localhost:5173",
            ("https://a.example", "http://localhost:5173"),
        ),
    ],
)
def test_allowed_origins_is_a_comma_separated_list(
    monkeypatch: pytest.MonkeyPatch, raw: str, origins: tuple[str, ...]
) -> None:
    monkeypatch.setenv("SYNQC_ALLOWED_ORIGINS", raw)

    assert settings().allowed_origins == origins


def test_environment_overrides_typed_values(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SYNQC_ENV", "prod")
    monkeypatch.setenv("SYNQC_MAX_SHOTS_PER_SESSION", "5000")
    monkeypatch.setenv("SYNQC_ALLOW_REMOTE_HARDWARE", "false")
    monkeypatch.setenv("SYNQC_LEGACY_RUN_WAIT_SECONDS", "2.5")

    configured = settings()

    assert configured.env is Environment.PROD
    assert configured.max_shots_per_session == 5000
    assert configured.allow_remote_hardware is False
    assert configured.legacy_run_wait_seconds == 2.5


def test_redis_url_leaves_embedded_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SYNQC_REDIS_URL", "redis://localhost:6379/0")

    configured = settings()

    assert configured.redis_url == "redis://localhost:6379/0"
    assert not configured.embedded


def test_values_are_read_from_an_env_file(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("SYNQC_API_KEY=k1,k2\nSYNQC_DEFAULT_SHOT_BUDGET=512\n")

    configured = Settings(_env_file=env_file)

    assert configured.api_key == ("k1", "k2")
    assert configured.default_shot_budget == 512


def test_environment_wins_over_the_env_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("SYNQC_DEFAULT_SHOT_BUDGET=512\n")
    monkeypatch.setenv("SYNQC_DEFAULT_SHOT_BUDGET", "1024")

    assert Settings(_env_file=env_file).default_shot_budget == 1024


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("SYNQC_DEFAULT_SHOT_BUDGET", "0"),
        ("SYNQC_METRICS_PORT", "70000"),
        ("SYNQC_ENV", "staging"),
    ],
)
def test_out_of_range_values_are_rejected(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv(name, value)

    with pytest.raises(ValueError, match=name.removeprefix("SYNQC_").lower()):
        settings()


def test_settings_are_frozen() -> None:
    configured = settings()

    with pytest.raises(ValueError, match="frozen"):
        configured.default_shot_budget = 1  # type: ignore[misc]
