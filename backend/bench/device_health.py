"""`health` on every qubit of a device snapshot in one run, against qiskit-experiments' T1.

Ours: one `health` run with `qubits: "all"` through the engine (submit, queue, the factored
simulator, analysis, store) on a 127-qubit IBM calibration snapshot, timed from submit to
finished, with how many qubits' T1 and T2 lie within their 95 % intervals of the snapshot.
Theirs: a `ParallelExperiment` of T1 on 127 qubits needs a 127-qubit simulation that Aer
cannot hold with this noise model, so the baselines are qiskit-experiments on one qubit of the
same device (Aer, the same noise, the shots our parts spend), timed, times the qubit count:
their T1 alone (what the issue names), and their T1 + T2Ramsey + T2Hahn + StandardRB, the
same four quantities our health check measures.

    python bench/device_health.py [--device ibm:FakeSherbrooke] [--budget 32768] [--seeds 2]
"""

import argparse
import statistics
import sys
import time
import uuid
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from health_vs_qiskit_experiments import our_services
from qiskit_experiments_side import (
    QUBIT,
    SimLocalAerBackend,
    run_theirs,
    their_estimate,
    their_plans,
)

from synqc_backend.models import Preset, RunExperimentRequest
from synqc_backend.runs.report import response as run_response
from synqc_backend.storage.repository import RunRepository
from synqc_backend.targets.ibm_profiles import resolve_profile
from synqc_backend.targets.local_sim import references

RUN_TIMEOUT_S = 600.0
GOAL_S = 60.0


def run_ours(device: str, budget: int, seed: int) -> tuple[float, dict[str, float], float]:
    """(seconds, share of qubits whose T1 / T2 echo interval holds the truth, median T1
    relative stderr) of one all-qubit health run."""
    profile = resolve_profile(device)
    with our_services(device) as services:
        engine = services.engine
        request = RunExperimentRequest(
            preset=Preset.HEALTH, seed=seed, shot_budget=budget, qubits="all"
        )
        started = time.perf_counter()
        run_id = engine.submit(request, f"bench-{uuid.uuid4()}", received_at=time.time()).id
        if not engine.wait_until_finished(run_id, timeout_s=RUN_TIMEOUT_S, poll_s=0.05):
            raise RuntimeError(f"run {run_id} did not finish in {RUN_TIMEOUT_S} s")
        seconds = time.perf_counter() - started
        with services.database.unit_of_work() as session:
            row = RunRepository(session).get(run_id)
            assert row is not None
            result = run_response(row)
    if result.error_code is not None:
        raise RuntimeError(f"run failed: {result.error_code}: {result.error_message}")
    covered: dict[str, list[bool]] = {"t1_s": [], "t2_echo_s": []}
    relative = []
    for m in result.measurements:
        if m.name in covered and m.qubit is not None:
            qubit = profile.qubit(m.qubit)
            truth = qubit.t1_s if m.name == "t1_s" else qubit.t2_s
            if m.value is None or m.stderr is None:
                covered[m.name].append(False)
                continue
            covered[m.name].append(abs(m.value - truth) <= 1.96 * m.stderr)
            if m.name == "t1_s":
                relative.append(m.stderr / m.value)
    shares = {name: float(np.mean(found)) for name, found in covered.items()}
    return seconds, shares, float(np.median(relative))


def their_t1_seconds(device: str, budget: int, seed: int) -> tuple[float, float]:
    """(seconds, relative stderr) of qiskit-experiments' T1 on one qubit of the device."""
    profile = resolve_profile(device)
    plan = their_plans(references(profile)[QUBIT], budget, seed)["t1"]
    backend = SimLocalAerBackend(profile)
    started = time.perf_counter()
    experiment = plan.build(backend)
    experiment.analysis.set_options(plot=False)
    data = experiment.run(shots=plan.shots_per_circuit, seed_simulator=seed).block_for_results()
    value, stderr, _ = their_estimate(data, "T1")
    return time.perf_counter() - started, stderr / value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--device", default="ibm:FakeSherbrooke")
    parser.add_argument("--budget", type=int, default=32_768)
    parser.add_argument("--seeds", type=int, default=2)
    args = parser.parse_args()
    qubits = resolve_profile(args.device).num_qubits

    rows = []
    profile = resolve_profile(args.device)
    for seed in range(args.seeds):
        ours, shares, our_relative = run_ours(args.device, args.budget, seed)
        theirs, their_relative = their_t1_seconds(args.device, args.budget, seed)
        four = run_theirs(profile, args.budget, seed).total_seconds
        rows.append((seed, ours, shares, our_relative, theirs, their_relative, four))

    print(f"\n{args.device}: {qubits} qubits, health on all of them at {args.budget:,} shots")
    print(
        f"{'seed':>4}{'ours (s)':>10}{'T1 in 95 %':>12}{'T2 in 95 %':>12}{'T1 rel σ':>10}"
        f"{'their T1, 1 q (s)':>19}{f'× {qubits} (s)':>12}{'their T1 rel σ':>16}{'ratio':>8}"
        f"{'their 4 parts, 1 q (s)':>24}{f'× {qubits} (s)':>12}{'ratio':>8}"
    )
    for seed, ours, shares, our_relative, theirs, their_relative, four in rows:
        print(
            f"{seed:>4}{ours:>10.1f}{shares['t1_s']:>12.0%}{shares['t2_echo_s']:>12.0%}"
            f"{our_relative:>10.1%}{theirs:>19.2f}{theirs * qubits:>12.1f}"
            f"{their_relative:>16.1%}{theirs * qubits / ours:>7.1f}x"
            f"{four:>24.1f}{four * qubits:>12.0f}{four * qubits / ours:>7.0f}x"
        )
    ours_median = statistics.median(row[1] for row in rows)
    t1_median = statistics.median(row[4] for row in rows) * qubits
    four_median = statistics.median(row[6] for row in rows) * qubits
    verdict = "under" if ours_median < GOAL_S else "OVER"
    print(
        f"\nall-qubit health at {args.budget} shots on {qubits} qubits: {ours_median:.1f} s "
        f"({verdict} the {GOAL_S:.0f} s goal); qiskit-experiments qubit by qubit: T1 alone "
        f"{t1_median:.0f} s ({t1_median / ours_median:.1f}x ours), T1 + T2Ramsey + T2Hahn + "
        f"StandardRB {four_median:.0f} s ({four_median / ours_median:.0f}x ours)"
    )


if __name__ == "__main__":
    main()
