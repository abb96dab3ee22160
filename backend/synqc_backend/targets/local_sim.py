"""`sim_local`: circuits executed with a device-profile noise model, on Aer or exactly.

One-qubit circuits measured once at the end run through exact channel composition
(`channel_executor`), and so do wider circuits that factor into independent qubits
(`qubit_factoring`: one-qubit instructions only, measured at the end), qubit by qubit;
everything else runs on Aer's density-matrix method with only the qubits it uses. Both take their
noise from `noise_model`, so they simulate the same device.
"""

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict
from functools import cache
from statistics import median
from typing import Any

import numpy as np
from qiskit import QuantumCircuit
from qiskit.transpiler import PassManager, generate_preset_pass_manager
from qiskit_aer import AerSimulator

from synqc_backend.execution import (
    Capabilities,
    DeviceControls,
    ExecutionOptions,
    ExecutionResult,
    QubitReference,
)
from synqc_backend.models import TargetKind, TargetStatus
from synqc_backend.targets.base import Readiness, TargetDescriptor
from synqc_backend.targets.channel_executor import (
    EXACT_BACKEND,
    BlockCache,
    ChannelPlan,
    exact_plan,
    qubit_channels,
    sample_counts,
)
from synqc_backend.targets.device_profile import DeviceProfile, QubitParameters
from synqc_backend.targets.noise_model import (
    BASIS_GATES,
    build_noise_model,
    describe,
    noisy_circuits,
    qubit_noise,
)
from synqc_backend.targets.profile_drift import ProfileDrift
from synqc_backend.targets.qubit_factoring import factored_parts, sample_factored

MAX_SHOTS = 100_000
AER_BACKEND = "aer_simulator_density_matrix"
_IN_BASIS = frozenset(BASIS_GATES) | {"barrier"}
_MAX_SIMULATORS = 32
_TRANSLATION_LOCK = threading.Lock()

type Counts = dict[str, int]
# An Aer simulator per noise model: the used qubits' parameters and the controls.
type SimulatorKey = tuple[tuple[QubitParameters, ...], DeviceControls]


class LocalSimulator:
    """Noisy simulation on this machine; always ready.

    - `exact_channels=False` sends every circuit to Aer (benchmarks and the equivalence test).
    - `drift` makes the simulated device's T1 and T2 change with wall time (`clock`); the
      reference values the target reports stay those of `profile`, as a provider's published
      calibration lags the device.
    """

    def __init__(
        self,
        profile: DeviceProfile,
        *,
        exact_channels: bool = True,
        drift: ProfileDrift | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._profile = profile
        self._exact_channels = exact_channels
        self._drift = drift
        self._clock = clock
        self._simulators: dict[
            tuple[tuple[QubitParameters, ...], DeviceControls], AerSimulator
        ] = {}

    @property
    def profile(self) -> DeviceProfile:
        """The device as the target reports it (its reference values)."""
        return self._profile

    def device_now(self) -> DeviceProfile:
        """The device as it is now: the profile, drifted when the simulator drifts."""
        if self._drift is None:
            return self._profile
        return self._drift.applied(self._profile, self._clock())

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
            num_qubits=profile.num_qubits,
            basis_gates=BASIS_GATES,
            queue_behavior="in-process, no provider queue",
            notes=f"device profile {profile.name}",
            gate_durations_s=gate_durations_s(profile),
            calibration=calibration_snapshot(profile),
            noise_model_summary=describe(profile),
            reference=references(profile),
        )

    def execute(
        self, circuits: Sequence[QuantumCircuit], options: ExecutionOptions
    ) -> ExecutionResult:
        started = time.monotonic()
        device = self.device_now()
        blocks = BlockCache()
        factored = {
            index: parts
            for index, circuit in enumerate(circuits)
            if self._exact_channels
            and circuit.num_qubits > 1
            and (parts := factored_parts(circuit, blocks)) is not None
        }
        rest = [index for index in range(len(circuits)) if index not in factored]
        # One-qubit circuits in the exact set (RB sequences of Clifford blocks) need no
        # translation; the others are translated first and may turn out exact then.
        plans = {i: self._exact_plan(circuits[i], blocks) for i in rest}
        foreign = [i for i in rest if plans[i] is None]
        compiled = {i: circuits[i] for i in rest}
        translated = compile_circuits([circuits[i] for i in foreign])
        for index, circuit in zip(foreign, translated, strict=True):
            compiled[index], plans[index] = circuit, self._exact_plan(circuit, blocks)
        exact = {i: plan for i, plan in plans.items() if plan is not None}
        width = max((circuit.num_qubits for circuit in circuits), default=0)
        physical = physical_qubits(device, options.layout, width)
        executed = time.monotonic()
        counts: list[Counts] = [{} for _ in circuits]
        rng = np.random.default_rng(options.seed)
        for index, plan in sorted(exact.items()):
            qubit = qubit_channels(device.qubit(physical[0]), options.device)
            probability = qubit.probability_of_one(plan, blocks)
            counts[index] = sample_counts(compiled[index], probability, options.shots, rng)
        for index, parts in factored.items():
            channels = [
                qubit_channels(device.qubit(physical[part.qubit]), options.device) for part in parts
            ]
            counts[index] = sample_factored(
                circuits[index], parts, channels, options.shots, rng, blocks
            )
        on_aer = [i for i in rest if i not in exact]
        if on_aer:
            aer_counts = self._run_aer([compiled[i] for i in on_aer], device, physical, options)
            for index, found in zip(on_aer, aer_counts, strict=True):
                counts[index] = found
        finished = time.monotonic()
        paths = ([EXACT_BACKEND] if exact or factored else []) + ([AER_BACKEND] if on_aer else [])
        return ExecutionResult(
            counts=tuple(counts),
            shots_executed=options.shots * len(circuits),
            submit_to_result_s=finished - started,
            execution_s=finished - executed,
            queue_s=0.0,
            backend_name="+".join(paths),
            device_controls_applied=True,
        )

    def _exact_plan(self, circuit: QuantumCircuit, blocks: BlockCache) -> ChannelPlan | None:
        return exact_plan(circuit, blocks) if self._exact_channels else None

    def _run_aer(
        self,
        circuits: list[QuantumCircuit],
        device: DeviceProfile,
        physical: tuple[int, ...],
        options: ExecutionOptions,
    ) -> list[Counts]:
        used = physical[: max(circuit.num_qubits for circuit in circuits)]
        noises = [qubit_noise(device.qubit(q), options.device) for q in used]
        run_options: dict[str, int] = {"shots": options.shots}
        if options.seed is not None:
            run_options["seed_simulator"] = options.seed
        simulator = self._simulator(device, used, options.device)
        result = simulator.run(noisy_circuits(circuits, noises), **run_options).result()
        return [dict(result.get_counts(index)) for index in range(len(circuits))]

    def _simulator(
        self, device: DeviceProfile, used: tuple[int, ...], controls: DeviceControls
    ) -> AerSimulator:
        key = (tuple(device.qubit(q) for q in used), controls)
        simulator = self._simulators.get(key)
        if simulator is None:
            model = build_noise_model(device, used, controls)
            # A few qubits' density matrix gains nothing from OpenMP threads, and several runs
            # executing at once in worker threads would oversubscribe the cores with them.
            simulator = AerSimulator(
                method="density_matrix", noise_model=model, max_parallel_threads=1
            )
            if len(self._simulators) >= _MAX_SIMULATORS:
                # Every drive bias an operator tries (and every step of a drift) is a new
                # model; keep only recent ones.
                self._simulators.clear()
            self._simulators[key] = simulator
        return simulator


