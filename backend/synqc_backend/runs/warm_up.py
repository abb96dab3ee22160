"""Warming a worker up at start, so its first run costs what later ones do.

The first execution in a process pays for imports (Aer, the transpiler's passes, SciPy's
optimizers) and the simulator's first build: about 1.7 s against a few milliseconds later.
A daemon thread pays it right after start-up instead, while the API already answers.
"""

import logging
import threading
import time

from qiskit import QuantumCircuit

from synqc_backend.execution import ExecutionOptions
from synqc_backend.measurements.bell_state import bell_circuit
from synqc_backend.targets.base import Target

log = logging.getLogger(__name__)


def warm_up_in_background(simulator: Target) -> threading.Thread:
    """Run two one-shot circuits on the simulator (a Bell pair through Aer, one qubit through
    the exact path) and load the fitting code, in a daemon thread."""
    thread = threading.Thread(target=_warm_up, args=(simulator,), name="warm-up", daemon=True)
    thread.start()
    return thread


def _warm_up(simulator: Target) -> None:
    started = time.perf_counter()
    try:
        simulator.execute([bell_circuit()], ExecutionOptions(shots=1, seed=0, layout=(0, 1)))
        simulator.execute([_one_qubit_circuit()], ExecutionOptions(shots=1, seed=0, layout=(0,)))
        # Loaded on the first fit otherwise (kept out of the API's import time on purpose).
        import scipy.optimize  # noqa: F401
    except Exception:
        # A warm-up is an optimisation: a failure here shows again, reported, in a real run.
        log.warning("simulator warm-up failed", exc_info=True)
        return
    log.info("simulator warm in %.2f s", time.perf_counter() - started)


def _one_qubit_circuit() -> QuantumCircuit:
    circuit = QuantumCircuit(1, 1, name="warm-up")
    circuit.x(0)
    circuit.measure(0, 0)
    return circuit
