"""Time sim_local's two paths on the health preset's RB batch: exact channels vs Aer.

Run from backend/: `../.venv/bin/python bench/channel_executor_speed.py`. Prints one row per
path (wall time, time per noisy gate) and Aer's time over the exact path's; also the largest
z-score between the two paths' frequencies, as a reminder that speed is worth nothing
without agreement (the unit test `test_local_sim_equivalence` is the real check).
"""

import time
from math import sqrt

import numpy as np
from qiskit import QuantumCircuit

from synqc_backend.execution import ExecutionOptions, ExecutionResult
from synqc_backend.measurements.rb import rb_batch
from synqc_backend.targets.device_profile import DEFAULT_TRANSMON
from synqc_backend.targets.local_sim import LocalSimulator

LENGTH_COUNT = 9
SAMPLES = 10  # 9 lengths x 10 sequences = 90 circuits
LONGEST = 3000
SHOTS = 1000
SEED = 7
NOISY_GATES = ("sx", "x", "id")


def rb_circuits() -> tuple[QuantumCircuit, ...]:
    lengths = sorted({round(float(m)) for m in np.geomspace(1, LONGEST, LENGTH_COUNT)})
    return rb_batch(lengths, SAMPLES, SHOTS, SEED, qubits=(0,)).circuits


def timed(
    simulator: LocalSimulator, circuits: tuple[QuantumCircuit, ...]
) -> tuple[float, ExecutionResult]:
    options = ExecutionOptions(shots=SHOTS, seed=SEED)
    simulator.execute(circuits[:1], options)  # builds the noise model and channel tables
    started = time.perf_counter()
    result = simulator.execute(circuits, options)
    return time.perf_counter() - started, result


def largest_z(first: ExecutionResult, second: ExecutionResult) -> float:
    worst = 0.0
    for a, b in zip(first.counts, second.counts, strict=True):
        pa, pb = a.get("1", 0) / SHOTS, b.get("1", 0) / SHOTS
        pooled = (pa + pb) / 2
        if 0 < pooled < 1:
            worst = max(worst, abs(pa - pb) / sqrt(2 * pooled * (1 - pooled) / SHOTS))
    return worst


def main() -> None:
    circuits = rb_circuits()
    instructions = sum(c.size() for c in circuits)
    noisy = sum(c.count_ops().get(g, 0) for c in circuits for g in NOISY_GATES)
    exact_s, exact = timed(LocalSimulator(DEFAULT_TRANSMON), circuits)
    aer_s, aer = timed(LocalSimulator(DEFAULT_TRANSMON, exact_channels=False), circuits)
    print(
        f"{len(circuits)} one-qubit RB circuits, lengths up to {LONGEST} Cliffords, "
        f"{instructions:,} instructions ({noisy:,} noisy gates), {SHOTS} shots each"
    )
    print(f"{'path':<32}{'seconds':>10}{'us / noisy gate':>18}")
    for name, seconds in ((exact.backend_name, exact_s), (aer.backend_name, aer_s)):
        print(f"{name:<32}{seconds:>10.3f}{seconds / noisy * 1e6:>18.2f}")
    z = largest_z(exact, aer)
    print(f"Aer / exact: {aer_s / exact_s:.1f}x; largest |z| between paths: {z:.2f}")


if __name__ == "__main__":
    main()
