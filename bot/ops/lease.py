"""The worker lease: one row in ``worker_leases`` says which worker is active until when.

The active worker renews it several times per lease period; a standby polls and takes it only
after ``until`` has passed, so after a crash the standby is active within about one lease.
The lease is an efficiency measure, not the safety net: ledger claims are atomic, so even two
workers that both believe they are active never send a row twice.

A holder id names the host, the process id and the process's start (``holder_id``): a worker
restarted after a crash on the same host (a container restarted in place) sees that the
lease's holder is its own dead predecessor and takes it at once instead of waiting it out.
"""

from __future__ import annotations

import hashlib
import logging
import os
import socket
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.engine import upsert, write_transaction
from bot.db.models import WorkerLease

log = logging.getLogger(__name__)

LEASE_NAME = "delivery"
HOLDER_LENGTH = 64  # worker_leases.holder
_HOST_LENGTH = 24
_PROC = Path("/proc")


def _host() -> str:
    return socket.gethostname()[:_HOST_LENGTH].replace(":", "_")


def process_start(pid: int, proc: Path = _PROC) -> str | None:
    """A short token for *this run* of process ``pid`` (boot id and start time, Linux's
    /proc), so a pid reused by another process does not pass for the original; None when the
    process does not exist or the system has no /proc."""
    try:
        stat = (proc / str(pid) / "stat").read_text(encoding="ascii")
        boot = (proc / "sys" / "kernel" / "random" / "boot_id").read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError):
        return None
    # Field 22 is the start time; the command name (field 2) may hold spaces, so count
    # from its closing parenthesis.
    fields = stat.rpartition(")")[2].split()
    if len(fields) < 20:
        return None
    return hashlib.sha256(f"{boot.strip()}:{fields[19]}".encode()).hexdigest()[:8]


def holder_id(worker: str, pid: int | None = None) -> str:
    """``host:pid:start:worker``: who holds the lease, precisely enough to tell later that
    the process is gone."""
    pid = os.getpid() if pid is None else pid
    return f"{_host()}:{pid}:{process_start(pid) or '-'}:{worker}"[:HOLDER_LENGTH]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, owned by another user
    return True


def dead_on_this_host(holder: str, proc: Path = _PROC) -> bool:
    """True only when ``holder`` is a process of this host that no longer runs.

    Anything else (another host, an id of another shape, a process that may still run) is
    False: taking a live worker's lease early would only cost a double sweep (the ledger's
    claims stay atomic), but waiting is the safe side.
    """
    parts = holder.split(":", 3)
    if len(parts) != 4 or parts[0] != _host() or not parts[1].isdigit():
        return False
    pid, start = int(parts[1]), parts[2]
    if pid == os.getpid():  # this very pid: a predecessor only if it was another run of it
        current = process_start(pid, proc)
        return current is not None and start not in ("-", current)
    if not _alive(pid):
        return True
    current = process_start(pid, proc)  # alive: dead only if the pid now belongs to another
    return current is not None and start != "-" and start != current


async def try_acquire(
    sessions: async_sessionmaker[AsyncSession],
    holder: str,
    now: datetime,
    period: timedelta,
    name: str = LEASE_NAME,
    is_dead: Callable[[str], bool] = lambda _holder: False,
) -> bool:
    """Take or renew the lease for ``holder``; True when ``holder`` holds it until now+period.

    Every statement is a single atomic write: the insert creates the row once, the
    conditional update succeeds only for the current holder or after the lease expired. When
    it fails and ``is_dead`` says the current holder is gone, the lease is taken from exactly
    that holder (a compare-and-set on its id).
    """
    async with sessions() as session, write_transaction(session):
        await session.execute(
            upsert(session, WorkerLease)
            .values(name=name, holder=holder, until=now + period)
            .on_conflict_do_nothing(index_elements=[WorkerLease.name])
        )
        result = await session.execute(
            update(WorkerLease)
            .where(
                WorkerLease.name == name,
                or_(WorkerLease.holder == holder, WorkerLease.until < now),
            )
            .values(holder=holder, until=now + period)
        )
        if int(result.rowcount or 0) == 1:  # type: ignore[attr-defined]
            return True
        current = await session.scalar(select(WorkerLease.holder).where(WorkerLease.name == name))
        if current is None or not is_dead(current):
            return False
        result = await session.execute(
            update(WorkerLease)
            .where(WorkerLease.name == name, WorkerLease.holder == current)
            .values(holder=holder, until=now + period)
        )
    taken = int(result.rowcount or 0) == 1  # type: ignore[attr-defined]
    if taken:
        log.info("worker lease: %s held it but is gone; taken at once", current)
    return taken


async def release(
    sessions: async_sessionmaker[AsyncSession], holder: str, now: datetime, name: str = LEASE_NAME
) -> None:
    """Give the lease up at a clean shutdown so a standby need not wait for it to expire."""
    async with sessions() as session, write_transaction(session):
        await session.execute(
            update(WorkerLease)
            .where(WorkerLease.name == name, WorkerLease.holder == holder)
            .values(until=now)
        )
