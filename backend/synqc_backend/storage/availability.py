"""Telling a store that cannot be reached apart from a statement that went wrong.

The first is the operator's to fix and worth retrying (HTTP 503); the second is a bug (500).
"""

import sqlite3
import time
from collections.abc import Callable

import psycopg
from sqlalchemy.exc import DBAPIError

# SQLSTATEs a server sends when a session cannot start or was cut off: connection exceptions
# (class 08), shutdown or terminated backend, too many connections, database does not exist.
UNREACHABLE_SQLSTATES = ("08", "57P01", "57P02", "57P03", "53300", "3D000")
SQLITE_UNREACHABLE = ("unable to open database file", "disk i/o error")
# The store answers reads but cannot take writes: its disk is full or mounted read-only.
SQLITE_CANNOT_WRITE = ("database or disk is full", "attempt to write a readonly database")


def is_unreachable(error: BaseException) -> bool:
    """True when a store error means the database could not be reached or dropped the session.

    - psycopg reports a failed connection attempt (refused, timed out, unknown database, bad
      password) without a SQLSTATE; a session cut off mid-use invalidates the connection.
    - Constraint violations, syntax errors, lock timeouts and the like are not outages.
    """
    if not isinstance(error, DBAPIError):
        return False
    if error.connection_invalidated:
        return True
    cause = error.orig
    if isinstance(cause, psycopg.OperationalError):
        return cause.sqlstate is None or cause.sqlstate.startswith(UNREACHABLE_SQLSTATES)
    if isinstance(cause, sqlite3.OperationalError):
        return str(cause).lower().startswith(SQLITE_UNREACHABLE)
    return False


def cannot_write(error: BaseException) -> bool:
    """True when the store refused a write for want of a writable disk (SQLite: full or
    read-only); like an outage, the operator's to fix, and nothing was half-written."""
    if not isinstance(error, DBAPIError):
        return False
    cause = error.orig
    return isinstance(cause, sqlite3.OperationalError) and str(cause).lower().startswith(
        SQLITE_CANNOT_WRITE
    )


def is_store_fault(error: BaseException) -> bool:
    """The store is down or cannot write: the operator's to fix, worth retrying."""
    return is_unreachable(error) or cannot_write(error)


def retry_while_store_faults(
    call: Callable[[], None],
    budget_s: float = 300.0,
    first_wait_s: float = 0.25,
    max_wait_s: float = 5.0,
) -> bool:
    """Call until it returns without a store fault, waiting longer each time, for at most
    `budget_s`; False when the store still failed then (other errors propagate)."""
    deadline = time.monotonic() + budget_s
    wait_s = first_wait_s
    while True:
        try:
            call()
            return True
        except DBAPIError as error:
            if not is_store_fault(error) or time.monotonic() + wait_s > deadline:
                if is_store_fault(error):
                    return False
                raise
        time.sleep(wait_s)
        wait_s = min(max_wait_s, wait_s * 2)
