"""Exact execution of one-qubit circuits by composing the noise channels of the Aer model.

Each noisy instruction is a 4×4 superoperator on the column-stacked density matrix, taken
from the same `QubitNoise` Aer simulates with; a circuit's channel is their product, the
outcome probability follows exactly (readout error included), and counts are drawn from it.
This is the same physics as Aer's density-matrix method at a fraction of the cost on long
sequences (PHYSICS.md, "The local simulator").
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from numpy.typing import NDArray
from qiskit import QuantumCircuit
from qiskit.circuit import Instruction, Reset
from qiskit.circuit.library import RZGate, SXGate, XGate
from qiskit.quantum_info import SuperOp

from synqc_backend.execution import DeviceControls
from synqc_backend.targets.device_profile import QubitParameters
from synqc_backend.targets.noise_model import QubitNoise, delay_seconds, qubit_noise

EXACT_BACKEND = "exact_channel_composition"
EXACT_OPS = frozenset({"rz", "sx", "x", "id", "delay", "reset", "barrier", "measure"})

type Matrix = NDArray[np.complex128]

_GROUND = np.array([1, 0, 0, 0], dtype=np.complex128)  # |0⟩⟨0| column-stacked
_IDENTITY = np.eye(4, dtype=np.complex128)
_IDEAL_GATES = {"sx": SXGate(), "x": XGate(), "id": None}
# Random Ramsey phases would grow the angle cache without bound; past this size new
# entries are computed but not kept.
_MAX_CACHED = 4096


def runs_exactly(circuit: QuantumCircuit) -> bool:
    """True for one qubit, measured once at the very end into the circuit's only register.

    The circuit must already be in `EXACT_OPS` (sim_local's basis); anything else — several
    qubits, mid-circuit measurements, control flow, unbound parameters — belongs to Aer.
    """
    registers = circuit.cregs
    if circuit.num_qubits != 1 or circuit.num_parameters or len(registers) != 1:
        return False
    if registers[0].size != circuit.num_clbits:
        return False
    ops = circuit.count_ops()
    if ops.get("measure") != 1 or not set(ops) <= EXACT_OPS:
        return False
    last: str = next(inst.name for inst in reversed(circuit.data) if inst.name != "barrier")
    return last == "measure"


@dataclass(frozen=True)
class ChannelPlan:
    """The instructions one qubit undergoes, as slots into a table of distinct channels.

    - `keys[slot]` names a channel: a gate name, an RZ angle (float) or ("delay", seconds).
    - `slots[i]` is the slot of the i-th instruction in time order.
    The plan does not depend on the qubit: several qubits running the same instructions share
    one plan, and each fills the table with its own channels (`QubitChannels.excited`).
    """

    keys: tuple[object, ...]
    slots: NDArray[np.intp]


def channel_plan(
    operations: Sequence[Instruction], blocks: dict[int, ChannelPlan] | None = None
) -> ChannelPlan:
    """The plan of `operations` (in `EXACT_OPS`, or blocks whose definitions are).

    - `blocks` caches the plans of block instructions by identity for as long as the caller
      keeps the instructions: a block shared by many qubits is walked once.
    """
    slot_of: dict[object, int] = {}
    keys: list[object] = []
    pieces: list[NDArray[np.intp]] = []
    run: list[int] = []
    for op in operations:
        name = op.name
        if name not in EXACT_OPS:
            pieces.append(np.asarray(run, dtype=np.intp))
            run = []
            inner = _block_plan(op, blocks)
            mapping = np.asarray([_slot(slot_of, keys, key) for key in inner.keys], dtype=np.intp)
            pieces.append(mapping[inner.slots] if inner.slots.size else inner.slots)
            continue
        key: object = name
        if name == "rz":
            key = float(op.params[0])
        elif name == "delay":
            key = (name, delay_seconds(op))
        run.append(_slot(slot_of, keys, key))
    pieces.append(np.asarray(run, dtype=np.intp))
    return ChannelPlan(tuple(keys), np.concatenate(pieces))


def is_exact_block(op: Instruction) -> bool:
    """A one-qubit instruction defined by `EXACT_OPS` alone, without measurements."""
    definition = op.definition
    if definition is None or op.num_qubits != 1 or op.num_clbits:
        return False
    return all(
        item.operation.name in EXACT_OPS - {"measure"} or is_exact_block(item.operation)
        for item in definition.data
    )


def _block_plan(op: Instruction, blocks: dict[int, ChannelPlan] | None) -> ChannelPlan:
    found = None if blocks is None else blocks.get(id(op))
    if found is None:
        found = channel_plan([item.operation for item in op.definition.data], blocks)
        if blocks is not None:
            blocks[id(op)] = found
    return found


def _slot(slot_of: dict[object, int], keys: list[object], key: object) -> int:
    slot = slot_of.get(key)
    if slot is None:
        slot = slot_of[key] = len(keys)
        keys.append(key)
    return slot


class QubitChannels:
    """Superoperators of one qubit's noisy instructions, each computed once."""

    def __init__(self, noise: QubitNoise) -> None:
        self._noise = noise
        self._fixed: dict[str, Matrix] = {gate: _gate_superop(noise, gate) for gate in _IDEAL_GATES}
        self._fixed["reset"] = _superop(Reset())
        # The final measurement is read out below; barriers do nothing.
        self._fixed["measure"] = self._fixed["barrier"] = _IDENTITY
        self._rz: dict[float, Matrix] = {}
        self._delay: dict[float, Matrix] = {}
        initial = _IDENTITY if noise.initial is None else _superop(noise.initial)
        self.initial_state: Matrix = initial @ _GROUND
        # probabilities[prepared, read]
        self.readout = np.asarray(noise.readout.probabilities, dtype=np.float64)

    def probability_of_one(self, circuit: QuantumCircuit) -> float:
        """P(the measurement reads 1) for a circuit accepted by `runs_exactly`."""
        excited = self.excited(channel_plan([item.operation for item in circuit.data]))
        return float((1 - excited) * self.readout[0, 1] + excited * self.readout[1, 1])

    def excited(self, plan: ChannelPlan) -> float:
        """The population of |1⟩ after the planned instructions, from the initial state."""
        if not plan.slots.size:
            return min(max(float(self.initial_state[3].real), 0.0), 1.0)
        table = np.stack([self._matrix(key) for key in plan.keys])
        rho = _product(table[plan.slots]) @ self.initial_state
        return min(max(float(rho[3].real), 0.0), 1.0)

    def _matrix(self, key: object) -> Matrix:
        if isinstance(key, float):
            angle = key
            return _cached(self._rz, angle, lambda: _superop(RZGate(angle)))
        if isinstance(key, tuple):
            seconds = float(key[1])
            return _cached(self._delay, seconds, lambda: _superop(self._noise.delay(seconds)))
        return self._fixed[str(key)]


@lru_cache(maxsize=1024)
def qubit_channels(qubit: QubitParameters, controls: DeviceControls) -> QubitChannels:
    """The channels of one qubit under given controls, shared by all runs."""
    return QubitChannels(qubit_noise(qubit, controls))


def sample_counts(
    circuit: QuantumCircuit, probability_of_one: float, shots: int, rng: np.random.Generator
) -> dict[str, int]:
    """Counts keyed like Aer's: the measured clbit set or not, other clbits 0, zeros omitted."""
    ones = int(rng.binomial(shots, probability_of_one))
    measured = next(inst for inst in reversed(circuit.data) if inst.name == "measure")
    bit = circuit.find_bit(measured.clbits[0]).index
    width = circuit.num_clbits
    zero_key = "0" * width
    one_key = "".join("1" if position == bit else "0" for position in reversed(range(width)))
    counts = {zero_key: shots - ones, one_key: ones}
    return {key: count for key, count in counts.items() if count}


def _gate_superop(noise: QubitNoise, gate: str) -> Matrix:
    error = _superop(noise.gates[gate])
    ideal = _IDEAL_GATES[gate]
    return error if ideal is None else error @ _superop(ideal)


def _superop(operation: object) -> Matrix:
    if hasattr(operation, "to_quantumchannel"):
        operation = operation.to_quantumchannel()
    return np.asarray(SuperOp(operation).data, dtype=np.complex128)


def _cached[K](cache: dict[K, Matrix], key: K, compute: Callable[[], Matrix]) -> Matrix:
    found = cache.get(key)
    if found is None:
        found = compute()
        if len(cache) < _MAX_CACHED:
            cache[key] = found
    return found


def _product(matrices: Matrix) -> Matrix:
    """M[n−1]···M[1]·M[0] (M[0] acts first) in log2(n) vectorised rounds of pairwise products."""
    later = _IDENTITY
    while len(matrices) > 1:
        if len(matrices) % 2:
            # The odd one out is the latest channel left; everything already set aside is later.
            later = later @ matrices[-1]
            matrices = matrices[:-1]
        matrices = matrices[1::2] @ matrices[0::2]
    result: Matrix = later @ matrices[0]
    return result
