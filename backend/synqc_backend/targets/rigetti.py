"""`rigetti_forest`: Rigetti QCS through pyQuil (the `rigetti` extra, Python < 3.13).

- `SYNQC_RIGETTI_QUANTUM_PROCESSOR` names the QCS processor (`Ankaa-3`, …), signing in with the
  QCS settings and secrets files or the `QCS_*` variables pyQuil reads; `pyqvm` runs the same
  Quil on pyQuil's Python simulator instead, without an account.
- Circuits are translated here to native Quil (RX(±π/2), RX(π), RZ(θ), CZ, MEASURE), so no
  quilc compiler is involved; on QCS the program goes to QCS's translation service.

pyQuil has no way to ask a QPU job's state without waiting for it, so each program's result is
awaited in a background thread and a job is `running` until that wait returns.
"""

import warnings
from collections.abc import Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from qiskit import QuantumCircuit, transpile

from synqc_backend.config import Settings
from synqc_backend.execution import Capabilities, ExecutionOptions
from synqc_backend.models import TargetKind, TargetStatus
from synqc_backend.targets.base import JobNotFoundError, JobState, Readiness, TargetDescriptor
from synqc_backend.targets.pacing import IN_PROCESS
from synqc_backend.targets.provider import JobOutput, ProviderTarget
from synqc_backend.targets.requirements import (
    env_set,
    first_unready,
    missing_extra,
    missing_variables,
)

TARGET_ID = "rigetti_forest"
EXTRA = "rigetti"
PYQVM = "pyqvm"
PYQVM_QUBITS = 8
MAX_SHOTS = 10_000
QUBITS = 84
BASIS = ("rz", "sx", "x", "cz", "measure")
JOB_SEPARATOR = ";"

STATES: Mapping[str, JobState] = {
    "RUNNING": JobState.RUNNING,
    "DONE": JobState.DONE,
    "FAILED": JobState.FAILED,
    "CANCELLED": JobState.CANCELLED,
}

DESCRIPTOR = TargetDescriptor(
    TARGET_ID,
    "Rigetti QCS",
    TargetKind.SUPERCONDUCTING,
    "Rigetti",
    "Rigetti superconducting processors through pyQuil and QCS",
)


def rigetti_target(settings: Settings) -> ProviderTarget:
    return ProviderTarget(
        DESCRIPTOR,
        lambda: _capabilities(settings.rigetti_quantum_processor),
        lambda: rigetti_readiness(settings),
        lambda: RigettiSession(settings.rigetti_quantum_processor or PYQVM),
        pacing=IN_PROCESS if settings.rigetti_quantum_processor == PYQVM else None,
        default_timeout_s=settings.job_timeout_seconds,
    )


def rigetti_readiness(settings: Settings) -> Readiness:
    processor = settings.rigetti_quantum_processor
    extra = missing_extra(EXTRA, ("pyquil",))
    if processor == PYQVM:
        return extra or Readiness(TargetStatus.READY, "pyQuil's Python simulator (PyQVM)")
    unready = first_unready(
        extra,
        missing_variables(
            {
                "SYNQC_RIGETTI_QUANTUM_PROCESSOR (a QCS processor, or pyqvm)": bool(processor),
                "QCS credentials (QCS_SECRETS_FILE_PATH or QCS_PROFILE_NAME)": env_set(
                    "QCS_SECRETS_FILE_PATH", "QCS_PROFILE_NAME", "QCS_SETTINGS_FILE_PATH"
                ),
            }
        ),
    )
    if unready is not None:
        return unready
    return Readiness(TargetStatus.READY, f"processor {processor}; QCS is first contacted by a run")


def to_quil(circuit: QuantumCircuit, layout: Sequence[int] | None = None) -> str:
    """`circuit` as native Quil: RX(±π/2), RX(π), RZ, CZ and MEASURE into `ro`.

    - `layout[i]` is the processor qubit of circuit qubit i (default i).
    - ValueError for an instruction with no native form (delay, reset, classical control).
    """
    native = transpile(circuit, basis_gates=list(BASIS), optimization_level=0)
    place = list(layout) if layout else list(range(native.num_qubits))
    lines = [f"DECLARE ro BIT[{max(native.num_clbits, 1)}]"]
    for instruction in native.data:
        name = instruction.operation.name
        qubits = [place[native.find_bit(q).index] for q in instruction.qubits]
        if name == "sx":
            lines.append(f"RX(pi/2) {qubits[0]}")
        elif name == "x":
            lines.append(f"RX(pi) {qubits[0]}")
        elif name == "rz":
            lines.append(f"RZ({float(instruction.operation.params[0])!r}) {qubits[0]}")
        elif name == "cz":
            lines.append(f"CZ {qubits[0]} {qubits[1]}")
        elif name == "measure":
            clbit = native.find_bit(instruction.clbits[0]).index
            lines.append(f"MEASURE {qubits[0]} ro[{clbit}]")
        elif name != "barrier":
            raise ValueError(f"'{name}' has no native Quil form on {TARGET_ID}")
    return "\n".join(lines)


