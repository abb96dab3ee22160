"""Benchmark: the `health` preset end to end against qiskit-experiments, on the same device.

Run from backend/ in the environment `make test` installs (the dev lock holds the bench extra):
`../.venv/bin/python bench/health_vs_qiskit_experiments.py [--seeds 5] [--devices ...]
[--budget N]`. Not a test: it prints one table per device and a summary line.

- Ours: a `health` run submitted to the real engine (embedded queue, SQLite in a temporary
  folder, sim_local on the device's profile), timed from submit until the run is final.
- Theirs: qiskit-experiments' T1, T2Ramsey, T2Hahn and StandardRB on qubit 0 of a `BackendV2`
  whose `run` is sim_local's Aer path (`LocalSimulator(profile, exact_channels=False)`): the same
  noise model, relaxation on delays and readout error, so both sides simulate one device. Each
  experiment gets the shots our preset gives that quantity, and is timed from building it to
  `block_for_results()` (circuits, transpilation, execution, analysis).
- Truth: T1 and T2 of the profile's qubit 0 (T2* = T2: the simulator is Markovian); EPC is the
  mean infidelity of the noisy Clifford channels (`reference_epc`, the accuracy test's truth).
"""

import argparse
import math
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from statistics import fmean
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

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from synqc_backend import __version__ as synqc_version
from synqc_backend.config import Settings
from synqc_backend.execution import ExecutionOptions, QubitReference
from synqc_backend.models import Preset, RunExperimentRequest
from synqc_backend.presets.health import Health
from synqc_backend.presets.health_design import RAMSEY_SPAN, SHARES, allocation
from synqc_backend.runs.report import response as run_response
from synqc_backend.runs.services import Services, start_services
from synqc_backend.storage.repository import RunRepository
from synqc_backend.targets.device_profile import DeviceProfile, QubitParameters
from synqc_backend.targets.ibm_profiles import resolve_profile
from synqc_backend.targets.local_sim import LocalSimulator, references
from tests.presets.reference_epc import reference_epc

DEVICES = ("transmon_default", "ibm:FakeManilaV2")
QUBIT = 0
WARM_UP_SEED = 999_999  # one untimed run per side and device: lazy imports, caches
RUN_TIMEOUT_S = 600.0


@dataclass(frozen=True)
class Quantity:
    """How each side names one compared quantity."""

    label: str
    measurement: str  # our run's measurement
    batch: str  # our batch, also the key of its shot share in `health.SHARES`
    result: str  # qiskit-experiments' analysis result


QUANTITIES = {
    "t1": Quantity("T1", "t1_s", "t1", "T1"),
    "t2_star": Quantity("T2*", "t2_star_s", "ramsey", "T2star"),
    "t2_echo": Quantity("T2 echo", "t2_echo_s", "echo", "T2"),
    "epc": Quantity("EPC", "epc", "rb", "EPC"),
}

# Their settings, scaled from the same reference values our preset scales its sweeps by.
T1_POINTS, T1_SPAN = 16, 3.0  # delays linspace(0, 3·T1, 16)
ECHO_POINTS, ECHO_SPAN = 16, 3.0  # total delays linspace(0, 3·T2, 16)
RAMSEY_OSCILLATIONS = 4.0  # osc_freq = 4 periods over the sweep; delays as ours
RB_LENGTH_COUNT = 12  # lengths linspace(1, 1/(2·EPC guess), 12), RB_SAMPLES samples each
RB_SAMPLES = 4


# --- Truth -----------------------------------------------------------------------------------


def truth_of(qubit: QubitParameters) -> dict[str, float]:
    return {
        "t1": qubit.t1_s,
        "t2_star": qubit.t2_s,
        "t2_echo": qubit.t2_s,
        "epc": reference_epc(qubit),
    }


# --- One run of either side ------------------------------------------------------------------


@dataclass(frozen=True)
class SideRun:
    """One seed on one side.

    - `estimates[q]` is NaN when the fit failed; `good[q]` is the fit's own quality flag.
    - `seconds[q]`: theirs, the whole experiment; ours, the batch on the target (no analysis).
    - `crb_ratio[q]`: ours, the fitted stderr over its Cramér–Rao bound; theirs, empty.
    """

    estimates: dict[str, float]
    good: dict[str, bool]
    shots: dict[str, int]
    seconds: dict[str, float]
    total_seconds: float
    total_shots: int
    crb_ratio: dict[str, float] = field(default_factory=dict)


