"""The locks (`make lock`): what the test environment holds, and the check in `make test`.

- `backend/requirements-dev.lock` is what `make test` installs: every runtime, extra, dev and
  bench dependency, exact versions with hashes. `backend/requirements.lock` is the runtime part
  that `make run` and the image install, pinned to the same versions.
- `make lock-check` fails, naming `make lock`, when `pyproject.toml` changed and the locks did not.
"""

import os
import re
import shutil
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest
from packaging.utils import canonicalize_name

from tests.ops.ops_files import BACKEND, REPOSITORY

RUN_LOCK = BACKEND / "requirements.lock"
DEV_LOCK = BACKEND / "requirements-dev.lock"
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+) \\$", re.MULTILINE)
HASHED_PIN = re.compile(r"^\S+==\S+ \\\n(?: {4}--hash=sha256:[0-9a-f]{64}(?: \\)?\n)+", re.M)
LOCKS = (RUN_LOCK.name, DEV_LOCK.name)
UV = REPOSITORY / ".tools" / "bin" / "uv"


def pins(lock: Path) -> dict[str, str]:
    return {canonicalize_name(name): version for name, version in PIN.findall(lock.read_text())}


def installed() -> dict[str, str]:
    versions: dict[str, str] = {
        canonicalize_name(distribution.metadata["Name"]): distribution.version
        for distribution in metadata.distributions()
    }
    versions.pop("synqc-backend")
    return versions


def test_the_test_environment_is_the_dev_lock_version_for_version() -> None:
    assert installed() == pins(DEV_LOCK)


def test_the_run_lock_pins_the_dev_locks_versions() -> None:
    run, dev = pins(RUN_LOCK), pins(DEV_LOCK)
    assert {"fastapi", "qiskit", "qiskit-aer", "sqlalchemy"} <= run.keys()
    assert "pytest" not in run
    assert run.items() <= dev.items()


@pytest.mark.parametrize("lock", [RUN_LOCK, DEV_LOCK], ids=lambda lock: lock.name)
def test_every_pin_carries_its_hashes(lock: Path) -> None:
    text = lock.read_text()
    assert len(HASHED_PIN.findall(text)) == len(PIN.findall(text)) > 0


@pytest.fixture
def project_copy(tmp_path: Path) -> Path:
    """The Makefile, pyproject.toml and both locks, in a folder of their own."""
    if not UV.exists():
        pytest.fail(f"{UV} is missing: `make test` installs it")
    shutil.copy(REPOSITORY / "Makefile", tmp_path)
    (tmp_path / "backend" / "synqc_backend").mkdir(parents=True)
    for name in ("pyproject.toml", "README.md", "synqc_backend/__init__.py", *LOCKS):
        shutil.copy(BACKEND / name, tmp_path / "backend" / name)
    return tmp_path


def lock_check(folder: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["make", "--no-print-directory", "lock-check", f"TOOLS={UV.parents[1]}"],
        cwd=folder,
        env={**os.environ, "PYTHON": sys.executable},
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )


@pytest.mark.slow
def test_the_lock_check_passes_on_the_committed_locks(project_copy: Path) -> None:
    result = lock_check(project_copy)
    assert result.returncode == 0, result.stderr


@pytest.mark.slow
@pytest.mark.parametrize(
    ("old", "new"),
    [
        ('"typer>=0.12",', '"typer>=0.12",\n    "tomli-w>=1.0",'),
        ('"numpy>=1.26",', '"numpy>=1.26,<2.5",'),
        ('"numpy>=1.26",', '"numpy>=1.26,<2",'),
        ('    "types-PyYAML",\n', ""),
    ],
    ids=["dependency added", "bound changed", "bound unsatisfiable", "dev dependency removed"],
)
def test_a_dependency_changed_without_make_lock_fails_the_check(
    project_copy: Path, old: str, new: str
) -> None:
    pyproject = project_copy / "backend" / "pyproject.toml"
    text = pyproject.read_text()
    assert old in text
    pyproject.write_text(text.replace(old, new))
    result = lock_check(project_copy)
    assert result.returncode != 0
    assert "run 'make lock'" in result.stderr
    assert pins(project_copy / "backend" / DEV_LOCK.name) == pins(DEV_LOCK)
