"""The preset registry: preset name → implementation. Adding a preset is one line here."""

from synqc_backend.models import Preset as PresetName
from synqc_backend.presets.base import Preset
from synqc_backend.presets.hello_quantum_sim import HelloQuantumSim

PRESETS: dict[PresetName, Preset] = {
    PresetName.HELLO_QUANTUM_SIM: HelloQuantumSim(),
}
