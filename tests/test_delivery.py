"""Delivery on a manual clock: a real aiogram Bot against the fake Bot API server, the ledger in
the run's database, and ``sweep(now)`` called with chosen times (nothing here sleeps).

Due times, late and missed reminders, the daylight-saving weekends of 2027 in Europe/Helsinki
(last Sundays of March and October: 28 March and 31 October), RRULE expansion, .ics files,
every Telegram outcome the worker records, moved and cancelled events, the rate limiters, and
sweeps that overlap.
"""

from __future__ import annotations

import asyncio
import importlib.util
import socket
import sys
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import Any

import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from pydantic import ValidationError
from sqlalchemy import event as sql_event
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.bidi import strip_isolates
from bot.catalog.schema import Event
from bot.db.engine import make_engine, make_sessionmaker, write_transaction
from bot.db.models import Delivery, Reminder, User
from bot.delivery import worker as worker_module
from bot.delivery.clock import ManualClock
from bot.delivery.ledger import Claimed
from bot.delivery.ratelimit import MemoryRateLimiter, RedisRateLimiter
from bot.delivery.reminders import due_time, set_reminder
from bot.delivery.worker import DeliveryWorker, Outgoing, SweepReport
from bot.emulator.telegram import TEST_TOKEN, FakeTelegram
from bot.events.occurrences import Occurrence, occurrences, span, to_ics
from bot.i18n import Translator
from tests.conftest import REDIS_URL, REPO
from tests.delivery_support import (
    TZ,
    VirtualTime,
    add_users,
    close_bot,
    event,
    import_directory,
    import_events,
    instant_limiter,
    ledger,
    local,
    make_worker,
    register_chats,
    texts,
    utc,
    write_catalogue,
)

FI, EN, AR = 501, 502, 503
FAMILIES = {FI: "fi", EN: "en", AR: "ar"}
SETUP_AT = local("2027-03-01T12:00")
ART_DAY = event("art-day", "2027-03-10T10:00", "2027-03-10T12:00", title="Art Day")
ART_START = local("2027-03-10T10:00")
ART_DAY_BEFORE = local("2027-03-09T18:00")
ART_HOUR_BEFORE = local("2027-03-10T09:00")
SECOND = timedelta(seconds=1)


def key(event_doc: dict[str, Any]) -> str:
    """The occurrence key of a one-off event (its UTC start)."""
    return occurrences(Event.model_validate(event_doc), TZ)[0].key


@dataclass
class Env:
    """One test's world: the fake server, a Bot wired to it, the database and a manual clock."""

    fake: FakeTelegram
    bot: Bot
    sessions: async_sessionmaker[AsyncSession]
    clock: ManualClock
    worker: DeliveryWorker

    async def sweep(self, at: datetime, worker: DeliveryWorker | None = None) -> SweepReport:
        self.clock.set(at)
        return await (worker or self.worker).sweep(at)

    async def remind(
        self,
        user_id: int,
        event_doc: dict[str, Any],
        offsets: tuple[str, ...] = ("day-before", "hour-before"),
        *,
        occurrence: str | None = None,
        at: datetime = SETUP_AT,
    ) -> tuple[Reminder, int]:
        async with self.sessions() as session:
            result = await set_reminder(
                session,
                user_id,
                event_doc["id"],
                occurrence or key(event_doc),
                offsets,
                TZ,
                at,
            )
        assert result is not None, "set_reminder refused"
        return result

    async def states(self, *conditions: Any) -> Counter[str]:
        return Counter(row.state for row in await ledger(self.sessions, *conditions))

    def sent_to(self, chat_id: int) -> list[str]:
        return [m.text or "" for m in self.fake.messages(chat_id)]


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as server:
        yield server


@pytest.fixture
async def env(fake: FakeTelegram, sessions: async_sessionmaker[AsyncSession]) -> AsyncIterator[Env]:
    bot = fake.bot()
    clock = ManualClock(SETUP_AT)
    await add_users(sessions, FAMILIES, SETUP_AT)
    register_chats(fake, FAMILIES)
    async with sessions() as session:
        await import_events(session, [ART_DAY], SETUP_AT)
    try:
        yield Env(fake, bot, sessions, clock, make_worker(bot, sessions, clock))
    finally:
        await close_bot(bot)


