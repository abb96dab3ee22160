"""`sim_local` on the default transmon profile: counts, shots, seeds, readout error, timing."""

from math import sqrt

import pytest
from qiskit import QuantumCircuit
from qiskit.quantum_info import DensityMatrix

from synqc_backend.execution import ExecutionOptions, ExecutionResult
from synqc_backend.models import TargetKind, TargetStatus
from synqc_backend.targets.device_profile import DEFAULT_TRANSMON
from synqc_backend.targets.local_sim import LocalSimulator
from synqc_backend.targets.noise_model import gate_error

READOUT_SHOTS = 200_000
SIGMAS = 4


@pytest.fixture(scope="module")
def simulator() -> LocalSimulator:
    return LocalSimulator(DEFAULT_TRANSMON)


def bell() -> QuantumCircuit:
    circuit = QuantumCircuit(2, 2)
    circuit.h(0)
    circuit.cx(0, 1)
    circuit.measure([0, 1], [0, 1])
    return circuit


def measure_only() -> QuantumCircuit:
    circuit = QuantumCircuit(1, 1)
    circuit.measure(0, 0)
    return circuit


def x_then_measure() -> QuantumCircuit:
    circuit = QuantumCircuit(1, 1)
    circuit.x(0)
    circuit.measure(0, 0)
    return circuit


@pytest.fixture(scope="module")
def readout_run(simulator: LocalSimulator) -> ExecutionResult:
    return simulator.execute(
        [measure_only(), x_then_measure()], ExecutionOptions(shots=READOUT_SHOTS, seed=11)
    )


def assert_binomial_close(observed: int, shots: int, probability: float) -> None:
    stderr = sqrt(probability * (1 - probability) / shots)
    assert abs(observed / shots - probability) < SIGMAS * stderr


def test_bell_counts_sum_to_shots_and_are_mostly_correlated(simulator: LocalSimulator) -> None:
    result = simulator.execute([bell(), bell()], ExecutionOptions(shots=2000, seed=5))

    assert len(result.counts) == 2
    for counts in result.counts:
        assert sum(counts.values()) == 2000
        assert set(counts) <= {"00", "01", "10", "11"}
        correlated = counts.get("00", 0) + counts.get("11", 0)
        assert correlated > 0.9 * 2000
        assert min(counts.get("00", 0), counts.get("11", 0)) > 0.4 * 2000
        assert correlated < 2000  # the noise model is on


def test_shots_executed_is_shots_times_circuits(simulator: LocalSimulator) -> None:
    result = simulator.execute(
        [bell(), measure_only(), x_then_measure()], ExecutionOptions(shots=300, seed=1)
    )

    assert result.shots_executed == 300 * 3


def test_seeded_runs_are_reproducible(simulator: LocalSimulator) -> None:
    first = simulator.execute([bell()], ExecutionOptions(shots=1000, seed=123))
    again = simulator.execute([bell()], ExecutionOptions(shots=1000, seed=123))
    other = simulator.execute([bell()], ExecutionOptions(shots=1000, seed=124))

    assert first.counts == again.counts
    assert other.counts != first.counts


def test_prepared_zero_reads_one_at_the_profile_rate(readout_run: ExecutionResult) -> None:
    ones = readout_run.counts[0].get("1", 0)

    assert_binomial_close(ones, READOUT_SHOTS, DEFAULT_TRANSMON.readout_p1_given_0)


def test_prepared_one_reads_zero_at_readout_plus_gate_error(
    readout_run: ExecutionResult,
) -> None:
    profile = DEFAULT_TRANSMON
    x_error = gate_error(
        profile, 1, profile.single_qubit_gate_error, profile.single_qubit_gate_duration_s
    )
    # Population of |0> after a noisy X: the ideal |1> passed through the gate's error channel.
    ground = float(
        DensityMatrix.from_label("1").evolve(x_error.to_quantumchannel()).probabilities()[0]
    )
    assert 0 < ground < 1e-3
    p10, p01 = profile.readout_p1_given_0, profile.readout_p0_given_1
    expected = ground * (1 - p10) + (1 - ground) * p01

    zeros = readout_run.counts[1].get("0", 0)

    assert_binomial_close(zeros, READOUT_SHOTS, expected)


def test_timings_are_non_negative_and_nested(readout_run: ExecutionResult) -> None:
    assert 0 <= readout_run.execution_s <= readout_run.submit_to_result_s
    assert readout_run.queue_s == 0.0
    assert readout_run.backend_name


def test_simulator_describes_itself(simulator: LocalSimulator) -> None:
    capabilities = simulator.capabilities()

    assert simulator.descriptor.id == "sim_local"
    assert simulator.descriptor.kind is TargetKind.SIM
    assert simulator.readiness().status is TargetStatus.READY
    assert capabilities.calibration["t1_s"] == DEFAULT_TRANSMON.t1_s
    assert capabilities.gate_durations_s["cx"] == DEFAULT_TRANSMON.two_qubit_gate_duration_s
    assert {"rz", "sx", "x", "cx", "measure"} <= set(capabilities.basis_gates)