# --- Ours: the health preset through the engine ----------------------------------------------


@contextmanager
def our_services(device: str, budget: int) -> Iterator[Services]:
    """The service graph of one process, on a throwaway SQLite store, simulating `device`."""
    with tempfile.TemporaryDirectory(prefix="synqc-bench-") as folder:
        settings = Settings(
            database_url=f"sqlite:///{Path(folder) / 'bench.db'}",
            sim_profile=device,
            max_shots_per_experiment=max(budget, 200_000),
            max_shots_per_session=1_000_000_000,
            job_timeout_seconds=RUN_TIMEOUT_S,
        )
        services = start_services(settings)
        try:
            yield services
        finally:
            services.close()


def run_ours(services: Services, seed: int, budget: int) -> SideRun:
    """Submit a health run, wait until it is final, and read what it stored."""
    engine = services.engine
    request = RunExperimentRequest(preset=Preset.HEALTH, seed=seed, shot_budget=budget)
    started = time.perf_counter()
    run_id = engine.submit(request, f"bench-{uuid.uuid4()}", received_at=time.time()).id
    if not engine.wait_until_finished(run_id, timeout_s=RUN_TIMEOUT_S, poll_s=0.01):
        raise RuntimeError(f"health run {run_id} did not finish in {RUN_TIMEOUT_S} s")
    total_seconds = time.perf_counter() - started
    with services.database.unit_of_work() as session:
        row = RunRepository(session).get(run_id)
        assert row is not None
        response = run_response(row)
        batches: list[dict[str, Any]] = list(row.batches)
    if response.error_code is not None:
        raise RuntimeError(f"health run failed: {response.error_code}: {response.error_message}")
    measured = {m.name: m for m in response.measurements}
    estimates, good, shots, seconds, crb_ratio = {}, {}, {}, {}, {}
    for quantity, names in QUANTITIES.items():
        found = measured[names.measurement]
        estimates[quantity] = math.nan if found.value is None else found.value
        good[quantity] = found.quality == "good"
        if found.stderr is not None and found.crb_stderr:
            crb_ratio[quantity] = found.stderr / found.crb_stderr
        mine = [b for b in batches if b["label"].split(".")[0] == names.batch]
        shots[quantity] = sum(int(b["shots_executed"]) for b in mine)
        seconds[quantity] = sum(float(b["submit_to_result_s"]) for b in mine)
    return SideRun(
        estimates, good, shots, seconds, total_seconds, response.shots.executed, crb_ratio
    )


# --- Theirs: qiskit-experiments on a backend with exactly our noise ---------------------------


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
    ramsey_points = allocation(budget)["ramsey"].circuits  # as many delays as ours, one stage
    ramsey_delays = np.linspace(0.0, RAMSEY_SPAN * t2, ramsey_points)
    osc_freq = RAMSEY_OSCILLATIONS / ramsey_delays[-1]
    echo_delays = np.linspace(0.0, ECHO_SPAN * t2, ECHO_POINTS)
    longest = 1 / (2 * epc_guess)
    lengths = sorted({round(float(m)) for m in np.linspace(1, longest, RB_LENGTH_COUNT)})

    def total(quantity: str) -> int:
        return int(budget * SHARES[QUANTITIES[quantity].batch])

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


def run_theirs(profile: DeviceProfile, budget: int, seed: int) -> SideRun:
    """The four experiments in sequence, each with the shots our preset gives its quantity."""
    # Not a BatchExperiment: it runs every sub-experiment with one set of run options (shots).
    backend = SimLocalAerBackend(profile)
    plans = their_plans(references(profile)[QUBIT], budget, seed)
    estimates, good, shots, seconds = {}, {}, {}, {}
    for index, (quantity, plan) in enumerate(plans.items()):
        started = time.perf_counter()
        experiment = plan.build(backend)
        # Ours draws its figures when they are first viewed, not during the run: theirs
        # skip plotting here too, so both sides time the same work.
        experiment.analysis.set_options(plot=False)
        data = experiment.run(
            shots=plan.shots_per_circuit, seed_simulator=seed * 10 + index
        ).block_for_results()
        estimates[quantity], good[quantity] = their_estimate(data, QUANTITIES[quantity].result)
        seconds[quantity] = time.perf_counter() - started
        # The sampler primitive runs a copy of the backend: count shots from what came back.
        shots[quantity] = sum(sum(entry["counts"].values()) for entry in data.data())
    return SideRun(estimates, good, shots, seconds, sum(seconds.values()), sum(shots.values()))