def closed_port() -> int:
    """A local port nobody listens on: connecting to it is refused."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# --------------------------------------------------------------------------- due times


async def test_nothing_is_sent_before_due_and_each_reminder_goes_at_its_due_time(
    env: Env,
) -> None:
    _, added = await env.remind(FI, ART_DAY)
    assert added == 2
    rows = await ledger(env.sessions)
    assert sorted(r.due_at for r in rows) == [ART_DAY_BEFORE, ART_HOUR_BEFORE]
    assert {r.expires_at for r in rows} == {ART_START}

    report = await env.sweep(ART_DAY_BEFORE - SECOND)
    assert report.claimed == 0
    assert env.sent_to(FI) == []

    report = await env.sweep(ART_DAY_BEFORE)
    assert report.outcomes == {"sent": 1}
    assert env.sent_to(FI) == [
        "⏰ Muistutus: huomenna on Art Day (fi)\n"
        "Milloin: ke 10.3. klo 10.00–12.00\n"
        "Missä: Perhekeskus, Puistotie 15, Kotka"
    ]

    assert (await env.sweep(ART_HOUR_BEFORE - SECOND)).claimed == 0
    assert (await env.sweep(ART_HOUR_BEFORE)).outcomes == {"sent": 1}
    assert (await env.sweep(ART_HOUR_BEFORE + timedelta(minutes=30))).claimed == 0
    sent = env.sent_to(FI)
    assert len(sent) == 2
    assert sent[1].startswith("⏰ Alkaa tunnin päästä: Art Day (fi)\n")
    assert await env.states() == {"sent": 2}


async def test_each_family_gets_the_reminder_in_its_language(env: Env) -> None:
    for user_id in FAMILIES:
        await env.remind(user_id, ART_DAY, ("day-before",))
    await env.sweep(ART_DAY_BEFORE)
    got = texts(env.fake, FAMILIES)
    assert got[FI][0].startswith("⏰ Muistutus: huomenna on Art Day (fi)")
    assert got[EN][0].startswith("⏰ Reminder: tomorrow is Art Day (en)\nWhen: Wed 10 Mar, 10:00")
    assert "Art Day (ar)" in strip_isolates(got[AR][0])
    assert "مركز الأسرة" in got[AR][0]  # the place, in Arabic too
    assert all(len(v) == 1 for v in got.values())
    # HTML parse mode: the title is bold for Telegram, which the fake parsed and checked.
    message = env.fake.messages(EN)[0]
    assert message.params.get("parse_mode") == "HTML"
    assert any(e["type"] == "bold" for e in message.entities)


@pytest.mark.parametrize(
    ("offset", "event_start", "due_utc"),
    [
        # Saturday and Sunday of the spring change (Sunday 28 March 2027, 03:00 -> 04:00).
        ("day-before", "2027-03-28T10:00", "2027-03-27T16:00"),  # Sat 18:00 EET (+2)
        ("day-before", "2027-03-29T09:30", "2027-03-28T15:00"),  # Sun 18:00 EEST (+3)
        ("hour-before", "2027-03-28T10:00", "2027-03-28T06:00"),  # 09:00 EEST
        ("hour-before", "2027-03-28T04:30", "2027-03-28T00:30"),  # 02:30 EET: 03:30 never was
        # Saturday and Sunday of the autumn change (Sunday 31 October 2027, 04:00 -> 03:00).
        ("day-before", "2027-10-31T10:00", "2027-10-30T15:00"),  # Sat 18:00 EEST (+3)
        ("day-before", "2027-11-01T09:30", "2027-10-31T16:00"),  # Sun 18:00 EET (+2)
        ("hour-before", "2027-10-31T10:00", "2027-10-31T07:00"),  # 09:00 EET
        ("hour-before", "2027-11-01T09:30", "2027-11-01T06:30"),  # 08:30 EET
    ],
)
def test_due_times_on_the_dst_weekends(offset: str, event_start: str, due_utc: str) -> None:
    start = local(event_start).astimezone(UTC)
    due = due_time(offset, start, TZ)
    assert due == utc(due_utc)
    if offset == "day-before":
        assert (due.astimezone(TZ).hour, due.astimezone(TZ).minute) == (18, 0)


@pytest.mark.parametrize(
    ("first_monday", "set_at", "dues_utc"),
    [
        pytest.param(
            "2027-03-15T09:30",
            "2027-03-20T12:00",
            # Mon 22 March 09:30 EET = 07:30Z; Mon 29 March 09:30 EEST = 06:30Z.
            ["2027-03-21T16:00", "2027-03-22T06:30", "2027-03-28T15:00", "2027-03-29T05:30"],
            id="march",
        ),
        pytest.param(
            "2027-10-11T09:30",
            "2027-10-23T12:00",
            # Mon 25 October 09:30 EEST = 06:30Z; Mon 1 November 09:30 EET = 07:30Z.
            ["2027-10-24T15:00", "2027-10-25T05:30", "2027-10-31T16:00", "2027-11-01T06:30"],
            id="october",
        ),
    ],
)
async def test_weekly_monday_session_stays_at_9_30_local_across_the_change(
    env: Env, first_monday: str, set_at: str, dues_utc: list[str]
) -> None:
    weekly = event(
        "monday-morning", first_monday, first_monday[:11] + "11:00", rrule="FREQ=WEEKLY;BYDAY=MO"
    )
    async with env.sessions() as session:
        await import_events(session, [ART_DAY, weekly], SETUP_AT)
    _, added = await env.remind(FI, weekly, occurrence="series", at=local(set_at))
    assert added == 4  # two Mondays within the two-week horizon, two offsets each
    rows = await ledger(env.sessions)
    assert sorted(r.due_at for r in rows) == [utc(d) for d in dues_utc]
    for n, due in enumerate(dues_utc, start=1):
        assert (await env.sweep(utc(due) - SECOND)).claimed == 0, due
        assert (await env.sweep(utc(due))).outcomes == {"sent": 1}, due
        assert len(env.sent_to(FI)) == n
    for text in env.sent_to(FI):
        # Both Mondays, before and after the change, are announced at 9.30 local time.
        assert "klo 9.30–11.00" in text, text
    # (The expected instants are right: an hour before each is 9:30 local.)
    assert {
        (utc(d) + timedelta(hours=1)).astimezone(TZ).strftime("%H:%M") for d in dues_utc[1::2]
    } == {"09:30"}


async def test_day_before_reminder_on_the_saturday_of_each_change(env: Env) -> None:
    spring = event("spring-sunday", "2027-03-28T10:00", "2027-03-28T12:00")
    autumn = event("autumn-sunday", "2027-10-31T10:00", "2027-10-31T12:00")
    async with env.sessions() as session:
        await import_events(session, [ART_DAY, spring, autumn], SETUP_AT)
    await env.remind(FI, spring, ("day-before",))
    await env.remind(FI, autumn, ("day-before",))
    for due, sunday in (
        (utc("2027-03-27T16:00"), "su 28.3."),
        (utc("2027-10-30T15:00"), "su 31.10."),
    ):
        assert due.astimezone(TZ).strftime("%a %H:%M") == "Sat 18:00"
        assert (await env.sweep(due - SECOND)).claimed == 0
        assert (await env.sweep(due)).outcomes == {"sent": 1}
        assert f"{sunday} klo 10.00–12.00" in env.sent_to(FI)[-1]


# --------------------------------------------------------------------------- RRULE and .ics


def weekly_event(rrule: str, start: str = "2027-03-15T09:30") -> Event:
    return Event.model_validate(event("weekly", start, start[:11] + "11:00", rrule=rrule))


def test_rrule_count_keeps_local_time_and_span_ends_with_the_last_occurrence() -> None:
    found = occurrences(weekly_event("FREQ=WEEKLY;BYDAY=MO;COUNT=3"), TZ)
    assert [o.start for o in found] == [
        utc("2027-03-15T07:30"),
        utc("2027-03-22T07:30"),
        utc("2027-03-29T06:30"),  # after the change: same 9:30 local, an hour earlier in UTC
    ]
    assert [o.end - o.start for o in found] == [timedelta(minutes=90)] * 3
    assert span(weekly_event("FREQ=WEEKLY;BYDAY=MO;COUNT=3"), TZ) == (
        utc("2027-03-15T07:30"),
        utc("2027-03-29T08:00"),
    )


def test_rrule_until_is_an_inclusive_utc_instant() -> None:
    # Monday 1 November 2027 09:30 is EET again: 07:30Z. UNTIL is compared in UTC.
    included = occurrences(
        weekly_event("FREQ=WEEKLY;UNTIL=20271101T073000Z", "2027-10-18T09:30"), TZ
    )
    excluded = occurrences(
        weekly_event("FREQ=WEEKLY;UNTIL=20271101T072959Z", "2027-10-18T09:30"), TZ
    )
    assert [o.key for o in included] == [
        "2027-10-18T06:30Z",
        "2027-10-25T06:30Z",
        "2027-11-01T07:30Z",
    ]
    assert [o.key for o in excluded] == ["2027-10-18T06:30Z", "2027-10-25T06:30Z"]
    # A floating UNTIL is ambiguous with a zoned DTSTART (RFC 5545): refused when loading.
    with pytest.raises(ValidationError, match="UNTIL values must be specified in UTC"):
        weekly_event("FREQ=WEEKLY;UNTIL=20271101T093000")


def test_rrule_window_interval_and_open_ended_rules() -> None:
    every_other = weekly_event("FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,WE")
    window = occurrences(
        every_other, TZ, after=utc("2027-03-22T00:00"), before=utc("2027-04-12T06:30")
    )
    assert [o.start.astimezone(TZ).strftime("%a %d.%m. %H:%M") for o in window] == [
        "Mon 29.03. 09:30",
        "Wed 31.03. 09:30",
    ]
    # ``after`` is inclusive, ``before`` exclusive.
    exact = occurrences(
        every_other, TZ, after=utc("2027-03-29T06:30"), before=utc("2027-03-31T06:30")
    )
    assert [o.key for o in exact] == ["2027-03-29T06:30Z"]
    endless = weekly_event("FREQ=DAILY")
    assert span(endless, TZ) == (utc("2027-03-15T07:30"), None)
    assert len(occurrences(endless, TZ, before=utc("2027-03-25T00:00"))) == 10


def unfold(ics: bytes) -> list[str]:
    """RFC 5545 unfolding: a line starting with a space continues the previous one."""
    lines: list[str] = []
    for raw in ics.split(b"\r\n")[:-1]:
        text = raw.decode("utf-8")  # every physical line is whole UTF-8 on its own
        if text.startswith(" "):
            lines[-1] += text[1:]
        else:
            lines.append(text)
    return lines


def test_ics_of_a_weekly_series() -> None:
    series = weekly_event("FREQ=WEEKLY;BYDAY=MO;COUNT=10", "2027-03-22T09:30")
    description = (
        "Tule mukaan; ota omat eväät, sisäkengät ja hyvä mieli!\n"
        + "تعال مع أطفالك إلى الصباح المفتوح، اللعب والغناء والقصص لجميع الأعمار " * 2
    )
    ics = to_ics(
        series,
        TZ,
        title="Taide, värit; ja \\ kurssi",
        description=description,
        location="Perhekeskus, Puistotie 15, Kotka",
        now=utc("2027-03-01T10:00"),
    )
    assert ics.endswith(b"\r\n")
    assert b"\n" not in ics.replace(b"\r\n", b"")
    physical = ics.split(b"\r\n")[:-1]
    assert max(len(line) for line in physical) <= 75
    assert any(line.startswith(b" ") for line in physical), "the description must be folded"
    lines = unfold(ics)
    assert lines[0] == "BEGIN:VCALENDAR"
    assert lines[-1] == "END:VCALENDAR"
    assert "VERSION:2.0" in lines
    for needed in (
        "UID:weekly@valo",
        "DTSTAMP:20270301T100000Z",
        "DTSTART;TZID=Europe/Helsinki:20270322T093000",
        "DTEND;TZID=Europe/Helsinki:20270322T110000",
        "RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=10",
        "SUMMARY:Taide\\, värit\\; ja \\\\ kurssi",
        "LOCATION:Perhekeskus\\, Puistotie 15\\, Kotka",
    ):
        assert needed in lines, needed
    [desc] = [line for line in lines if line.startswith("DESCRIPTION:")]
    assert desc == "DESCRIPTION:" + description.replace(",", "\\,").replace(";", "\\;").replace(
        "\n", "\\n"
    )
    # The zone the TZID names is defined in the file, with the EU switching rules.
    begin, end = lines.index("BEGIN:VTIMEZONE"), lines.index("END:VTIMEZONE")
    assert begin < lines.index("BEGIN:VEVENT")
    assert lines[begin : end + 1] == [
        "BEGIN:VTIMEZONE",
        "TZID:Europe/Helsinki",
        "BEGIN:DAYLIGHT",
        "DTSTART:19700329T030000",
        "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
        "TZOFFSETFROM:+0200",
        "TZOFFSETTO:+0300",
        "END:DAYLIGHT",
        "BEGIN:STANDARD",
        "DTSTART:19701025T040000",
        "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
        "TZOFFSETFROM:+0300",
        "TZOFFSETTO:+0200",
        "END:STANDARD",
        "END:VTIMEZONE",
    ]
    assert "STATUS:CANCELLED" not in lines


def test_ics_of_one_occurrence_after_the_change_and_of_a_cancelled_event() -> None:
    series = weekly_event("FREQ=WEEKLY;BYDAY=MO;COUNT=10", "2027-03-22T09:30")
    second = occurrences(series, TZ)[1]
    assert second == Occurrence(utc("2027-03-29T06:30"), utc("2027-03-29T08:00"))
    lines = unfold(
        to_ics(
            series,
            TZ,
            title="Avoin aamu",
            description=None,
            location=None,
            now=utc("2027-03-01T10:00"),
            series=False,
            occurrence=second,
        )
    )
    assert "DTSTART;TZID=Europe/Helsinki:20270329T093000" in lines
    assert "DTEND;TZID=Europe/Helsinki:20270329T110000" in lines
    assert "UID:weekly-2027-03-29T06:30Z@valo" in lines
    assert not any(
        line.startswith(("RRULE:FREQ=WEEKLY", "DESCRIPTION", "LOCATION")) for line in lines
    )

    cancelled = Event.model_validate({**event("gone", "2027-05-01T10:00"), "cancelled": True})
    lines = unfold(to_ics(cancelled, TZ, title="x", description=None, location=None, now=SETUP_AT))
    assert "STATUS:CANCELLED" in lines
    assert "DTEND;TZID=Europe/Helsinki:20270501T120000" in lines  # two hours by default


# --------------------------------------------------------------------------- downtime


@pytest.mark.parametrize(
    ("back_at", "expected"),
    [
        (local("2027-03-10T09:30"), {"sent": 2}),  # both late, the event has not started
        (ART_START - SECOND, {"sent": 2}),
        (ART_START, {"missed": 2}),  # it has started: too late for either
        (local("2027-03-10T13:00"), {"missed": 2}),
    ],
)
async def test_after_downtime_late_if_not_started_else_missed(
    env: Env, back_at: datetime, expected: dict[str, int]
) -> None:
    await env.remind(FI, ART_DAY)
    # The worker was down from before the first due time until ``back_at``.
    assert (await env.sweep(ART_DAY_BEFORE - timedelta(hours=1))).claimed == 0
    report = await env.sweep(back_at)
    assert await env.states() == expected
    if "missed" in expected:
        assert report.missed == 2
        assert report.claimed == 0
        assert env.sent_to(FI) == []
        assert {r.detail for r in await ledger(env.sessions)} == {"not sent before it expired"}
    else:
        assert len(env.sent_to(FI)) == 2
    await env.sweep(back_at + timedelta(days=1))
    assert await env.states() == expected


# --------------------------------------------------------------------------- Telegram outcomes


async def test_429_pauses_for_retry_after_then_sends_once(
    env: Env, sessions: async_sessionmaker[AsyncSession]
) -> None:
    time = VirtualTime()
    worker = make_worker(env.bot, sessions, env.clock, limiter=instant_limiter(time=time))
    await env.remind(FI, ART_DAY, ("day-before",))
    fault = env.fake.fail_429(retry_after=7)
    report = await env.sweep(ART_DAY_BEFORE, worker)
    assert report.outcomes == {"sent": 1}
    assert fault.fired == 1
    calls = env.fake.calls("sendMessage")
    assert [c.status for c in calls] == [429, 200]
    assert len(env.sent_to(FI)) == 1
    assert time.sleeps
    assert max(time.sleeps) >= 7.0
    [row] = await ledger(sessions)
    assert (row.state, row.attempts, row.lease_until) == ("sent", 1, None)


async def test_403_blocks_the_family_and_withdraws_its_other_reminders(
    env: Env, sessions: async_sessionmaker[AsyncSession]
) -> None:
    later = event("later", "2027-03-12T10:00", "2027-03-12T12:00")
    async with sessions() as session:
        await import_events(session, [ART_DAY, later], SETUP_AT)
    await env.remind(FI, ART_DAY)
    await env.remind(FI, later)
    await env.remind(EN, ART_DAY)
    env.fake.block(FI)
    report = await env.sweep(ART_DAY_BEFORE)
    assert report.outcomes == {"blocked": 1, "sent": 1}
    fi_rows = await ledger(sessions, Delivery.user_id == FI)
    states = {(r.state, r.detail) for r in fi_rows}
    assert states == {
        ("blocked", "Forbidden: bot was blocked by the user"),
        ("cancelled", "user has blocked the bot"),
    }
    assert Counter(r.state for r in fi_rows) == {"blocked": 1, "cancelled": 3}
    async with sessions() as session:
        user = await session.get(User, FI)
        assert user is not None
        assert user.blocked
        other = await session.get(User, EN)
        assert other is not None
        assert not other.blocked
    for at in (ART_HOUR_BEFORE, local("2027-03-11T18:00"), local("2027-03-12T09:00")):
        await env.sweep(at)
    assert [int(c.params["chat_id"]) for c in env.fake.calls("sendMessage")].count(FI) == 1
    assert await env.states(Delivery.user_id == EN) == {"sent": 2}


async def test_400_chat_not_found_is_failed_with_telegrams_reason(
    env: Env, sessions: async_sessionmaker[AsyncSession]
) -> None:
    stranger = 504  # known to the bot, unknown to Telegram
    await add_users(sessions, {stranger: "en"}, SETUP_AT)
    await env.remind(stranger, ART_DAY, ("day-before",))
    await env.remind(EN, ART_DAY, ("day-before",))
    report = await env.sweep(ART_DAY_BEFORE)
    assert report.outcomes == {"failed": 1, "sent": 1}
    [row] = await ledger(sessions, Delivery.user_id == stranger)
    assert (row.state, row.detail) == ("failed", "Bad Request: chat not found")
    await env.sweep(ART_DAY_BEFORE + timedelta(hours=1))
    assert len(env.fake.calls("sendMessage")) == 2


async def test_5xx_is_unknown_and_never_resent(
    env: Env, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await env.remind(FI, ART_DAY, ("day-before",))
    env.fake.fail_5xx(502, times=1)
    assert (await env.sweep(ART_DAY_BEFORE)).outcomes == {"unknown": 1}
    [row] = await ledger(sessions)
    assert row.state == "unknown"
    assert row.detail == "server error: Bad Gateway"
    for minutes in (1, 10, 60, 120):
        await env.sweep(ART_DAY_BEFORE + timedelta(minutes=minutes))
    assert len(env.fake.calls("sendMessage")) == 1
    assert env.sent_to(FI) == []
    assert await env.states() == {"unknown": 1}


async def test_lost_response_is_unknown_and_the_family_has_exactly_one_message(
    env: Env, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await env.remind(FI, ART_DAY, ("day-before",))
    fault = env.fake.lose_response(times=1)
    assert (await env.sweep(ART_DAY_BEFORE)).outcomes == {"unknown": 1}
    assert fault.fired == 1
    [row] = await ledger(sessions)
    assert row.state == "unknown"
    assert row.detail is not None
    assert row.detail.startswith("network: ")
    for minutes in (1, 30, 60):
        await env.sweep(ART_DAY_BEFORE + timedelta(minutes=minutes))
    # Telegram accepted it: the family has it once, and it was never sent again.
    assert len(env.sent_to(FI)) == 1
    assert env.sent_to(FI)[0].startswith("⏰ Muistutus: huomenna on Art Day")
    assert len(env.fake.calls("sendMessage")) == 1


async def test_timeout_after_the_request_was_sent_is_unknown(
    env: Env, sessions: async_sessionmaker[AsyncSession]
) -> None:
    impatient = Bot(
        TEST_TOKEN,
        session=AiohttpSession(api=TelegramAPIServer.from_base(env.fake.base_url), timeout=0.3),
    )
    worker = make_worker(impatient, sessions, env.clock)
    await env.remind(FI, ART_DAY, ("day-before",))
    fault = env.fake.hold("sendMessage")
    try:
        report = await env.sweep(ART_DAY_BEFORE, worker)
    finally:
        for held in fault.held:
            held.release()
        await close_bot(impatient)
    assert report.outcomes == {"unknown": 1}
    [row] = await ledger(sessions)
    assert (row.state, row.detail) == ("unknown", "network: Request timeout error")
    await env.sweep(ART_DAY_BEFORE + timedelta(minutes=5))
    assert len(env.fake.calls("sendMessage")) == 1


async def test_connection_refused_goes_back_to_pending_and_is_sent_later(
    env: Env, sessions: async_sessionmaker[AsyncSession]
) -> None:
    unreachable = Bot(
        TEST_TOKEN,
        session=AiohttpSession(
            api=TelegramAPIServer.from_base(f"http://127.0.0.1:{closed_port()}")
        ),
    )
    try:
        worker = make_worker(unreachable, sessions, env.clock, worker_id="worker-offline")
        await env.remind(FI, ART_DAY, ("day-before",))
        report = await env.sweep(ART_DAY_BEFORE, worker)
    finally:
        await close_bot(unreachable)
    assert report.outcomes == {"pending": 1}
    [row] = await ledger(sessions)
    assert (row.state, row.detail, row.worker, row.lease_until) == (
        "pending",
        "connection refused",
        None,
        None,
    )
    assert env.fake.calls("sendMessage") == []
    assert (await env.sweep(ART_DAY_BEFORE + timedelta(minutes=1))).outcomes == {"sent": 1}
    assert len(env.sent_to(FI)) == 1
    [row] = await ledger(sessions)
    assert (row.state, row.attempts) == ("sent", 2)


# --------------------------------------------------------------------------- event changes


async def test_moved_event_notifies_each_family_once_and_the_reminders_follow(
    env: Env, sessions: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    directory = write_catalogue(tmp_path / "catalog", [ART_DAY])
    async with sessions() as session:
        await import_directory(session, directory, SETUP_AT)
    await env.remind(FI, ART_DAY)
    await env.remind(EN, ART_DAY, ("day-before",))

    moved_at = local("2027-03-05T09:00")
    moved = {**ART_DAY, "start": "2027-03-12T14:00", "end": "2027-03-12T16:00"}
    write_catalogue(directory, [moved])
    for attempt in range(2):  # importing the same file again changes nothing
        async with sessions() as session:
            report = await import_directory(session, directory, moved_at)
        assert (report.updated, report.version is None) == (1 - attempt, attempt == 1)
        await env.sweep(moved_at + timedelta(minutes=attempt))
    assert env.sent_to(FI) == [
        "📅 Tapahtuman aika on muuttunut: Art Day (fi)\n"
        "Uusi aika: pe 12.3. klo 14.00–16.00\n"
        "Muistutuksesi siirtyy uuteen aikaan."
    ]
    assert env.sent_to(EN) == [
        "📅 The time of Art Day (en) has changed.\n"
        "New time: Fri 12 Mar, 14:00–16:00\n"
        "Your reminder follows the new time."
    ]
    assert env.sent_to(AR) == []  # no reminder, no notice

    # The old times pass in silence; the new ones bring the reminders.
    for old in (ART_DAY_BEFORE, ART_HOUR_BEFORE):
        assert (await env.sweep(old)).claimed == 0
    assert (await env.sweep(local("2027-03-11T18:00"))).outcomes == {"sent": 2}
    assert (await env.sweep(local("2027-03-12T13:00"))).outcomes == {"sent": 1}
    got = texts(env.fake, [FI, EN])
    assert [len(got[FI]), len(got[EN])] == [3, 2]
    assert "pe 12.3. klo 14.00–16.00" in got[FI][1]
    assert got[FI][2].startswith("⏰ Alkaa tunnin")
    assert "Fri 12 Mar, 14:00–16:00" in got[EN][1]
    old_rows = await ledger(sessions, Delivery.due_at.in_([ART_DAY_BEFORE, ART_HOUR_BEFORE]))
    assert {(r.state, r.detail) for r in old_rows} == {("cancelled", "event changed")}


async def test_two_moves_before_a_sweep_tell_the_family_once(
    env: Env, sessions: async_sessionmaker[AsyncSession]
) -> None:
    """Notices are rendered at send time (with the latest time), so two queued "moved"
    notices would be the same message twice."""
    await env.remind(FI, ART_DAY)
    first = {**ART_DAY, "start": "2027-03-11T10:00", "end": "2027-03-11T12:00"}
    second = {**ART_DAY, "start": "2027-03-12T10:00", "end": "2027-03-12T12:00"}
    async with sessions() as session:
        await import_events(session, [first], local("2027-03-05T09:00"))
    async with sessions() as session:
        await import_events(session, [second], local("2027-03-05T09:10"))
    await env.sweep(local("2027-03-05T09:20"))
    assert env.sent_to(FI) == [
        "📅 Tapahtuman aika on muuttunut: Art Day (fi)\n"
        "Uusi aika: pe 12.3. klo 10.00–12.00\n"
        "Muistutuksesi siirtyy uuteen aikaan."
    ]
    await env.sweep(local("2027-03-11T18:00"))
    assert len(env.sent_to(FI)) == 2
    assert "pe 12.3." in env.sent_to(FI)[1]


@pytest.mark.parametrize("how", ["cancelled", "removed"])
async def test_cancelled_event_notifies_and_no_reminder_follows(
    env: Env, sessions: async_sessionmaker[AsyncSession], tmp_path: Path, how: str
) -> None:
    other = event("other-day", "2027-03-20T10:00")
    directory = write_catalogue(tmp_path / "catalog", [ART_DAY, other])
    async with sessions() as session:
        await import_directory(session, directory, SETUP_AT)
    await env.remind(FI, ART_DAY)
    await env.remind(EN, ART_DAY, ("hour-before",))
    at = local("2027-03-05T09:00")
    changed = [{**ART_DAY, "cancelled": True}, other] if how == "cancelled" else [other]
    write_catalogue(directory, changed)
    async with sessions() as session:
        await import_directory(session, directory, at)
    await env.sweep(at)
    assert env.sent_to(FI) == ["❌ Art Day (fi) on peruttu. Muistutuksesi siitä on poistettu."]
    assert env.sent_to(EN) == [
        "❌ Art Day (en) has been cancelled. Your reminder for it has been removed."
    ]
    for later in (ART_DAY_BEFORE, ART_HOUR_BEFORE, ART_START + timedelta(hours=1)):
        assert (await env.sweep(later)).claimed == 0
    assert [len(env.sent_to(c)) for c in (FI, EN)] == [1, 1]
    async with sessions() as session:
        assert (await session.execute(select(Reminder))).first() is None
        # A cancelled or removed event takes no new reminders.
        assert (
            await set_reminder(session, FI, "art-day", key(ART_DAY), ["day-before"], TZ, at) is None
        )
    assert await env.states(Delivery.kind == "reminder") == {"cancelled": 3}


async def test_setting_offsets_again_never_duplicates(
    env: Env, sessions: async_sessionmaker[AsyncSession]
) -> None:
    async def offsets(*chosen: str, at: datetime = SETUP_AT) -> int:
        return (await env.remind(FI, ART_DAY, chosen, at=at))[1]

    assert await offsets("day-before") == 1
    assert await offsets("day-before") == 0
    assert await offsets("hour-before", "day-before") == 1
    assert await offsets("hour-before") == 0
    assert await env.states() == {"pending": 1, "cancelled": 1}
    assert await offsets("day-before", "hour-before") == 1  # the withdrawn row comes back
    rows = await ledger(sessions)
    assert len(rows) == 2
    assert {r.state for r in rows} == {"pending"}
    assert (await env.sweep(ART_DAY_BEFORE)).outcomes == {"sent": 1}  # the revived row, once

    after = ART_DAY_BEFORE + timedelta(minutes=5)
    assert await offsets("day-before", "hour-before", at=after) == 0  # nothing is resent
    assert await offsets("day-before", at=after) == 0  # withdraws the hour-before
    assert await env.states() == {"sent": 1, "cancelled": 1}
    assert (await env.sweep(ART_HOUR_BEFORE)).claimed == 0
    assert await offsets("day-before", "hour-before", at=ART_HOUR_BEFORE + SECOND) == 0
    await env.sweep(ART_HOUR_BEFORE + timedelta(minutes=30))
    assert len(env.sent_to(FI)) == 1
    assert len(await ledger(sessions)) == 2


# --------------------------------------------------------------------------- rate limiting


class ChangesBeforeSends:
    """A limiter that runs a change of the test's when a send to a given chat is due (after
    that row was rendered, before the next row is)."""

    def __init__(self, changes: dict[int, Callable[[], Awaitable[None]]]) -> None:
        self.changes = changes

    async def acquire(self, chat_id: int) -> float:
        change = self.changes.pop(chat_id, None)
        if change is not None:
            await change()
        return 0.0

    async def pause(self, seconds: float) -> None:
        del seconds


async def test_a_recipient_read_ahead_is_used_only_while_fresh(
    env: Env, sessions: async_sessionmaker[AsyncSession], monkeypatch: pytest.MonkeyPatch
) -> None:
    # One send at a time, FI, EN, AR in turn: reading FI also reads EN and AR ahead.
    monotonic = [1000.0]
    monkeypatch.setattr(worker_module, "time", SimpleNamespace(monotonic=lambda: monotonic[0]))
    reads: list[str] = []
    engine = sessions.kw["bind"]

    def count_user_reads(*args: Any) -> None:
        if "FROM users" in args[2]:
            reads.append(args[2])

    async def set_locale(user_id: int, locale: str) -> None:
        async with sessions() as session, write_transaction(session):
            await session.execute(update(User).where(User.user_id == user_id).values(locale=locale))

    async def sending_to_fi() -> None:  # EN's read ahead is still fresh when EN is rendered
        await set_locale(EN, "ar")

    async def sending_to_en() -> None:  # AR's read ahead is too old by the time AR is rendered
        await set_locale(AR, "fi")
        monotonic[0] += worker_module.READ_AHEAD_AGE + 0.5

    worker = make_worker(
        env.bot,
        sessions,
        env.clock,
        concurrency=1,
        limiter=ChangesBeforeSends({FI: sending_to_fi, EN: sending_to_en}),
    )
    for user_id in (FI, EN, AR):
        await env.remind(user_id, ART_DAY, ("day-before",))
    sql_event.listen(engine.sync_engine, "before_cursor_execute", count_user_reads)
    try:
        report = await env.sweep(ART_DAY_BEFORE, worker)
    finally:
        sql_event.remove(engine.sync_engine, "before_cursor_execute", count_user_reads)
    assert report.outcomes == {"sent": 3}
    got = texts(env.fake, FAMILIES)
    assert got[EN][0].startswith("⏰ Reminder: tomorrow is Art Day (en)")  # as read ahead
    assert got[AR] == got[FI]  # read again when its turn came: Finnish now
    assert len(reads) == 2  # FI with EN and AR ahead; AR again


async def test_memory_limiter_spaces_sends_and_keeps_the_per_chat_interval() -> None:
    time = VirtualTime(start=100.0)
    limiter = instant_limiter(rate=4, per_chat_interval=1.0, time=time)
    sent_at = []
    for chat in (1, 2, 3, 1, 4, 2):
        await limiter.acquire(chat)
        sent_at.append(round(time.t - 100.0, 6))
    # 1/rate = 0.25 s between any two sends; chat 1 again only a second after its last one.
    assert sent_at == [0.0, 0.25, 0.5, 1.0, 1.25, 1.5]
    await limiter.pause(3.0)
    waited = await limiter.acquire(5)
    assert waited == pytest.approx(3.0)
    assert time.t - 100.0 == pytest.approx(4.5)


async def test_memory_limiter_hands_out_slots_in_order_under_concurrency() -> None:
    recorded: list[float] = []

    async def record(seconds: float) -> None:
        recorded.append(seconds)

    # Time stands still: each concurrent caller gets the next slot, 0.1 s after the last.
    limiter = MemoryRateLimiter(10, 0.0, clock=lambda: 5.0, sleep=record)
    waits = await asyncio.gather(*(limiter.acquire(chat) for chat in range(6)))
    assert [round(w, 6) for w in waits] == [0.0, 0.1, 0.2, 0.3, 0.4, 0.5]
    assert [round(w, 6) for w in recorded] == [0.1, 0.2, 0.3, 0.4, 0.5]


LIMITER_BACKENDS = ["memory", *(["redis"] if REDIS_URL else [])]


@pytest.mark.parametrize("backend", LIMITER_BACKENDS)
async def test_two_senders_share_one_budget(backend: str, redis_url: str | None) -> None:
    """Two workers' limiters: one process's shared instance (memory), or two processes'
    instances on one Redis. The waits are recorded, not slept, so time stands still except
    for Redis's own clock."""
    recorded: list[float] = []

    async def record(seconds: float) -> None:
        recorded.append(seconds)

    clients: list[Any] = []
    if backend == "memory":
        shared = MemoryRateLimiter(5, 1.0, clock=lambda: 50.0, sleep=record)
        first, second = shared, shared
    else:
        from redis.asyncio import Redis

        assert redis_url is not None
        clients = [Redis.from_url(redis_url), Redis.from_url(redis_url)]
        prefix = f"valo:test:{uuid.uuid4().hex}"
        first, second = (RedisRateLimiter(c, 5, 1.0, prefix=prefix, sleep=record) for c in clients)
    try:
        waits = [await (first, second)[n % 2].acquire(1000 + n) for n in range(8)]
        # Slots 0.2 s apart whichever instance asks: the budget is one, not one per sender.
        for n, wait in enumerate(waits):
            assert wait == pytest.approx(0.2 * n, abs=0.1), waits
        # The per-chat interval holds across senders too.
        base = await first.acquire(77)
        again = await second.acquire(77)
        assert again == pytest.approx(base + 1.0, abs=0.1)
        # And a 429 pause seen by one sender holds the other.
        await first.pause(30.0)
        paused = await second.acquire(78)
        assert paused == pytest.approx(30.0, abs=0.1)
        assert recorded == [w for w in [*waits, base, again, paused] if w > 0]
    finally:
        for client in clients:
            await client.aclose()


