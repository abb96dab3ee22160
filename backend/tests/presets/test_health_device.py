"""`health` on many qubits at once: every qubit measured in the same circuits, each analysed from
its own bits, the run's KPIs the median with the worst qubit named."""

from functools import cache

import numpy as np
import pytest

from synqc_backend.models import KpiStatus
from synqc_backend.presets.health import Health
from synqc_backend.targets.ibm_profiles import resolve_profile
from synqc_backend.targets.local_sim import LocalSimulator
from tests.presets.preset_runner import StagedRun, run_stages

CAIRO = "ibm:FakeCairoV2"


@cache
def cairo_run() -> StagedRun:
    profile = resolve_profile(CAIRO)
    qubits = tuple(range(profile.num_qubits))
    return run_stages(Health(), LocalSimulator(profile), shot_budget=16_000, seed=4, qubits=qubits)


def z_scores(run: StagedRun, name: str) -> np.ndarray:
    profile = resolve_profile(CAIRO)
    found = []
    for m in run.outcome.measurements:
        if m.name == name:
            assert m.qubit is not None
            truth = profile.qubit(m.qubit)
            expected = truth.t1_s if name == "t1_s" else truth.t2_s
            found.append((m.value - expected) / m.stderr if m.stderr else np.inf)
    return np.array(found)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["t1_s", "t2_echo_s"])
def test_every_qubit_of_a_27_qubit_device_within_its_error_bars(name: str) -> None:
    z = z_scores(cairo_run(), name)

    assert z.size == 27
    assert np.mean(np.abs(z) <= 1.96) >= 0.9


@pytest.mark.slow
def test_the_shots_are_counted_once_for_all_qubits() -> None:
    run = cairo_run()

    assert run.shots <= 16_000
    assert all(b.batch.layout == tuple(range(27)) for b in run.batches)


@pytest.mark.slow
def test_the_run_reports_the_median_and_names_the_worst_qubit() -> None:
    outcome = cairo_run().outcome
    epc = {m.qubit: m.value for m in outcome.measurements if m.name == "epc"}
    fidelity = outcome.fidelity

    assert fidelity is not None
    assert fidelity.value == pytest.approx(1 - float(np.median(list(epc.values()))))
    assert fidelity.aggregation == "median over 27 qubits"
    assert fidelity.worst_qubit == max(epc, key=lambda q: epc[q])
    assert outcome.qubits_used == tuple(range(27))
    names = {f.name for f in outcome.figures}
    assert {"t1_q0", "rb_q26", "device_coherence", "device_errors"} <= names
    # Cairo has qubits below its readout and coherence rules: the run takes the worst status.
    assert outcome.status is not KpiStatus.OK
    assert all(reason.startswith("qubit ") for reason in outcome.warnings)


def test_qubits_one_after_another_split_the_budget() -> None:
    profile = resolve_profile(CAIRO)
    qubits = (3, 8, 14)

    run = run_stages(
        Health(),
        LocalSimulator(profile),
        shot_budget=6_000,
        seed=2,
        qubits=qubits,
        parallel=False,
    )

    assert run.shots <= 6_000
    assert {b.batch.layout for b in run.batches} == {(3,), (8,), (14,)}
    measured = {(m.name, m.qubit) for m in run.outcome.measurements}
    assert {("t1_s", q) for q in qubits} <= measured
    assert {f.name for f in run.outcome.figures} >= {"t1_q3", "t1_q14", "device_coherence"}
