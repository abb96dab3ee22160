"""KPI definitions: every formula a reported number is computed with, versioned by id."""

from dataclasses import dataclass


@dataclass(frozen=True)
class KpiDefinition:
    """`id` ends in `_v<version>`; a changed formula gets a new version and a new id."""

    id: str
    name: str
    version: int
    formula: str
    units: str
    kind: str


DIST_FIDELITY = KpiDefinition(
    id="dist_fidelity_v1",
    name="fidelity",
    version=1,
    formula=(
        "classical fidelity F = (sum_x sqrt(p(x) q(x)))^2 between measured frequencies p and the "
        "ideal distribution q; 95 % CI by multinomial bootstrap of the counts"
    ),
    units="1",
    kind="fidelity",
)
EXEC_LATENCY_PER_CIRCUIT = KpiDefinition(
    id="exec_latency_per_circuit_v1",
    name="latency_us",
    version=1,
    formula=(
        "median over the run's target calls of the measured execution time (monotonic clock "
        "around the target's execute call) divided by the number of circuits in the call"
    ),
    units="us",
    kind="latency",
)
SHOTS_USED = KpiDefinition(
    id="shots_used_v1",
    name="shots_used",
    version=1,
    formula="sum over every circuit the target executed of its shots, retries included",
    units="shots",
    kind="count",
)
BELL_STATUS = KpiDefinition(
    id="bell_status_v1",
    name="status",
    version=1,
    formula=(
        "ok when the upper end of the fidelity CI95 is >= 0.95, warn when it is >= 0.85, else fail"
    ),
    units="ok|warn|fail",
    kind="status",
)

DEFINITIONS: dict[str, KpiDefinition] = {
    definition.id: definition
    for definition in (DIST_FIDELITY, EXEC_LATENCY_PER_CIRCUIT, SHOTS_USED, BELL_STATUS)
}
