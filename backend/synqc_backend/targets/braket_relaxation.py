"""Delays for Braket's density-matrix simulator: relaxation of a device profile's qubits.

Braket gate-model circuits have no delay instruction. On `braket_dm` a delay of d seconds on a
qubit becomes the channels the profile's qubit undergoes meanwhile: amplitude damping with
γ = 1 − exp(−d/T1), then phase damping with λ = 1 − exp(−2d/Tφ), 1/Tφ = 1/T2 − 1/(2·T1), so
that coherences decay as exp(−d/T2) overall. The channels travel to Braket as Kraus operators.
"""

import math

import numpy as np
from qiskit import QuantumCircuit
from qiskit.circuit import Instruction

from synqc_backend.targets.device_profile import DeviceProfile, QubitParameters

_SECONDS = {"s": 1.0, "ms": 1e-3, "us": 1e-6, "ns": 1e-9, "ps": 1e-12}


def amplitude_damping(gamma: float) -> Instruction:
    operators = [
        np.array([[1.0, 0.0], [0.0, math.sqrt(1.0 - gamma)]]),
        np.array([[0.0, math.sqrt(gamma)], [0.0, 0.0]]),
    ]
    return Instruction("kraus", 1, 0, operators)


def phase_damping(lam: float) -> Instruction:
    operators = [
        np.array([[1.0, 0.0], [0.0, math.sqrt(1.0 - lam)]]),
        np.array([[0.0, 0.0], [0.0, math.sqrt(lam)]]),
    ]
    return Instruction("kraus", 1, 0, operators)


def relaxation(qubit: QubitParameters, seconds: float) -> list[Instruction]:
    """The channels of `qubit` idling for `seconds`; none for a zero delay."""
    if seconds <= 0:
        return []
    channels = [amplitude_damping(1.0 - math.exp(-seconds / qubit.t1_s))]
    dephasing_rate = 1.0 / qubit.t2_s - 1.0 / (2.0 * qubit.t1_s)
    if dephasing_rate > 0:
        channels.append(phase_damping(1.0 - math.exp(-2.0 * seconds * dephasing_rate)))
    return channels


def delays_as_relaxation(
    circuit: QuantumCircuit, profile: DeviceProfile, layout: tuple[int, ...] | None
) -> QuantumCircuit:
    """`circuit` with every delay replaced by the relaxation of its physical qubit.

    `layout[i]` is the profile qubit of circuit qubit i (default i). ValueError for a delay
    in device cycles (`dt`), which has no duration without a device clock.
    """
    relaxed = circuit.copy_empty_like()
    for instruction in circuit.data:
        operation = instruction.operation
        if operation.name != "delay":
            relaxed.append(instruction)
            continue
        if operation.unit not in _SECONDS:
            raise ValueError(f"a delay in '{operation.unit}' has no duration on braket_dm")
        seconds = float(operation.duration) * _SECONDS[operation.unit]
        index = circuit.find_bit(instruction.qubits[0]).index
        physical = layout[index] if layout else index
        for channel in relaxation(profile.qubit(physical), seconds):
            relaxed.append(channel, instruction.qubits)
    return relaxed
