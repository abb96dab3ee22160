"""`Idempotency-Key` on submit: a retried request returns the run its first attempt stored.

- A key is a name inside the caller's session, kept for `KEY_LIFETIME_S` (24 h); after that the
  same key starts a new run.
- The same key with a different request is refused (409), so a client bug that reuses keys is
  not mistaken for a retry.
"""

from synqc_backend.errors import ApiError, ErrorCode
from synqc_backend.models import RunExperimentRequest
from synqc_backend.storage.repository import RunRepository
from synqc_backend.storage.tables import RunRow

KEY_LIFETIME_S = 24 * 3600


def earlier_run(
    repository: RunRepository,
    session_id: str,
    key: str,
    request: RunExperimentRequest,
    now: float,
) -> RunRow | None:
    """The run this key stored within its lifetime, or None (an expired key is released)."""
    row = repository.by_idempotency_key(session_id, key)
    if row is None:
        return None
    if row.created_at < now - KEY_LIFETIME_S:
        repository.release_idempotency_key(row)
        return None
    if row.request != request.model_dump(mode="json"):
        raise ApiError(
            409,
            ErrorCode.INVALID_REQUEST,
            f"Idempotency-Key '{key}' was used for a different request (run {row.id})",
            hint="send a new Idempotency-Key for a new run; reuse a key only to retry the same "
            "request",
            detail={"idempotency_key": key, "run_id": row.id},
        )
    return row
