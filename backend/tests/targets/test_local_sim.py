"""`sim_local` on the default transmon: counts, shots, seeds, paths, controls, capabilities."""

from math import cos, exp, pi, sqrt

import pytest
from qiskit import QuantumCircuit
from qiskit.quantum_info import DensityMatrix, Operator

from synqc_backend.execution import DeviceControls, ExecutionOptions, ExecutionResult
from synqc_backend.measurements.bell_state import bell_circuit as bell
from synqc_backend.models import TargetKind, TargetStatus
from synqc_backend.targets.channel_executor import EXACT_BACKEND
from synqc_backend.targets.device_profile import DEFAULT_TRANSMON, TRANSMON_QUBIT
from synqc_backend.targets.local_sim import AER_BACKEND, LocalSimulator, compile_circuits
from synqc_backend.targets.noise_model import delay_seconds, qubit_noise

SHOTS = 200_000
SIGMAS = 4
QUBIT = TRANSMON_QUBIT
P10, P01 = QUBIT.readout_p1_given_0, QUBIT.readout_p0_given_1


@pytest.fixture(scope="module")
def simulator() -> LocalSimulator:
    return LocalSimulator(DEFAULT_TRANSMON)


def measure_only() -> QuantumCircuit:
    circuit = QuantumCircuit(1, 1)
    circuit.measure(0, 0)
    return circuit


def x_then_measure(delay_s: float = 0.0) -> QuantumCircuit:
    circuit = QuantumCircuit(1, 1)
    circuit.x(0)
    if delay_s:
        circuit.delay(delay_s, 0, unit="s")
    circuit.measure(0, 0)
    return circuit


def ones(result: ExecutionResult, index: int) -> float:
    return result.counts[index].get("1", 0) / SHOTS


def binomial_stderr(probability: float, shots: int = SHOTS) -> float:
    return sqrt(probability * (1 - probability) / shots)


def read_one(excited: float) -> float:
    """P(read 1) of a qubit with excited population `excited`, through the readout error."""
    return excited * (1 - P01) + (1 - excited) * P10


def excited_after_noisy_x(drive_bias: float = 1.0) -> float:
    error = qubit_noise(QUBIT, DeviceControls(drive_bias=drive_bias)).gates["x"]
    state = DensityMatrix.from_label("0").evolve(Operator.from_label("X"))
    return float(state.evolve(error.to_quantumchannel()).probabilities()[1])


@pytest.fixture(scope="module")
def readout_run(simulator: LocalSimulator) -> ExecutionResult:
    return simulator.execute(
        [measure_only(), x_then_measure()], ExecutionOptions(shots=SHOTS, seed=11)
    )


def test_bell_counts_sum_to_shots_and_are_mostly_correlated(simulator: LocalSimulator) -> None:
    result = simulator.execute([bell(), bell()], ExecutionOptions(shots=2000, seed=5))

    assert result.backend_name == AER_BACKEND
    for counts in result.counts:
        assert sum(counts.values()) == 2000
        assert set(counts) <= {"00", "01", "10", "11"}
        correlated = counts.get("00", 0) + counts.get("11", 0)
        assert 0.9 * 2000 < correlated < 2000  # the noise model is on
        assert min(counts.get("00", 0), counts.get("11", 0)) > 0.4 * 2000


def test_mixed_batch_keeps_circuit_order_and_names_both_paths(simulator: LocalSimulator) -> None:
    result = simulator.execute(
        [bell(), measure_only(), x_then_measure()], ExecutionOptions(shots=300, seed=1)
    )

    assert result.shots_executed == 300 * 3
    assert result.backend_name == f"{EXACT_BACKEND}+{AER_BACKEND}"
    assert [len(next(iter(counts))) for counts in result.counts] == [2, 1, 1]
    assert result.counts[2].get("1", 0) > result.counts[1].get("1", 0)


@pytest.mark.parametrize("circuit", [bell(), measure_only()], ids=["aer", "exact"])
def test_seeded_runs_are_reproducible(simulator: LocalSimulator, circuit: QuantumCircuit) -> None:
    def run(seed: int) -> tuple[dict[str, int], ...]:
        return simulator.execute([circuit], ExecutionOptions(shots=1000, seed=seed)).counts

    assert run(123) == run(123) != run(124)


def test_prepared_zero_reads_one_at_the_profile_rate(readout_run: ExecutionResult) -> None:
    assert readout_run.backend_name == EXACT_BACKEND
    assert abs(ones(readout_run, 0) - P10) < SIGMAS * binomial_stderr(P10)


def test_prepared_one_reads_zero_at_readout_plus_gate_error(
    readout_run: ExecutionResult,
) -> None:
    ground = 1 - excited_after_noisy_x()
    assert 0 < ground < 1e-3
    expected = ground * (1 - P10) + (1 - ground) * P01

    zeros = 1 - ones(readout_run, 1)

    assert abs(zeros - expected) < SIGMAS * binomial_stderr(expected)


@pytest.mark.parametrize("delay_in_t1", [0.5, 1.0, 2.0])
def test_delays_decay_the_excited_population_with_t1(
    simulator: LocalSimulator, delay_in_t1: float
) -> None:
    circuit = x_then_measure(delay_in_t1 * QUBIT.t1_s)
    expected = read_one(excited_after_noisy_x() * exp(-delay_in_t1))

    result = simulator.execute([circuit], ExecutionOptions(shots=SHOTS, seed=7))

    assert abs(ones(result, 0) - expected) < SIGMAS * binomial_stderr(expected)


