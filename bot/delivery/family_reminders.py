"""Reminders as a family sees them: choose one, list mine, cancel one.

Builds on :mod:`bot.delivery.reminders` (ledger rows, rescheduling); this module adds what the
bot's buttons need: which offsets are still ahead, a compact occurrence code for callback data,
and a family's reminders in a form ready to show.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.catalog.schema import Event, Text
from bot.db.models import Reminder
from bot.delivery.reminders import (
    OFFSETS,
    SERIES,
    due_time,
    set_reminder,
)
from bot.events.occurrences import Occurrence, is_weekly, next_occurrence, occurrences
from bot.events.store import load_event

# Occurrence keys ("2027-01-11T07:30Z") hold ":", aiogram's callback separator; buttons carry
# the digits only ("202701110730").
_KEY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})Z$")
_CODE = re.compile(r"^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})$")
LOOKAHEAD = timedelta(days=400)


def occurrence_code(key: str) -> str:
    """The occurrence key in callback-safe form (``SERIES`` stays as it is)."""
    if key == SERIES:
        return key
    found = _KEY.match(key)
    if found is None:
        raise ValueError(f"not an occurrence key: {key!r}")
    return "".join(found.groups())


def key_from_code(code: str) -> str | None:
    """Back from :func:`occurrence_code`; None for anything that is not one."""
    if code == SERIES:
        return code
    found = _CODE.match(code)
    if found is None:
        return None
    year, month, day, hour, minute = found.groups()
    return f"{year}-{month}-{day}T{hour}:{minute}Z"


def offsets_ahead(start: datetime, tz: tzinfo, now: datetime) -> tuple[str, ...]:
    """The reminder offsets for an occurrence at ``start`` that are not yet past."""
    return tuple(o for o in OFFSETS if due_time(o, start, tz) > now)


def upcoming_occurrence(event: Event, tz: tzinfo, key: str, now: datetime) -> Occurrence | None:
    """The occurrence ``key`` of ``event`` if it has not started yet."""
    for occurrence in occurrences(event, tz, after=now, before=now + LOOKAHEAD):
        if occurrence.key == key:
            return occurrence
    return None


class RemindOutcome(StrEnum):
    """What became of a family's "remind me"."""

    SET = "set"
    TOO_LATE = "too-late"  # the occurrence starts before any chosen reminder would be due
    GONE = "gone"  # the event or that occurrence no longer exists, or was cancelled


@dataclass(frozen=True)
class RemindResult:
    """The outcome and the offsets actually stored."""

    outcome: RemindOutcome
    offsets: tuple[str, ...] = ()  # what was stored: the chosen offsets not yet past


async def remind(
    session: AsyncSession,
    user_id: int,
    event_id: str,
    occurrence: str,
    offsets: Sequence[str],
    tz: tzinfo,
    now: datetime,
) -> RemindResult:
    """Set the family's reminder after checking the button against the database.

    ``occurrence`` is an occurrence key or ``SERIES``. For one occurrence, offsets already
    past are dropped, and nothing is stored when none is left.
    """
    gone = RemindResult(RemindOutcome.GONE)
    stored = await load_event(session, event_id)
    if stored is None or stored.event.cancelled:
        return gone
    wanted = [o for o in OFFSETS if o in offsets]
    if not wanted:
        raise ValueError(f"offsets must be some of {OFFSETS}")
    if occurrence == SERIES:
        if stored.event.rrule is None or next_occurrence(stored.event, tz, now) is None:
            return gone
    else:
        found = upcoming_occurrence(stored.event, tz, occurrence, now)
        if found is None:
            return gone
        ahead = offsets_ahead(found.start, tz, now)
        wanted = [o for o in wanted if o in ahead]
        if not wanted:
            return RemindResult(RemindOutcome.TOO_LATE)
    result = await set_reminder(session, user_id, event_id, occurrence, wanted, tz, now)
    return RemindResult(RemindOutcome.SET, tuple(wanted)) if result is not None else gone


@dataclass(frozen=True)
class ReminderView:
    """One of a family's reminders, ready to show."""

    id: int
    event_id: str
    title: Text
    series: bool
    weekly: bool
    next: Occurrence  # the reminded occurrence, or the series' next one
    offsets: tuple[str, ...]


async def user_reminders(
    session: AsyncSession, user_id: int, tz: tzinfo, now: datetime
) -> list[ReminderView]:
    """The family's reminders that still lie ahead, soonest first.

    Reminders for occurrences that have passed, or for events that are gone, are left out.
    """
    reminders = (
        (
            await session.execute(
                select(Reminder).where(Reminder.user_id == user_id).order_by(Reminder.id)
            )
        )
        .scalars()
        .all()
    )
    views = []
    for reminder in reminders:
        stored = await load_event(session, reminder.event_id)
        if stored is None or stored.event.cancelled:
            continue
        series = reminder.occurrence == SERIES
        if series:
            following = next_occurrence(stored.event, tz, now)
        else:
            following = upcoming_occurrence(stored.event, tz, reminder.occurrence, now)
        if following is None:
            continue
        views.append(
            ReminderView(
                id=reminder.id,
                event_id=reminder.event_id,
                title=stored.event.title,
                series=series,
                weekly=is_weekly(stored.event),
                next=following,
                offsets=tuple(o for o in reminder.offsets.split(",") if o in OFFSETS),
            )
        )
    return sorted(views, key=lambda v: (v.next.start, v.id))
