"""Device profiles: the physical parameters the local simulator's noise model is built from."""

from dataclasses import dataclass


@dataclass(frozen=True)
class DeviceProfile:
    """One simulated transmon qubit type, applied to every qubit a circuit uses (SI units).

    - `t2_s` ≤ 2·`t1_s` (physical bound).
    - `readout_p1_given_0` / `readout_p0_given_1`: asymmetric assignment errors.
    - Gate errors are average gate infidelities; thermal relaxation during the gate makes up
      part of them, depolarizing noise the rest.
    """

    name: str
    source: str
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
        if self.t2_s > 2 * self.t1_s:
            raise ValueError(f"profile {self.name}: T2 must not exceed 2·T1")


DEFAULT_TRANSMON = DeviceProfile(
    name="transmon_default",
    source=(
        "representative medians of fixed-frequency transmons on IBM Falcon/Eagle devices "
        "(published backend calibrations, 2022-2024): T1 ~100 us, T2 ~80 us, sx 35.6 ns, "
        "CX/ECR ~400 ns at ~8e-3 error, readout ~1.5 % / 3 %"
    ),
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

PROFILES: dict[str, DeviceProfile] = {DEFAULT_TRANSMON.name: DEFAULT_TRANSMON}
