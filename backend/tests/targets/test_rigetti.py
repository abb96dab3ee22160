"""`rigetti_forest`: Qiskit circuits translated to native Quil and run on pyQuil's PyQVM through
the adapter (no quilc anywhere), and a Bell run through the API."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from qiskit import QuantumCircuit

from synqc_backend.execution import ExecutionOptions
from synqc_backend.http.app import create_app
from synqc_backend.targets.registry import build_targets
from synqc_backend.targets.rigetti import counts_from_readout, to_quil
from tests.conftest import make_settings, wait_finished


def test_a_circuit_becomes_native_quil_on_the_layout() -> None:
    circuit = QuantumCircuit(2, 2)
    circuit.x(0)
    circuit.sx(1)
    circuit.rz(0.25, 1)
    circuit.cz(0, 1)
    circuit.measure(1, 0)

    quil = to_quil(circuit, layout=(4, 7))

    assert quil.splitlines() == [
        "DECLARE ro BIT[2]",
        "RX(pi) 4",
        "RX(pi/2) 7",
        "RZ(0.25) 7",
        "CZ 4 7",
        "MEASURE 7 ro[0]",
    ]


def test_an_instruction_without_a_native_form_is_refused() -> None:
    circuit = QuantumCircuit(1, 1)
    circuit.delay(1e-6, 0, unit="s")

    with pytest.raises(ValueError, match="delay"):
        to_quil(circuit)


def test_readout_rows_become_counts_with_clbit_zero_rightmost() -> None:
    assert counts_from_readout([[1, 0], [1, 0], [0, 0]], 2) == {"01": 2, "00": 1}


def test_pyqvm_executes_the_translated_circuits(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, rigetti_quantum_processor="pyqvm")
    target = build_targets(settings=settings)["rigetti_forest"]
    flip = QuantumCircuit(2, 2)
    flip.x(1)
    flip.measure([0, 1], [0, 1])
    hadamard = QuantumCircuit(1, 1)
    hadamard.h(0)
    hadamard.measure(0, 0)

    result = target.execute([flip, hadamard], ExecutionOptions(shots=400, seed=3))

    assert result.counts[0] == {"10": 400}
    assert set(result.counts[1]) == {"0", "1"}
    assert 120 < result.counts[1]["1"] < 280
    assert result.provider_job_id is not None


@pytest.fixture
def rigetti_client(tmp_path: Path) -> Iterator[TestClient]:
    settings = make_settings(tmp_path, rigetti_quantum_processor="pyqvm")
    with TestClient(create_app(settings)) as client:
        yield client


def test_a_bell_run_on_pyqvm_comes_back_with_counts(rigetti_client: TestClient) -> None:
    run_id = rigetti_client.post(
        "/runs",
        json={
            "preset": "hello_quantum_sim",
            "hardware_target": "rigetti_forest",
            "seed": 1,
            # PyQVM simulates shot by shot in Python.
            "shot_budget": 500,
        },
    ).json()["id"]

    run = wait_finished(rigetti_client, run_id, 120)

    assert run["status"] == "succeeded", (run["error_code"], run["error_message"])
    assert run["result"]["kpis"]["fidelity"] > 0.9
