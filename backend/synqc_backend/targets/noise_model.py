"""Aer noise models built from a `DeviceProfile`."""

from qiskit.quantum_info import average_gate_fidelity
from qiskit_aer.noise import (
    NoiseModel,
    QuantumError,
    ReadoutError,
    depolarizing_error,
    thermal_relaxation_error,
)

from synqc_backend.targets.device_profile import DeviceProfile

SINGLE_QUBIT_GATES = ("sx", "x")
TWO_QUBIT_GATES = ("cx",)
BASIS_GATES = ("rz", "sx", "x", "cx", "id", "delay", "measure", "reset")


def gate_error(
    profile: DeviceProfile, num_qubits: int, error: float, duration_s: float
) -> QuantumError:
    """Thermal relaxation over the gate's duration, topped up with depolarizing noise.

    The depolarizing part makes the average gate infidelity equal `error` (as Aer's device
    model does); when relaxation alone exceeds it, only relaxation is applied.
    """
    relax = thermal_relaxation_error(profile.t1_s, profile.t2_s, duration_s)
    if num_qubits == 2:
        relax = relax.expand(relax)
    dim = 2**num_qubits
    relax_fidelity = float(average_gate_fidelity(relax.to_quantumchannel()))
    relax_infidelity = 1.0 - relax_fidelity
    if error <= relax_infidelity:
        return relax
    depol_param = dim * (error - relax_infidelity) / (dim * relax_fidelity - 1.0)
    max_param = 4**num_qubits / (4**num_qubits - 1)
    return relax.compose(depolarizing_error(min(depol_param, max_param), num_qubits))


def build_noise_model(profile: DeviceProfile) -> NoiseModel:
    """Noise applied uniformly to every qubit of a circuit: gates, measurement, readout."""
    model = NoiseModel(basis_gates=list(BASIS_GATES))
    one_qubit = gate_error(
        profile, 1, profile.single_qubit_gate_error, profile.single_qubit_gate_duration_s
    )
    model.add_all_qubit_quantum_error(one_qubit, list(SINGLE_QUBIT_GATES))
    two_qubit = gate_error(
        profile, 2, profile.two_qubit_gate_error, profile.two_qubit_gate_duration_s
    )
    model.add_all_qubit_quantum_error(two_qubit, list(TWO_QUBIT_GATES))
    p10, p01 = profile.readout_p1_given_0, profile.readout_p0_given_1
    model.add_all_qubit_readout_error(ReadoutError([[1 - p10, p10], [p01, 1 - p01]]))
    return model


def describe(profile: DeviceProfile) -> str:
    return (
        f"Aer density-matrix simulation, profile {profile.name}: thermal relaxation "
        f"(T1={profile.t1_s * 1e6:.0f} us, T2={profile.t2_s * 1e6:.0f} us) over each gate plus "
        f"depolarizing to 1q error {profile.single_qubit_gate_error:g} and 2q error "
        f"{profile.two_qubit_gate_error:g}; readout p(1|0)={profile.readout_p1_given_0:g}, "
        f"p(0|1)={profile.readout_p0_given_1:g}"
    )
