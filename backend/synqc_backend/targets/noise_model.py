"""Aer noise built from a device profile: per-qubit errors, the noise model, delay noise.

Both execution paths of `sim_local` take their channels from here — Aer through
`build_noise_model` and `noisy_circuits`, the exact path through `qubit_noise` — so they
simulate the same device.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from math import pi

from qiskit import QuantumCircuit
from qiskit.circuit import ControlFlowOp, Instruction
from qiskit.circuit.library import RXGate
from qiskit.quantum_info import Kraus, average_gate_fidelity
from qiskit_aer.noise import (
    NoiseModel,
    QuantumError,
    ReadoutError,
    coherent_unitary_error,
    depolarizing_error,
    reset_error,
    thermal_relaxation_error,
)

from synqc_backend.execution import DeviceControls
from synqc_backend.targets.device_profile import DeviceProfile, QubitParameters

# Ideal rotation angle of each single-qubit drive; `drive_bias` scales it. `id` is an idle slot.
DRIVE_ANGLES: Mapping[str, float] = {"sx": pi / 2, "x": pi, "id": 0.0}
TWO_QUBIT_GATES = ("cx",)
BASIS_GATES = ("rz", "sx", "x", "cx", "id", "delay", "measure", "reset")
_SECONDS_PER_UNIT = {"s": 1.0, "ms": 1e-3, "us": 1e-6, "µs": 1e-6, "ns": 1e-9, "ps": 1e-12}


@dataclass(frozen=True)
class QubitNoise:
    """The Aer errors of one physical qubit under given engineering controls.

    - `gates[name]` follows the ideal gate `name` (sx, x, id).
    - `initial` prepares the qubit's starting state from |0⟩; `None` when it starts in |0⟩.
    """

    parameters: QubitParameters
    gates: Mapping[str, QuantumError]
    readout: ReadoutError
    initial: QuantumError | None

    def delay(self, duration_s: float) -> QuantumError:
        """Thermal relaxation while the qubit idles for `duration_s`."""
        return relaxation(self.parameters, duration_s)


def relaxation(qubit: QubitParameters, duration_s: float) -> QuantumError:
    """Amplitude and phase damping over `duration_s` toward the ground state."""
    return thermal_relaxation_error(qubit.t1_s, qubit.t2_s, duration_s)


def gate_error(qubits: Sequence[QubitParameters], error: float, duration_s: float) -> QuantumError:
    """Thermal relaxation of each qubit over the gate, topped up with depolarizing noise.

    The depolarizing part makes the average gate infidelity equal `error` (as Aer's device
    model does); when relaxation alone exceeds it, only relaxation is applied.
    """
    relax = relaxation(qubits[0], duration_s)
    for qubit in qubits[1:]:
        relax = relax.expand(relaxation(qubit, duration_s))
    num_qubits = len(qubits)
    dim = 2**num_qubits
    relax_fidelity = float(average_gate_fidelity(relax.to_quantumchannel()))
    relax_infidelity = 1.0 - relax_fidelity
    if error <= relax_infidelity:
        return relax
    depol_param = dim * (error - relax_infidelity) / (dim * relax_fidelity - 1.0)
    max_param = 4**num_qubits / (4**num_qubits - 1)
    return relax.compose(depolarizing_error(min(depol_param, max_param), num_qubits))


def drive_error(qubit: QubitParameters, gate: str, drive_bias: float) -> QuantumError:
    """The error after a single-qubit drive: over-rotation by the bias, then incoherent noise.

    An ideal RX(θ) followed by RX((b − 1)·θ) is RX(b·θ), since both rotate about one axis.
    """
    incoherent = gate_error(
        (qubit,), qubit.single_qubit_gate_error, qubit.single_qubit_gate_duration_s
    )
    over_rotation = (drive_bias - 1.0) * DRIVE_ANGLES[gate]
    if over_rotation == 0.0:
        return incoherent
    coherent = coherent_unitary_error(RXGate(over_rotation).to_matrix())
    return coherent.compose(incoherent)


@lru_cache(maxsize=1024)
def qubit_noise(qubit: QubitParameters, controls: DeviceControls) -> QubitNoise:
    """All errors of one qubit, built once per (parameters, controls)."""
    p10, p01 = qubit.readout_p1_given_0, qubit.readout_p0_given_1
    residual = qubit.residual_excited_population
    return QubitNoise(
        parameters=qubit,
        gates={gate: drive_error(qubit, gate, controls.drive_bias) for gate in DRIVE_ANGLES},
        readout=ReadoutError([[1 - p10, p10], [p01, 1 - p01]]),
        # Without the guard the qubit is reset to its thermal state, not to |0⟩.
        initial=None if controls.thermal_guard_enabled else reset_error(1 - residual, residual),
    )


@lru_cache(maxsize=4096)
def pair_error(first: QubitParameters, second: QubitParameters) -> QuantumError:
    """A two-qubit gate's error: the pair's mean error over the longer of the two durations."""
    error = (first.two_qubit_gate_error + second.two_qubit_gate_error) / 2
    duration_s = max(first.two_qubit_gate_duration_s, second.two_qubit_gate_duration_s)
    return gate_error((first, second), error, duration_s)


def build_noise_model(
    profile: DeviceProfile, physical: Sequence[int], controls: DeviceControls
) -> NoiseModel:
    """Noise on circuit qubits 0..n−1, which run on physical qubits `physical[0..n−1]`.

    Only these qubits enter the model: a model of a whole 127-qubit device costs seconds.
    """
    model = NoiseModel(basis_gates=list(BASIS_GATES))
    params = [profile.qubit(q) for q in physical]
    for index, qubit in enumerate(params):
        noise = qubit_noise(qubit, controls)
        for gate, error in noise.gates.items():
            model.add_quantum_error(as_one_channel(error), gate, [index])
        model.add_readout_error(noise.readout, [index])
    for first, second in ((a, b) for a in range(len(params)) for b in range(len(params))):
        if first != second:
            error = as_one_channel(pair_error(params[first], params[second]))
            model.add_quantum_error(error, list(TWO_QUBIT_GATES), [first, second])
    return model


def as_one_channel(error: QuantumError) -> QuantumError:
    """The same channel as one Kraus operation instead of a mixture of circuits.

    Aer serializes the noise model on every run; a mixture of relaxation and depolarizing
    circuits costs it about 15 ms per run for two qubits, one Kraus map per error well
    under 1 ms. The density-matrix method applies either exactly, so the physics is unchanged.
    """
    return QuantumError(Kraus(error))


def delay_seconds(delay: Instruction) -> float:
    """A delay's duration in seconds; ValueError for units without a fixed length (dt)."""
    scale = _SECONDS_PER_UNIT.get(delay.unit)
    if scale is None:
        raise ValueError(f"delay unit {delay.unit!r} is not supported by sim_local; use unit='s'")
    return float(delay.duration) * scale


