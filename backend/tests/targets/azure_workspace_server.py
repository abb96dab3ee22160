"""A loopback stand-in for an Azure Quantum workspace's data plane and its linked storage, as
azure-quantum 3.13 calls them (the `azure` extra pins that release line).

- `GET …/providerStatus` lists the `ionq.simulator` target.
- `POST …/storage/sasUri` hands out a container URL on this server; blobs are `PUT` and `GET`
  under `/devstoreaccount1/{container}/{name}`.
- `PUT …/jobs/{id}` creates a job (`Waiting`); each `GET` moves it one state on through
  `Executing` to `Succeeded`, when its QIR input is executed with Qiskit's statevector and the
  sampled shots are written as a `microsoft.quantum-results.v2` output blob.
- `POST …/jobs/{id}:cancel` (or `DELETE …/jobs/{id}`) cancels a job that has not finished.
"""

import json
import re
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import numpy as np
from qiskit import QuantumCircuit
from qiskit.quantum_info import Statevector

LIFECYCLE = ("Waiting", "Executing", "Succeeded")
TARGET = "ionq.simulator"
# Storage URLs on an IP address are path-style: the first segment names the account.
ACCOUNT = "/devstoreaccount1"
SAS = "sv=2025-01-01&se=2099-01-01T00%3A00%3A00Z&sr=c&sp=rcwl&sig=loopback"
_CALL = re.compile(r"call void @__quantum__(qis|rt)__(\w+?)(?:__body)?\((.*)\)\s*$")


