"""Staff-managed events: reading what staff type, drafts, and adding, renaming, moving and
cancelling events in ``catalog_events``.

Staff type dates and times the Finnish way ("5.12.2026 10.00"); ISO ("2026-12-05 10:00") works
too. Every parse error is a :class:`StaffInputError` naming a Fluent message that says what
was expected. Moving or cancelling bumps the event's revision and calls the ``on_change``
listener in the same write transaction; delivery's listener tells every family with a reminder
and moves their reminders (``bot.delivery.event_news`` wires the two).
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from pydantic import BaseModel, ValidationError
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.catalog.schema import MAX_AGE, Ages, Cost, Event, EventKind, Locale, Text
from bot.db.engine import write_transaction
from bot.db.models import CatalogEvent, Reminder
from bot.events.occurrences import duration, next_occurrence, span
from bot.events.store import EventChanged

STAFF_SOURCE = "staff"
TITLE_MAX = 150
MIN_DURATION = timedelta(minutes=10)
MAX_DURATION = timedelta(hours=12)
MAX_AHEAD = timedelta(days=400)  # events further ahead are almost certainly a typo
_RRULE_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


class StaffInputError(ValueError):
    """Staff typed something we cannot use; ``msg_id`` (with ``args``) tells them why."""

    def __init__(self, msg_id: str, **args: str | int) -> None:
        super().__init__(msg_id)
        self.msg_id = msg_id
        self.details = args


# ------------------------------------------------------------------ reading staff input

_FI_DATETIME = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})\s+(?:klo\s+)?(\d{1,2})[.:](\d{2})$")
_ISO_DATETIME = re.compile(r"^(\d{4})-(\d{2})-(\d{2})[T\s](\d{1,2}):(\d{2})$")
_FI_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


def _exists_locally(local: datetime, tz: tzinfo) -> bool:
    """False for wall-clock times skipped by the spring DST change (e.g. 3.30 on that night)."""
    aware = local.replace(tzinfo=tz)
    return aware.astimezone(UTC).astimezone(tz).replace(tzinfo=None) == local


def parse_start(text: str, tz: tzinfo, now: datetime) -> datetime:
    """A local start time typed by staff; naive, in ``tz``; in the future and not too far."""
    value = text.strip()
    if fi := _FI_DATETIME.match(value):
        day, month, year, hour, minute = (int(g) for g in fi.groups())
    elif iso := _ISO_DATETIME.match(value):
        year, month, day, hour, minute = (int(g) for g in iso.groups())
    else:
        raise StaffInputError("staff-error-datetime")
    try:
        local = datetime(year, month, day, hour, minute)
    except ValueError:  # 31.2. or 25.00
        raise StaffInputError("staff-error-datetime") from None
    if not _exists_locally(local, tz):
        raise StaffInputError("staff-error-no-such-time")
    aware = local.replace(tzinfo=tz)
    if aware <= now:
        raise StaffInputError("staff-error-past")
    if aware > now + MAX_AHEAD:
        raise StaffInputError("staff-error-too-far")
    return local


def parse_date(text: str) -> date:
    """A date typed by staff ("28.5.2027" or "2027-05-28")."""
    value = text.strip()
    fi = _FI_DATE.match(value)
    iso = _ISO_DATE.match(value)
    try:
        if fi:
            day, month, year = (int(g) for g in fi.groups())
            return date(year, month, day)
        if iso:
            year, month, day = (int(g) for g in iso.groups())
            return date(year, month, day)
    except ValueError:
        pass
    raise StaffInputError("staff-error-date")


def parse_duration(text: str) -> timedelta:
    """Minutes ("90"), hours and minutes ("1.30", "1:30") or hours ("2 h")."""
    value = text.strip().lower()
    length: timedelta | None = None
    if found := re.fullmatch(r"(\d{1,3})\s*(?:min)?", value):
        length = timedelta(minutes=int(found.group(1)))
    elif found := re.fullmatch(r"(\d{1,2})[.:](\d{2})", value):
        length = timedelta(hours=int(found.group(1)), minutes=int(found.group(2)))
    elif found := re.fullmatch(r"(\d{1,2})\s*h", value):
        length = timedelta(hours=int(found.group(1)))
    if length is None or not MIN_DURATION <= length <= MAX_DURATION:
        raise StaffInputError("staff-error-duration")
    return length


def parse_ages(text: str) -> Ages:
    """An age range in whole years, "3-6" (or with an en dash)."""
    found = re.fullmatch(r"\s*(\d{1,2})\s*[-–]\s*(\d{1,2})\s*", text)
    if found is None:
        raise StaffInputError("staff-error-ages", max=MAX_AGE)
    low, high = int(found.group(1)), int(found.group(2))
    if not 0 <= low <= high <= MAX_AGE:
        raise StaffInputError("staff-error-ages", max=MAX_AGE)
    return Ages(min=low, max=high)


def parse_title(text: str) -> str:
    """A title typed by staff, with runs of whitespace made single."""
    value = " ".join(text.split())
    if not value or len(value) > TITLE_MAX:
        raise StaffInputError("staff-error-title", max=TITLE_MAX)
    return value


# ------------------------------------------------------------------ drafts


class EventDraft(BaseModel):
    """The event staff are adding, step by step; kept in the FSM data between messages."""

    titles: dict[Locale, str] = {}
    service_id: str | None = None
    start: str | None = None  # local "YYYY-MM-DDTHH:MM"
    minutes: int | None = None
    location: str | None = None
    kinds: list[EventKind] = []
    ages: Ages | None = None
    cost: Cost | None = None
    until: date | None = None  # weekly until this date; None: one time

    def missing_titles(self) -> list[Locale]:
        """Languages without their own title: families there see the Finnish one."""
        return [loc for loc in ("en", "ar") if not self.titles.get(loc)]


def weekly_rule(start: datetime, until: date, tz: tzinfo) -> str:
    """Every week on the start's weekday, up to and including ``until`` (local date)."""
    last = datetime.combine(until, time(23, 59, 59), tzinfo=tz).astimezone(UTC)
    return f"FREQ=WEEKLY;BYDAY={_RRULE_DAYS[start.weekday()]};UNTIL={last:%Y%m%dT%H%M%SZ}"


