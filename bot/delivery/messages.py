"""What each kind of ledger row says, rendered at send time in the recipient's language."""

from __future__ import annotations

from html import escape
from zoneinfo import ZoneInfo

from aiogram.enums import ParseMode
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.catalog.schema import Event, Service
from bot.db.models import CatalogService
from bot.delivery.ledger import Claimed
from bot.delivery.reminders import occurrence_from_key
from bot.delivery.worker import Outgoing, Renderer
from bot.events.cards import when_text
from bot.events.occurrences import next_occurrence
from bot.events.store import load_event
from bot.i18n import Translator


async def event_place(
    session: AsyncSession, service_id: str, event: Event, t: Translator
) -> str | None:
    """The event's place: its location's name and address, in the user's language."""
    row = await session.get(CatalogService, service_id)
    if row is None or event.location is None:
        return None
    service = Service.model_validate(row.document)
    for location in service.locations:
        if location.id == event.location:
            parts = [location.name.get(t.locale), location.street, location.city]
            return ", ".join(p for p in parts if p)
    return None


def reminder_renderer(tz: ZoneInfo) -> Renderer:
    async def render(
        sessions: async_sessionmaker[AsyncSession], row: Claimed, t: Translator
    ) -> Outgoing | None:
        async with sessions() as session:
            stored = await load_event(session, str(row.payload["event"]))
            if stored is None or stored.event.cancelled:
                return None
            occurrence = occurrence_from_key(
                stored.event, tz, str(row.payload["occurrence"]), row.due_at
            )
            if occurrence is None:
                return None
            place = await event_place(session, stored.service_id, stored.event, t)
        text = t(
            f"reminder-{row.payload['offset']}",
            title=escape(stored.event.title.get(t.locale)),
            when=when_text(occurrence.start, occurrence.end, t),
            place=escape(place or "-"),
        )
        return Outgoing(text, ParseMode.HTML)

    return render


def notice_renderer(tz: ZoneInfo) -> Renderer:
    async def render(
        sessions: async_sessionmaker[AsyncSession], row: Claimed, t: Translator
    ) -> Outgoing | None:
        msg = str(row.payload["msg"])
        async with sessions() as session:
            stored = await load_event(session, str(row.payload["event"]))
        if msg == "event-moved":
            if stored is None:
                return None
            following = next_occurrence(stored.event, tz, row.due_at)
            if following is None:
                return None
            text = t(
                "event-moved",
                title=escape(stored.event.title.get(t.locale)),
                when=when_text(following.start, following.end, t),
            )
        else:
            titles = row.payload.get("title") or {}
            title = str(titles.get(t.locale) or titles.get("en") or "-")
            text = t("event-cancelled", title=escape(title))
        return Outgoing(text, ParseMode.HTML)

    return render


def staff_alert_renderer() -> Renderer:
    """A staff alert (``kind`` staff-alert): the Fluent message ``msg`` with its ``args``,
    in the staff member's language (bot.ops.ptv_job queues them)."""

    async def render(
        _sessions: async_sessionmaker[AsyncSession], row: Claimed, t: Translator
    ) -> Outgoing | None:
        args = row.payload.get("args") or {}
        return Outgoing(t(str(row.payload["msg"]), **args))

    return render
