"""Benchmark: the `health` preset against qiskit-experiments on the same device, over budgets.

Run from backend/ in the environment `make test` installs (the dev lock holds the bench extra):
`../.venv/bin/python bench/health_vs_qiskit_experiments.py [--seeds 3] [--coverage-seeds 50]`.
Not a test: it prints a table per device, the coverage table and a summary line.

- Ours: a `health` run submitted to the real engine (embedded queue, SQLite in a temporary
  folder, sim_local on the device's profile), timed from submit until the run is final.
- Theirs: qiskit-experiments' usual uniform designs (`qiskit_experiments_side`), each with the
  shots our preset gives that quantity, timed from building it to `block_for_results()`.
- CRB opt.: the least stderr any design of that quantity's shots allows (`crb_optimum`), at
  the truth, with the amplitude and offset of a 4,000,000-shot fit.
- Precision: the median over seeds of each side's reported relative stderr; the saving at
  equal precision is (their stderr / our stderr)², the shots they need per shot of ours. The
  RMS z-scores over seeds show whether either side's stderr can be trusted.
- Coverage (`health_coverage`): our 95 % intervals over many seeds at three budgets, on the
  default profile and two IBM calibration snapshots.
"""

import argparse
import math
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from statistics import fmean, median

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from crb_optimum import optimum_inputs, optimum_stderr
from health_coverage import LABELS, MEASUREMENTS, QUBIT, print_coverage, truth_of
from qiskit_experiments_side import DESIGNS, PARTS, TheirRun, run_theirs

from synqc_backend import __version__ as synqc_version
from synqc_backend.config import Settings
from synqc_backend.models import Preset, RunExperimentRequest
from synqc_backend.runs.report import response as run_response
from synqc_backend.runs.services import Services, start_services
from synqc_backend.storage.repository import RunRepository
from synqc_backend.targets.ibm_profiles import resolve_profile

DEVICES = ("transmon_default", "ibm:FakeManilaV2")
BUDGETS = (2_048, 8_192, 32_768, 131_072)
HEADLINE_BUDGET = 32_768
COVERAGE_DEVICES = ("transmon_default", "ibm:FakeManilaV2", "ibm:FakeLimaV2")
COVERAGE_BUDGETS = (2_048, 8_192, 80_000)
WARM_UP_SEED = 999_999  # one untimed run per side and device: lazy imports, caches
RUN_TIMEOUT_S = 600.0


@dataclass(frozen=True)
class OurRun:
    """One seed of ours: per quantity the estimate, stderr and shots; the whole run's time."""

    estimates: dict[str, float]
    stderrs: dict[str, float]
    shots: dict[str, int]
    total_seconds: float


@contextmanager
def our_services(device: str) -> Iterator[Services]:
    """The service graph of one process, on a throwaway SQLite store, simulating `device`."""
    with tempfile.TemporaryDirectory(prefix="synqc-bench-") as folder:
        settings = Settings(
            database_url=f"sqlite:///{Path(folder) / 'bench.db'}",
            sim_profile=device,
            max_shots_per_experiment=max(BUDGETS),
            max_shots_per_session=1_000_000_000,
            job_timeout_seconds=RUN_TIMEOUT_S,
        )
        services = start_services(settings)
        try:
            yield services
        finally:
            services.close()


def run_ours(services: Services, seed: int, budget: int) -> OurRun:
    """Submit a health run, wait until it is final, and read what it stored."""
    engine = services.engine
    request = RunExperimentRequest(preset=Preset.HEALTH, seed=seed, shot_budget=budget)
    started = time.perf_counter()
    run_id = engine.submit(request, f"bench-{uuid.uuid4()}", received_at=time.time()).id
    if not engine.wait_until_finished(run_id, timeout_s=RUN_TIMEOUT_S, poll_s=0.01):
        raise RuntimeError(f"health run {run_id} did not finish in {RUN_TIMEOUT_S} s")
    seconds = time.perf_counter() - started
    with services.database.unit_of_work() as session:
        row = RunRepository(session).get(run_id)
        assert row is not None
        response = run_response(row)
        batches = list(row.batches)
    if response.error_code is not None:
        raise RuntimeError(f"health run failed: {response.error_code}: {response.error_message}")
    measured = {m.name: m for m in response.measurements}
    estimates, stderrs, shots = {}, {}, {}
    for quantity, name in MEASUREMENTS.items():
        found = measured[name]
        estimates[quantity] = math.nan if found.value is None else found.value
        stderrs[quantity] = math.nan if found.stderr is None else found.stderr
        mine = [b for b in batches if b["label"].split(".")[0] == PARTS[quantity]]
        shots[quantity] = sum(int(b["shots_executed"]) for b in mine)
    return OurRun(estimates, stderrs, shots, seconds)


@dataclass(frozen=True)
class Cell:
    """One device, budget and quantity: both sides' precision and the optimum's."""

    ours: float  # median reported relative stderr
    theirs: float
    optimum: float  # relative Cramér–Rao optimum at our shots for the quantity
    ours_z: float  # RMS z-score over seeds
    theirs_z: float
    theirs_failed: int

    @property
    def saving(self) -> float:
        return (self.theirs / self.ours) ** 2


def relative_stderr(estimates: Sequence[float], stderrs: Sequence[float]) -> float:
    ratios = [s / abs(e) for e, s in zip(estimates, stderrs, strict=True) if math.isfinite(s / e)]
    return median(ratios) if ratios else math.nan


def rms_z(estimates: Sequence[float], stderrs: Sequence[float], truth: float) -> float:
    z = [(e - truth) / s for e, s in zip(estimates, stderrs, strict=True)]
    finite = [v for v in z if math.isfinite(v)]
    return math.sqrt(fmean(v * v for v in finite)) if finite else math.nan


