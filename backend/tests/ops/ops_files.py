"""Where the operations files are, and the system tools that check them (promtool, amtool).

A tool that is not installed skips the test, except under `CI=true`, where it fails
(.ci/run installs Debian's `prometheus` and `prometheus-alertmanager`).
"""

import shutil
import sys
from pathlib import Path

import pytest

from tests.redis_server import in_ci

BACKEND = Path(__file__).resolve().parents[2]
REPOSITORY = BACKEND.parent
OPS = BACKEND / "ops"
SCRIPTS = BACKEND / "scripts"
PYTHON = sys.executable


def require_tool(name: str, package: str) -> str:
    """The path of executable `name`; skips when missing, fails under `CI=true`."""
    path = shutil.which(name)
    if path is not None:
        return path
    message = f"{name} is not on PATH (Debian/Ubuntu: apt-get install {package})"
    if in_ci():
        pytest.fail(message)
    pytest.skip(message)
