"""Families' calendar files: no catalogue text can add a line to them (RFC 5545 injection).

A carriage return or another control character in a title, description or location, or an
RRULE written over several lines, used to reach the .ics file as is: a calendar app then reads
the text after it as a property of its own (an ``ATTACH``, an ``EXDATE``, a second event).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.catalog.schema import Event
from bot.events.occurrences import to_ics
from tests.test_catalog_loader import EVENT, VALID, errors_of
from tests.test_delivery import unfold

TZ = ZoneInfo("Europe/Helsinki")
NOW = datetime(2027, 3, 1, 10, 0, tzinfo=UTC)
BASE = {"id": "weekly", "kinds": ["art"], "title": {"fi": "a", "en": "a", "ar": "a"}}
PROPERTIES = (
    "BEGIN:VCALENDAR",
    "VERSION:",
    "PRODID:",
    "CALSCALE:",
    "METHOD:",
    "TZID:",
    "TZOFFSET",
    "RRULE:",
    "DTSTART",
    "DTEND",
    "DTSTAMP:",
    "UID:",
    "SUMMARY:",
    "DESCRIPTION:",
    "LOCATION:",
    "BEGIN:",
    "END:",
)


@pytest.mark.parametrize("breaker", ["\r", "\r\n", "\n", "\x0b", "\x0c", "\x00", "\x1b", "\x7f"])
def test_control_characters_in_texts_never_start_a_line(breaker: str) -> None:
    event = Event.model_validate({**BASE, "start": "2027-03-22T09:30"})
    evil = f"Avoin aamu{breaker}ATTACH:https://evil.example/x{breaker}END:VEVENT"
    ics = to_ics(event, TZ, title=evil, description=evil, location=evil, now=NOW)
    assert b"\n" not in ics.replace(b"\r\n", b"")
    assert b"\r" not in ics.replace(b"\r\n", b"")
    lines = unfold(ics)
    assert not any(line.startswith("ATTACH") for line in lines), lines
    assert lines.count("END:VEVENT") == 1
    for line in lines:
        assert line.startswith(PROPERTIES), line
        assert not any((ord(c) < 32 and c != "\t") or ord(c) == 127 for c in line), repr(line)
    [summary] = [line for line in lines if line.startswith("SUMMARY:")]
    # A line break stays a line break inside the text (escaped); other controls are dropped.
    if breaker in ("\r", "\r\n", "\n"):
        assert summary == "SUMMARY:Avoin aamu\\nATTACH:https://evil.example/x\\nEND:VEVENT"
    else:
        assert summary == "SUMMARY:Avoin aamuATTACH:https://evil.example/xEND:VEVENT"


@pytest.mark.parametrize(
    "rrule",
    [
        "FREQ=WEEKLY;BYDAY=MO\nEXDATE:20270329T093000",
        "FREQ=WEEKLY;BYDAY=MO\r\nRRULE:FREQ=DAILY",
        "FREQ=WEEKLY;BYDAY=MO\rRDATE:20270330T093000",
        "FREQ=WEEKLY;BYDAY=MO\n",
    ],
)
def test_an_rrule_over_several_lines_is_refused_by_the_schema(rrule: str) -> None:
    with pytest.raises(ValueError, match="one line"):
        Event.model_validate({**BASE, "start": "2027-03-22T09:30", "rrule": rrule})


def test_check_names_the_line_of_a_multi_line_rrule(tmp_path: Path) -> None:
    text = VALID + EVENT + '        rrule: "FREQ=WEEKLY;BYDAY=MO\\nEXDATE:20260112T100000"\n'
    [error] = errors_of(tmp_path, text)
    assert error.startswith("cat/a.yaml:21: services[0].events[0].rrule: "), error
    assert "one line" in error


def test_the_writer_keeps_an_rrule_on_one_line_whatever_it_is_given() -> None:
    # Rows stored before the schema refused it: the file still gets one RRULE line only.
    event = Event.model_validate({**BASE, "start": "2027-03-22T09:30"})
    event = event.model_copy(update={"rrule": "FREQ=WEEKLY;BYDAY=MO\r\nEXDATE:20270329T093000"})
    lines = unfold(to_ics(event, TZ, title="a", description=None, location=None, now=NOW))
    assert not any(line.startswith("EXDATE") for line in lines), lines
    assert [line for line in lines if line.startswith("RRULE:FREQ=WEEKLY")] == [
        "RRULE:FREQ=WEEKLY;BYDAY=MOEXDATE:20270329T093000"
    ]
