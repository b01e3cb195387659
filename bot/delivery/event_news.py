"""The operations that change events, with families who have a reminder told.

Events and the catalogue sit below delivery and never import it: they call the change listener
they are given. This module hands them delivery's :func:`bot.delivery.reminders.event_changed`,
so handlers, the command line and tests change events through here and no caller can forget
to tell the families.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, tzinfo
from functools import partial
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from bot.catalog import store as catalog_store
from bot.catalog.loader import SourcedFile
from bot.catalog.store import HELSINKI, ImportReport, MirrorEvents
from bot.delivery.reminders import event_changed
from bot.events import staff
from bot.events.store import store_events

mirror_events: MirrorEvents = partial(store_events, on_change=event_changed)


async def import_files(
    session: AsyncSession,
    files: Sequence[SourcedFile],
    *,
    origin: str,
    digest: str,
    now: datetime | None = None,
    tz: tzinfo = HELSINKI,
) -> ImportReport:
    """:func:`bot.catalog.store.import_files`, telling families whose event changed."""
    return await catalog_store.import_files(
        session, files, origin=origin, digest=digest, now=now, tz=tz, mirror_events=mirror_events
    )


async def sync_catalog_path(
    session: AsyncSession, path: Path, tz: tzinfo = HELSINKI
) -> ImportReport | None:
    """:func:`bot.catalog.store.sync_catalog_path`, telling families whose event changed."""
    return await catalog_store.sync_catalog_path(session, path, tz, mirror_events=mirror_events)


async def move_event(
    session: AsyncSession, event_id: str, start: datetime, tz: tzinfo, now: datetime
) -> int | None:
    """:func:`bot.events.staff.move_event`; returns the notices queued (None: event gone)."""
    return await staff.move_event(session, event_id, start, tz, now, on_change=event_changed)


async def cancel_event(
    session: AsyncSession, event_id: str, tz: tzinfo, now: datetime
) -> int | None:
    """:func:`bot.events.staff.cancel_event`; returns the notices queued (None: already gone)."""
    return await staff.cancel_event(session, event_id, tz, now, on_change=event_changed)