def their_estimate(data: ExperimentData, name: str) -> tuple[float, bool]:
    """(value, quality is good); NaN when the analysis failed or produced no such result."""
    try:
        table = data.analysis_results(name, dataframe=True)
    except Exception:  # qiskit-experiments raises ExperimentEntryNotFound, among others
        return math.nan, False
    if len(table) == 0:
        return math.nan, False
    row = table.iloc[0]
    value = float(getattr(row["value"], "nominal_value", row["value"]))
    return value, row["quality"] == "good"


# --- Statistics and the table ----------------------------------------------------------------


@dataclass(frozen=True)
class Errors:
    """Relative errors (estimate / truth − 1) of one quantity over seeds; failed fits apart."""

    values: tuple[float, ...]
    failed: int  # no estimate at all
    bad: int  # an estimate its own analysis flags as bad (still counted in `values`)

    @classmethod
    def of(cls, runs: Sequence[SideRun], quantity: str, truth: float) -> "Errors":
        finite = [r for r in runs if math.isfinite(r.estimates[quantity])]
        return cls(
            tuple(r.estimates[quantity] / truth - 1 for r in finite),
            len(runs) - len(finite),
            sum(not r.good[quantity] for r in finite),
        )

    @property
    def rms(self) -> float:
        return math.sqrt(fmean(e * e for e in self.values)) if self.values else math.nan

    def summary(self) -> str:
        """Mean ± standard deviation over seeds, in percent."""
        if not self.values:
            return "all fits failed"
        spread = float(np.std(self.values, ddof=1)) if len(self.values) > 1 else 0.0
        failed = f" ({self.failed} failed)" if self.failed else ""
        return f"{fmean(self.values) * 100:+6.2f}% ± {spread * 100:5.2f}%{failed}"


@dataclass(frozen=True)
class DeviceReport:
    device: str
    truth: dict[str, float]
    ours: tuple[SideRun, ...]
    theirs: tuple[SideRun, ...]

    def errors(self, runs: Sequence[SideRun], quantity: str) -> Errors:
        return Errors.of(runs, quantity, self.truth[quantity])


# Column widths; a negative width aligns left.
COLUMNS = (
    ("quantity", -9),
    ("reference", 11),
    ("  ours rel. err", -26),
    ("theirs rel. err", -26),
    ("ours shots", 11),
    ("theirs shots", 13),
    ("ours s/run", 11),
    ("theirs s/run", 13),
    ("ours σ/CRB", 11),
)


def table_row(cells: Sequence[str]) -> str:
    return "".join(
        f"{cell:<{-width}}" if width < 0 else f"{cell:>{width}}"
        for cell, (_, width) in zip(cells, COLUMNS, strict=True)
    )


def reference_text(quantity: str, value: float) -> str:
    return f"{value:.3e}" if quantity == "epc" else f"{value * 1e6:.1f} µs"


