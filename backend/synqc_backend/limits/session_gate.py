"""Serializes the submits of one session within this process.

The per-session cap on active runs is a count followed by an insert; two submits of the same
session must not both count before either inserts. Sessions map onto a fixed set of locks, so
memory stays bounded however many sessions there are (unrelated sessions rarely share one).
Across processes the store's own lock does the same (`RunRepository.lock_session`).
"""

import threading
import zlib

STRIPES = 64


class SessionGate:
    def __init__(self, stripes: int = STRIPES) -> None:
        self._locks = [threading.Lock() for _ in range(stripes)]

    def hold(self, session_id: str) -> threading.Lock:
        """The lock of this session's stripe; use it as a context manager."""
        return self._locks[zlib.crc32(session_id.encode()) % len(self._locks)]