@pytest.mark.parametrize("backend", LIMITER_BACKENDS)
async def test_concurrent_acquires_get_spaced_slots_and_one_chat_waits_its_interval(
    backend: str, redis_url: str | None
) -> None:
    """Sends of one process ask at once (the Redis limiter reserves them in one script call):
    still one slot per 1/rate, in the order asked, and a chat asked for twice waits its
    per-chat interval."""
    recorded: list[float] = []

    async def record(seconds: float) -> None:
        recorded.append(seconds)

    client: Any = None
    if backend == "memory":
        limiter: Any = MemoryRateLimiter(5, 1.0, clock=lambda: 50.0, sleep=record)
    else:
        from redis.asyncio import Redis

        assert redis_url is not None
        client = Redis.from_url(redis_url)
        prefix = f"valo:test:{uuid.uuid4().hex}"
        limiter = RedisRateLimiter(client, 5, 1.0, prefix=prefix, sleep=record)
        script = limiter._script
        calls: list[Any] = []

        async def counted(**kwargs: Any) -> Any:
            calls.append(kwargs)
            return await script(**kwargs)

        limiter._script = counted
    try:
        chats = [2000, 2001, 2002, 2000, 2003]
        waits = await asyncio.gather(*(limiter.acquire(chat) for chat in chats))
        if backend == "redis":
            assert len(calls) == 1  # one round trip for the five
        assert waits[:3] == pytest.approx([0.0, 0.2, 0.4], abs=0.1)
        assert waits[3] == pytest.approx(1.0, abs=0.1)  # chat 2000 again: its interval
        assert waits[4] == pytest.approx(1.2, abs=0.1)  # the global spacing goes on from there
    finally:
        if client is not None:
            await client.aclose()