def cell_of(
    ours: Sequence[OurRun], theirs: Sequence[TheirRun], quantity: str, truth: float, best: float
) -> Cell:
    mine = [r.estimates[quantity] for r in ours], [r.stderrs[quantity] for r in ours]
    other = [r.estimates[quantity] for r in theirs], [r.stderrs[quantity] for r in theirs]
    failed = sum(not math.isfinite(s) for s in other[1])
    return Cell(
        relative_stderr(*mine),
        relative_stderr(*other),
        best / truth,
        rms_z(*mine, truth),
        rms_z(*other, truth),
        failed,
    )


@dataclass(frozen=True)
class BudgetReport:
    budget: int
    cells: dict[str, Cell]
    shots: dict[str, float]  # our mean shots per quantity
    ours_seconds: float  # mean per health run
    theirs_seconds: float  # mean per four experiments


def bench_device(device: str, seeds: int, budgets: Sequence[int]) -> list[BudgetReport]:
    profile = resolve_profile(device)
    truth = truth_of(profile.qubit(QUBIT))
    inputs = optimum_inputs(profile)
    reports = []
    with our_services(device) as services:
        run_ours(services, WARM_UP_SEED, budgets[0])
        run_theirs(profile, budgets[0], WARM_UP_SEED)
        for budget in budgets:
            ours = [run_ours(services, seed, budget) for seed in range(seeds)]
            theirs = [run_theirs(profile, budget, seed) for seed in range(seeds)]
            shots = {q: fmean(r.shots[q] for r in ours) for q in MEASUREMENTS}
            cells = {
                q: cell_of(ours, theirs, q, truth[q], optimum_stderr(inputs[q], round(shots[q])))
                for q in MEASUREMENTS
            }
            reports.append(
                BudgetReport(
                    budget,
                    cells,
                    shots,
                    fmean(r.total_seconds for r in ours),
                    fmean(r.total_seconds for r in theirs),
                )
            )
            print(f"  {device} {budget:,} shots done", file=sys.stderr, flush=True)
    return reports


def print_device(device: str, reports: Sequence[BudgetReport], seeds: int) -> None:
    print(f"\n{device} (qubit {QUBIT}), {seeds} seeds per side and budget")
    print(
        f"{'shots':>8} {'quantity':<8}{'part shots':>11}{'ours σ/x':>10}{'theirs σ/x':>11}"
        f"{'CRB opt':>9}{'ours/opt':>9}{'saving':>8}{'ours z':>8}{'theirs z':>9}"
        f"{'ours s':>8}{'theirs s':>9}"
    )
    for report in reports:
        for index, (quantity, cell) in enumerate(report.cells.items()):
            times = (
                f"{report.ours_seconds:>8.2f}{report.theirs_seconds:>9.2f}" if index == 0 else ""
            )
            failed = f" ({cell.theirs_failed} failed)" if cell.theirs_failed else ""
            print(
                f"{report.budget:>8,} {LABELS[quantity]:<8}{report.shots[quantity]:>11,.0f}"
                f"{cell.ours:>10.2%}{cell.theirs:>11.2%}{cell.optimum:>9.2%}"
                f"{cell.ours / cell.optimum:>9.2f}{cell.saving:>7.1f}x{cell.ours_z:>8.2f}"
                f"{cell.theirs_z:>9.2f}{times}{failed}"
            )


def print_summary(by_device: dict[str, list[BudgetReport]]) -> None:
    reports = [r for found in by_device.values() for r in found]
    speed_up = sum(r.theirs_seconds for r in reports) / sum(r.ours_seconds for r in reports)
    print(
        f"\nwall time per health run: ours {fmean(r.ours_seconds for r in reports):.2f} s, "
        f"theirs {fmean(r.theirs_seconds for r in reports):.2f} s; speed-up {speed_up:.1f}x"
    )
    headline = [r for r in reports if r.budget == HEADLINE_BUDGET]
    if not headline:
        return
    savings = {
        q: float(np.exp(np.mean([np.log(r.cells[q].saving) for r in headline])))
        for q in MEASUREMENTS
    }
    print(f"(savings below: geometric mean over {', '.join(by_device)})")
    print(
        f"health equal-precision shot saving vs qiskit-experiments at {HEADLINE_BUDGET} shots: "
        + ", ".join(f"{LABELS[q]} {savings[q]:.1f}x" for q in MEASUREMENTS)
    )


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--seeds", type=int, default=3, help="seeds per side, device and budget")
    parser.add_argument("--coverage-seeds", type=int, default=50, help="seeds per coverage cell")
    parser.add_argument("--devices", nargs="+", default=list(DEVICES))
    parser.add_argument("--budgets", nargs="+", type=int, default=list(BUDGETS))
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    import qiskit_experiments

    print(f"qiskit-experiments {qiskit_experiments.__version__}, synqc-backend {synqc_version}")
    print(f"theirs: {DESIGNS}; each gets the shots our preset gives that quantity")
    by_device = {device: bench_device(device, args.seeds, args.budgets) for device in args.devices}
    for device, reports in by_device.items():
        print_device(device, reports, args.seeds)
    print(
        "σ/x: median reported relative stderr; CRB opt: least relative stderr any design of "
        "the part's shots allows; saving: (theirs σ / ours σ)²;\nz: RMS z-score over seeds "
        "(1 = honest error bars); s: wall seconds per run (ours: submit to final; theirs: the "
        "four experiments, build to analysed)"
    )
    if args.coverage_seeds:
        profiles = [resolve_profile(device) for device in COVERAGE_DEVICES]
        print_coverage(profiles, COVERAGE_BUDGETS, args.coverage_seeds)
    print_summary(by_device)


if __name__ == "__main__":
    main()
