"""Log format of the service: every line carries the request id."""

import logging
import logging.config
from typing import Any

from synqc_backend.request_context import RequestIdLogFilter

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s [request_id=%(request_id)s] %(message)s"


def log_config(level: str = "INFO") -> dict[str, Any]:
    """The logging configuration (`logging.config.dictConfig`), also handed to uvicorn so that
    the API processes of `synqc serve --workers N` log the same way."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": RequestIdLogFilter}},
        "formatters": {"line": {"format": LOG_FORMAT}},
        "handlers": {
            "stream": {
                "class": "logging.StreamHandler",
                "formatter": "line",
                "filters": ["request_id"],
            }
        },
        "root": {"handlers": ["stream"], "level": level},
        # Qiskit logs every transpiler pass at INFO; keep its warnings only.
        "loggers": {"qiskit": {"level": "WARNING"}},
    }


def configure_logging(level: str = "INFO") -> None:
    logging.config.dictConfig(log_config(level))
