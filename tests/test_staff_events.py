"""Staff event tools: reading what staff type, drafts, and changes that tell families."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.catalog.schema import Ages, Event
from bot.db.models import CatalogEvent, Delivery, Reminder
from bot.delivery.event_news import cancel_event, move_event
from bot.delivery.reminders import set_reminder
from bot.events.occurrences import occurrences
from bot.events.staff import (
    STAFF_SOURCE,
    EventDraft,
    StaffInputError,
    add_event,
    check_until,
    draft_event,
    families_reminded,
    new_event_id,
    parse_ages,
    parse_date,
    parse_duration,
    parse_start,
    parse_title,
    rename_event,
)
from bot.middlewares import load_user

TZ = ZoneInfo("Europe/Helsinki")
NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("5.12.2026 10.00", datetime(2026, 12, 5, 10, 0)),
        ("5.12.2026 klo 9.30", datetime(2026, 12, 5, 9, 30)),
        (" 05.12.2026 10:00 ", datetime(2026, 12, 5, 10, 0)),
        ("2026-12-05 10:00", datetime(2026, 12, 5, 10, 0)),
        ("2026-12-05T10:00", datetime(2026, 12, 5, 10, 0)),
    ],
)
def test_start_times_in_the_finnish_and_iso_forms(typed: str, expected: datetime) -> None:
    assert parse_start(typed, TZ, NOW) == expected


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("huomenna", "staff-error-datetime"),
        ("5.12. 10.00", "staff-error-datetime"),  # the year is needed
        ("31.2.2027 10.00", "staff-error-datetime"),
        ("5.12.2026 25.00", "staff-error-datetime"),
        ("1.11.2026 10.00", "staff-error-past"),
        ("1.1.2029 10.00", "staff-error-too-far"),
        # 28 March 2027: Helsinki clocks jump from 3.00 to 4.00.
        ("28.3.2027 3.30", "staff-error-no-such-time"),
    ],
)
def test_start_times_refused_with_a_reason(typed: str, reason: str) -> None:
    with pytest.raises(StaffInputError) as caught:
        parse_start(typed, TZ, NOW)
    assert caught.value.msg_id == reason


def test_durations_ages_dates_and_titles() -> None:
    assert parse_duration("90") == timedelta(minutes=90)
    assert parse_duration("1.30") == timedelta(hours=1, minutes=30)
    assert parse_duration("2 h") == timedelta(hours=2)
    for bad in ("5", "13 h", "pitkä", "1.5"):
        with pytest.raises(StaffInputError, match="staff-error-duration"):
            parse_duration(bad)
    assert parse_ages("3-6") == Ages(min=3, max=6)
    assert parse_ages(" 0 – 17 ") == Ages(min=0, max=17)
    for bad in ("6-3", "3", "0-30"):
        with pytest.raises(StaffInputError) as caught:
            parse_ages(bad)
        assert caught.value.details == {"max": 25}
    assert parse_date("28.5.2027") == date(2027, 5, 28)
    assert parse_date("2027-05-28") == date(2027, 5, 28)
    with pytest.raises(StaffInputError, match="staff-error-date"):
        parse_date("30.2.2027")
    assert parse_title("  Satutunti   lapsille ") == "Satutunti lapsille"
    with pytest.raises(StaffInputError, match="staff-error-title"):
        parse_title("x" * 151)
    with pytest.raises(StaffInputError, match="staff-error-until-before"):
        check_until(datetime(2026, 12, 5, 10, 0), date(2026, 12, 5))


def test_a_weekly_draft_falls_back_to_finnish_titles_and_keeps_local_time() -> None:
    draft = EventDraft(
        titles={"fi": "Avoin aamu"},
        service_id="kotka-open",
        start="2027-03-15T09:30",
        minutes=90,
        kinds=["open-ecec"],
        until=date(2027, 4, 5),
    )
    assert draft.missing_titles() == ["en", "ar"]
    made = draft_event(draft, "staff-x", TZ)
    assert (made.title.en, made.title.ar) == ("Avoin aamu", "Avoin aamu")
    assert made.end == "2027-03-15T11:00"
    # The last day is included in local time: 23:59:59 in Helsinki is 20:59:59 UTC in April.
    assert made.rrule == "FREQ=WEEKLY;BYDAY=MO;UNTIL=20270405T205959Z"
    starts = [o.start.astimezone(TZ).strftime("%d.%m. %H.%M") for o in occurrences(made, TZ)]
    assert starts == ["15.03. 09.30", "22.03. 09.30", "29.03. 09.30", "05.04. 09.30"]
    with pytest.raises(ValueError, match="not complete"):
        draft_event(EventDraft(titles={"fi": "x"}), "staff-y", TZ)
    assert new_event_id().startswith("staff-")


def one_off(event_id: str, start: str, end: str) -> Event:
    return Event.model_validate(
        {
            "id": event_id,
            "kinds": ["art"],
            "title": {"fi": "Taidepaja", "en": "Art workshop", "ar": "ورشة فنية"},
            "start": start,
            "end": end,
        }
    )


async def test_moving_tells_families_and_their_reminders_follow(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions() as session:
        await load_user(session, 1, NOW, frozenset(), "ar")
        await load_user(session, 2, NOW, frozenset(), "fi")
        await add_event(
            session,
            "kotka-art",
            one_off("staff-art", "2026-12-05T10:00", "2026-12-05T12:00"),
            TZ,
            NOW,
        )
        for user in (1, 2):
            await set_reminder(
                session, user, "staff-art", "2026-12-05T08:00Z", ["day-before"], TZ, NOW
            )
        assert await families_reminded(session, "staff-art") == 2

        told = await move_event(session, "staff-art", datetime(2026, 12, 6, 13, 0), TZ, NOW)
        assert told == 2
        row = await session.get(CatalogEvent, "staff-art", populate_existing=True)
        assert row is not None
        assert (row.source, row.revision) == (STAFF_SOURCE, 2)
        assert (row.document["start"], row.document["end"]) == (
            "2026-12-06T13:00",
            "2026-12-06T15:00",
        )
        assert row.starts_at == datetime(2026, 12, 6, 11, 0, tzinfo=UTC)
        keys = (await session.execute(select(Reminder.occurrence))).scalars().all()
        assert keys == ["2026-12-06T11:00Z", "2026-12-06T11:00Z"]
        ledger = (
            await session.execute(
                select(Delivery.kind, Delivery.state, Delivery.due_at).order_by(Delivery.id)
            )
        ).all()
        notices = [r for r in ledger if r.kind == "notice"]
        assert [r.state for r in notices] == ["pending", "pending"]
        pending = {r.due_at for r in ledger if r.kind == "reminder" and r.state == "pending"}
        assert pending == {datetime(2026, 12, 5, 16, 0, tzinfo=UTC)}  # 18.00 the day before

        # A weekly rule that ends before the new time would leave no times: refused.
        weekly = Event.model_validate(
            {
                **one_off("staff-weekly", "2026-12-07T10:00", "2026-12-07T11:00").model_dump(),
                "rrule": "FREQ=WEEKLY;BYDAY=MO;UNTIL=20261222T215959Z",
            }
        )
        await add_event(session, "kotka-art", weekly, TZ, NOW)
        with pytest.raises(StaffInputError, match="staff-error-no-times"):
            await move_event(session, "staff-weekly", datetime(2027, 1, 4, 10, 0), TZ, NOW)
        row = await session.get(CatalogEvent, "staff-weekly", populate_existing=True)
        assert row is not None
        assert row.revision == 1  # nothing changed


async def test_moving_a_weekly_series_follows_the_new_weekday(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    rule = "FREQ=WEEKLY;BYDAY=MO;UNTIL=20270201T215959Z"
    series = Event.model_validate(
        {**one_off("staff-mon", "2026-12-07T09:30", "2026-12-07T11:00").model_dump(), "rrule": rule}
    )
    async with sessions() as session:
        await add_event(session, "kotka-open", series, TZ, NOW)
        assert await move_event(session, "staff-mon", datetime(2026, 12, 8, 10, 0), TZ, NOW) == 0
        row = await session.get(CatalogEvent, "staff-mon", populate_existing=True)
        assert row is not None
        moved = Event.model_validate(row.document)
        assert moved.rrule == "FREQ=WEEKLY;BYDAY=TU;UNTIL=20270201T215959Z"
        days = {o.start.astimezone(TZ).strftime("%a %H:%M") for o in occurrences(moved, TZ)}
        assert days == {"Tue 10:00"}


async def test_cancel_and_rename(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions() as session:
        await load_user(session, 1, NOW, frozenset(), "en")
        await add_event(
            session,
            "kotka-art",
            one_off("staff-art", "2026-12-05T10:00", "2026-12-05T12:00"),
            TZ,
            NOW,
        )
        await set_reminder(session, 1, "staff-art", "2026-12-05T08:00Z", ["hour-before"], TZ, NOW)
        assert await rename_event(session, "staff-art", "en", "Painting for kids", NOW)
        row = await session.get(CatalogEvent, "staff-art", populate_existing=True)
        assert row is not None
        assert row.document["title"]["en"] == "Painting for kids"
        assert row.revision == 1  # the time did not change: nobody is told
        assert not await rename_event(session, "nope", "en", "x", NOW)

        assert await cancel_event(session, "staff-art", TZ, NOW) == 1
        assert await cancel_event(session, "staff-art", TZ, NOW) is None  # already cancelled
        row = await session.get(CatalogEvent, "staff-art", populate_existing=True)
        assert row is not None
        assert (row.cancelled, row.document["cancelled"], row.revision) == (True, True, 2)
        states = (
            await session.execute(select(Delivery.kind, Delivery.state).order_by(Delivery.id))
        ).all()
        assert sorted(states) == [("notice", "pending"), ("reminder", "cancelled")]
        assert await move_event(session, "staff-art", datetime(2026, 12, 9, 10), TZ, NOW) is None
