"""Exact channel composition: which circuits it takes, its probabilities, its counts."""

from collections.abc import Callable

import numpy as np
import pytest
from qiskit import ClassicalRegister, QuantumCircuit, QuantumRegister
from qiskit.circuit import Parameter
from qiskit.circuit.library import RZGate, SXGate, XGate
from qiskit.quantum_info import DensityMatrix, Operator

from synqc_backend.execution import DeviceControls
from synqc_backend.measurements.rb import rb_circuit
from synqc_backend.targets.channel_executor import (
    ChannelPlan,
    exact_plan,
    qubit_channels,
    sample_counts,
)
from synqc_backend.targets.device_profile import TRANSMON_QUBIT
from synqc_backend.targets.noise_model import QubitNoise, qubit_noise

CONTROLS = [
    pytest.param(DeviceControls(), id="calibrated"),
    pytest.param(DeviceControls(drive_bias=1.1, thermal_guard_enabled=False), id="biased-warm"),
]


def one_qubit(*build: Callable[[QuantumCircuit], object], clbits: int = 1) -> QuantumCircuit:
    circuit = QuantumCircuit(1, clbits)
    for step in build:
        step(circuit)
    return circuit


def random_sequence(length: int, seed: int) -> QuantumCircuit:
    """Gates of every kind the exact path handles, in random order, then a measurement."""
    rng = np.random.default_rng(seed)
    circuit = QuantumCircuit(1, 1)
    for choice in rng.integers(0, 6, size=length):
        match int(choice):
            case 0:
                circuit.sx(0)
            case 1:
                circuit.x(0)
            case 2:
                circuit.rz(float(rng.uniform(-np.pi, np.pi)), 0)
            case 3:
                circuit.delay(float(rng.uniform(0, 20e-6)), 0, unit="s")
            case 4:
                circuit.id(0)
            case _:
                circuit.barrier()
    circuit.measure(0, 0)
    return circuit


def reference_probability(circuit: QuantumCircuit, noise: QubitNoise) -> float:
    """P(read 1) by evolving the density matrix instruction by instruction."""
    state = DensityMatrix.from_label("0")
    if noise.initial is not None:
        state = state.evolve(noise.initial.to_quantumchannel())
    ideal = {"sx": SXGate(), "x": XGate()}
    for inst in circuit.data:
        name = inst.name
        if name in noise.gates:
            if name in ideal:
                state = state.evolve(Operator(ideal[name]))
            state = state.evolve(noise.gates[name].to_quantumchannel())
        elif name == "rz":
            state = state.evolve(Operator(RZGate(float(inst.params[0]))))
        elif name == "delay":
            state = state.evolve(noise.delay(float(inst.params[0])).to_quantumchannel())
    excited = float(state.probabilities()[1])
    readout = noise.readout.probabilities
    return float((1 - excited) * readout[0][1] + excited * readout[1][1])


@pytest.mark.parametrize("controls", CONTROLS)
@pytest.mark.parametrize("length", [1, 2, 7, 64, 301])
def test_probability_matches_step_by_step_evolution(length: int, controls: DeviceControls) -> None:
    circuit = random_sequence(length, seed=length)
    noise = qubit_noise(TRANSMON_QUBIT, controls)

    found = qubit_channels(TRANSMON_QUBIT, controls).probability_of_one(planned(circuit))

    assert found == pytest.approx(reference_probability(circuit, noise), abs=1e-12)


def test_reset_returns_the_qubit_to_its_start() -> None:
    channels = qubit_channels(TRANSMON_QUBIT, DeviceControls())
    reset = one_qubit(lambda c: c.x(0), lambda c: c.reset(0), lambda c: c.measure(0, 0))

    assert channels.probability_of_one(planned(reset)) == pytest.approx(
        TRANSMON_QUBIT.readout_p1_given_0
    )


def test_a_sequence_of_clifford_blocks_is_the_sequence_of_their_gates() -> None:
    elements = np.random.default_rng(5).integers(0, 24, size=200)
    blocks, gates = rb_circuit(elements), rb_circuit(elements).decompose()
    channels = qubit_channels(TRANSMON_QUBIT, DeviceControls(drive_bias=1.05))

    assert set(gates.count_ops()) <= {"rz", "sx", "x", "measure"}
    assert channels.probability_of_one(planned(blocks)) == pytest.approx(
        channels.probability_of_one(planned(gates)), abs=1e-12
    )


def planned(circuit: QuantumCircuit) -> ChannelPlan:
    plan = exact_plan(circuit)
    assert plan is not None
    return plan


def h_block() -> QuantumCircuit:
    inner = QuantumCircuit(1)
    inner.h(0)
    return one_qubit(lambda c: c.append(inner.to_instruction(), [0]), lambda c: c.measure(0, 0))


def two_registers() -> QuantumCircuit:
    circuit = QuantumCircuit(QuantumRegister(1), ClassicalRegister(1), ClassicalRegister(1))
    circuit.measure(0, 1)
    return circuit


def if_else() -> QuantumCircuit:
    circuit = one_qubit(lambda c: c.measure(0, 0))
    with circuit.if_test((circuit.clbits[0], 1)):
        circuit.x(0)
    circuit.measure(0, 0)
    return circuit


@pytest.mark.parametrize(
    ("circuit", "exact"),
    [
        pytest.param(one_qubit(lambda c: c.x(0), lambda c: c.measure(0, 0)), True, id="x"),
        pytest.param(one_qubit(lambda c: c.measure(0, 0), lambda c: c.barrier()), True, id="bar"),
        pytest.param(one_qubit(lambda c: c.measure(0, 1), clbits=3), True, id="wide-register"),
        pytest.param(one_qubit(lambda c: c.x(0)), False, id="no-measure"),
        pytest.param(
            one_qubit(lambda c: c.measure(0, 0), lambda c: c.measure(0, 0)), False, id="twice"
        ),
        pytest.param(
            one_qubit(lambda c: c.measure(0, 0), lambda c: c.x(0)), False, id="mid-circuit"
        ),
        pytest.param(one_qubit(lambda c: c.h(0), lambda c: c.measure(0, 0)), False, id="h"),
        pytest.param(rb_circuit([3, 17, 5]), True, id="clifford-blocks"),
        pytest.param(h_block(), False, id="block-of-h"),
        pytest.param(
            one_qubit(lambda c: c.rz(Parameter("t"), 0), lambda c: c.measure(0, 0)),
            False,
            id="unbound",
        ),
        pytest.param(QuantumCircuit(2, 2), False, id="two-qubits"),
        pytest.param(two_registers(), False, id="two-registers"),
        pytest.param(if_else(), False, id="if-else"),
    ],
)
def test_which_circuits_run_exactly(circuit: QuantumCircuit, exact: bool) -> None:
    assert (exact_plan(circuit) is not None) is exact


@pytest.mark.parametrize(
    ("probability", "expected"),
    [(0.0, {"000": 50}), (1.0, {"010": 50})],
)
def test_counts_are_keyed_like_aer(probability: float, expected: dict[str, int]) -> None:
    circuit = one_qubit(lambda c: c.measure(0, 1), clbits=3)

    counts = sample_counts(circuit, probability, 50, np.random.default_rng(0))

    assert counts == expected


def test_counts_are_reproducible_from_the_seed() -> None:
    circuit = one_qubit(lambda c: c.measure(0, 0))

    def draw(seed: int) -> dict[str, int]:
        return sample_counts(circuit, 0.3, 10_000, np.random.default_rng(seed))

    assert draw(1) == draw(1) != draw(2)
    assert sum(draw(1).values()) == 10_000
