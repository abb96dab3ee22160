"""The target registry: every target id the API knows, built from settings.

Provider modules are imported here, their SDKs only when a target first runs circuits.
"""

import time
from collections.abc import Mapping

from synqc_backend.config import Settings
from synqc_backend.targets.azure import azure_target
from synqc_backend.targets.base import Target
from synqc_backend.targets.braket import braket_target
from synqc_backend.targets.device_profile import DEFAULT_TRANSMON, DeviceProfile
from synqc_backend.targets.ibm import ibm_target, is_fake_backend
from synqc_backend.targets.ionq import ionq_target
from synqc_backend.targets.local_sim import LocalSimulator
from synqc_backend.targets.mapped import mapped_target
from synqc_backend.targets.profile_drift import ProfileDrift
from synqc_backend.targets.rigetti import rigetti_target

SIM_LOCAL = "sim_local"
IBM_QUANTUM = "ibm_quantum"


def build_targets(
    profile: DeviceProfile = DEFAULT_TRANSMON,
    backends: Mapping[str, str] | None = None,
    settings: Settings | None = None,
) -> dict[str, Target]:
    """All six targets of the contract by id, in the order `/hardware/targets` shows them.

    - `profile` is sim_local's device; `backends` maps a target id to a local Qiskit backend
      that executes in its place (`SYNQC_QISKIT_BACKEND_<TARGET_ID>`). For `ibm_quantum` a
      fake backend name (`FakeManilaV2`) or a device name goes to the IBM adapter instead.
    - `settings` carries the providers' credentials and devices (defaults: none set).
    """
    settings = settings or Settings.model_construct()
    targets = _catalog(profile, settings)
    for target_id, backend_name in (backends or {}).items():
        if target_id == IBM_QUANTUM and (
            is_fake_backend(backend_name) or not backend_name.startswith("aer_")
        ):
            continue
        if target_id in targets:
            targets[target_id] = mapped_target(targets[target_id].descriptor, backend_name)
    return targets


def sim_drift(settings: Settings) -> ProfileDrift | None:
    """sim_local's drift from `SYNQC_SIM_DRIFT_*`, or None when it does not drift."""
    t1_rate, t2_rate = settings.sim_drift_t1_per_hour, settings.sim_drift_t2_per_hour
    if not (t1_rate or t2_rate):
        return None
    return ProfileDrift(t1_rate, t2_rate, settings.sim_drift_start or time.time())


def _catalog(profile: DeviceProfile, settings: Settings) -> dict[str, Target]:
    return {
        SIM_LOCAL: LocalSimulator(profile, drift=sim_drift(settings)),
        "aws_braket": braket_target(settings, profile),
        IBM_QUANTUM: ibm_target(settings),
        "azure_quantum": azure_target(settings),
        "ionq_cloud": ionq_target(settings),
        "rigetti_forest": rigetti_target(settings),
    }
