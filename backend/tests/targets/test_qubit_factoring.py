"""Circuits that factor into independent qubits: which do, and the factored path gives the same
statistics as Aer's density matrix (joint outcomes, not only marginals) on three qubits of a
device, four in the mixed circuit.
"""

import numpy as np
import pytest
from qiskit import QuantumCircuit
from scipy.stats import chi2_contingency

from synqc_backend.execution import DeviceControls, ExecutionOptions
from synqc_backend.measurements import coherence, rb, readout
from synqc_backend.measurements.parallel import broadcast
from synqc_backend.targets.channel_executor import EXACT_BACKEND
from synqc_backend.targets.ibm_profiles import resolve_profile
from synqc_backend.targets.local_sim import AER_BACKEND, LocalSimulator
from synqc_backend.targets.qubit_factoring import factored_parts

SHOTS = 40_000
LAYOUT = (0, 1, 2, 3)
P_MIN = 1e-3


def mixed_circuit() -> QuantumCircuit:
    """Different instructions on each qubit, a barrier across them, one qubit unmeasured."""
    circuit = QuantumCircuit(4, 3)
    circuit.x(0)
    circuit.sx(1)
    circuit.rz(0.4, 1)
    circuit.sx(1)
    circuit.delay(30e-6, 2, unit="s")
    circuit.barrier()
    circuit.x(3)
    circuit.measure(0, 2)
    circuit.measure(1, 0)
    circuit.measure(2, 1)
    return circuit


def one_qubit(batch_circuits: tuple[QuantumCircuit, ...]) -> QuantumCircuit:
    return batch_circuits[0]


CIRCUITS = {
    "t1": broadcast(one_qubit(coherence.t1_batch([40e-6], 1, 0).circuits), 3),
    "ramsey": broadcast(one_qubit(coherence.ramsey_batch([12e-6], 80e3, 1, 0).circuits), 3),
    "echo": broadcast(one_qubit(coherence.echo_batch([60e-6], 1, 0).circuits), 3),
    "readout": broadcast(readout.readout_batch(1, 0).circuits[1], 3),
    "repeatability": broadcast(readout.repeatability_batch(1, 0).circuits[0], 3),
    "rb-block": rb.rb_batch([400], 1, 1, 3, (0, 1, 2)).circuits[0],
    "mixed": mixed_circuit(),
}


def test_one_qubit_instructions_measured_at_the_end_factor() -> None:
    parts = factored_parts(CIRCUITS["mixed"])

    assert parts is not None
    assert [(p.qubit, p.clbits) for p in parts] == [(0, (2,)), (1, (0,)), (2, (1,))]
    assert [len(p.instructions) for p in parts] == [1, 3, 1]
    repeated = factored_parts(CIRCUITS["repeatability"])
    assert repeated is not None
    assert [p.clbits for p in repeated] == [(0, 1), (2, 3), (4, 5)]


@pytest.mark.parametrize(
    "build",
    [
        pytest.param(lambda c: (c.cx(0, 1), c.measure_all()), id="two-qubit-gate"),
        pytest.param(lambda c: (c.measure(0, 0), c.x(0), c.measure(0, 1)), id="gate-after-read"),
        pytest.param(lambda c: (c.measure(0, 0), c.measure(1, 0)), id="bit-written-twice"),
    ],
)
def test_circuits_that_couple_or_reuse_do_not_factor(build: object) -> None:
    circuit = QuantumCircuit(2, 2)
    build(circuit)  # type: ignore[operator]

    assert factored_parts(circuit) is None


@pytest.fixture(scope="module", params=[DeviceControls(), DeviceControls(1.1, False)])
def both_paths(request: pytest.FixtureRequest) -> tuple[list[dict[str, int]], ...]:
    profile = resolve_profile("ibm:FakeManilaV2")
    options = ExecutionOptions(shots=SHOTS, seed=11, layout=LAYOUT, device=request.param)
    circuits = list(CIRCUITS.values())
    factored = LocalSimulator(profile).execute(circuits, options)
    aer = LocalSimulator(profile, exact_channels=False).execute(circuits, options)
    assert factored.backend_name == EXACT_BACKEND
    assert aer.backend_name == AER_BACKEND
    return list(factored.counts), list(aer.counts)


@pytest.mark.slow
@pytest.mark.parametrize("index", range(len(CIRCUITS)), ids=list(CIRCUITS))
def test_factored_joint_outcomes_match_aer(
    both_paths: tuple[list[dict[str, int]], ...], index: int
) -> None:
    factored, aer = (counts[index] for counts in both_paths)
    keys = sorted(set(factored) | set(aer))
    table = np.array([[factored.get(k, 0) for k in keys], [aer.get(k, 0) for k in keys]])

    assert table.sum(axis=1).tolist() == [SHOTS, SHOTS]
    assert len(keys) > 1
    assert chi2_contingency(table).pvalue > P_MIN
