"""Riding out a database outage: which errors mean "the database cannot be reached", and
retrying with exponential backoff while that lasts.

A restart of PostgreSQL, a failover or a network cut shows up as a refused or reset connection
(``OSError``), a connection SQLAlchemy found dead and invalidated, or one of PostgreSQL's
connection and shutdown error codes. Those are worth waiting out; any other error is a bug or
a refusal and is raised at once.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

from bot.error_text import describe as describe_error

log = logging.getLogger(__name__)

T = TypeVar("T")

# SQLSTATE class 08 (connection exception), and admin shutdown, crash shutdown, cannot connect
# now (PostgreSQL restarting or starting up).
_UNREACHABLE_CLASS = "08"
_UNREACHABLE_STATES = frozenset({"57P01", "57P02", "57P03"})


def database_unreachable(exc: BaseException) -> bool:
    """Whether ``exc`` means the database could not be reached (worth retrying later)."""
    for error in (exc, getattr(exc, "orig", None), exc.__cause__):
        if error is None:
            continue
        if isinstance(error, DBAPIError) and error.connection_invalidated:
            return True
        # OSError covers refused and reset connections and timeouts; the pool's timeout means
        # every connection is stuck waiting for the database.
        if isinstance(error, OSError | PoolTimeoutError):
            return True
        state = getattr(error, "sqlstate", None)
        if isinstance(state, str) and (
            state.startswith(_UNREACHABLE_CLASS) or state in _UNREACHABLE_STATES
        ):
            return True
    return False


def describe(exc: BaseException) -> str:
    """A one-line description of a connection error for logs (no statement, no parameters)."""
    root = getattr(exc, "orig", None) or exc.__cause__ or exc
    return describe_error(root)


@dataclass
class Backoff:
    """Exponential backoff with jitter: ``first``, twice that, ... up to ``cap`` seconds.

    The jitter (each wait is between half and all of its step) keeps replicas that lost the
    database together from all knocking again at the same instant.
    """

    first: float = 0.1
    cap: float = 5.0
    failures: int = 0

    def next(self) -> float:
        """The wait before the next try, counting one more failure."""
        self.failures += 1
        step = min(self.cap, self.first * 2.0 ** min(self.failures - 1, 32))
        return step * random.uniform(0.5, 1.0)  # jitter, not security

    def reset(self) -> None:
        """The database answered: start from ``first`` again next time."""
        self.failures = 0


async def retry_unreachable(
    call: Callable[[], Awaitable[T]],
    *,
    what: str,
    until: float | None = None,
    backoff: Backoff | None = None,
    failed: Exception | None = None,
) -> T:
    """Await ``call()``; while the database is unreachable, log it and call again after an
    exponential backoff. ``until`` (``time.monotonic()`` seconds) bounds the waiting: the last
    try is made at ``until`` and its error raised. Any other error is raised at once.
    ``failed``: the caller's own first try already failed with this (unreachable) error, so
    start with the wait (a hot path tries once without building any of this).

    ``call`` must be safe to repeat: a transaction that failed was rolled back, but one whose
    commit was sent may have been applied before the connection broke.
    """
    backoff = backoff or Backoff()
    while True:
        if failed is None:
            try:
                return await call()
            except Exception as exc:
                if not database_unreachable(exc):
                    raise
                failed = exc
        wait = backoff.next()
        if until is not None:
            left = until - time.monotonic()
            if left <= 0:
                raise failed
            wait = min(wait, left)
        log.warning(
            "%s: database unreachable (%s); retrying in %.1fs", what, describe(failed), wait
        )
        failed = None
        await asyncio.sleep(wait)