def print_device(report: DeviceReport, budget: int) -> None:
    """One table: per quantity, the truth, both sides' errors, shots and seconds per run."""
    ours, theirs = report.ours, report.theirs
    print(
        f"\n{report.device} (qubit {QUBIT}), {len(ours)} seeds, budget {budget:,} shots; our run "
        f"executes {fmean(r.total_shots for r in ours):,.0f} (readout and repeatability included)"
    )
    print(
        f"theirs: T1 delays linspace(0, {T1_SPAN:g}·T1, {T1_POINTS}); T2Ramsey delays "
        f"linspace(0, {RAMSEY_SPAN:g}·T2, {allocation(budget)['ramsey'].circuits}), osc_freq "
        f"{RAMSEY_OSCILLATIONS:g} "
        f"periods over the sweep; T2Hahn delays linspace(0, {ECHO_SPAN:g}·T2, {ECHO_POINTS});\n"
        f"        StandardRB lengths linspace(1, 1/(2·gate error), {RB_LENGTH_COUNT}) × "
        f"{RB_SAMPLES} samples; each gets the shots our preset gives that quantity"
    )
    header = table_row([name.strip() if width > 0 else name for name, width in COLUMNS])
    print(header)
    print("-" * len(header))
    for quantity, names in QUANTITIES.items():
        print(
            table_row(
                [
                    names.label,
                    reference_text(quantity, report.truth[quantity]),
                    "  " + report.errors(ours, quantity).summary(),
                    report.errors(theirs, quantity).summary(),
                    f"{fmean(r.shots[quantity] for r in ours):,.0f}",
                    f"{fmean(r.shots[quantity] for r in theirs):,.0f}",
                    f"{fmean(r.seconds[quantity] for r in ours):.3f}*",
                    f"{fmean(r.seconds[quantity] for r in theirs):.3f}",
                    f"{np.median([r.crb_ratio.get(quantity, math.nan) for r in ours]):.2f}",
                ]
            )
        )
    print(
        table_row(
            [
                "all four",
                "",
                "",
                "",
                f"{fmean(sum(r.shots.values()) for r in ours):,.0f}",
                f"{fmean(sum(r.shots.values()) for r in theirs):,.0f}",
                f"{fmean(r.total_seconds for r in ours):.3f}",
                f"{fmean(r.total_seconds for r in theirs):.3f}",
                "",
            ]
        )
    )
    print(
        "* ours per quantity: that batch on the target only. Ours 'all four': the whole run, "
        "submit to final (planning,\n  readout, repeatability, analysis, storage; figures are "
        "drawn when first viewed). Theirs: build, transpile, run and analyse "
        "(block_for_results, plotting off).\n  σ/CRB: median over seeds of our fitted stderr "
        "over the Cramér–Rao bound of the design our run used (1 = the counts used fully)."
    )
    print("fits: " + fit_notes(report))


def fit_notes(report: DeviceReport) -> str:
    notes = []
    for side, runs in (("ours", report.ours), ("theirs", report.theirs)):
        for quantity, names in QUANTITIES.items():
            errors = report.errors(runs, quantity)
            if errors.failed or errors.bad:
                notes.append(f"{side} {names.label} {errors.failed} failed, {errors.bad} bad")
    return "; ".join(notes) if notes else "none failed or flagged bad"


def print_summary(reports: Sequence[DeviceReport]) -> None:
    """Over all devices: wall time, mean ratio of RMS errors, shots of the four quantities."""
    ours = [r for report in reports for r in report.ours]
    theirs = [r for report in reports for r in report.theirs]
    speed_up = sum(r.total_seconds for r in theirs) / sum(r.total_seconds for r in ours)
    error_ratio = fmean(
        report.errors(report.ours, q).rms / report.errors(report.theirs, q).rms
        for report in reports
        for q in QUANTITIES
    )
    shots_ratio = sum(sum(r.shots.values()) for r in ours) / sum(
        sum(r.shots.values()) for r in theirs
    )
    failed = sum(report.errors(report.theirs, q).failed for report in reports for q in QUANTITIES)
    print(f"\ntheir fits failed: {failed} of {len(theirs) * len(QUANTITIES)}")
    print(
        f"health speed-up vs qiskit-experiments: {speed_up:.1f}x; "
        f"error ratio {error_ratio:.2f}; shots ratio {shots_ratio:.2f}"
    )


# --- Main ------------------------------------------------------------------------------------


def bench_device(device: str, seeds: int, budget: int) -> DeviceReport:
    profile = resolve_profile(device)
    with our_services(device, budget) as services:
        run_ours(services, WARM_UP_SEED, budget)
        ours = tuple(run_ours(services, seed, budget) for seed in range(seeds))
    run_theirs(profile, budget, WARM_UP_SEED)
    theirs = tuple(run_theirs(profile, budget, seed) for seed in range(seeds))
    return DeviceReport(device, truth_of(profile.qubit(QUBIT)), ours, theirs)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--seeds", type=int, default=5, help="seeds per side and device")
    parser.add_argument(
        "--devices", nargs="+", default=list(DEVICES), help="device profiles (SYNQC_SIM_PROFILE)"
    )
    parser.add_argument(
        "--budget",
        type=int,
        default=Health.default_shot_budget,
        help="shot budget of our run; theirs gets the same shots per quantity",
    )
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    if args.seeds < 2:
        raise SystemExit("--seeds must be at least 2 (the spread needs two)")
    import qiskit_experiments

    print(f"qiskit-experiments {qiskit_experiments.__version__}, synqc-backend {synqc_version}")
    reports = [bench_device(device, args.seeds, args.budget) for device in args.devices]
    for report in reports:
        print_device(report, args.budget)
    print_summary(reports)


if __name__ == "__main__":
    main()