def test_drive_bias_over_rotates_an_x_gate_by_cos_squared(simulator: LocalSimulator) -> None:
    bias = 1.1

    def measured(drive_bias: float) -> float:
        options = ExecutionOptions(SHOTS, seed=3, device=DeviceControls(drive_bias=drive_bias))
        return ones(simulator.execute([x_then_measure()], options), 0)

    # RX(b·π) leaves cos²(b·π/2) of the population in |0⟩; readout scales the difference.
    expected = cos(bias * pi / 2) ** 2 * (1 - P10 - P01)
    stderr = sqrt(2) * binomial_stderr(1 - P01)

    assert abs(measured(1.0) - measured(bias) - expected) < SIGMAS * stderr


def test_thermal_guard_off_raises_an_idle_qubit_by_the_residual(
    simulator: LocalSimulator,
) -> None:
    def measured(guard: bool) -> float:
        device = DeviceControls(thermal_guard_enabled=guard)
        return ones(
            simulator.execute([measure_only()], ExecutionOptions(SHOTS, 5, None, device)), 0
        )

    expected = QUBIT.residual_excited_population * (1 - P10 - P01)
    stderr = sqrt(binomial_stderr(P10) ** 2 + binomial_stderr(P10 + expected) ** 2)

    assert abs(measured(False) - measured(True) - expected) < SIGMAS * stderr


def test_results_say_controls_were_applied(readout_run: ExecutionResult) -> None:
    assert readout_run.device_controls_applied
    assert 0 <= readout_run.execution_s <= readout_run.submit_to_result_s
    assert readout_run.queue_s == 0.0


@pytest.mark.parametrize(
    ("layout", "message"),
    [((0,), "fewer qubits"), ((1, 1), "twice"), ((0, 8), "qubits 0..7")],
)
def test_unusable_layouts_are_refused(
    simulator: LocalSimulator, layout: tuple[int, ...], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        simulator.execute([bell()], ExecutionOptions(shots=10, layout=layout))


def test_simulator_describes_itself(simulator: LocalSimulator) -> None:
    capabilities = simulator.capabilities()

    assert simulator.descriptor.id == "sim_local"
    assert simulator.descriptor.kind is TargetKind.SIM
    assert simulator.readiness().status is TargetStatus.READY
    assert capabilities.num_qubits == DEFAULT_TRANSMON.num_qubits
    assert {"rz", "sx", "x", "cx", "measure", "delay"} <= set(capabilities.basis_gates)
    assert {"rz", "sx", "x", "cx", "measure"} <= set(capabilities.gate_durations_s)
    assert "delay" not in capabilities.gate_durations_s
    assert capabilities.gate_durations_s["cx"] == QUBIT.two_qubit_gate_duration_s
    assert capabilities.calibration["qubits"][3]["t1_s"] == QUBIT.t1_s


def test_reference_values_cover_every_profile_qubit(simulator: LocalSimulator) -> None:
    reference = simulator.capabilities().reference

    assert sorted(reference) == list(range(DEFAULT_TRANSMON.num_qubits))
    assert reference[0].t1_s == QUBIT.t1_s
    assert reference[0].t2_s == QUBIT.t2_s
    assert reference[0].single_qubit_gate_error == QUBIT.single_qubit_gate_error
    assert (reference[0].readout_p1_given_0, reference[0].readout_p0_given_1) == (P10, P01)


def test_delays_survive_compilation_to_the_basis() -> None:
    circuit = QuantumCircuit(1, 1)
    circuit.h(0)
    circuit.delay(25e-6, 0, unit="s")
    circuit.delay(300, 0, unit="ns")
    circuit.measure(0, 0)

    (compiled,) = compile_circuits([circuit])

    delays = [delay_seconds(inst.operation) for inst in compiled.data if inst.name == "delay"]
    assert delays == pytest.approx([25e-6, 300e-9])
    assert "h" not in compiled.count_ops()


def test_delays_inside_conditional_blocks_relax_too(simulator: LocalSimulator) -> None:
    circuit = QuantumCircuit(1, 2)
    circuit.x(0)
    circuit.measure(0, 0)
    with circuit.if_test((circuit.clbits[0], 1)):
        circuit.delay(QUBIT.t1_s, 0, unit="s")
    circuit.measure(0, 1)
    excited = excited_after_noisy_x()
    # The branch follows the recorded bit, readout error included; only an excited qubit
    # that reads 1 waits, and decays by exp(−1).
    expected = excited * ((1 - P01) * read_one(exp(-1)) + P01 * read_one(1.0)) + (
        1 - excited
    ) * read_one(0.0)

    shots = 20_000  # Aer simulates mid-circuit measurements shot by shot

    result = simulator.execute([circuit], ExecutionOptions(shots=shots, seed=17))

    second = sum(n for key, n in result.counts[0].items() if key[0] == "1") / shots
    assert result.backend_name == AER_BACKEND
    assert abs(second - expected) < SIGMAS * binomial_stderr(expected, shots)
