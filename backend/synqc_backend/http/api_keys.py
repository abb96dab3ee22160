"""API keys: how a caller presents one, how it is checked, and the name it may be known by.

- Presented as `X-Api-Key: <key>`, else `Authorization: Bearer <key>`.
- Checked in constant time: both sides are hashed to 32 bytes first, so neither a key's
  content nor its length changes how long a comparison takes; every configured key is tried.
- Known elsewhere (session ids, rate-limit buckets) only by a fingerprint, never in clear.
"""

import hashlib
import hmac
from collections.abc import Sequence

FINGERPRINT_HEX = 12


def presented_key(x_api_key: str | None, authorization: str | None) -> str | None:
    """The secret the caller sent: `X-Api-Key`, else `Authorization: Bearer <key>`."""
    if x_api_key:
        return x_api_key
    if authorization and authorization[:7].lower() == "bearer ":
        return authorization[7:].strip()
    return None


def key_matches(configured: Sequence[str], presented: str | None) -> bool:
    """True when `presented` is one of the configured keys (constant time, every key tried)."""
    candidate = _digest(presented or "")
    matches = [hmac.compare_digest(candidate, _digest(known)) for known in configured]
    return presented is not None and any(matches)


def fingerprint(key: str) -> str:
    """The first 12 hex digits of the key's SHA-256: a name for it that reveals nothing."""
    return hashlib.sha256(key.encode()).hexdigest()[:FINGERPRINT_HEX]


def _digest(value: str) -> bytes:
    return hashlib.sha256(value.encode("utf-8", "surrogateescape")).digest()
