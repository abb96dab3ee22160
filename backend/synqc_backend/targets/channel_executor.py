"""Exact execution of one-qubit circuits by composing the noise channels of the Aer model.

Each noisy instruction is a 4×4 superoperator on the column-stacked density matrix, taken
from the same `QubitNoise` Aer simulates with; a circuit's channel is their product, the
outcome probability follows exactly (readout error included), and counts are drawn from it.
This is the same physics as Aer's density-matrix method at a fraction of the cost on long
sequences (PHYSICS.md, "The local simulator").
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
from numpy.typing import NDArray
from qiskit import QuantumCircuit
from qiskit.circuit import CircuitInstruction, Instruction, Reset
from qiskit.circuit.library import SXGate, XGate
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


def exact_plan(circuit: QuantumCircuit, blocks: "BlockCache | None" = None) -> "ChannelPlan | None":
    """The plan of a circuit that runs exactly, else None: one qubit, measured once at the
    very end into the circuit's only register, every instruction in `EXACT_OPS` (sim_local's
    basis) or a block of them (`is_exact_block`). Anything else — several qubits, mid-circuit
    measurements, control flow, unbound parameters, other gates — belongs to Aer.
    """
    registers = circuit.cregs
    if circuit.num_qubits != 1 or circuit.num_parameters or len(registers) != 1:
        return None
    if registers[0].size != circuit.num_clbits or circuit.count_ops().get("measure") != 1:
        return None
    last: str = next(inst.name for inst in reversed(circuit.data) if inst.name != "barrier")
    if last != "measure":
        return None
    return channel_plan(circuit.data, blocks)


@dataclass(frozen=True)
class ChannelPlan:
    """The instructions one qubit undergoes, as slots into a table of distinct channels.

    - `keys[slot]` names a channel: a gate name, an RZ angle (float), ("delay", seconds) or
      ("block", id) for a block instruction, whose own plan is `blocks[key]`.
    - `slots[i]` is the slot of the i-th instruction in time order.
    The plan does not depend on the qubit: several qubits running the same instructions share
    one plan, and each fills the table with its own channels (`QubitChannels.excited`).
    """

    keys: tuple[object, ...]
    slots: NDArray[np.intp]
    blocks: Mapping[object, "ChannelPlan"]


@dataclass
class BlockCache:
    """What is learnt of block instructions, by identity: valid while the caller keeps the
    instructions alive (one `execute` call). A block shared by many qubits or repeated along a
    sequence (an RB Clifford) is walked once, and its channel computed once per qubit."""

    plans: dict[int, ChannelPlan] = field(default_factory=dict)
    exact: dict[int, bool] = field(default_factory=dict)
    channels: dict[tuple[int, int], Matrix] = field(default_factory=dict)


def channel_plan(
    instructions: Sequence[CircuitInstruction], blocks: BlockCache | None = None
) -> ChannelPlan | None:
    """The plan of `instructions`, or None when one is neither in `EXACT_OPS` nor a block of
    them."""
    blocks = BlockCache() if blocks is None else blocks
    slot_of: dict[object, int] = {}
    keys: list[object] = []
    inner: dict[object, ChannelPlan] = {}
    slots: list[int] = []
    for item in instructions:
        name = item.name
        key: object = name
        if name == "rz":
            key = float(item.params[0])
        elif name == "delay":
            key = (name, delay_seconds(item.operation))
        elif name not in EXACT_OPS:
            op = item.operation
            key = ("block", id(op))
            if key not in inner:
                if not is_exact_block(op, blocks):
                    return None
                inner[key] = _block_plan(op, blocks)
        slot = slot_of.get(key)
        if slot is None:
            slot = slot_of[key] = len(keys)
            keys.append(key)
        slots.append(slot)
    return ChannelPlan(tuple(keys), np.asarray(slots, dtype=np.intp), inner)


def is_exact_block(op: Instruction, blocks: BlockCache | None = None) -> bool:
    """A one-qubit instruction defined by `EXACT_OPS` alone (or blocks of them), without
    measurements."""
    found = None if blocks is None else blocks.exact.get(id(op))
    if found is None:
        definition = op.definition
        found = (
            definition is not None
            and op.num_qubits == 1
            and not op.num_clbits
            and all(
                item.name in EXACT_OPS - {"measure"} or is_exact_block(item.operation, blocks)
                for item in definition.data
            )
        )
        if blocks is not None:
            blocks.exact[id(op)] = found
    return found


def _block_plan(op: Instruction, blocks: BlockCache) -> ChannelPlan:
    """The plan of a block `is_exact_block` accepted."""
    found = blocks.plans.get(id(op))
    if found is None:
        plan = channel_plan(op.definition.data, blocks)
        if plan is None:
            raise ValueError(f"block {op.name} is not in the exact set")
        found = blocks.plans[id(op)] = plan
    return found


def rz_superop(angle: float) -> Matrix:
    """RZ(θ) on the column-stacked density matrix: ρ₁₀ gains e^{iθ}, ρ₀₁ e^{−iθ}."""
    phase = np.exp(1j * angle)
    return np.diag([1.0, phase, np.conj(phase), 1.0]).astype(np.complex128)


def relaxation_superop(t1_s: float, t2_s: float, duration_s: float) -> Matrix:
    """Thermal relaxation toward |0⟩ over `duration_s` (Aer's `thermal_relaxation_error` with
    no excited-state population, T2 ≤ 2·T1): ρ₁₁ decays by e^{−t/T1} into ρ₀₀, coherences
    by e^{−t/T2}."""
    damped = 1.0 - np.exp(-duration_s / t1_s)
    coherence = np.exp(-duration_s / t2_s)
    channel = np.diag([1.0, coherence, coherence, 1.0 - damped]).astype(np.complex128)
    channel[0, 3] = damped
    return channel


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

    def probability_of_one(self, plan: ChannelPlan, blocks: BlockCache | None = None) -> float:
        """P(the measurement reads 1) of a circuit's `exact_plan`."""
        excited = self.excited(plan, BlockCache() if blocks is None else blocks)
        return float((1 - excited) * self.readout[0, 1] + excited * self.readout[1, 1])

    def excited(self, plan: ChannelPlan, blocks: BlockCache) -> float:
        """The population of |1⟩ after the planned instructions, from the initial state."""
        rho = self._channel(plan, blocks) @ self.initial_state
        return min(max(float(rho[3].real), 0.0), 1.0)

    def _channel(self, plan: ChannelPlan, blocks: BlockCache) -> Matrix:
        """The planned instructions' channel: the product of their superoperators."""
        if not plan.slots.size:
            return _IDENTITY
        table = np.stack([self._matrix(key, plan, blocks) for key in plan.keys])
        return _product(table[plan.slots])

    def _matrix(self, key: object, plan: ChannelPlan, blocks: BlockCache) -> Matrix:
        if isinstance(key, float):
            angle = key
            return _cached(self._rz, angle, lambda: rz_superop(angle))
        if isinstance(key, tuple) and key[0] == "block":
            memo = (id(self), int(key[1]))
            found = blocks.channels.get(memo)
            if found is None:
                found = blocks.channels[memo] = self._channel(plan.blocks[key], blocks)
            return found
        if isinstance(key, tuple):
            seconds = float(key[1])
            qubit = self._noise.parameters
            return _cached(
                self._delay, seconds, lambda: relaxation_superop(qubit.t1_s, qubit.t2_s, seconds)
            )
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
