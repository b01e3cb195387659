"""Events for families: what is near, how a card reads, and the rules behind "remind me"."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.catalog.schema import Event, Service
from bot.delivery.event_news import cancel_event
from bot.delivery.family_reminders import (
    RemindOutcome,
    RemindResult,
    key_from_code,
    occurrence_code,
    offsets_ahead,
    remind,
    user_reminders,
)
from bot.events.cards import render_event_card, render_event_line
from bot.events.staff import add_event
from bot.events.upcoming import (
    event_by_token,
    event_reach,
    event_token,
    listed_by_token,
    upcoming_events,
)
from bot.i18n import I18n
from bot.middlewares import load_user
from tests.conftest import REPO

TZ = ZoneInfo("Europe/Helsinki")
NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)  # a Monday, 14.00 in Helsinki
KOTKA, KOUVOLA, LAPPEENRANTA = "285", "286", "405"


@pytest.fixture(scope="module")
def i18n() -> I18n:
    return I18n.load(REPO / "locales", TZ, strict=True)


def service(service_id: str, municipalities: list[str], place: str | None) -> Service:
    doc: dict[str, Any] = {
        "id": service_id,
        "organization": "org",
        "name": {"fi": f"{service_id} fi", "en": f"{service_id} en", "ar": f"{service_id} ar"},
        "summary": {"fi": "s", "en": "s", "ar": "s"},
        "needs": ["leisure-art"],
        "service_classes": ["P25.1"],
        "municipalities": municipalities,
        "languages": ["fi"],
        "access": ["walk-in"],
        "sources": [{"url": "https://example.org", "kind": "organiser"}],
        "checked": "2026-11-01",
        "cost": "free",
        "locations": [],
    }
    if place is not None:
        doc["locations"] = [
            {
                "id": f"{service_id}-place",
                "name": {"fi": "Talo", "en": "House", "ar": "البيت"},
                "street": "Puistotie 15",
                "postal_code": "48100",
                "city": "Kotka",
                "municipality": place,
            }
        ]
    return Service.model_validate(doc)


def event(
    event_id: str,
    start: str,
    *,
    kinds: tuple[str, ...] = ("art",),
    location: str | None = None,
    rrule: str | None = None,
    end: str | None = None,
) -> Event:
    return Event.model_validate(
        {
            "id": event_id,
            "kinds": list(kinds),
            "title": {"fi": f"{event_id} fi", "en": f"{event_id} en", "ar": f"{event_id} ar"},
            "location": location,
            "start": start,
            "end": end,
            "rrule": rrule,
            "ages": {"min": 3, "max": 6},
        }
    )


SERVICES = {
    s.id: s
    for s in (
        service("kotka-house", [KOTKA], KOTKA),
        service("kouvola-house", [KOUVOLA], KOUVOLA),
        service("lpr-house", [LAPPEENRANTA], LAPPEENRANTA),
        service("online", ["nationwide"], None),
    )
}


async def store(session: AsyncSession, service_id: str, found: Event) -> None:
    await add_event(session, service_id, found, TZ, NOW)


def test_reach_of_a_place_and_of_a_service_area() -> None:
    kotka, kouvola, lpr = (SERVICES[i] for i in ("kotka-house", "kouvola-house", "lpr-house"))
    assert event_reach(kotka, kotka.locations[0], KOTKA) == "local"
    assert event_reach(kouvola, kouvola.locations[0], KOTKA) == "regional"  # same province
    assert event_reach(lpr, lpr.locations[0], KOTKA) is None  # South Karelia is not near
    assert event_reach(SERVICES["online"], None, KOTKA) == "nationwide"
    assert event_reach(kotka, None, KOTKA) == "local"
    assert event_reach(kotka, None, KOUVOLA) is None


async def test_upcoming_near_kotka_local_first_then_region_then_nationwide(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions() as session:
        await store(session, "online", event("online-talk", "2026-12-01T18:00"))
        await store(
            session,
            "kouvola-house",
            event("kouvola-art", "2026-12-02T10:00", location="kouvola-house-place"),
        )
        await store(
            session,
            "kotka-house",
            event(
                "kotka-cafe",
                "2026-12-09T10:00",
                kinds=("family-cafe",),
                location="kotka-house-place",
            ),
        )
        await store(
            session,
            "lpr-house",
            event("lpr-art", "2026-12-01T10:00", location="lpr-house-place"),
        )
        await store(
            session,
            "kotka-house",
            event("kotka-past", "2026-11-29T10:00", location="kotka-house-place"),
        )
        await store(session, "kotka-house", event("kotka-gone", "2026-12-03T10:00", location=None))
        await cancel_event(session, "kotka-gone", TZ, NOW)

        near = await upcoming_events(session, SERVICES, TZ, NOW, municipality=KOTKA)
        assert [(e.id, e.reach) for e in near] == [
            ("kotka-cafe", "local"),
            ("kouvola-art", "regional"),
            ("online-talk", "nationwide"),
        ]
        art = await upcoming_events(session, SERVICES, TZ, NOW, municipality=KOTKA, kind="art")
        assert [e.id for e in art] == ["kouvola-art", "online-talk"]
        everywhere = await upcoming_events(session, SERVICES, TZ, NOW)
        assert [e.id for e in everywhere] == [
            "lpr-art",
            "online-talk",
            "kouvola-art",
            "kotka-cafe",
        ]
        # A service that left the catalogue takes its events with it.
        fewer = {k: v for k, v in SERVICES.items() if k != "kouvola-house"}
        assert "kouvola-art" not in [e.id for e in await upcoming_events(session, fewer, TZ, NOW)]


async def test_tokens_name_events_and_are_checked_against_the_database(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    long_id = "a" * 64  # the longest id the schema allows still fits in callback data
    async with sessions() as session:
        await store(session, "kotka-house", event(long_id, "2026-12-05T10:00"))
        token = event_token(long_id)
        assert len(f"evr:{token}:202612050800:b".encode()) <= 64
        found = await event_by_token(session, token)
        assert found is not None
        assert found.row_id == long_id
        assert await event_by_token(session, "0" * 12) is None
        assert await event_by_token(session, "not-hex'--") is None
        await cancel_event(session, long_id, TZ, NOW)
        assert await listed_by_token(session, SERVICES, token, TZ, NOW) is None


async def test_card_and_list_line_in_finnish_and_arabic(
    sessions: async_sessionmaker[AsyncSession], i18n: I18n
) -> None:
    async with sessions() as session:
        await store(
            session,
            "kotka-house",
            event(
                "saturday-art",
                "2026-12-05T10:00",
                end="2026-12-05T12:00",
                location="kotka-house-place",
            ),
        )
        [listed] = await upcoming_events(session, SERVICES, TZ, NOW, municipality=KOTKA)
    fi = render_event_card(listed, i18n["fi"]).splitlines()
    assert fi[:6] == [
        "<b>saturday-art fi</b>",
        "Milloin: la 5.12. klo 10.00–12.00",
        "Missä: Talo, Puistotie 15, 48100 Kotka",
        "Ikä: 3–6 v",
        "Hinta: maksuton",
        "Järjestäjä: kotka-house fi",
    ]
    ar = render_event_card(listed, i18n["ar"]).splitlines()
    assert ar[0] == "<b>\u2066saturday-art ar\u2069</b>"  # a Latin title, isolated
    assert ar[1].startswith("الموعد: السبت")
    assert all(line[0] in "<" or "\u0600" <= line[0] <= "\u06ff" for line in ar if line)
    line = render_event_line(listed, i18n["fi"])
    assert line == "<b>saturday-art fi</b>\nla 5.12. klo 10.00–12.00 · Kotka"


def test_occurrence_codes_round_trip() -> None:
    assert occurrence_code("2027-01-11T07:30Z") == "202701110730"
    assert key_from_code("202701110730") == "2027-01-11T07:30Z"
    assert key_from_code("series") == "series"
    assert key_from_code("2027:01") is None
    with pytest.raises(ValueError, match="occurrence key"):
        occurrence_code("tomorrow")


def test_offsets_ahead_drop_what_is_past() -> None:
    start = datetime(2026, 12, 5, 8, 0, tzinfo=UTC)  # 10.00 in Helsinki
    assert offsets_ahead(start, TZ, datetime(2026, 12, 4, 15, 0, tzinfo=UTC)) == (
        "day-before",
        "hour-before",
    )
    # After 18.00 the evening before, only "one hour before" is left.
    assert offsets_ahead(start, TZ, datetime(2026, 12, 4, 17, 0, tzinfo=UTC)) == ("hour-before",)
    assert offsets_ahead(start, TZ, datetime(2026, 12, 5, 7, 30, tzinfo=UTC)) == ()


async def test_remind_checks_the_button_against_the_database(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    weekly = "FREQ=WEEKLY;BYDAY=MO;COUNT=4"
    async with sessions() as session:
        await load_user(session, 7, NOW, frozenset(), "fi")
        await store(session, "kotka-house", event("once", "2026-12-05T10:00"))
        await store(session, "kotka-house", event("mondays", "2026-12-07T09:30", rrule=weekly))
        once_key = "2026-12-05T08:00Z"
        now = datetime(2026, 12, 4, 17, 0, tzinfo=UTC)  # 19.00 the evening before
        both = ("day-before", "hour-before")

        async def outcome(event_id: str, key: str, when: datetime) -> RemindResult:
            return await remind(session, 7, event_id, key, both, TZ, when)

        # The evening before at 19.00: "the day before at 18.00" has passed, so only the
        # hour-before reminder is stored.
        assert await outcome("once", once_key, now) == RemindResult(
            RemindOutcome.SET, ("hour-before",)
        )
        late = datetime(2026, 12, 5, 7, 30, tzinfo=UTC)
        assert (await outcome("once", once_key, late)).outcome is RemindOutcome.TOO_LATE
        assert (await outcome("once", "2026-12-06T08:00Z", now)).outcome is RemindOutcome.GONE
        assert (await outcome("once", "series", now)).outcome is RemindOutcome.GONE
        assert (await outcome("nope", once_key, now)).outcome is RemindOutcome.GONE
        assert await outcome("mondays", "series", now) == RemindResult(RemindOutcome.SET, both)
        views = await user_reminders(session, 7, TZ, now)
        assert [(v.event_id, v.series, v.weekly, v.offsets) for v in views] == [
            ("once", False, False, ("hour-before",)),  # the day-before one had passed
            ("mondays", True, True, both),
        ]
        assert views[1].next.start == datetime(2026, 12, 7, 7, 30, tzinfo=UTC)
        # Past occurrences and cancelled events drop out of the list.
        after = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)
        assert [v.event_id for v in await user_reminders(session, 7, TZ, after)] == ["mondays"]
        await cancel_event(session, "mondays", TZ, after)
        assert await user_reminders(session, 7, TZ, after + timedelta(minutes=1)) == []


def test_every_arabic_line_of_the_events_texts_starts_with_an_arabic_word(i18n: I18n) -> None:
    """Right-to-left reading: the first letter of each line is Arabic (emoji may come first)."""
    source = (REPO / "locales" / "ar" / "events.ftl").read_text(encoding="utf-8")
    ids = re.findall(r"^([a-z][a-z0-9-]*) =", source, flags=re.MULTILINE)
    args = dict.fromkeys(re.findall(r"\$([a-z]+)", source), 1)  # digits are no letters
    assert len(ids) > 100
    for msg in ids:
        for count in (0, 1, 2, 3, 11, 100):  # every plural form
            text = i18n["ar"](msg, **{**args, "count": count, "minutes": count})
            for line in text.splitlines():
                letters = [c for c in re.sub(r"<[^>]+>", "", line) if c.isalpha()]
                if letters:
                    assert "\u0600" <= letters[0] <= "\u06ff", (msg, line)
