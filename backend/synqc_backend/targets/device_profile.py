"""Device profiles: the physical parameters the local simulator's noise model is built from."""

from dataclasses import dataclass


@dataclass(frozen=True)
class QubitParameters:
    """One physical transmon qubit (SI units).

    - `t2_s` ≤ 2·`t1_s` (physical bound).
    - `readout_p1_given_0` / `readout_p0_given_1`: asymmetric assignment errors.
    - Gate errors are average gate infidelities; thermal relaxation during the gate makes up
      part of them, depolarizing noise the rest.
    - `two_qubit_gate_*` describe this qubit's two-qubit gates; a pair uses the mean error and
      the longer duration of its two qubits.
    - `residual_excited_population`: excited population of the qubit at rest, seen when the
      thermal guard is off.
    """

    t1_s: float
    t2_s: float
    readout_p1_given_0: float
    readout_p0_given_1: float
    single_qubit_gate_error: float
    single_qubit_gate_duration_s: float
    two_qubit_gate_error: float
    two_qubit_gate_duration_s: float
    measurement_duration_s: float
    residual_excited_population: float

    def __post_init__(self) -> None:
        if not (self.t1_s > 0 and self.t2_s > 0):
            raise ValueError("T1 and T2 must be positive")
        if self.t2_s > 2 * self.t1_s:
            raise ValueError("T2 must not exceed 2·T1")
        for name in _PROBABILITIES:
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"{name} must lie in [0, 1]")
        for name in _DURATIONS:
            if getattr(self, name) < 0.0:
                raise ValueError(f"{name} must not be negative")


_PROBABILITIES = (
    "readout_p1_given_0",
    "readout_p0_given_1",
    "single_qubit_gate_error",
    "two_qubit_gate_error",
    "residual_excited_population",
)
_DURATIONS = (
    "single_qubit_gate_duration_s",
    "two_qubit_gate_duration_s",
    "measurement_duration_s",
)


@dataclass(frozen=True)
class DeviceProfile:
    """A simulated device: one parameter set per physical qubit, indexed 0, 1, 2, …"""

    name: str
    source: str
    qubits: tuple[QubitParameters, ...]

    def __post_init__(self) -> None:
        if not self.qubits:
            raise ValueError(f"profile {self.name} has no qubits")

    @property
    def num_qubits(self) -> int:
        return len(self.qubits)

    def qubit(self, physical: int) -> QubitParameters:
        """Parameters of physical qubit `physical`; ValueError when the device has no such qubit."""
        if not 0 <= physical < len(self.qubits):
            raise ValueError(
                f"profile {self.name} has qubits 0..{len(self.qubits) - 1}, not {physical}"
            )
        return self.qubits[physical]


def uniform_profile(
    name: str, source: str, parameters: QubitParameters, num_qubits: int
) -> DeviceProfile:
    """A device whose `num_qubits` qubits all share `parameters`."""
    return DeviceProfile(name, source, (parameters,) * num_qubits)


TRANSMON_QUBIT = QubitParameters(
    t1_s=100e-6,
    t2_s=80e-6,
    readout_p1_given_0=0.012,
    readout_p0_given_1=0.030,
    single_qubit_gate_error=3e-4,
    single_qubit_gate_duration_s=35.6e-9,
    two_qubit_gate_error=8e-3,
    two_qubit_gate_duration_s=400e-9,
    measurement_duration_s=1.2e-6,
    residual_excited_population=0.02,
)

DEFAULT_TRANSMON = uniform_profile(
    "transmon_default",
    (
        "representative medians of fixed-frequency transmons on IBM Falcon/Eagle devices "
        "(published backend calibrations, 2022-2024): T1 ~100 us, T2 ~80 us, sx 35.6 ns, "
        "CX/ECR ~400 ns at ~8e-3 error, readout ~1.5 % / 3 %; residual excited population "
        "2 % without active reset (PHYSICS.md)"
    ),
    TRANSMON_QUBIT,
    num_qubits=8,
)

PROFILES: dict[str, DeviceProfile] = {DEFAULT_TRANSMON.name: DEFAULT_TRANSMON}
