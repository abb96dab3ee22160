"""Log format of the service: every line carries the request id."""

import logging

from synqc_backend.request_context import RequestIdLogFilter

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s [request_id=%(request_id)s] %(message)s"


def configure_logging(level: int = logging.INFO) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    handler.addFilter(RequestIdLogFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # Qiskit logs every transpiler pass at INFO; keep its warnings only.
    logging.getLogger("qiskit").setLevel(logging.WARNING)
