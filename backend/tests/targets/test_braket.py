"""`aws_braket`: the Braket adapter on the SDK's LocalSimulator (braket_dm) through the API, and
the AwsQuantumTask lifecycle (create, state, result from S3, cancel) against botocore's
Stubber, so every AWS call the adapter makes goes through the real SDK and client."""

import datetime
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.response import StreamingBody
from botocore.stub import ANY, Stubber
from braket.aws import AwsSession
from braket.ir.openqasm import Program
from braket.task_result import AdditionalMetadata, GateModelTaskResult, TaskMetadata
from fastapi.testclient import TestClient
from qiskit import QuantumCircuit

from synqc_backend.execution import BatchOutcome, Capabilities, ExecutionOptions
from synqc_backend.http.app import create_app
from synqc_backend.measurements import coherence
from synqc_backend.measurements.bell_state import bell_circuit as bell
from synqc_backend.models import TargetStatus
from synqc_backend.storage.repository import RunRepository
from synqc_backend.targets import braket
from synqc_backend.targets.base import JobCancelledError, Readiness
from synqc_backend.targets.braket import BraketSession, counts_in_qiskit_order
from synqc_backend.targets.pacing import Pacing
from synqc_backend.targets.provider import ProviderTarget
from synqc_backend.targets.registry import build_targets
from tests.conftest import make_settings, services_of, wait_finished
from tests.targets.provider_doubles import FakeClock, MemoryLedger

DEVICE = "arn:aws:braket:::device/quantum-simulator/amazon/sv1"
TASK = "arn:aws:braket:us-west-2:123456789012:quantum-task/6d3f"
BUCKET, PREFIX = "synqc-results", "runs"


@pytest.fixture
def braket_client(tmp_path: Path) -> Iterator[TestClient]:
    settings = make_settings(tmp_path, braket_device="braket_dm")
    with TestClient(create_app(settings)) as client:
        yield client


def test_a_bell_run_on_braket_dm_comes_back_with_counts(braket_client: TestClient) -> None:
    listed = {t["id"]: t for t in braket_client.get("/hardware/targets").json()["targets"]}
    run_id = braket_client.post(
        "/runs",
        json={"preset": "hello_quantum_sim", "hardware_target": "aws_braket", "seed": 4},
    ).json()["id"]

    run = wait_finished(braket_client, run_id, 120)

    assert listed["aws_braket"]["status"] == "ready"
    assert run["status"] == "succeeded", (run["error_code"], run["error_message"])
    assert run["result"]["kpis"]["fidelity"] > 0.9
    with services_of(braket_client).database.unit_of_work() as session:
        job = RunRepository(session).provider_job(run_id, 0)
    assert job is not None
    assert job.state == "done"


def test_t1_measured_on_braket_dm_matches_the_device_profile(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, braket_device="braket_dm")
    target = build_targets(settings=settings)["aws_braket"]
    reference = target.capabilities().reference[0].t1_s
    assert reference is not None
    batch = coherence.t1_batch(coherence.decay_delays_s(reference), 1500, 0)

    result = target.execute(batch.circuits, ExecutionOptions(batch.shots, seed=11, layout=(0,)))
    fit = coherence.analyse_t1(BatchOutcome(batch, result))

    assert abs(fit.values["tau"] / reference - 1) < 0.15, (fit.values, reference)
    assert result.backend_name == "braket braket_dm"


def test_counts_are_rekeyed_from_braket_qubit_order_to_qiskit_clbits() -> None:
    circuit = QuantumCircuit(3, 2)
    circuit.measure(2, 0)
    circuit.measure(0, 1)

    counts = counts_in_qiskit_order({"100": 7, "001": 3}, [0, 2], circuit)

    # Braket key "100" over measured qubits [0, 2]: q0=1, q2=0 → clbit1=1, clbit0=0.
    assert counts == {"10": 7, "00": 3}


def task_description(status: str) -> dict[str, Any]:
    return {
        "quantumTaskArn": TASK,
        "status": status,
        "deviceArn": DEVICE,
        "deviceParameters": "{}",
        "shots": 4,
        "outputS3Bucket": BUCKET,
        "outputS3Directory": f"{PREFIX}/6d3f",
        "createdAt": datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC),
    }


