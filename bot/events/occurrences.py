"""Events in time: occurrences of one-off and RRULE events in TIMEZONE, DST-correct, and .ics.

Event times are written in local wall-clock time. Occurrences are expanded from an aware
DTSTART in the configured zone, so a weekly 9:30 session stays at 9:30 local time across the
daylight-saving changes (its UTC time moves by an hour).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr

from bot.catalog.schema import Event

DEFAULT_DURATION = timedelta(hours=2)
# Expansion stops here even for open-ended rules (no COUNT or UNTIL).
MAX_OCCURRENCES = 500


@dataclass(frozen=True, order=True)
class Occurrence:
    start: datetime  # aware, UTC
    end: datetime  # aware, UTC

    @property
    def key(self) -> str:
        """A stable id of this occurrence: its UTC start, ISO 8601 to the minute."""
        return self.start.astimezone(UTC).strftime("%Y-%m-%dT%H:%MZ")


def local_start(event: Event, tz: tzinfo) -> datetime:
    return datetime.fromisoformat(event.start).replace(tzinfo=tz)


def duration(event: Event) -> timedelta:
    if event.end is None:
        return DEFAULT_DURATION
    return datetime.fromisoformat(event.end) - datetime.fromisoformat(event.start)


def occurrences(
    event: Event, tz: tzinfo, after: datetime | None = None, before: datetime | None = None
) -> list[Occurrence]:
    """Occurrences whose start lies in ``[after, before)`` (both optional, aware)."""
    first = local_start(event, tz)
    length = duration(event)
    if event.rrule is None:
        starts = [first]
    else:
        rule = rrulestr(event.rrule, dtstart=first)
        starts = []
        for start in rule:
            if before is not None and start >= before:
                break
            starts.append(start)
            if len(starts) >= MAX_OCCURRENCES:
                break
    found = []
    for start in starts:
        # Re-attach the zone so the wall-clock time is kept and the UTC offset recomputed.
        local = start.replace(tzinfo=tz)
        if after is not None and local < after:
            continue
        if before is not None and local >= before:
            continue
        end = (local.replace(tzinfo=None) + length).replace(tzinfo=tz)
        found.append(Occurrence(local.astimezone(UTC), end.astimezone(UTC)))
    return found


def next_occurrence(event: Event, tz: tzinfo, now: datetime) -> Occurrence | None:
    """The first occurrence that has not started by ``now`` (looking a year ahead)."""
    found = occurrences(event, tz, after=now, before=now + timedelta(days=400))
    return found[0] if found else None


def span(event: Event, tz: tzinfo) -> tuple[datetime, datetime | None]:
    """First start and last end (None for an endless rule), in UTC, for indexing."""
    first = occurrences(event, tz)[:1]
    start = local_start(event, tz).astimezone(UTC) if not first else first[0].start
    if event.rrule is None:
        return start, start + duration(event)
    if "UNTIL=" not in event.rrule and "COUNT=" not in event.rrule:
        return start, None
    every = occurrences(event, tz)
    return start, (every[-1].end if every else start)


# RFC 5545 TEXT holds no control character but tab, and a line break is written as "\\n". A
# raw CR, LF or other control character would end the line early in some calendar apps, and
# the rest of a catalogue text would be read as a property of its own (an ATTACH, an EXDATE).
_LINE_BREAK = re.compile(r"\r\n|[\r\n\x85\u2028\u2029]")
_OTHER_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f]")
_ANY_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def _ics_escape(text: str) -> str:
    lines = _LINE_BREAK.split(_OTHER_CONTROL.sub("", text))
    return "\\n".join(
        line.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,") for line in lines
    )


def _fold(line: str) -> list[str]:
    """RFC 5545 lines are at most 75 octets; longer ones continue with a leading space."""
    out: list[str] = []
    current = ""
    for char in line:
        if len((current + char).encode()) > 75:
            out.append(current)
            current = " " + char
        else:
            current += char
    out.append(current)
    return out


def _vtimezone(zone: ZoneInfo, year: int) -> list[str]:
    """VTIMEZONE with the EU rules (last Sunday of March and October at 01:00 UTC)."""
    winter = datetime(year, 1, 15, tzinfo=zone).utcoffset() or timedelta()
    summer = datetime(year, 7, 15, tzinfo=zone).utcoffset() or timedelta()

    def offset(delta: timedelta) -> str:
        minutes = int(delta.total_seconds() // 60)
        sign = "+" if minutes >= 0 else "-"
        return f"{sign}{abs(minutes) // 60:02d}{abs(minutes) % 60:02d}"

    lines = ["BEGIN:VTIMEZONE", f"TZID:{zone.key}"]
    if winter == summer:
        lines += [
            "BEGIN:STANDARD",
            "DTSTART:19700101T000000",
            f"TZOFFSETFROM:{offset(winter)}",
            f"TZOFFSETTO:{offset(winter)}",
            "END:STANDARD",
        ]
    else:
        # Local time of the 01:00 UTC switch in each direction.
        to_summer = (datetime(1970, 3, 29, 1) + winter).strftime("%Y%m%dT%H%M%S")
        to_winter = (datetime(1970, 10, 25, 1) + summer).strftime("%Y%m%dT%H%M%S")
        lines += [
            "BEGIN:DAYLIGHT",
            f"DTSTART:{to_summer}",
            "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
            f"TZOFFSETFROM:{offset(winter)}",
            f"TZOFFSETTO:{offset(summer)}",
            "END:DAYLIGHT",
            "BEGIN:STANDARD",
            f"DTSTART:{to_winter}",
            "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
            f"TZOFFSETFROM:{offset(summer)}",
            f"TZOFFSETTO:{offset(winter)}",
            "END:STANDARD",
        ]
    return [*lines, "END:VTIMEZONE"]


def to_ics(
    event: Event,
    zone: ZoneInfo,
    *,
    title: str,
    description: str | None,
    location: str | None,
    now: datetime,
    series: bool = True,
    occurrence: Occurrence | None = None,
) -> bytes:
    """An iCalendar file for the event (the series with its RRULE, or one occurrence)."""
    if occurrence is not None and not series:
        start = occurrence.start.astimezone(zone)
        end = occurrence.end.astimezone(zone)
    else:
        start = local_start(event, zone)
        end = (start.replace(tzinfo=None) + duration(event)).replace(tzinfo=zone)
    stamp = now.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    uid_suffix = "" if series or occurrence is None else "-" + occurrence.key
    body = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Valo//Valo family services bot//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        *_vtimezone(zone, start.year),
        "BEGIN:VEVENT",
        f"UID:{event.id}{uid_suffix}@valo",
        f"DTSTAMP:{stamp}",
        f"DTSTART;TZID={zone.key}:{start.strftime('%Y%m%dT%H%M%S')}",
        f"DTEND;TZID={zone.key}:{end.strftime('%Y%m%dT%H%M%S')}",
        f"SUMMARY:{_ics_escape(title)}",
    ]
    if series and event.rrule:
        # The schema takes an RRULE on one line only; a row stored before it did stays one.
        body.append(f"RRULE:{_ANY_CONTROL.sub('', event.rrule)}")
    if description:
        body.append(f"DESCRIPTION:{_ics_escape(description)}")
    if location:
        body.append(f"LOCATION:{_ics_escape(location)}")
    if event.cancelled:
        body.append("STATUS:CANCELLED")
    body += ["END:VEVENT", "END:VCALENDAR"]
    lines = [part for line in body for part in _fold(line)]
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def is_weekly(event: Event) -> bool:
    """A rule that repeats every week (the common case for open early-education sessions)."""
    if event.rrule is None:
        return False
    parts = dict(p.split("=", 1) for p in event.rrule.upper().split(";") if "=" in p)
    return parts.get("FREQ") == "WEEKLY" and parts.get("INTERVAL", "1") == "1"