# --------------------------------------------------------------------------- overlapping sweeps


async def test_two_workers_sweeping_the_same_rows_send_each_once(
    env: Env, sessions: async_sessionmaker[AsyncSession], database_url: str
) -> None:
    """Two workers (two engines, as two processes would have) sweep concurrently, several
    sweeps each, over the same 120 due rows."""
    families = {600 + n: ("fi", "en", "ar")[n % 3] for n in range(40)}
    later = event("later", "2027-03-10T11:00", "2027-03-10T12:00", title="Later")
    await add_users(sessions, families, SETUP_AT)
    register_chats(env.fake, families)
    async with sessions() as session:
        await import_events(session, [ART_DAY, later], SETUP_AT)
    for user_id in families:
        await env.remind(user_id, ART_DAY)
        await env.remind(user_id, later, ("day-before",))
    other_engine = make_engine(database_url)
    try:
        one = make_worker(
            env.bot, sessions, env.clock, worker_id="worker-a", batch=16, concurrency=4
        )
        two = make_worker(
            env.bot,
            make_sessionmaker(other_engine),
            env.clock,
            worker_id="worker-b",
            batch=16,
            concurrency=4,
        )
        now = local("2027-03-10T09:30")  # all three are due (two of them late), none started
        env.clock.set(now)
        reports = await asyncio.gather(*(w.sweep(now) for _ in range(5) for w in (one, two)))
    finally:
        await other_engine.dispose()
    assert sum(r.claimed for r in reports) == 120
    assert sum(1 for r in reports if r.claimed) >= 2
    assert await env.states() == {"sent": 120}
    assert len(env.fake.calls("sendMessage")) == 120
    for chat, received in texts(env.fake, families).items():
        assert len(set(received)) == len(received) == 3, (chat, received)


