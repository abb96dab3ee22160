"""Start-up stays light: plotting and curve fitting load on first use, not with the API."""

import subprocess
import sys
from pathlib import Path

LOADED_AT_IMPORT = """
import sys
import synqc_backend.api
print(sorted(name for name in ("matplotlib", "scipy.optimize") if name in sys.modules))
"""


def test_importing_the_api_loads_neither_matplotlib_nor_scipy_optimize() -> None:
    finished = subprocess.run(
        [sys.executable, "-c", LOADED_AT_IMPORT],
        cwd=Path(__file__).resolve().parents[1],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert finished.stdout.strip() == "[]"
