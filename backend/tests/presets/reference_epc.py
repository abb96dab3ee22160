"""The error per Clifford that RB should find on sim_local: the truth of the accuracy test and
of the health-vs-qiskit-experiments benchmark."""

import numpy as np
from qiskit.quantum_info import Operator, SuperOp, average_gate_fidelity

from synqc_backend.execution import DeviceControls
from synqc_backend.measurements.clifford_group import clifford_group
from synqc_backend.targets.device_profile import QubitParameters
from synqc_backend.targets.noise_model import qubit_noise


def reference_epc(qubit: QubitParameters) -> float:
    """Mean infidelity of the noisy Clifford channels: what RB estimates for this noise.

    qiskit-experiments synthesises the 24 Cliffords into the same rz/sx/x words (16 sx and 4 x
    in all), so this is its reference as well.
    """
    noise = qubit_noise(qubit, DeviceControls())
    infidelities = []
    for gates in clifford_group().gates:
        channel = SuperOp(np.eye(4))
        ideal = Operator(np.eye(2))
        for gate in gates:
            channel = channel.compose(SuperOp(gate))
            ideal = ideal.compose(Operator(gate))
            if gate.name in noise.gates:
                channel = channel.compose(noise.gates[gate.name].to_quantumchannel())
        infidelities.append(1 - average_gate_fidelity(channel, ideal))
    return float(np.mean(infidelities))
