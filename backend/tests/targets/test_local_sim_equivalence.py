"""The exact path and Aer give statistically identical counts on the same circuits.

Each circuit runs on both paths (seeded, so the verdict never changes between runs); both
paths' frequencies are compared with each other and with the exact outcome probability by
z-scores, and the Aer z-scores together by a χ² test.
"""

from math import sqrt

import numpy as np
import pytest
from qiskit import QuantumCircuit
from qiskit.quantum_info import Clifford
from scipy.stats import chi2

from synqc_backend.execution import DeviceControls, ExecutionOptions, ExecutionResult
from synqc_backend.targets.channel_executor import EXACT_BACKEND, exact_plan, qubit_channels
from synqc_backend.targets.device_profile import DEFAULT_TRANSMON, TRANSMON_QUBIT
from synqc_backend.targets.local_sim import AER_BACKEND, LocalSimulator, compile_circuits

SHOTS = 100_000
MAX_Z = 4.0
CHI2_P_MIN = 1e-3
T1 = TRANSMON_QUBIT.t1_s


def t1_circuit(delay_s: float) -> QuantumCircuit:
    circuit = QuantumCircuit(1, 1)
    circuit.x(0)
    circuit.delay(delay_s, 0, unit="s")
    circuit.measure(0, 0)
    return circuit


def ramsey_circuit(delay_s: float, detuning_hz: float = 50e3) -> QuantumCircuit:
    circuit = QuantumCircuit(1, 1)
    circuit.sx(0)
    circuit.delay(delay_s, 0, unit="s")
    circuit.rz(2 * np.pi * detuning_hz * delay_s, 0)
    circuit.sx(0)
    circuit.measure(0, 0)
    return circuit


def echo_circuit(delay_s: float) -> QuantumCircuit:
    circuit = QuantumCircuit(1, 1)
    circuit.sx(0)
    circuit.delay(delay_s / 2, 0, unit="s")
    circuit.x(0)
    circuit.delay(delay_s / 2, 0, unit="s")
    circuit.sx(0)
    circuit.measure(0, 0)
    return circuit


def rb_circuit(length: int, seed: int) -> QuantumCircuit:
    """Random H/S words as Cliffords, then the inverse of their product (sim_local compiles)."""
    rng = np.random.default_rng(seed)
    circuit = QuantumCircuit(1, 1)
    for letter in rng.integers(0, 2, size=4 * length):
        circuit.h(0) if letter else circuit.s(0)
    circuit.compose(Clifford(circuit).adjoint().to_circuit(), inplace=True)
    circuit.measure(0, 0)
    return circuit


def readout_circuit(excited: bool) -> QuantumCircuit:
    circuit = QuantumCircuit(1, 1)
    if excited:
        circuit.x(0)
    circuit.measure(0, 0)
    return circuit


CIRCUITS = (
    readout_circuit(False),
    readout_circuit(True),
    *(t1_circuit(f * T1) for f in (0.1, 0.5, 1.0, 2.0)),
    *(ramsey_circuit(t) for t in (5e-6, 12e-6, 40e-6)),
    echo_circuit(60e-6),
    rb_circuit(30, seed=1),
    rb_circuit(200, seed=2),
)
CONTROLS = [
    pytest.param(DeviceControls(), id="calibrated"),
    pytest.param(DeviceControls(drive_bias=1.1, thermal_guard_enabled=False), id="biased-warm"),
]
LAYOUT = (5,)


class Runs:
    """Both paths' results and the exact probabilities for one set of controls."""

    def __init__(self, controls: DeviceControls) -> None:
        options = ExecutionOptions(shots=SHOTS, seed=2024, layout=LAYOUT, device=controls)
        self.exact = LocalSimulator(DEFAULT_TRANSMON).execute(CIRCUITS, options)
        self.aer = LocalSimulator(DEFAULT_TRANSMON, exact_channels=False).execute(CIRCUITS, options)
        channels = qubit_channels(DEFAULT_TRANSMON.qubit(LAYOUT[0]), controls)
        compiled = compile_circuits(CIRCUITS)
        plans = [exact_plan(c) for c in compiled]
        self.probabilities = [channels.probability_of_one(p) for p in plans if p is not None]
        assert len(self.probabilities) == len(compiled)


@pytest.fixture(scope="module", params=CONTROLS)
def runs(request: pytest.FixtureRequest) -> Runs:
    return Runs(request.param)


def frequency(result: ExecutionResult, index: int) -> float:
    return result.counts[index].get("1", 0) / SHOTS


def z_against_exact(result: ExecutionResult, runs: Runs) -> list[float]:
    return [
        (frequency(result, i) - p) / sqrt(p * (1 - p) / SHOTS)
        for i, p in enumerate(runs.probabilities)
    ]


def test_each_path_says_it_ran(runs: Runs) -> None:
    assert runs.exact.backend_name == EXACT_BACKEND
    assert runs.aer.backend_name == AER_BACKEND


def test_both_paths_match_the_exact_probabilities(runs: Runs) -> None:
    for result in (runs.exact, runs.aer):
        assert max(abs(z) for z in z_against_exact(result, runs)) < MAX_Z


def test_aer_counts_pass_a_chi_square_test_against_the_exact_path(runs: Runs) -> None:
    statistic = sum(z * z for z in z_against_exact(runs.aer, runs))

    assert chi2.sf(statistic, df=len(CIRCUITS)) > CHI2_P_MIN


def test_the_two_paths_agree_circuit_by_circuit(runs: Runs) -> None:
    for index, p in enumerate(runs.probabilities):
        difference = frequency(runs.exact, index) - frequency(runs.aer, index)
        assert abs(difference) < MAX_Z * sqrt(2 * p * (1 - p) / SHOTS)


def test_the_circuits_span_the_outcome_range(runs: Runs) -> None:
    # Equivalence on near-certain outcomes alone would prove little.
    assert min(runs.probabilities) < 0.1
    assert any(0.3 < p < 0.7 for p in runs.probabilities)
    assert max(runs.probabilities) > 0.9
