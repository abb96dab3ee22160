"""The benchmark's other side: qiskit-experiments' T1, T2Ramsey, T2Hahn and StandardRB on qubit
0 of a `BackendV2` whose `run` is sim_local's Aer path (`LocalSimulator(profile,
exact_channels=False)`): the same noise model, relaxation on delays and readout error as ours.

Their designs are the usual uniform ones, scaled from the same reference values our preset
scales its sweeps by; each experiment gets the shots our preset gives that quantity.
"""

import math
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from qiskit import QuantumCircuit
from qiskit.circuit import Delay, Measure, Parameter, Reset
from qiskit.circuit.library import RZGate, SXGate, XGate
from qiskit.providers import BackendV2, JobStatus, JobV1, Options
from qiskit.result import Result
from qiskit.result.models import ExperimentResult, ExperimentResultData
from qiskit.transpiler import Target
from qiskit_experiments.framework import BaseExperiment, ExperimentData
from qiskit_experiments.library import T1, StandardRB, T2Hahn, T2Ramsey

from synqc_backend import __version__ as synqc_version
from synqc_backend.execution import ExecutionOptions, QubitReference
from synqc_backend.presets.health_design import RAMSEY_SPAN, SHARES, allocation
from synqc_backend.targets.device_profile import DeviceProfile
from synqc_backend.targets.local_sim import LocalSimulator, references

QUBIT = 0
# Which analysis result carries each quantity, and which of our parts' shot share it gets.
RESULTS = {"t1": "T1", "t2_star": "T2star", "t2_echo": "T2", "epc": "EPC"}
PARTS = {"t1": "t1", "t2_star": "ramsey", "t2_echo": "echo", "epc": "rb"}
T1_POINTS, T1_SPAN = 16, 3.0  # delays linspace(0, 3·T1, 16)
ECHO_POINTS, ECHO_SPAN = 16, 3.0  # total delays linspace(0, 3·T2, 16)
RAMSEY_OSCILLATIONS = 4.0  # osc_freq = 4 periods over the sweep; as many delays as ours
RB_LENGTH_COUNT = 12  # lengths linspace(1, 1/(2·EPC guess), 12), RB_SAMPLES samples each
RB_SAMPLES = 4

DESIGNS = (
    f"T1 delays linspace(0, {T1_SPAN:g}·T1, {T1_POINTS}); T2Ramsey delays linspace(0, "
    f"{RAMSEY_SPAN:g}·T2, our Ramsey circuit count), osc_freq {RAMSEY_OSCILLATIONS:g} periods "
    f"over the sweep;\n  T2Hahn delays linspace(0, {ECHO_SPAN:g}·T2, {ECHO_POINTS}); "
    f"StandardRB lengths linspace(1, 1/(2·gate error), {RB_LENGTH_COUNT}) × {RB_SAMPLES} samples"
)


@dataclass(frozen=True)
class TheirRun:
    """One seed: per quantity the estimate and stderr (NaN when the analysis failed), its
    quality flag, the shots executed and the seconds from building to analysed."""

    estimates: dict[str, float]
    stderrs: dict[str, float]
    good: dict[str, bool]
    shots: dict[str, int]
    seconds: dict[str, float]

    @property
    def total_seconds(self) -> float:
        return sum(self.seconds.values())


class _DoneJob(JobV1):  # type: ignore[misc]
    """A job that ran synchronously in `run`."""

    def __init__(self, backend: BackendV2, result: Result) -> None:
        super().__init__(backend, result.job_id)
        self._result = result

    def submit(self) -> None:
        raise RuntimeError("the job already ran")

    def result(self) -> Result:
        return self._result

    def status(self) -> JobStatus:
        return JobStatus.DONE


class SimLocalAerBackend(BackendV2):  # type: ignore[misc]
    """Qubit `QUBIT` of a device profile as a one-qubit Qiskit backend, run by sim_local's Aer.

    No `dt`, so qiskit-experiments writes delays in seconds, as our presets do. `run` accepts
    `shots`, `seed_simulator` and `memory` (the sampler primitive asks for per-shot memory).
    """

    def __init__(self, profile: DeviceProfile) -> None:
        super().__init__(name=f"synqc_sim_local_aer[{profile.name}]", backend_version=synqc_version)
        self._simulator = LocalSimulator(profile, exact_channels=False)
        self._target = Target(num_qubits=1, description=profile.name)
        for operation in (RZGate(Parameter("θ")), SXGate(), XGate(), Measure(), Reset()):
            self._target.add_instruction(operation, {(0,): None})
        self._target.add_instruction(Delay(Parameter("t")), {(0,): None})

    @property
    def target(self) -> Target:
        return self._target

    @property
    def max_circuits(self) -> None:
        return None

    @classmethod
    def _default_options(cls) -> Options:
        return Options(shots=1024, seed_simulator=None, memory=False)

    def run(self, run_input: QuantumCircuit | Sequence[QuantumCircuit], **options: Any) -> JobV1:
        circuits = [run_input] if isinstance(run_input, QuantumCircuit) else list(run_input)
        shots = int(options.get("shots", self.options.shots))
        seed = options.get("seed_simulator", self.options.seed_simulator)
        memory = bool(options.get("memory", self.options.memory))
        executed = self._simulator.execute(
            circuits, ExecutionOptions(shots=shots, seed=seed, layout=(QUBIT,))
        )
        results = [
            _experiment_result(circuit, counts, shots, memory)
            for circuit, counts in zip(circuits, executed.counts, strict=True)
        ]
        result = Result(
            backend_name=self.name,
            backend_version=synqc_version,
            job_id=str(uuid.uuid4()),
            success=True,
            results=results,
        )
        return _DoneJob(self, result)


