"""`SYNQC_QISKIT_BACKEND_<TARGET_ID>`: a target whose executor is a local Qiskit backend.

- An Aer simulator name (`aer_simulator`, `aer_simulator_density_matrix`, …) runs the circuits
  noiselessly on that Aer method.
- A fake IBM backend name (`FakeManilaV2`, needs the `ibm` extra) runs them on the local
  simulator with that device's calibration snapshot as its noise.
The target keeps its own id and name and reports `ready` with the backend it maps to.
"""

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from qiskit import QuantumCircuit, transpile
from qiskit_aer import AerSimulator

from synqc_backend.execution import Capabilities, ExecutionOptions, ExecutionResult
from synqc_backend.models import TargetStatus
from synqc_backend.targets.base import Readiness, Target, TargetDescriptor
from synqc_backend.targets.ibm_profiles import IBM_PREFIX, resolve_profile
from synqc_backend.targets.local_sim import MAX_SHOTS, LocalSimulator

AER_METHODS = {
    "aer_simulator": "automatic",
    "aer_simulator_statevector": "statevector",
    "aer_simulator_density_matrix": "density_matrix",
}
AER_BASIS = ("rz", "sx", "x", "cx", "id", "delay", "measure", "reset")
AER_QUBITS = 16


class Executor(Protocol):
    """The executing half of a target: what it can do and how it runs circuits."""

    def capabilities(self) -> Capabilities: ...

    def execute(
        self, circuits: Sequence[QuantumCircuit], options: ExecutionOptions
    ) -> ExecutionResult: ...


@dataclass(frozen=True)
class MappedTarget:
    """Another target's identity in front of a local executor."""

    descriptor: TargetDescriptor
    backend_name: str
    inner: Executor

    def readiness(self) -> Readiness:
        return Readiness(TargetStatus.READY, f"mapped to local Qiskit backend {self.backend_name}")

    def capabilities(self) -> Capabilities:
        return self.inner.capabilities()

    def execute(
        self, circuits: Sequence[QuantumCircuit], options: ExecutionOptions
    ) -> ExecutionResult:
        return self.inner.execute(circuits, options)


@dataclass(frozen=True)
class UnresolvedBackend:
    """A mapping that names no backend this machine can run: reported `unavailable`."""

    descriptor: TargetDescriptor
    reason: str

    def readiness(self) -> Readiness:
        return Readiness(TargetStatus.UNAVAILABLE, self.reason)

    def capabilities(self) -> Capabilities:
        return Capabilities(0, 0, (), "none", self.reason)

    def execute(
        self, circuits: Sequence[QuantumCircuit], options: ExecutionOptions
    ) -> ExecutionResult:
        raise RuntimeError(self.reason)


class NoiselessAer:
    """Ideal simulation on one of Aer's methods."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._simulator = AerSimulator(method=AER_METHODS[name])

    def capabilities(self) -> Capabilities:
        return Capabilities(
            max_shots=MAX_SHOTS,
            num_qubits=AER_QUBITS,
            basis_gates=AER_BASIS,
            queue_behavior="in-process, no provider queue",
            notes=f"noiseless {self.name}",
            noise_model_summary=f"none: ideal {self.name}",
        )

    def execute(
        self, circuits: Sequence[QuantumCircuit], options: ExecutionOptions
    ) -> ExecutionResult:
        started = time.monotonic()
        compiled = transpile(
            list(circuits),
            basis_gates=list(AER_BASIS),
            optimization_level=0,
            seed_transpiler=options.seed,
        )
        run_options: dict[str, int] = {"shots": options.shots}
        if options.seed is not None:
            run_options["seed_simulator"] = options.seed
        executed = time.monotonic()
        result = self._simulator.run(compiled, **run_options).result()
        finished = time.monotonic()
        return ExecutionResult(
            counts=tuple(dict(result.get_counts(i)) for i in range(len(compiled))),
            shots_executed=options.shots * len(compiled),
            submit_to_result_s=finished - started,
            execution_s=finished - executed,
            queue_s=0.0,
            backend_name=self.name,
        )


def mapped_target(descriptor: TargetDescriptor, backend_name: str) -> Target:
    """The target `descriptor` executing on `backend_name`, or an `unavailable` one saying why."""
    if backend_name in AER_METHODS:
        return MappedTarget(descriptor, backend_name, NoiselessAer(backend_name))
    try:
        profile = resolve_profile(IBM_PREFIX + backend_name)
    except (ImportError, ValueError) as error:
        return UnresolvedBackend(
            descriptor,
            f"cannot map to '{backend_name}': {error}; use one of {', '.join(AER_METHODS)} "
            "or a fake IBM backend name such as FakeManilaV2",
        )
    return MappedTarget(
        descriptor, f"{backend_name} (calibration snapshot on Aer)", LocalSimulator(profile)
    )