@dataclass
class WorkspaceState:
    """What the server holds; tests read it to see what the SDK did."""

    jobs: dict[str, dict[str, Any]] = field(default_factory=dict)
    blobs: dict[str, bytes] = field(default_factory=dict)
    requests: list[tuple[str, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def run_qir(qir: str, shots: int, seed: int) -> list[list[int]]:
    """Shots of a base-profile QIR program (one register recorded as an array), sampled from
    its exact final state: each shot lists the recorded results in recording order."""
    width = int(re.search(r'"required_num_qubits"="(\d+)"', qir).group(1))  # type: ignore[union-attr]
    circuit = QuantumCircuit(width)
    measured: dict[int, int] = {}
    recorded: list[int] = []
    for line in qir.splitlines():
        match = _CALL.search(line.strip())
        if match is None:
            continue
        kind, name, arguments = match.groups()
        numbers = [int(n) for n in re.findall(r"inttoptr \(i64 (\d+) to", arguments)]
        if kind == "qis" and name == "m":
            measured[numbers[1]] = numbers[0]
        elif kind == "qis":
            getattr(circuit, name)(*numbers)
        elif name == "result_record_output":
            recorded.append(numbers[0])
    probabilities = Statevector(circuit).probabilities_dict()
    outcomes = list(probabilities)
    rng = np.random.default_rng(seed)
    draws = rng.choice(len(outcomes), size=shots, p=list(probabilities.values()))
    # Qiskit keys put qubit 0 rightmost.
    return [[int(outcomes[d][width - 1 - measured[result]]) for result in recorded] for d in draws]


def results_v2(shots: list[list[int]]) -> dict[str, Any]:
    histogram = Counter(tuple(shot) for shot in shots)
    return {
        "DataFormat": "microsoft.quantum-results.v2",
        "Results": [
            {
                "Histogram": [
                    {"Outcome": list(o), "Display": str(list(o)), "Count": n}
                    for o, n in histogram.items()
                ],
                "Shots": shots,
            }
        ],
    }


class _Handler(BaseHTTPRequestHandler):
    server: "_Server"

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the tests read `WorkspaceState.requests` instead."""

    def _send(
        self,
        status: int,
        payload: object = None,
        raw: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        body = raw if raw is not None else json.dumps(payload).encode()
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header(
            "Content-Type", "application/json" if raw is None else "application/octet-stream"
        )
        self.send_header("Content-Length", str(len(body)))
        self.send_header("ETag", '"1"')
        self.send_header("Last-Modified", "Thu, 01 Jan 2026 00:00:00 GMT")
        self.send_header("x-ms-blob-type", "BlockBlob")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _handle(self) -> None:
        state, base = self.server.state, self.server.base_url
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        path = self.path.split("?")[0]
        with state.lock:
            state.requests.append((self.command, path))
            if path.endswith("/providerStatus"):
                target = {"id": TARGET, "currentAvailability": "Available", "averageQueueTime": 5}
                self._send(
                    200,
                    {
                        "value": [
                            {"id": "ionq", "currentAvailability": "Available", "targets": [target]}
                        ]
                    },
                )
            elif path.endswith("/storage/sasUri"):
                asked = json.loads(body)
                blob = f"/{asked['blobName']}" if asked.get("blobName") else ""
                self._send(200, {"sasUri": f"{base}{ACCOUNT}/{asked['containerName']}{blob}?{SAS}"})
            elif path.startswith(ACCOUNT + "/"):
                self._blob(state, path, body)
            elif (match := re.search(r"/jobs/([^/]+)$", path)) is not None:
                self._job(state, match.group(1), body, base)
            else:
                self._send(404, {"error": {"code": "NotFound", "message": path}})

    def _blob(self, state: WorkspaceState, path: str, body: bytes) -> None:
        if self.command == "PUT":
            if "restype=container" not in self.path:
                state.blobs[path] = body
            self._send(201, raw=b"")
        elif path in state.blobs:
            data = state.blobs[path]
            ranged = self.headers.get("x-ms-range") or self.headers.get("Range")
            if ranged is None:
                self._send(200, raw=data)
            else:
                # The SDK asks for its first chunk; every blob here fits in it.
                content_range = f"bytes 0-{len(data) - 1}/{len(data)}"
                self._send(206, raw=data, headers={"Content-Range": content_range})
        else:
            self._send(404, {"error": {"code": "BlobNotFound", "message": path}})

    def _job(self, state: WorkspaceState, name: str, body: bytes, base: str) -> None:
        job_id, _, action = name.partition(":")
        job = state.jobs.get(job_id)
        if self.command == "PUT":
            job = json.loads(body) | {"id": job_id, "status": "Waiting", "itemType": "Job"}
            job["creationTime"] = "2026-01-01T00:00:00Z"
            state.jobs[job_id] = job
        elif job is None:
            self._send(404, {"error": {"code": "JobNotFound", "message": job_id}})
            return
        elif self.command == "DELETE" or action == "cancel":
            if job["status"] in LIFECYCLE[:-1]:
                job["status"] = "Cancelled"
            self._send(200, job)
            return
        elif job["status"] in LIFECYCLE[:-1]:
            job["status"] = LIFECYCLE[LIFECYCLE.index(job["status"]) + 1]
            if job["status"] == "Succeeded":
                self._finish(state, job, base)
        self._send(200, job)

    def _finish(self, state: WorkspaceState, job: dict[str, Any], base: str) -> None:
        container = job["containerUri"].split("?")[0].removeprefix(base)
        qir = state.blobs[f"{container}/inputData"].decode()
        shots = run_qir(qir, int(job["inputParams"]["shots"]), seed=len(state.jobs))
        state.blobs[f"{container}/outputData"] = json.dumps(results_v2(shots)).encode()
        job["outputDataUri"] = f"{base}{container}/outputData?{SAS}"

    do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = _handle


class _Server(ThreadingHTTPServer):
    state: WorkspaceState
    base_url: str


@contextmanager
def workspace_server() -> Iterator[tuple[str, WorkspaceState]]:
    """A running server on a free loopback port: its base URL and its state."""
    server = _Server(("127.0.0.1", 0), _Handler)
    server.state = WorkspaceState()
    server.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.base_url + "/", server.state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
