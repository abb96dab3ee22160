"""`python -m synqc_backend.worker` (= `synqc worker`): a production worker process.

It consumes runs from the Redis queue, keeps a heartbeat for each run it executes and sweeps
the run table for runs a dead worker left behind. SIGTERM or SIGINT stops it gracefully: it
stops taking runs and waits for the ones in progress (up to `SYNQC_JOB_TIMEOUT_SECONDS`);
a run it cannot finish stays `running`, loses its heartbeat and is taken up by another worker.
"""

import logging
import signal
import threading

from synqc_backend.config import Settings
from synqc_backend.logs import configure_logging
from synqc_backend.runs.services import start_worker_services

log = logging.getLogger(__name__)


def run_worker(settings: Settings) -> None:
    services = start_worker_services(settings)
    stop = threading.Event()

    def request_stop(signum: int, _frame: object) -> None:
        log.info("signal %d: finishing the runs in progress, then stopping", signum)
        stop.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    log.info("worker up: %d threads on %s", settings.worker_concurrency, services.queue.backend)
    stop.wait()
    services.queue.stop_workers(timeout_s=settings.job_timeout_seconds)
    services.close()


def main() -> None:
    configure_logging()
    run_worker(Settings())


if __name__ == "__main__":
    main()
