"""No provider SDK is imported by start-up, `/health` or `/hardware/targets`: each SDK loads
only when its target first runs circuits (`python -X importtime` of a fresh interpreter)."""

import subprocess
import sys
from pathlib import Path

PROVIDER_SDKS = (
    "qiskit_ibm_runtime",
    "braket",
    "qiskit_braket_provider",
    "boto3",
    "botocore",
    "qiskit_ionq",
    "azure",
    "pyquil",
    "qcs_sdk",
    "qdk",
    "qsharp",
)

START_AND_LIST = """
import sys
from fastapi.testclient import TestClient
from synqc_backend.http.app import create_app
from tests.conftest import make_settings
from pathlib import Path

settings = make_settings(
    Path(sys.argv[1]),
    braket_device="braket_dm",
    ionq_api_key="key",
    rigetti_quantum_processor="pyqvm",
    azure_quantum_target="local",
    qiskit_runtime_token="token",
)
with TestClient(create_app(settings)) as client:
    assert client.get("/health").status_code == 200
    targets = client.get("/hardware/targets").json()["targets"]
    assert {t["id"]: t["status"] for t in targets}["ionq_cloud"] == "ready"
"""


def imported_modules(stderr: str) -> set[str]:
    """Top-level package names in `-X importtime` output."""
    names = set()
    for line in stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            names.add(line.rsplit("|", 1)[1].strip().split(".")[0])
    return names


def test_start_up_and_target_listing_import_no_provider_sdk(tmp_path: Path) -> None:
    backend = Path(__file__).resolve().parents[2]
    finished = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", START_AND_LIST, str(tmp_path)],
        cwd=backend,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert finished.returncode == 0, finished.stderr[-3000:]
    imported = imported_modules(finished.stderr)
    assert "synqc_backend" in imported
    assert "qiskit" in imported
    assert imported.isdisjoint(PROVIDER_SDKS), imported & set(PROVIDER_SDKS)
