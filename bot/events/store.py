"""Events in the database: reading one back, and mirroring the catalogue's events into
``catalog_events``.

The events layer sits below delivery: it never tells families itself. Whoever changes an event
passes an :class:`EventChanged` listener (delivery's ``event_changed``, wired by
``bot.delivery.event_news``), called inside the write transaction that made the change.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.catalog.schema import Event, Service
from bot.db.models import CatalogEvent
from bot.events.occurrences import span


class EventChanged(Protocol):
    """Hears that an event's time changed, it was cancelled or removed (``removed`` is the
    event as it was when it no longer exists); returns how many families were told."""

    async def __call__(
        self,
        session: AsyncSession,
        event_id: str,
        tz: tzinfo,
        now: datetime,
        *,
        removed: Event | None = None,
    ) -> int: ...


@dataclass(frozen=True)
class StoredEvent:
    row_id: str
    service_id: str
    revision: int
    event: Event


async def load_event(session: AsyncSession, event_id: str) -> StoredEvent | None:
    row = await session.get(CatalogEvent, event_id)
    if row is None:
        return None
    return StoredEvent(row.id, row.service_id, row.revision, Event.model_validate(row.document))


async def store_events(
    session: AsyncSession,
    services: Sequence[tuple[str, Service]],
    sources: set[str],
    tz: tzinfo,
    now: datetime,
    *,
    on_change: EventChanged,
) -> None:
    """Mirror the services' events into ``catalog_events`` (inside the import transaction).

    An event whose time changed gets a new revision, and ``on_change`` hears of it (so
    families with a reminder are told); an event that disappeared from its source is treated
    as cancelled.
    """
    incoming = {e.id: (source, s.id, e) for source, s in services for e in s.events}
    stored = {
        row.id: row
        for row in (
            await session.execute(select(CatalogEvent).where(CatalogEvent.source.in_(sources)))
        ).scalars()
    }
    for event_id, row in stored.items():
        if event_id not in incoming:
            await session.delete(row)
            await session.flush()
            removed = Event.model_validate(row.document)
            await on_change(session, event_id, tz, now, removed=removed)
    for event_id, (source, service_id, event) in incoming.items():
        document = event.model_dump(mode="json")
        starts_at, ends_at = span(event, tz)
        existing = stored.get(event_id) or await session.get(CatalogEvent, event_id)
        if existing is None:
            session.add(
                CatalogEvent(
                    id=event_id,
                    service_id=service_id,
                    source=source,
                    document=document,
                    starts_at=starts_at,
                    ends_at=ends_at,
                    cancelled=event.cancelled,
                    revision=1,
                    updated_at=now,
                )
            )
            continue
        row = existing
        if row.document == document:
            continue
        old = Event.model_validate(row.document)
        timing_changed = (old.start, old.end, old.rrule, old.cancelled) != (
            event.start,
            event.end,
            event.rrule,
            event.cancelled,
        )
        row.document, row.starts_at, row.ends_at = document, starts_at, ends_at
        row.service_id, row.source, row.cancelled, row.updated_at = (
            service_id,
            source,
            event.cancelled,
            now,
        )
        if timing_changed:
            row.revision += 1
            await session.flush()
            await on_change(session, event_id, tz, now)
    await session.flush()