async def test_a_sweep_that_lost_its_lease_never_sends_what_another_took_over(
    env: Env, sessions: async_sessionmaker[AsyncSession]
) -> None:
    """Worker A stalls on its first send past its lease; worker B expires A's claim: the
    request in flight becomes ``unknown``, the rows A had not attempted go to B, once."""
    for user_id in FAMILIES:
        await env.remind(user_id, ART_DAY, ("day-before",))
    lease = timedelta(seconds=30)
    a = make_worker(env.bot, sessions, env.clock, worker_id="worker-a", lease=lease, concurrency=1)
    b = make_worker(env.bot, sessions, env.clock, worker_id="worker-b", lease=lease)
    fault = env.fake.hold("sendMessage", nth=1)
    env.clock.set(ART_DAY_BEFORE)
    stalled = asyncio.create_task(a.sweep(ART_DAY_BEFORE))
    try:
        held = await env.fake.held_event(fault)
        report = await env.sweep(ART_DAY_BEFORE + lease + SECOND, b)
        assert (report.expired_unknown, report.claimed) == (1, 2)
        assert report.outcomes == {"sent": 2}
    finally:
        for request in fault.held:
            request.release()
        report_a = await stalled
    assert report_a.claimed == 3
    # A's stalled send went through, but the row was no longer A's to record.
    assert report_a.outcomes == {"sent": 1, "lost-lease": 2}
    rows = {r.user_id: r for r in await ledger(sessions)}
    assert rows[held.chat_id].state == "unknown"
    assert {r.state for c, r in rows.items() if c != held.chat_id} == {"sent"}
    assert {r.worker for c, r in rows.items() if c != held.chat_id} == {"worker-b"}
    for chat in FAMILIES:
        assert len(env.sent_to(chat)) == 1, chat
    await env.sweep(ART_DAY_BEFORE + timedelta(hours=1))
    assert len(env.fake.calls("sendMessage")) == 3