def noisy_circuits(
    circuits: Sequence[QuantumCircuit], noises: Sequence[QubitNoise]
) -> list[QuantumCircuit]:
    """Circuits with what Aer's noise model cannot express written in as channels.

    - Aer applies no noise to `delay`, so each delay is followed by its thermal relaxation,
      inside control-flow blocks too.
    - Circuit qubit i starts in `noises[i].initial` when the thermal guard is off.
    """
    return [_with_initial_state(_relax_delays(circuit, noises), noises) for circuit in circuits]


def _relax_delays(circuit: QuantumCircuit, noises: Sequence[QubitNoise]) -> QuantumCircuit:
    if "delay" not in circuit.count_ops() and not circuit.has_control_flow_op():
        return circuit  # rebuilding a long RB sequence would cost more than running it
    relaxed = circuit.copy_empty_like()
    for inst in circuit.data:
        op = inst.operation
        qubits = [circuit.find_bit(qubit).index for qubit in inst.qubits]
        if isinstance(op, ControlFlowOp):
            # Block qubit i is bound to the instruction's i-th qubit.
            inner = [noises[index] for index in qubits]
            op = op.replace_blocks([_relax_delays(block, inner) for block in op.blocks])
        relaxed.append(op, inst.qubits, inst.clbits, copy=False)
        if op.name == "delay":
            relaxation_error = noises[qubits[0]].delay(delay_seconds(op))
            relaxed.append(relaxation_error.to_instruction(), inst.qubits, copy=False)
    return relaxed


def _with_initial_state(circuit: QuantumCircuit, noises: Sequence[QubitNoise]) -> QuantumCircuit:
    initial = [(index, noises[index].initial) for index in range(circuit.num_qubits)]
    if all(error is None for _, error in initial):
        return circuit
    prepared = circuit.copy_empty_like()
    for index, error in initial:
        if error is not None:
            prepared.append(error.to_instruction(), [index])
    return prepared.compose(circuit)


def describe(profile: DeviceProfile) -> str:
    """One line on the noise model, with the median qubit's parameters."""
    t1 = sorted(q.t1_s for q in profile.qubits)[profile.num_qubits // 2]
    t2 = sorted(q.t2_s for q in profile.qubits)[profile.num_qubits // 2]
    return (
        f"Aer density-matrix noise model (exact channel composition for one-qubit circuits), "
        f"profile {profile.name} ({profile.num_qubits} qubits, median T1={t1 * 1e6:.0f} us, "
        f"T2={t2 * 1e6:.0f} us): thermal relaxation over each gate and delay, depolarizing to "
        f"each gate's error, asymmetric readout error"
    )
