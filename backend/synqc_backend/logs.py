"""Log format of the service: every line carries the request id of the request or run it
belongs to."""

import logging
import logging.config
import re
from contextvars import ContextVar
from typing import Any

request_id_var: ContextVar[str] = ContextVar("request_id", default="-")

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s [request_id=%(request_id)s] %(message)s"


class RequestIdLogFilter(logging.Filter):
    """Adds `request_id` to every log record (`-` outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        return True


# A credential in a URL's query (`?api_key=…`): refused by the API, and never logged either.
SECRET_QUERY = re.compile(r"(?i)([?&](?:api[_-]?key|access[_-]?token|token)=)[^&\s\"]*")


class RedactSecretsFilter(logging.Filter):
    """Replaces credential values in a record's message (the access log's request line)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = SECRET_QUERY.sub(r"\1[redacted]", message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


def log_config(level: str = "INFO") -> dict[str, Any]:
    """The logging configuration (`logging.config.dictConfig`), also handed to uvicorn so that
    the API processes of `synqc serve --workers N` log the same way."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {
            "request_id": {"()": RequestIdLogFilter},
            "redact": {"()": RedactSecretsFilter},
        },
        "formatters": {"line": {"format": LOG_FORMAT}},
        "handlers": {
            "stream": {
                "class": "logging.StreamHandler",
                "formatter": "line",
                "filters": ["request_id", "redact"],
            }
        },
        "root": {"handlers": ["stream"], "level": level},
        # Qiskit logs every transpiler pass at INFO; keep its warnings only.
        "loggers": {"qiskit": {"level": "WARNING"}},
    }


def configure_logging(level: str = "INFO") -> None:
    logging.config.dictConfig(log_config(level))
