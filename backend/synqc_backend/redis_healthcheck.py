"""`python -m synqc_backend.redis_healthcheck`: PING Redis, PUBLISH a probe on the events channel.

- Reads `REDIS_URL` (else `SYNQC_REDIS_URL`) and `REDIS_EVENTS_CHANNEL` (else
  `SYNQC_REDIS_EVENTS_CHANNEL`, default `synqc:events`), from the environment or `.env`.
- Prints what it did, the URL's password masked. Exit 0 when both worked, else 1 with a
  one-line reason on stderr (1, not 2: Docker reserves 2 in health checks).
- The probe message is JSON, `{"type": "probe", "source", "host", "pid", "at"}`; run-event
  subscribers ignore it (it has no `run_id`).
"""

import argparse
import json
import os
import socket
import sys
import time
from collections.abc import Sequence
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import redis
from pydantic import AliasChoices, Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

MASK = "***"
DESCRIPTION = "PING Redis and PUBLISH a probe message on the run-events channel."


class ProbeSettings(BaseSettings):
    """The probe's own settings, not `config.Settings`.

    Container health checks pass the un-prefixed names, and the probe must not fail because an
    unrelated `SYNQC_` setting is invalid. The environment is still read only through
    pydantic-settings, once, in `main`.
    """

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", frozen=True)

    redis_url: str | None = Field(
        None, validation_alias=AliasChoices("REDIS_URL", "SYNQC_REDIS_URL")
    )
    redis_events_channel: str = Field(
        "synqc:events",
        min_length=1,
        validation_alias=AliasChoices("REDIS_EVENTS_CHANNEL", "SYNQC_REDIS_EVENTS_CHANNEL"),
    )


class ProbeError(Exception):
    """The probe failed; the message is the one-line reason."""


def redacted(url: str) -> str:
    """The URL with its password (in the authority or a `password=` query value) masked."""
    parts = urlsplit(url)
    netloc = parts.netloc
    if parts.password is not None:
        userinfo, host = netloc.rsplit("@", 1)
        netloc = f"{userinfo.split(':', 1)[0]}:{MASK}@{host}"
    query = [
        (name, MASK if name.lower() == "password" else value)
        for name, value in parse_qsl(parts.query, keep_blank_values=True)
    ]
    return urlunsplit(parts._replace(netloc=netloc, query=urlencode(query, safe="*")))


def probe_message() -> str:
    return json.dumps(
        {
            "type": "probe",
            "source": "redis_healthcheck",
            "host": socket.gethostname(),
            "pid": os.getpid(),
            "at": time.time(),
        }
    )


def run_probe(settings: ProbeSettings, timeout_s: float) -> list[str]:
    """PING and PUBLISH; returns what was done, line by line, or raises `ProbeError`."""
    if settings.redis_url is None:
        raise ProbeError("no Redis URL: set REDIS_URL (or SYNQC_REDIS_URL)")
    where, channel = redacted(settings.redis_url), settings.redis_events_channel
    try:
        client = redis.Redis.from_url(
            settings.redis_url, socket_connect_timeout=timeout_s, socket_timeout=timeout_s
        )
    except ValueError as error:
        raise ProbeError(f"invalid Redis URL {where}: {error}") from None
    with client:
        try:
            started = time.perf_counter()
            client.ping()
            ping_ms = (time.perf_counter() - started) * 1000
            receivers = client.publish(channel, probe_message())
        except redis.RedisError as error:
            reason = " ".join(str(error).split()) or type(error).__name__
            raise ProbeError(f"{where}: {type(error).__name__}: {reason}") from None
    return [
        f"PING {where}: ok in {ping_ms:.1f} ms",
        f"PUBLISH {channel}: probe received by {receivers} subscriber(s)",
    ]


def _scrubbed(text: str, settings: ProbeSettings | None) -> str:
    # Belt and braces: no error text may carry the password, whatever produced it.
    url = None if settings is None else settings.redis_url
    password = None if url is None else _password_of(url)
    return text.replace(password, MASK) if password else text


def _password_of(url: str) -> str | None:
    try:
        parts = urlsplit(url)
        query = dict(parse_qsl(parts.query))
        return parts.password or query.get("password")
    except ValueError:
        return None


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m synqc_backend.redis_healthcheck", description=DESCRIPTION
    )
    parser.add_argument("--timeout", type=float, default=3.0, help="seconds per step")
    args = parser.parse_args(argv)
    settings = None
    try:
        settings = ProbeSettings()
        lines = run_probe(settings, args.timeout)
    except ValidationError as error:
        fields = ", ".join(str(item["loc"][0]) for item in error.errors())
        print(f"redis_healthcheck: FAILED: invalid settings: {fields}", file=sys.stderr)
        return 1
    except ProbeError as error:
        print(f"redis_healthcheck: FAILED: {_scrubbed(str(error), settings)}", file=sys.stderr)
        return 1
    except Exception as error:
        reason = " ".join(f"{type(error).__name__}: {error}".split())
        print(f"redis_healthcheck: FAILED: {_scrubbed(reason, settings)}", file=sys.stderr)
        return 1
    for line in lines:
        print(f"redis_healthcheck: {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