def _experiment_result(
    circuit: QuantumCircuit, counts: dict[str, int], shots: int, memory: bool
) -> ExperimentResult:
    """Counts (and per-shot memory when asked) in the hexadecimal form Backend.run returns."""
    hex_counts = {hex(int(bits, 2)): n for bits, n in counts.items()}
    data = ExperimentResultData(
        counts=hex_counts,
        memory=[key for key, n in hex_counts.items() for _ in range(n)] if memory else None,
    )
    header = {
        "name": circuit.name,
        "metadata": circuit.metadata,
        "creg_sizes": [[register.name, register.size] for register in circuit.cregs],
        "memory_slots": circuit.num_clbits,
    }
    return ExperimentResult(shots=shots, success=True, data=data, header=header)


@dataclass(frozen=True)
class TheirPlan:
    """One qiskit-experiments experiment, built inside the timed region, with its shots."""

    build: Callable[[BackendV2], BaseExperiment]
    circuits: int
    total_shots: int

    @property
    def shots_per_circuit(self) -> int:
        return max(1, self.total_shots // self.circuits)


def their_plans(reference: QubitReference, budget: int, seed: int) -> dict[str, TheirPlan]:
    """Typical settings, scaled from our preset's reference values, with our shot shares."""
    t1, t2 = reference.t1_s, reference.t2_s
    assert t1 is not None
    assert t2 is not None
    epc_guess = reference.single_qubit_gate_error or 1e-3  # as our preset guesses it
    t1_delays = np.linspace(0.0, T1_SPAN * t1, T1_POINTS)
    ramsey_points = allocation(budget)["ramsey"].circuits
    ramsey_delays = np.linspace(0.0, RAMSEY_SPAN * t2, ramsey_points)
    osc_freq = RAMSEY_OSCILLATIONS / ramsey_delays[-1]
    echo_delays = np.linspace(0.0, ECHO_SPAN * t2, ECHO_POINTS)
    longest = 1 / (2 * epc_guess)
    lengths = sorted({round(float(m)) for m in np.linspace(1, longest, RB_LENGTH_COUNT)})

    def total(quantity: str) -> int:
        return int(budget * SHARES[PARTS[quantity]])

    return {
        "t1": TheirPlan(lambda b: T1((QUBIT,), t1_delays, backend=b), T1_POINTS, total("t1")),
        "t2_star": TheirPlan(
            lambda b: T2Ramsey((QUBIT,), ramsey_delays, backend=b, osc_freq=osc_freq),
            ramsey_points,
            total("t2_star"),
        ),
        "t2_echo": TheirPlan(
            lambda b: T2Hahn((QUBIT,), echo_delays, backend=b), ECHO_POINTS, total("t2_echo")
        ),
        "epc": TheirPlan(
            lambda b: StandardRB((QUBIT,), lengths, backend=b, num_samples=RB_SAMPLES, seed=seed),
            len(lengths) * RB_SAMPLES,
            total("epc"),
        ),
    }


def run_theirs(profile: DeviceProfile, budget: int, seed: int) -> TheirRun:
    """The four experiments in sequence, each with the shots our preset gives its quantity."""
    # Not a BatchExperiment: it runs every sub-experiment with one set of run options (shots).
    backend = SimLocalAerBackend(profile)
    plans = their_plans(references(profile)[QUBIT], budget, seed)
    estimates, stderrs, good, shots, seconds = {}, {}, {}, {}, {}
    for index, (quantity, plan) in enumerate(plans.items()):
        started = time.perf_counter()
        experiment = plan.build(backend)
        # Ours draws its figures when they are first viewed, not during the run: theirs
        # skip plotting here too, so both sides time the same work.
        experiment.analysis.set_options(plot=False)
        data = experiment.run(
            shots=plan.shots_per_circuit, seed_simulator=seed * 10 + index
        ).block_for_results()
        found = their_estimate(data, RESULTS[quantity])
        estimates[quantity], stderrs[quantity], good[quantity] = found
        seconds[quantity] = time.perf_counter() - started
        # The sampler primitive runs a copy of the backend: count shots from what came back.
        shots[quantity] = sum(sum(entry["counts"].values()) for entry in data.data())
    return TheirRun(estimates, stderrs, good, shots, seconds)


def their_estimate(data: ExperimentData, name: str) -> tuple[float, float, bool]:
    """(value, stderr, quality is good); NaNs when the analysis failed or has no such result."""
    try:
        table = data.analysis_results(name, dataframe=True)
    except Exception:  # qiskit-experiments raises ExperimentEntryNotFound, among others
        return math.nan, math.nan, False
    if len(table) == 0:
        return math.nan, math.nan, False
    row = table.iloc[0]
    value = float(getattr(row["value"], "nominal_value", row["value"]))
    stderr = float(getattr(row["value"], "std_dev", math.nan))
    return value, stderr, row["quality"] == "good"