async def test_expired_lease_turns_only_attempted_rows_unknown(
    env: Env, sessions: async_sessionmaker[AsyncSession]
) -> None:
    """A crash after the claim: the row whose request was in flight is ``unknown``, the
    others were certainly not sent and go back to ``pending`` (then out, once)."""
    for user_id in FAMILIES:
        await env.remind(user_id, ART_DAY, ("day-before",))
    dead = make_worker(env.bot, sessions, env.clock, worker_id="worker-dead")
    claimed = await dead.ledger.claim(ART_DAY_BEFORE, dead.id, timedelta(seconds=30), 10)
    assert len(claimed) == 3
    in_flight = claimed[0]
    assert await dead.ledger.attempt(in_flight.id, dead.id, ART_DAY_BEFORE)
    # ...and the process dies here. Before the lease ends nothing moves:
    assert (await env.sweep(ART_DAY_BEFORE + timedelta(seconds=29))).claimed == 0
    report = await env.sweep(ART_DAY_BEFORE + timedelta(seconds=31))
    assert report.expired_unknown == 1
    assert report.outcomes == {"sent": 2}
    rows = {r.id: r for r in await ledger(sessions)}
    assert (rows[in_flight.id].state, rows[in_flight.id].detail) == (
        "unknown",
        "lease expired while sending",
    )
    assert sorted(r.state for r in rows.values()) == ["sent", "sent", "unknown"]
    assert env.sent_to(in_flight.user_id) == []


