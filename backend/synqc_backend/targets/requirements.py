"""Readiness of a provider target from what is installed and configured, without importing it.

A provider target is `unconfigured` while its package extra is missing or a credential
variable is unset; the detail names the extra to install or every variable still missing.
"""

import importlib.metadata
import os
from collections.abc import Mapping, Sequence

from synqc_backend.models import TargetStatus
from synqc_backend.targets.base import Readiness


def installed(distribution: str) -> bool:
    """True when the distribution is installed; read from its metadata, nothing is imported."""
    try:
        importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return False
    return True


def missing_extra(extra: str, distributions: Sequence[str]) -> Readiness | None:
    """`unconfigured` naming the extra when one of its distributions is not installed."""
    absent = [name for name in distributions if not installed(name)]
    if not absent:
        return None
    return Readiness(
        TargetStatus.UNCONFIGURED,
        f"the '{extra}' extra is not installed ({', '.join(absent)} missing): "
        f"pip install 'synqc-backend[{extra}]'",
    )


def missing_variables(present: Mapping[str, bool]) -> Readiness | None:
    """`unconfigured` naming every variable of `present` that is False."""
    absent = [name for name, is_set in present.items() if not is_set]
    if not absent:
        return None
    return Readiness(TargetStatus.UNCONFIGURED, f"set {', '.join(absent)}")


def env_set(*names: str) -> bool:
    """True when any of the environment variables `names` is set and non-empty."""
    return any(os.environ.get(name) for name in names)


def first_unready(*checks: Readiness | None) -> Readiness | None:
    return next((check for check in checks if check is not None), None)
