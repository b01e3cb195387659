"""Event cards, list lines and calendar files, in the family's language.

Cards are HTML with every catalogue text escaped. Each line after the title starts with a
label ("Milloin:", "الموعد:"), so Arabic lines begin with an Arabic word and read right to
left even around Finnish place names; titles and descriptions (which staff type) are isolated
like every catalogue text (``Translator.isolate``).
"""

from __future__ import annotations

from datetime import datetime
from html import escape
from zoneinfo import ZoneInfo

from bot.catalog.cards import address, municipality_name
from bot.catalog.schema import Ages, Event, Location, Service
from bot.events.occurrences import Occurrence, is_weekly, to_ics
from bot.events.upcoming import ListedEvent, event_location
from bot.i18n import Translator

DESCRIPTION_LIMIT = 300  # a card is a glance; the catalogue may hold more
PLACE_LIMIT = 300


def when_text(start: datetime, end: datetime, t: Translator) -> str:
    """E.g. Finnish "la 5.12. klo 10.00-12.00" (dates in TIMEZONE via the translator)."""
    return f"{t.format_datetime(start)}–{t.format_time(end)}"


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def event_title(event: Event, t: Translator) -> str:
    """The title in the reader's language (staff events carry the Finnish one as fallback)."""
    return event.title.get(t.locale)


def place_text(location: Location, t: Translator) -> str:
    """The place's name and address, e.g. "Kahvila, Puistotie 15, 48100 Kotka"."""
    parts = [location.name.get(t.locale), address(location)]
    return _clip(", ".join(p for p in parts if p), PLACE_LIMIT)


def ages_line(ages: Ages | None, t: Translator) -> str | None:
    """For which ages, or None when neither the event nor its service says."""
    if ages is None:
        return None
    if ages.expecting and ages.max == 0:
        return t("event-ages-expecting")
    return t("event-ages", min=ages.min, max=ages.max)


def when_line(event: Event, occurrence: Occurrence, t: Translator) -> list[str]:
    """When it is next, and how it repeats."""
    lines = [t("event-when", when=when_text(occurrence.start, occurrence.end, t))]
    if event.rrule is not None:
        lines.append(t("event-repeats-weekly" if is_weekly(event) else "event-repeats"))
    return lines


def render_event_card(listed: ListedEvent, t: Translator) -> str:
    """Title, when, where, for which ages, cost, and a short description."""
    event, service = listed.event, listed.service
    title = t.isolate(escape(event_title(event, t)))
    lines = [f"<b>{title}</b>", *when_line(event, listed.next, t)]
    if listed.location is not None:
        lines.append(t("event-where", place=escape(place_text(listed.location, t))))
    ages = ages_line(event.ages or service.ages, t)
    if ages is not None:
        lines.append(ages)
    cost = event.cost or service.cost
    if cost is not None:
        lines.append(t(f"event-cost-{cost}"))
    lines.append(t("event-by", service=escape(service.name.get(t.locale))))
    if event.description is not None:
        lines.append("")
        description = _clip(event.description.get(t.locale), DESCRIPTION_LIMIT)
        lines.append(t.isolate(escape(description)))
    return "\n".join(lines)


def render_event_line(listed: ListedEvent, t: Translator) -> str:
    """One entry of a list: the title, then when and in which municipality."""
    when = when_text(listed.next.start, listed.next.end, t)
    if listed.location is not None:
        where = municipality_name(listed.location.municipality, t)
        detail = t("event-line", when=when, municipality=escape(where))
    else:
        detail = t("event-line-no-place", when=when)
    return f"<b>{t.isolate(escape(event_title(listed.event, t)))}</b>\n{detail}"


def event_ics(
    event: Event, service: Service, t: Translator, zone: ZoneInfo, now: datetime
) -> bytes:
    """The event as an iCalendar file: the whole series with its RRULE, or the one event."""
    location = event_location(service, event)
    description = event.description.get(t.locale) if event.description is not None else None
    return to_ics(
        event,
        zone,
        title=event_title(event, t),
        description=description,
        location=place_text(location, t) if location is not None else None,
        now=now,
        series=True,
    )