async def test_a_released_row_claimed_again_is_not_unknown_after_a_crash(
    env: Env, sessions: async_sessionmaker[AsyncSession]
) -> None:
    """``attempted_at`` of an earlier claim must not make a later, unattempted claim look
    in flight."""
    await env.remind(FI, ART_DAY, ("day-before",))
    ledger_ = env.worker.ledger
    [row] = await ledger_.claim(ART_DAY_BEFORE, "w1", timedelta(seconds=30), 10)
    assert await ledger_.attempt(row.id, "w1", ART_DAY_BEFORE)
    assert await ledger_.release(row.id, "w1", ART_DAY_BEFORE, "connection refused")
    [again] = await ledger_.claim(ART_DAY_BEFORE + SECOND, "w2", timedelta(seconds=30), 10)
    assert again.id == row.id
    # w2 dies before attempting it.
    report = await env.sweep(ART_DAY_BEFORE + timedelta(minutes=1))
    assert report.expired_unknown == 0
    assert report.outcomes == {"sent": 1}
    assert len(env.sent_to(FI)) == 1


# --------------------------------------------------------------------------- the benchmark's guard


@pytest.fixture(scope="module")
def reminders_bench() -> ModuleType:
    path = REPO / "bench" / "reminders.py"
    spec = importlib.util.spec_from_file_location("bench_reminders", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while being created
    spec.loader.exec_module(module)
    return module


async def test_reminders_benchmark_sends_each_due_family_once(reminders_bench: ModuleType) -> None:
    """``bench/reminders.py`` on a tiny database (SQLite): its correctness guard holds (every
    due family once, nobody else, all rows ``sent``) and it reports every figure."""
    sizes = reminders_bench.Sizes(reminders=400, events=20, families=100, due=40)
    result = await reminders_bench.run_backend("sqlite", sizes, profile=False, repeat=1)
    assert len(result.sweeps_s) == len(result.bare_s) == 1
    assert [len(late) for late in result.lateness] == [40]
    assert 0 < result.size_before < result.size_after
    text = reminders_bench.report(result, sizes)
    assert "claim + send 40" in text
    assert "lateness p99" in text


async def test_a_row_that_cannot_be_rendered_fails_once_and_the_rest_are_sent(
    env: Env, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await env.remind(FI, ART_DAY, ("day-before",))
    await env.remind(EN, ART_DAY, ("day-before",))
    working = env.worker.renderers["reminder"]

    async def broken_for_fi(
        sessions: async_sessionmaker[AsyncSession], row: Claimed, t: Translator
    ) -> Outgoing | None:
        if row.user_id == FI:
            raise RuntimeError("a bug in a renderer")
        return await working(sessions, row, t)

    env.worker.renderers["reminder"] = broken_for_fi
    assert (await env.sweep(ART_DAY_BEFORE)).outcomes == {"failed": 1, "sent": 1}
    [row] = await ledger(sessions, Delivery.user_id == FI)
    assert (row.state, row.detail) == ("failed", "render: RuntimeError")
    # A failed row is final: later sweeps do not try it again.
    assert (await env.sweep(ART_DAY_BEFORE + timedelta(minutes=5))).claimed == 0
    assert len(env.fake.calls("sendMessage")) == 1