def check_until(start: datetime, until: date) -> None:
    """A weekly repeat must end after its first time and within the planning horizon."""
    if until <= start.date():
        raise StaffInputError("staff-error-until-before")
    if until > start.date() + MAX_AHEAD:
        raise StaffInputError("staff-error-too-far")


def draft_event(draft: EventDraft, event_id: str, tz: tzinfo) -> Event:
    """The event the draft describes; raises ValueError while something is missing."""
    if not draft.titles.get("fi") or draft.start is None or draft.minutes is None:
        raise ValueError("the draft is not complete")
    if not draft.kinds:
        raise ValueError("the draft has no kinds")
    start = datetime.fromisoformat(draft.start)
    end = start + timedelta(minutes=draft.minutes)
    fi = draft.titles["fi"]
    try:
        return Event(
            id=event_id,
            kinds=draft.kinds,
            title=Text(fi=fi, en=draft.titles.get("en") or fi, ar=draft.titles.get("ar") or fi),
            location=draft.location,
            start=f"{start:%Y-%m-%dT%H:%M}",
            end=f"{end:%Y-%m-%dT%H:%M}",
            rrule=weekly_rule(start, draft.until, tz) if draft.until else None,
            ages=draft.ages,
            cost=draft.cost,
        )
    except ValidationError as exc:
        raise ValueError(str(exc)) from None


def new_event_id() -> str:
    """Ids of staff events never collide with catalogue ids (those never start "staff-")."""
    return f"staff-{uuid.uuid4().hex[:12]}"


# ------------------------------------------------------------------ changes