def counts_from_readout(readout: Any, num_clbits: int) -> dict[str, int]:
    """Counts (clbit 0 rightmost) from pyQuil's `ro` readout array (shots × bits)."""
    counts: dict[str, int] = {}
    for shot in readout:
        key = "".join(str(int(shot[c])) for c in reversed(range(num_clbits)))
        counts[key] = counts.get(key, 0) + 1
    return counts


class RigettiSession:
    """Quil programs on a QCS processor, or on PyQVM for `pyqvm`."""

    states = STATES

    def __init__(self, processor: str) -> None:
        self._processor = processor
        # One program at a time: PyQVM and the warning filters around it are not thread-safe.
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="rigetti")
        self._futures: dict[str, Future[Any]] = {}
        self._next = 0

    def estimate(
        self, circuits: Sequence[QuantumCircuit], options: ExecutionOptions
    ) -> Mapping[str, Any]:
        return {}

    def submit(self, circuits: Sequence[QuantumCircuit], options: ExecutionOptions) -> str:
        programs = [to_quil(circuit, options.layout) for circuit in circuits]
        ids = []
        for text in programs:
            self._next += 1
            job_id = f"{self._processor}-{id(self)}-{self._next}"
            self._futures[job_id] = self._pool.submit(self._run, text, options.shots, options.seed)
            ids.append(job_id)
        return JOB_SEPARATOR.join(ids)

    def status(self, job_id: str) -> object:
        futures = [self._future(one) for one in job_id.split(JOB_SEPARATOR)]
        if any(f.done() and f.exception() is not None for f in futures):
            return "FAILED"
        return "DONE" if all(f.done() for f in futures) else "RUNNING"

    def result(self, job_id: str, circuits: Sequence[QuantumCircuit]) -> JobOutput:
        counts = tuple(
            counts_from_readout(self._future(one).result(), circuit.num_clbits)
            for one, circuit in zip(job_id.split(JOB_SEPARATOR), circuits, strict=True)
        )
        return JobOutput(counts, f"rigetti {self._processor}")

    def cancel(self, job_id: str) -> None:
        for one in job_id.split(JOB_SEPARATOR):
            self._future(one).cancel()

    def _future(self, job_id: str) -> "Future[Any]":
        future = self._futures.get(job_id)
        if future is None:
            raise JobNotFoundError(
                f"job {job_id} was awaited by a process that ended; pyQuil cannot re-attach"
            )
        return future

    def _run(self, text: str, shots: int, seed: int | None) -> Any:
        from pyquil import Program

        program = Program(text).wrap_in_numshots_loop(shots)
        with warnings.catch_warnings():
            # PyQVM's simulator announces its replacement in pyQuil 5 on every gate.
            warnings.simplefilter("ignore", FutureWarning)
            if self._processor == PYQVM:
                from pyquil.pyqvm import PyQVM

                width = max((int(q) for q in program.get_qubit_indices()), default=0) + 1
                qvm = PyQVM(n_qubits=width, seed=seed)
                result = qvm.get_result(qvm.execute(program))
            else:
                from pyquil import get_qc

                computer = get_qc(self._processor)
                executable = computer.compiler.native_quil_to_executable(program)
                result = computer.qam.run(executable)
        return result.get_register_map()["ro"]


def _capabilities(processor: str | None) -> Capabilities:
    local = processor == PYQVM
    return Capabilities(
        max_shots=MAX_SHOTS,
        num_qubits=PYQVM_QUBITS if local else QUBITS,
        basis_gates=BASIS,
        queue_behavior=(
            "in-process PyQVM" if local else "QCS queue; polled with backoff from 1 s to 30 s"
        ),
        notes=f"Rigetti {processor or 'processor not set'}; native Quil, no quilc",
    )