def compile_circuits(circuits: Sequence[QuantumCircuit]) -> list[QuantumCircuit]:
    """Circuits in sim_local's basis; those already in it are passed through untouched.

    Optimization level 0 only translates: merging gates would undo the sequences RB measures,
    and delays (in seconds) pass through as they are.
    """
    compiled = list(circuits)
    foreign = [i for i, c in enumerate(compiled) if not set(c.count_ops()) <= _IN_BASIS]
    if foreign:
        with _TRANSLATION_LOCK:
            translated = _translation().run([compiled[i] for i in foreign])
        for index, circuit in zip(foreign, translated, strict=True):
            compiled[index] = circuit
    return compiled


@cache
def _translation() -> PassManager:
    """Built once: without a coupling map level 0 is deterministic, and building it costs more
    than translating a small circuit with it. A pass manager keeps state while it runs, so
    worker threads take turns (`_TRANSLATION_LOCK`)."""
    return generate_preset_pass_manager(optimization_level=0, basis_gates=list(BASIS_GATES))


def physical_qubits(
    profile: DeviceProfile, layout: tuple[int, ...] | None, width: int
) -> tuple[int, ...]:
    """The physical qubit of each circuit qubit 0..width−1; ValueError for an unusable layout."""
    chosen = tuple(range(width)) if layout is None else tuple(layout[:width])
    if len(chosen) < width:
        raise ValueError(f"layout {layout} names fewer qubits than the circuits use ({width})")
    if len(set(chosen)) != len(chosen):
        raise ValueError(f"layout {layout} names a physical qubit twice")
    for qubit in chosen:
        profile.qubit(qubit)
    return chosen


def gate_durations_s(profile: DeviceProfile) -> dict[str, float]:
    """Gate and measurement durations (seconds), the median over the profile's qubits."""
    single = median(q.single_qubit_gate_duration_s for q in profile.qubits)
    return {
        "rz": 0.0,
        "sx": single,
        "x": single,
        "id": single,
        "cx": median(q.two_qubit_gate_duration_s for q in profile.qubits),
        "measure": median(q.measurement_duration_s for q in profile.qubits),
    }


def calibration_snapshot(profile: DeviceProfile) -> dict[str, Any]:
    """The profile as plain data (SI units), one entry per physical qubit."""
    qubits = [{"qubit": index, **asdict(q)} for index, q in enumerate(profile.qubits)]
    return {"profile": profile.name, "source": profile.source, "qubits": qubits}


def references(profile: DeviceProfile) -> dict[int, QubitReference]:
    """The values presets scale sweeps by and status rules compare against, per qubit."""
    return {
        index: QubitReference(
            t1_s=q.t1_s,
            t2_s=q.t2_s,
            single_qubit_gate_error=q.single_qubit_gate_error,
            readout_p1_given_0=q.readout_p1_given_0,
            readout_p0_given_1=q.readout_p0_given_1,
        )
        for index, q in enumerate(profile.qubits)
    }
