"""Telling a store that cannot be reached apart from a statement that went wrong.

The first is the operator's to fix and worth retrying (HTTP 503); the second is a bug (500).
"""

import sqlite3

import psycopg
from sqlalchemy.exc import DBAPIError

# SQLSTATEs a server sends when a session cannot start or was cut off: connection exceptions
# (class 08), shutdown or terminated backend, too many connections, database does not exist.
UNREACHABLE_SQLSTATES = ("08", "57P01", "57P02", "57P03", "53300", "3D000")
SQLITE_UNREACHABLE = ("unable to open database file", "disk i/o error")


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
