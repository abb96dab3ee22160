"""A loopback HTTP server speaking the IonQ API v0.4 job endpoints the SDK uses.

- `POST /v0.4/jobs` accepts a circuit or multi-circuit job (QIS gates) and answers its id;
  the next `rate_limited` submissions are answered 429 first.
- `GET /v0.4/jobs/{id}` walks the job through `submitted → ready → started → completed`, one
  state per poll; a completed job links its probabilities.
- `GET /v0.4/jobs/{id}/results/probabilities` holds the exact probabilities of each circuit,
  computed from its gates with Qiskit's statevector (keys: basis index, qubit 0 = bit 0).
- `PUT /v0.4/jobs/{id}/status/cancel` cancels a job that has not completed.
- `GET /v0.4/jobs/estimate` answers a cost estimate from the gate counts.
"""

import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

from qiskit import QuantumCircuit
from qiskit.quantum_info import Statevector

LIFECYCLE = ("submitted", "ready", "started", "completed")
COST_PER_2Q_GATE_SHOT = 0.000975
COST_PER_1Q_GATE_SHOT = 0.000220


@dataclass
class ServedJob:
    body: dict[str, Any]
    polls: int = 0
    status: str = "submitted"
    children: list[str] = field(default_factory=list)


@dataclass
class IonQState:
    """What the server holds; tests read it to see what the SDK sent."""

    jobs: dict[str, ServedJob] = field(default_factory=dict)
    rate_limited: int = 0
    requests: list[tuple[str, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def circuit_of(gates: list[dict[str, Any]], width: int) -> QuantumCircuit:
    """The QIS gate list as a Qiskit circuit (the gates this product sends)."""
    circuit = QuantumCircuit(width)
    for gate in gates:
        name, targets = gate["gate"], gate["targets"]
        controls = gate.get("controls", [])
        if name in {"rx", "ry", "rz"}:
            getattr(circuit, name)(gate["rotation"], targets[0])
        elif name == "x" and controls:
            circuit.mcx(controls, targets[0])
        elif name in {"h", "x", "y", "z", "s", "t"} and not controls:
            getattr(circuit, name)(targets[0])
        elif name in {"si", "ti"}:
            getattr(circuit, name[0] + "dg")(targets[0])
        else:
            raise ValueError(f"gate {gate} is not served by the loopback IonQ server")
    return circuit


def probabilities(gates: list[dict[str, Any]], width: int) -> dict[str, float]:
    state = Statevector(circuit_of(gates, width))
    return {
        str(int(bits, 2)): float(p) for bits, p in state.probabilities_dict().items() if p > 1e-12
    }


class _Handler(BaseHTTPRequestHandler):
    server: "_Server"

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the tests read `IonQState.requests` instead."""

    def _answer(self, status: int, payload: object) -> None:
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:
        state = self.server.state
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        with state.lock:
            state.requests.append(("POST", self.path))
            if state.rate_limited > 0:
                state.rate_limited -= 1
                self._answer(
                    429, {"statusCode": 429, "error": "Too Many Requests", "message": "slow down"}
                )
                return
            job_id = f"job-{len(state.jobs) + 1}"
            job = ServedJob(body)
            circuits = body["input"].get("circuits")
            if circuits is not None:
                job.children = [f"{job_id}-{i}" for i in range(len(circuits))]
            state.jobs[job_id] = job
        self._answer(200, {"id": job_id, "status": "submitted"})

    def do_PUT(self) -> None:
        state = self.server.state
        match = re.fullmatch(r"/v0\.4/jobs/([^/]+)/status/cancel", self.path)
        with state.lock:
            state.requests.append(("PUT", self.path))
            job = state.jobs.get(match.group(1)) if match else None
            if job is None:
                self._answer(404, {"statusCode": 404, "error": "Not Found", "message": self.path})
                return
            if job.status != "completed":
                job.status = "canceled"
        self._answer(200, {"id": match.group(1) if match else "", "status": job.status})

    def do_GET(self) -> None:
        state = self.server.state
        url = urlparse(self.path)
        with state.lock:
            state.requests.append(("GET", url.path))
            if url.path == "/v0.4/jobs/estimate":
                self._answer(200, _estimate(parse_qs(url.query)))
                return
            match = re.fullmatch(r"/v0\.4/jobs/([^/]+)(/results/probabilities)?", url.path)
            job = state.jobs.get(match.group(1)) if match else None
            if match is None or job is None:
                self._answer(404, {"statusCode": 404, "error": "Not Found", "message": url.path})
                return
            if match.group(2):
                self._answer(200, _probabilities(job))
                return
            if job.status in LIFECYCLE:
                job.status = LIFECYCLE[min(job.polls, len(LIFECYCLE) - 1)]
                job.polls += 1
            self._answer(200, _description(match.group(1), job))


def _description(job_id: str, job: ServedJob) -> dict[str, Any]:
    described: dict[str, Any] = {
        "id": job_id,
        "status": job.status,
        "type": job.body["type"],
        "backend": job.body["backend"],
        "metadata": job.body["metadata"],
    }
    if job.status == "completed":
        described.update(
            {
                "stats": {
                    "qubits": job.body["input"]["qubits"],
                    "circuits": max(1, len(job.children)),
                },
                "execution_duration_ms": 12,
                "results": {"probabilities": {"url": f"/v0.4/jobs/{job_id}/results/probabilities"}},
            }
        )
        if job.children:
            described["child_job_ids"] = job.children
    return described


def _probabilities(job: ServedJob) -> dict[str, Any]:
    block = job.body["input"]
    width = block["qubits"]
    if not job.children:
        return probabilities(block["circuit"], width)
    return {
        child: probabilities(entry["circuit"], width)
        for child, entry in zip(job.children, block["circuits"], strict=True)
    }


def _estimate(query: dict[str, list[str]]) -> dict[str, Any]:
    shots = int(query["shots"][0])
    cost = shots * (
        int(query["1q_gates"][0]) * COST_PER_1Q_GATE_SHOT
        + int(query["2q_gates"][0]) * COST_PER_2Q_GATE_SHOT
    )
    return {
        "estimated_cost": cost,
        "estimated_execution_time": 0.5,
        "estimated_at": "2026-01-01T00:00:00Z",
        "backend": query["backend"][0],
    }


class _Server(ThreadingHTTPServer):
    state: IonQState


@contextmanager
def ionq_server() -> Iterator[tuple[str, IonQState]]:
    """A running server on a free loopback port: its `/v0.4` base URL and its state."""
    server = _Server(("127.0.0.1", 0), _Handler)
    server.state = IonQState()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v0.4", server.state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
