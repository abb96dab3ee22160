"""The preset registry: preset name → implementation. Adding a preset is one line here."""

from synqc_backend.models import Preset as PresetName
from synqc_backend.presets.backend_compare import BackendCompare
from synqc_backend.presets.base import Preset
from synqc_backend.presets.dpd_demo import DpdDemo
from synqc_backend.presets.health import Health
from synqc_backend.presets.hello_quantum_sim import HelloQuantumSim
from synqc_backend.presets.latency import Latency

PRESETS: dict[PresetName, Preset] = {
    PresetName.HELLO_QUANTUM_SIM: HelloQuantumSim(),
    PresetName.HEALTH: Health(),
    PresetName.LATENCY: Latency(),
    PresetName.BACKEND_COMPARE: BackendCompare(),
    PresetName.DPD_DEMO: DpdDemo(),
}
