"""A device whose qubits drift: T1 and T2 changing linearly with wall time, for monitoring demos
and tests (`SYNQC_SIM_DRIFT_T1_PER_HOUR`, `SYNQC_SIM_DRIFT_T2_PER_HOUR`)."""

from dataclasses import dataclass, replace

from synqc_backend.targets.device_profile import DeviceProfile

# A drifting value never falls below this share of its start value.
FLOOR = 0.05
# Factors are rounded to this many decimals: the channels cached per qubit parameters then see
# a new parameter set only when the drift has moved by 0.1 %.
DECIMALS = 3


@dataclass(frozen=True)
class ProfileDrift:
    """`t1_per_hour` = −0.4: every qubit's T1 falls by 40 % of its start value per hour since
    `started_at` (Unix time); T2 likewise with `t2_per_hour`, capped at 2·T1."""

    t1_per_hour: float
    t2_per_hour: float
    started_at: float

    def factors(self, now: float) -> tuple[float, float]:
        """(T1, T2) as multiples of their start values at Unix time `now`."""
        hours = max(0.0, now - self.started_at) / 3600.0
        return tuple(  # type: ignore[return-value]
            round(max(FLOOR, 1.0 + rate * hours), DECIMALS)
            for rate in (self.t1_per_hour, self.t2_per_hour)
        )

    def applied(self, profile: DeviceProfile, now: float) -> DeviceProfile:
        """`profile` as the drift has made it at `now`."""
        t1_factor, t2_factor = self.factors(now)
        if (t1_factor, t2_factor) == (1.0, 1.0):
            return profile
        qubits = tuple(
            replace(
                q, t1_s=q.t1_s * t1_factor, t2_s=min(q.t2_s * t2_factor, 2 * q.t1_s * t1_factor)
            )
            for q in profile.qubits
        )
        return replace(profile, qubits=qubits)
