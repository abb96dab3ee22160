"""Error-bar coverage of `health` across seeds: how often each 95 % interval (value ± 1.96
stderr) contains the simulator's truth, and the RMS z-score (value − truth)/stderr.

Runs in-process (`tests.presets.preset_runner.run_stages`: every stage, then the analysis) on
`LocalSimulator`, whose noise model is the profile's, so the truth is known: T1 and T2 of the
qubit (T2* = T2, the simulator is Markovian) and the mean infidelity of its noisy Cliffords.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from synqc_backend.presets.health import Health
from synqc_backend.targets.device_profile import DeviceProfile, QubitParameters
from synqc_backend.targets.local_sim import LocalSimulator
from tests.presets.preset_runner import run_stages
from tests.presets.reference_epc import reference_epc

QUBIT = 0
MEASUREMENTS = {"t1": "t1_s", "t2_star": "t2_star_s", "t2_echo": "t2_echo_s", "epc": "epc"}
LABELS = {"t1": "T1", "t2_star": "T2*", "t2_echo": "T2 echo", "epc": "EPC"}
COVERAGE_RANGE = (0.90, 0.98)
RMS_Z_RANGE = (0.8, 1.25)


def truth_of(qubit: QubitParameters) -> dict[str, float]:
    """The value each quantity has in the simulator's noise model."""
    return {
        "t1": qubit.t1_s,
        "t2_star": qubit.t2_s,
        "t2_echo": qubit.t2_s,
        "epc": reference_epc(qubit),
    }


@dataclass(frozen=True)
class Coverage:
    """z-scores of one quantity over seeds; a failed fit (no stderr) counts as not covered."""

    z: tuple[float, ...]

    @property
    def covered(self) -> float:
        return float(np.mean([abs(z) <= 1.96 for z in self.z]))

    @property
    def rms_z(self) -> float:
        finite = [z for z in self.z if math.isfinite(z)]
        return math.sqrt(float(np.mean(np.square(finite)))) if finite else math.nan

    @property
    def holds(self) -> bool:
        low, high = COVERAGE_RANGE
        z_low, z_high = RMS_Z_RANGE
        return low <= self.covered <= high and z_low <= self.rms_z <= z_high


def z_scores(profile: DeviceProfile, budget: int, seeds: Sequence[int]) -> dict[str, Coverage]:
    """Each quantity's z-scores over `seeds` runs of `budget` shots (adaptive, as by default)."""
    simulator, truth = LocalSimulator(profile), truth_of(profile.qubit(QUBIT))
    found: dict[str, list[float]] = {quantity: [] for quantity in MEASUREMENTS}
    for seed in seeds:
        outcome = run_stages(Health(), simulator, shot_budget=budget, seed=seed).outcome
        measured = {m.name: m for m in outcome.measurements}
        for quantity, name in MEASUREMENTS.items():
            value, stderr = measured[name].value, measured[name].stderr
            ok = stderr is not None and stderr > 0 and math.isfinite(value)
            found[quantity].append((value - truth[quantity]) / stderr if ok else math.inf)
    return {quantity: Coverage(tuple(z)) for quantity, z in found.items()}


def print_coverage(devices: Sequence[DeviceProfile], budgets: Sequence[int], seeds: int) -> bool:
    """One row per device and budget; True when every cell is inside both ranges."""
    low, high = COVERAGE_RANGE
    print(
        f"\nError-bar coverage over {seeds} seeds per cell: share of 95 % intervals containing "
        f"the truth (goal {low:.0%}–{high:.0%}) / RMS z-score (goal {RMS_Z_RANGE[0]:g}–"
        f"{RMS_Z_RANGE[1]:g}); ! marks a cell outside either"
    )
    print(f"{'device':<20}{'shots':>8}" + "".join(f"{LABELS[q]:>18}" for q in MEASUREMENTS))
    every = True
    for profile in devices:
        for budget in budgets:
            cells = z_scores(profile, budget, range(seeds))
            every &= all(cell.holds for cell in cells.values())
            print(
                f"{profile.name:<20}{budget:>8,}"
                + "".join(
                    f"{cell.covered:>9.0%} / {cell.rms_z:4.2f}{' ' if cell.holds else '!'}"
                    for cell in cells.values()
                ),
                flush=True,
            )
    return every
