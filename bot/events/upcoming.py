"""Upcoming events near a family: their municipality's own first, then the rest of the region
(the province it belongs to, or a service that serves it from elsewhere), then nationwide.

Events live in ``catalog_events`` (catalogue imports and staff); their service and place come
from the catalogue index. Buttons name an event by :func:`event_token`, a short stable hash,
because an event id may be up to 64 characters and callback data is 64 bytes in all.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, tzinfo
from functools import cache

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.catalog import vocab
from bot.catalog.matching import REACH_ORDER, Reach
from bot.catalog.schema import Event, Location, Service
from bot.db.models import CatalogEvent
from bot.events.occurrences import Occurrence, next_occurrence
from bot.events.store import StoredEvent, load_event

TOKEN_LENGTH = 12  # hex digits: 48 bits, no collision in any catalogue we will see
_TOKEN = re.compile(rf"^[0-9a-f]{{{TOKEN_LENGTH}}}$")
ANYWHERE = "all"  # list every upcoming event, whatever the place


def event_token(event_id: str) -> str:
    """A short stable name of an event for callback data (same id, same token, always)."""
    return hashlib.sha256(event_id.encode()).hexdigest()[:TOKEN_LENGTH]


async def event_by_token(session: AsyncSession, token: str) -> StoredEvent | None:
    """The event a button names, read from the database now (never trusted from the button)."""
    if not _TOKEN.match(token):
        return None
    for event_id in (await session.execute(select(CatalogEvent.id))).scalars():
        if event_token(event_id) == token:
            return await load_event(session, event_id)
    return None


@cache
def region_of(municipality: str) -> frozenset[str]:
    """The municipalities of the province ``municipality`` belongs to (itself if none)."""
    for members in vocab.regions().get("Province", {}).values():
        if municipality in members:
            return frozenset(members)
    return frozenset({municipality})


def event_location(service: Service, event: Event) -> Location | None:
    """The event's place among its service's locations."""
    if event.location is None:
        return None
    return next((loc for loc in service.locations if loc.id == event.location), None)


def event_reach(service: Service, location: Location | None, municipality: str) -> Reach | None:
    """How near an event is to a family in ``municipality``; None when it is not near at all.

    A place decides first: in the municipality is local, elsewhere in the province (or a place
    of a service that serves the municipality) is regional, farther away is not near. Without
    a place the service's area decides, as in matching.
    """
    if location is not None:
        if location.municipality == municipality:
            return "local"
        if location.municipality in region_of(municipality):
            return "regional"
        return "regional" if municipality in service.municipalities else None
    if service.municipalities == [municipality]:
        return "local"
    if municipality in service.municipalities:
        return "regional"
    return "nationwide" if service.nationwide else None


@dataclass(frozen=True)
class ListedEvent:
    """An upcoming event with what a card needs: its service, place and next time."""

    id: str
    event: Event
    service: Service
    location: Location | None
    next: Occurrence
    reach: Reach | None  # None when listing everywhere

    @property
    def token(self) -> str:
        return event_token(self.id)


async def upcoming_events(
    session: AsyncSession,
    services: Mapping[str, Service],
    tz: tzinfo,
    now: datetime,
    *,
    municipality: str | None = None,
    kind: str | None = None,
) -> list[ListedEvent]:
    """Events with an occurrence still ahead, nearest to ``municipality`` first, then soonest.

    ``municipality`` None lists events everywhere by time; ``kind`` keeps one event kind.
    Cancelled events, and events of services no longer in the catalogue, are left out.
    """
    rows = await session.execute(
        select(CatalogEvent.id, CatalogEvent.service_id, CatalogEvent.document).where(
            CatalogEvent.cancelled.is_(False),
            or_(CatalogEvent.ends_at.is_(None), CatalogEvent.ends_at > now),
        )
    )
    found = []
    for event_id, service_id, document in rows.all():
        service = services.get(service_id)
        if service is None:
            continue
        event = Event.model_validate(document)
        if kind is not None and kind not in event.kinds:
            continue
        following = next_occurrence(event, tz, now)
        if following is None:
            continue
        location = event_location(service, event)
        reach = None
        if municipality is not None:
            reach = event_reach(service, location, municipality)
            if reach is None:
                continue
        found.append(ListedEvent(event_id, event, service, location, following, reach))
    return sorted(
        found,
        key=lambda e: (REACH_ORDER[e.reach] if e.reach else 0, e.next.start, e.id),
    )


def kinds_of(events: list[ListedEvent]) -> list[str]:
    """The event kinds present in ``events``, in the vocabulary's order."""
    present = {k for e in events for k in e.event.kinds}
    return [k for k in vocab.EVENT_KINDS if k in present]


async def listed_by_token(
    session: AsyncSession,
    services: Mapping[str, Service],
    token: str,
    tz: tzinfo,
    now: datetime,
) -> ListedEvent | None:
    """The event a button names with its next time; None if gone, cancelled or all past."""
    stored = await event_by_token(session, token)
    if stored is None or stored.event.cancelled:
        return None
    service = services.get(stored.service_id)
    following = next_occurrence(stored.event, tz, now)
    if service is None or following is None:
        return None
    location = event_location(service, stored.event)
    return ListedEvent(stored.row_id, stored.event, service, location, following, None)