async def add_event(
    session: AsyncSession, service_id: str, event: Event, tz: tzinfo, now: datetime
) -> None:
    """Store a staff-made event of ``service_id``."""
    starts_at, ends_at = span(event, tz)
    async with write_transaction(session):
        session.add(
            CatalogEvent(
                id=event.id,
                service_id=service_id,
                source=STAFF_SOURCE,
                document=event.model_dump(mode="json"),
                starts_at=starts_at,
                ends_at=ends_at,
                cancelled=False,
                revision=1,
                updated_at=now,
            )
        )


async def _locked_event(session: AsyncSession, event_id: str) -> tuple[CatalogEvent, Event] | None:
    row = await session.get(CatalogEvent, event_id, populate_existing=True)
    if row is None:
        return None
    return row, Event.model_validate(row.document)


async def rename_event(
    session: AsyncSession, event_id: str, locale: Locale, title: str, now: datetime
) -> bool:
    """Give the event a new title in one language (the time is unchanged: no notices)."""
    async with write_transaction(session):
        found = await _locked_event(session, event_id)
        if found is None:
            return False
        row, event = found
        titles = event.title.model_dump()
        titles[locale] = parse_title(title)
        renamed = Event.model_validate({**row.document, "title": titles})
        row.document = renamed.model_dump(mode="json")
        row.updated_at = now
    return True


def _moved_rule(rule: str | None, start: datetime) -> str | None:
    """A weekly rule on one weekday follows the new start's weekday."""
    if rule is None:
        return None
    return re.sub(
        r"BYDAY=(MO|TU|WE|TH|FR|SA|SU)(?=;|$)", f"BYDAY={_RRULE_DAYS[start.weekday()]}", rule
    )


async def move_event(
    session: AsyncSession,
    event_id: str,
    start: datetime,
    tz: tzinfo,
    now: datetime,
    *,
    on_change: EventChanged,
) -> int | None:
    """Move the event (a series: its first time) to local ``start``, keeping its length.

    ``on_change`` hears of it (families with a reminder are told and their reminders follow);
    returns what it returned (the notices queued), or None when the event is gone or
    cancelled.
    """
    async with write_transaction(session):
        found = await _locked_event(session, event_id)
        if found is None or found[1].cancelled:
            return None
        row, event = found
        end = start + duration(event)
        try:
            moved = Event.model_validate(
                {
                    **row.document,
                    "start": f"{start:%Y-%m-%dT%H:%M}",
                    "end": f"{end:%Y-%m-%dT%H:%M}",
                    "rrule": _moved_rule(event.rrule, start),
                }
            )
        except ValidationError:
            raise StaffInputError("staff-error-datetime") from None
        if next_occurrence(moved, tz, now) is None:
            raise StaffInputError("staff-error-no-times")
        row.document = moved.model_dump(mode="json")
        row.starts_at, row.ends_at = span(moved, tz)
        row.revision += 1
        row.updated_at = now
        await session.flush()
        return await on_change(session, event_id, tz, now)


async def cancel_event(
    session: AsyncSession, event_id: str, tz: tzinfo, now: datetime, *, on_change: EventChanged
) -> int | None:
    """Cancel the event; ``on_change`` hears of it (families with a reminder are told).
    None if it was already gone."""
    async with write_transaction(session):
        found = await _locked_event(session, event_id)
        if found is None or found[1].cancelled:
            return None
        row, _ = found
        row.document = {**row.document, "cancelled": True}
        row.cancelled = True
        row.revision += 1
        row.updated_at = now
        await session.flush()
        return await on_change(session, event_id, tz, now)


async def families_reminded(session: AsyncSession, event_id: str) -> int:
    """How many families have a reminder for the event (told if it moves or is cancelled)."""
    count = await session.scalar(
        select(func.count(func.distinct(Reminder.user_id))).where(Reminder.event_id == event_id)
    )
    return int(count or 0)
