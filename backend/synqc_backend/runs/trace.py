"""The run's workflow trace: stage durations from the timestamps the engine records."""

from collections.abc import Mapping

from synqc_backend.models import WorkflowStage

# (stage id, label, description, timeline key that ends the stage); each starts where the
# previous ended and the first starts at `received`, so the dwell times add up to the run's
# duration from `created_at` to the last recorded boundary.
STAGES: tuple[tuple[str, str, str, str], ...] = (
    ("validate", "Validate", "request checked, shots reserved, run stored as queued", "queued"),
    ("queue", "Queue", "waiting for a worker", "started"),
    ("compile", "Compile", "preset planned its circuits", "compiled"),
    ("execute", "Execute", "target executed the circuits", "executed"),
    ("analyse", "Analyse", "counts fitted into measurements and KPIs", "analysed"),
    ("store", "Store", "result built and written to the run store", "finished"),
)
START_KEY = "received"


def build_trace(timeline: Mapping[str, float]) -> list[WorkflowStage]:
    """One stage per boundary reached; `percent_complete` is the share of stages done."""
    trace: list[WorkflowStage] = []
    previous = timeline.get(START_KEY)
    if previous is None:
        return trace
    for index, (stage_id, label, description, end_key) in enumerate(STAGES, start=1):
        end = timeline.get(end_key)
        if end is None:
            break
        trace.append(
            WorkflowStage(
                id=stage_id,
                label=label,
                description=description,
                percent_complete=round(100.0 * index / len(STAGES), 1),
                dwell_ms=(end - previous) * 1000.0,
            )
        )
        previous = end
    return trace