def results_body() -> StreamingBody:
    result = GateModelTaskResult(
        measurements=[[0, 0], [1, 1], [1, 1], [0, 1]],
        measuredQubits=[0, 1],
        taskMetadata=TaskMetadata(id=TASK, shots=4, deviceId=DEVICE),
        additionalMetadata=AdditionalMetadata(action=Program(source="OPENQASM 3.0;")),
    )
    body = result.json().encode()
    return StreamingBody(io.BytesIO(body), len(body))


class StubbedAws:
    """An AwsSession whose Braket and S3 clients answer from Stubber queues."""

    def __init__(self) -> None:
        boto = boto3.Session(
            aws_access_key_id="test", aws_secret_access_key="test", region_name="us-west-2"
        )
        client = boto.client("braket")
        s3 = boto.resource("s3")
        boto.resource = lambda *args, **kwargs: s3
        self.braket = Stubber(client)
        self.s3 = Stubber(s3.meta.client)
        self.session = AwsSession(boto_session=boto, braket_client=client)

    def __enter__(self) -> "StubbedAws":
        self.braket.activate()
        self.s3.activate()
        return self

    def __exit__(self, *exc: object) -> None:
        self.braket.deactivate()
        self.s3.deactivate()


def target_on(aws: StubbedAws, tmp_path: Path) -> ProviderTarget:
    settings = make_settings(tmp_path, braket_device=DEVICE, braket_s3_bucket=BUCKET)
    settings = settings.model_copy(update={"braket_s3_prefix": PREFIX})
    clock = FakeClock()
    return ProviderTarget(
        braket.DESCRIPTOR,
        lambda: Capabilities(100, 2, braket.BASIS, "Braket queue", "stubbed AWS"),
        lambda: Readiness(TargetStatus.READY, "stubbed AWS"),
        lambda: BraketSession(settings, aws_session=aws.session),
        pacing=Pacing(sleep=clock.sleep, monotonic=clock.monotonic),
    )


def test_a_task_is_created_polled_through_its_states_and_read_from_s3(tmp_path: Path) -> None:
    with StubbedAws() as aws:
        aws.braket.add_response(
            "create_quantum_task",
            {"quantumTaskArn": TASK},
            {
                "action": ANY,
                "deviceArn": DEVICE,
                "deviceParameters": ANY,
                "outputS3Bucket": BUCKET,
                "outputS3KeyPrefix": PREFIX,
                "shots": 4,
            },
        )
        for status in ("CREATED", "QUEUED", "RUNNING", "COMPLETED", "COMPLETED"):
            aws.braket.add_response("get_quantum_task", task_description(status))
        aws.s3.add_response(
            "get_object",
            {"Body": results_body()},
            {"Bucket": BUCKET, "Key": f"{PREFIX}/6d3f/results.json"},
        )
        ledger = MemoryLedger()

        result = target_on(aws, tmp_path).execute([bell()], ExecutionOptions(4, jobs=ledger))

        aws.s3.assert_no_pending_responses()
    assert result.counts == ({"00": 1, "11": 2, "10": 1},)
    assert result.provider_job_id == TASK
    assert [job.state for job in ledger.history] == [
        "submitted",
        "queued",
        "running",
        "done",
        "done",
    ]


def test_a_cancel_request_cancels_the_quantum_task(tmp_path: Path) -> None:
    with StubbedAws() as aws:
        aws.braket.add_response("create_quantum_task", {"quantumTaskArn": TASK})
        aws.braket.add_response("get_quantum_task", task_description("QUEUED"))
        aws.braket.add_response("get_quantum_task", task_description("QUEUED"))
        aws.braket.add_response(
            "cancel_quantum_task",
            {"quantumTaskArn": TASK, "cancellationStatus": "CANCELLING"},
            {"quantumTaskArn": TASK},
        )
        ledger = MemoryLedger(cancel=True)

        with pytest.raises(JobCancelledError):
            target_on(aws, tmp_path).execute([bell()], ExecutionOptions(4, jobs=ledger))

        aws.braket.assert_no_pending_responses()
