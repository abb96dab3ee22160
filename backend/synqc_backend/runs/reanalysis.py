"""Rebuilding a run's batch outcomes from its stored counts, so its KPIs can be recomputed."""

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from synqc_backend.execution import BatchOutcome, CircuitBatch, ExecutionResult
from synqc_backend.storage.repository import StoredCounts


def stored_outcomes(
    batches: Sequence[dict[str, Any]], counts: Sequence[StoredCounts]
) -> list[BatchOutcome]:
    """One outcome per recorded batch, in execution order; circuits are not needed to analyse."""
    by_batch: dict[int, list[StoredCounts]] = defaultdict(list)
    for item in counts:
        by_batch[item.batch_index].append(item)
    outcomes = []
    for record in sorted(batches, key=lambda r: int(r["index"])):
        items = sorted(by_batch[int(record["index"])], key=lambda c: c.circuit_index)
        layout = record.get("layout")
        batch = CircuitBatch(
            label=str(record["label"]),
            circuits=(),
            shots=items[0].shots if items else 0,
            x_values=tuple(item.x_value for item in items),
            layout=None if layout is None else tuple(layout),
            target_id=str(record["target"]),
        )
        result = ExecutionResult(
            counts=tuple(dict(item.counts) for item in items),
            shots_executed=int(record["shots_executed"]),
            submit_to_result_s=float(record["submit_to_result_s"]),
            execution_s=float(record["execution_s"]),
            queue_s=record.get("queue_s"),
            backend_name=str(record.get("backend_name", "")),
            device_controls_applied=bool(record.get("device_controls_applied", False)),
        )
        outcomes.append(BatchOutcome(batch, result))
    return outcomes
