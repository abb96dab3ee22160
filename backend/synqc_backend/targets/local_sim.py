"""`sim_local`: circuits executed on Qiskit Aer with a device-profile noise model."""

import time
from collections.abc import Sequence
from dataclasses import asdict

from qiskit import QuantumCircuit, transpile
from qiskit_aer import AerSimulator

from synqc_backend.execution import Capabilities, ExecutionOptions, ExecutionResult
from synqc_backend.models import TargetKind, TargetStatus
from synqc_backend.targets.base import Readiness, TargetDescriptor
from synqc_backend.targets.device_profile import DeviceProfile
from synqc_backend.targets.noise_model import BASIS_GATES, build_noise_model, describe

MAX_SHOTS = 100_000
MAX_QUBITS = 8


class LocalSimulator:
    """Noisy density-matrix simulation on this machine; always ready."""

    def __init__(self, profile: DeviceProfile) -> None:
        self._profile = profile
        self._simulator = AerSimulator(
            method="density_matrix", noise_model=build_noise_model(profile)
        )

    @property
    def descriptor(self) -> TargetDescriptor:
        return TargetDescriptor(
            id="sim_local",
            name="Local noisy simulator (Qiskit Aer)",
            kind=TargetKind.SIM,
            vendor="Qiskit Aer",
            description=describe(self._profile),
        )

    def readiness(self) -> Readiness:
        return Readiness(TargetStatus.READY, "runs in-process on Qiskit Aer")

    def capabilities(self) -> Capabilities:
        profile = self._profile
        return Capabilities(
            max_shots=MAX_SHOTS,
            num_qubits=MAX_QUBITS,
            basis_gates=BASIS_GATES,
            queue_behavior="in-process, no provider queue",
            notes=f"device profile {profile.name}",
            gate_durations_s={
                "sx": profile.single_qubit_gate_duration_s,
                "x": profile.single_qubit_gate_duration_s,
                "rz": 0.0,
                "cx": profile.two_qubit_gate_duration_s,
                "measure": profile.measurement_duration_s,
            },
            calibration=asdict(profile),
            noise_model_summary=describe(profile),
        )

    def execute(
        self, circuits: Sequence[QuantumCircuit], options: ExecutionOptions
    ) -> ExecutionResult:
        started = time.monotonic()
        compiled = transpile(
            list(circuits),
            basis_gates=list(BASIS_GATES),
            optimization_level=1,
            seed_transpiler=options.seed,
        )
        run_options: dict[str, int] = {"shots": options.shots}
        if options.seed is not None:
            run_options["seed_simulator"] = options.seed
        executed = time.monotonic()
        result = self._simulator.run(compiled, **run_options).result()
        finished = time.monotonic()
        counts = tuple(dict(result.get_counts(index)) for index in range(len(compiled)))
        return ExecutionResult(
            counts=counts,
            shots_executed=options.shots * len(compiled),
            submit_to_result_s=finished - started,
            execution_s=finished - executed,
            queue_s=0.0,
            backend_name="aer_simulator_density_matrix",
        )
