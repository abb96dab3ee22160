"""Profiles from IBM calibration snapshots, profile names, and layouts onto unequal qubits."""

import sys
from math import exp, sqrt

import pytest
from qiskit import QuantumCircuit
from qiskit.quantum_info import DensityMatrix, Operator
from qiskit_ibm_runtime.fake_provider import FakeCairoV2, FakeManilaV2

from synqc_backend.execution import DeviceControls, ExecutionOptions
from synqc_backend.targets.device_profile import DEFAULT_TRANSMON, DeviceProfile, QubitParameters
from synqc_backend.targets.ibm_profiles import profile_from_fake_backend, resolve_profile
from synqc_backend.targets.local_sim import LocalSimulator
from synqc_backend.targets.noise_model import qubit_noise

SHOTS = 200_000
SIGMAS = 4
DELAY_S = 100e-6


@pytest.fixture(scope="module")
def manila() -> DeviceProfile:
    return resolve_profile("ibm:FakeManilaV2")


@pytest.fixture(scope="module")
def simulator(manila: DeviceProfile) -> LocalSimulator:
    return LocalSimulator(manila)


def test_builtin_names_resolve_to_their_profile() -> None:
    assert resolve_profile("transmon_default") is DEFAULT_TRANSMON


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("transmon_fancy", r"transmon_default.*ibm:<FakeBackend>"),
        ("ibm:FakeNowhereV2", "not a fake backend"),
        ("ibm:FakeProviderForBackendV2", "not a fake backend"),
    ],
)
def test_unknown_profiles_are_refused_with_the_choices(spec: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        resolve_profile(spec)


def test_missing_extra_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    # A None entry in sys.modules is how Python itself marks a module as not importable.
    monkeypatch.setitem(sys.modules, "qiskit_ibm_runtime", None)

    with pytest.raises(ImportError, match=r"pip install 'synqc-backend\[ibm\]'"):
        resolve_profile("ibm:FakeManilaV2")


def test_manila_profile_holds_each_qubits_calibration(manila: DeviceProfile) -> None:
    backend = FakeManilaV2()
    properties, target = backend.properties(), backend.target

    assert manila.name == "ibm:FakeManilaV2"
    assert manila.num_qubits == backend.num_qubits == 5
    for q, qubit in enumerate(manila.qubits):
        assert qubit.t1_s == backend.qubit_properties(q).t1
        assert qubit.t2_s == backend.qubit_properties(q).t2
        assert qubit.single_qubit_gate_error == target["sx"][(q,)].error
        assert qubit.single_qubit_gate_duration_s == target["sx"][(q,)].duration
        assert qubit.measurement_duration_s == target["measure"][(q,)].duration
        assert qubit.readout_p1_given_0 == properties.qubit_property(q)["prob_meas1_prep0"][0]
        assert qubit.readout_p0_given_1 == properties.qubit_property(q)["prob_meas0_prep1"][0]
    assert len({q.t1_s for q in manila.qubits}) == 5


def test_two_qubit_values_are_the_mean_over_a_qubits_edges(manila: DeviceProfile) -> None:
    edges = [(pair, props) for pair, props in FakeManilaV2().target["cx"].items() if 0 in pair]
    errors = [props.error for _, props in edges]

    assert manila.qubit(0).two_qubit_gate_error == pytest.approx(sum(errors) / len(errors))


def test_t2_above_twice_t1_is_capped_and_noted() -> None:
    backend = FakeCairoV2()
    capped = [q for q in range(backend.num_qubits) if _t2_exceeds_bound(backend, q)]
    assert capped

    profile = profile_from_fake_backend("FakeCairoV2")

    for q in capped:
        assert profile.qubit(q).t2_s == 2 * profile.qubit(q).t1_s
        assert f"q{q}: T2" in profile.source


def _t2_exceeds_bound(backend: FakeCairoV2, qubit: int) -> bool:
    properties = backend.qubit_properties(qubit)
    return bool(properties.t2 > 2 * properties.t1)


def expected_one_after_x_and_delay(qubit: QubitParameters) -> float:
    error = qubit_noise(qubit, DeviceControls()).gates["x"]
    state = DensityMatrix.from_label("0").evolve(Operator.from_label("X"))
    excited = float(state.evolve(error.to_quantumchannel()).probabilities()[1])
    excited *= exp(-DELAY_S / qubit.t1_s)
    return excited * (1 - qubit.readout_p0_given_1) + (1 - excited) * qubit.readout_p1_given_0


@pytest.mark.parametrize("physical", range(5))
def test_layout_runs_on_the_named_qubits_parameters(
    simulator: LocalSimulator, manila: DeviceProfile, physical: int
) -> None:
    circuit = QuantumCircuit(1, 1)
    circuit.x(0)
    circuit.delay(DELAY_S, 0, unit="s")
    circuit.measure(0, 0)
    expected = expected_one_after_x_and_delay(manila.qubit(physical))

    options = ExecutionOptions(shots=SHOTS, seed=physical, layout=(physical,))
    found = simulator.execute([circuit], options).counts[0].get("1", 0) / SHOTS

    assert abs(found - expected) < SIGMAS * sqrt(expected * (1 - expected) / SHOTS)


def test_layout_maps_each_qubit_of_a_wider_circuit(
    simulator: LocalSimulator, manila: DeviceProfile
) -> None:
    circuit = QuantumCircuit(2, 2)
    circuit.measure([0, 1], [0, 1])
    layout = (2, 3)

    counts = simulator.execute([circuit], ExecutionOptions(SHOTS, 9, layout)).counts[0]

    for bit, physical in enumerate(layout):
        p10 = manila.qubit(physical).readout_p1_given_0
        ones = sum(n for key, n in counts.items() if key[-1 - bit] == "1") / SHOTS
        assert abs(ones - p10) < SIGMAS * sqrt(p10 * (1 - p10) / SHOTS)


def test_capabilities_carry_every_qubits_reference(
    simulator: LocalSimulator, manila: DeviceProfile
) -> None:
    reference = simulator.capabilities().reference

    assert [reference[q].t1_s for q in range(5)] == [q.t1_s for q in manila.qubits]
    assert simulator.capabilities().num_qubits == 5
