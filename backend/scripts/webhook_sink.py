"""A local Alertmanager webhook receiver that records every notification, for the alert check.

    python scripts/webhook_sink.py --port 9095 --output alerts.jsonl

- POST (any path): the Alertmanager webhook body is appended to `--output` as one JSON line
  and answered 200; a body that is not JSON is answered 400 and not recorded.
- GET /alerts: `[{"alertname", "status", "severity", "received_at"}, ...]`, one per alert in
  every notification so far, oldest first (what the alert check asserts on).
- GET /health: 200 `ok`.
"""

import argparse
import json
import sys
import threading
import time
from collections.abc import Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any


class Notifications:
    """The notifications received so far, kept in memory and appended to a JSON-lines file."""

    def __init__(self, output: Path) -> None:
        self.output = output
        self._received: list[dict[str, Any]] = []
        self._lock = threading.Lock()

    def add(self, body: dict[str, Any]) -> None:
        record = {"received_at": time.time(), "body": body}
        with self._lock:
            self._received.append(record)
            with self.output.open("a", encoding="utf-8") as file:
                file.write(json.dumps(record) + "\n")

    def alerts(self) -> list[dict[str, Any]]:
        with self._lock:
            received = list(self._received)
        return [
            {
                "alertname": alert.get("labels", {}).get("alertname"),
                "status": alert.get("status"),
                "severity": alert.get("labels", {}).get("severity"),
                "received_at": record["received_at"],
            }
            for record in received
            for alert in record["body"].get("alerts", [])
        ]


def handler_for(notifications: Notifications) -> type[BaseHTTPRequestHandler]:
    class SinkHandler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            try:
                body = json.loads(self.rfile.read(length))
            except ValueError:
                self._answer(400, {"error": "body is not JSON"})
                return
            if not isinstance(body, dict):
                self._answer(400, {"error": "body is not a JSON object"})
                return
            notifications.add(body)
            names = [alert.get("labels", {}).get("alertname") for alert in body.get("alerts", [])]
            print(f"webhook_sink: {body.get('status')} {names}", flush=True)
            self._answer(200, {"recorded": len(names)})

        def do_GET(self) -> None:
            if self.path == "/alerts":
                self._answer(200, notifications.alerts())
            elif self.path == "/health":
                self._answer(200, "ok")
            else:
                self._answer(404, {"error": f"no route {self.path}"})

        def _answer(self, status: int, payload: Any) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            """Each notification is printed once by do_POST; no access log."""

    return SinkHandler


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=9095)
    parser.add_argument("--output", type=Path, default=Path("alerts.jsonl"))
    options = parser.parse_args(argv)
    notifications = Notifications(options.output)
    server = ThreadingHTTPServer((options.host, options.port), handler_for(notifications))
    print(f"webhook_sink: listening on {options.host}:{server.server_port}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
