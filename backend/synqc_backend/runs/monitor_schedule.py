"""When a monitor runs: an ISO-8601 period (`PT10S`, `PT5M`, `P1D`) or a cron expression
(five fields, or six with seconds last as croniter reads them), and how it backs off while its
runs fail."""

from dataclasses import dataclass
from datetime import timedelta

from croniter import croniter
from pydantic import TypeAdapter, ValidationError

# The shortest period a monitor may have: the simulator is free, hardware costs shots and
# queue time.
MIN_INTERVAL_S = {"sim": 10.0, "remote": 300.0}
# A failing monitor waits this many periods more per failure in a row, at most this many.
BACKOFF_BASE = 2.0
MAX_BACKOFF_PERIODS = 64.0
_DURATION = TypeAdapter(timedelta)


@dataclass(frozen=True)
class Schedule:
    """A period in seconds (anchored at `anchor`), or a cron expression."""

    every: str
    period_s: float | None
    anchor: float

    def next_after(self, moment: float) -> float:
        """The first tick strictly after `moment` (Unix time)."""
        if self.period_s is not None:
            ticks = (moment - self.anchor) // self.period_s + 1
            return self.anchor + max(ticks, 1) * self.period_s
        return float(croniter(self.every, moment).get_next(float))

    def interval_after(self, moment: float) -> float:
        """The gap between the two ticks that follow `moment`: the period, for a period."""
        first = self.next_after(moment)
        return self.next_after(first) - first


def parse_every(every: str, anchor: float) -> Schedule:
    """The schedule `every` names; ValueError saying what was expected otherwise."""
    text = every.strip()
    if text.upper().startswith("P"):
        try:
            period = _DURATION.validate_python(text).total_seconds()
        except ValidationError as error:
            raise ValueError(f"'{every}' is not an ISO-8601 duration such as PT10S") from error
        if period <= 0:
            raise ValueError(f"'{every}' is not a positive duration")
        return Schedule(text, period, anchor)
    if not croniter.is_valid(text):
        raise ValueError(
            f"'{every}' is neither an ISO-8601 duration (PT10S, PT5M) nor a cron expression "
            "('*/5 * * * *'; six fields for seconds)"
        )
    return Schedule(text, None, anchor)


def backoff_until(schedule: Schedule, due: float, failures: int) -> float:
    """When a monitor whose run failed `failures` times in a row may run again after the tick
    `due`: that many periods further, doubling per failure (capped)."""
    if failures <= 0:
        return due
    periods = min(MAX_BACKOFF_PERIODS, BACKOFF_BASE ** (failures - 1))
    return due + periods * schedule.interval_after(due)
