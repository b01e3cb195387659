"""End-to-end: /events, "remind me", the reminder arriving in the family's language, the .ics
file, /reminders, staff moving an event (and non-staff being refused), and /news.

Event times are whole minutes, so an hour-before reminder falls due on a minute boundary, up to
a minute away. The reminder test checks the ledger row is due exactly one hour before the start,
then brings that row's due time forward to now, so the real worker sends it at its next sweep
instead of the test waiting ~30 s on average (waiting for due times is what the clock tests in
tests/test_delivery.py cover, with ``sweep(now)``).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db.engine import make_sessionmaker, write_transaction
from bot.db.models import CatalogEvent, Delivery, Reminder, Subscription
from bot.emulator.telegram import BotMessage, FakeTelegram
from bot.events.upcoming import event_token
from tests.e2e.conftest import BotProcess, start_and_wait

TZ = ZoneInfo("Europe/Helsinki")
STAFF = 900001
# The event starts this far ahead, so "one hour before" is still ahead while families press.
LEAD = timedelta(hours=1, minutes=3)
NOT_ALLOWED_FI = "Anteeksi, tämä ei ole sallittua."


def local_text(moment: datetime) -> str:
    return moment.astimezone(TZ).strftime("%Y-%m-%dT%H:%M")


def event_doc(
    event_id: str, start: datetime, *, kinds: list[str], rrule: str | None = None
) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "id": event_id,
        "kinds": kinds,
        "title": {
            "fi": f"Testitapahtuma {event_id}",
            "en": f"Test event {event_id}",
            "ar": f"فعالية تجريبية {event_id}",
        },
        "description": {"fi": "Tervetuloa!", "en": "Welcome!", "ar": "أهلًا وسهلًا!"},
        "location": "test-hall",
        "start": local_text(start),
        "end": local_text(start + timedelta(hours=1)),
        "ages": {"min": 0, "max": 6},
        "cost": "free",
    }
    if rrule is not None:
        doc["rrule"] = rrule
    return doc


def write_catalogue(directory: Path, events: list[dict[str, Any]]) -> str:
    catalogue = {
        "organizations": [
            {
                "id": "test-org",
                "name": {"fi": "Testi", "en": "Test", "ar": "اختبار"},
                "domains": ["example.org"],
            }
        ],
        "services": [
            {
                "id": "test-events",
                "organization": "test-org",
                "name": {"fi": "Perhetalo", "en": "Family house", "ar": "بيت العائلة"},
                "summary": {"fi": "Tapahtumia.", "en": "Events.", "ar": "فعاليات."},
                "needs": ["leisure-art"],
                "service_classes": ["P25.1"],
                "municipalities": ["285"],
                "languages": ["fi", "ar"],
                "access": ["walk-in"],
                "locations": [
                    {
                        "id": "test-hall",
                        "name": {"fi": "Sali", "en": "Hall", "ar": "القاعة"},
                        "street": "Puistotie 15",
                        "city": "Kotka",
                        "municipality": "285",
                        "lat": 60.4667,
                        "lon": 26.9458,
                    }
                ],
                "events": events,
                "sources": [{"url": "https://example.org/events", "kind": "organiser"}],
                "checked": "2026-11-01",
            }
        ],
    }
    directory.mkdir()
    # JSON is YAML 1.2, which is how the catalogue is read.
    (directory / "test.yaml").write_text(json.dumps(catalogue, ensure_ascii=False), "utf-8")
    return str(directory)


def fast_delivery(bot_env: dict[str, str]) -> None:
    bot_env.update(SWEEP_INTERVAL="0.3", BROADCAST_RATE="1000", PER_CHAT_INTERVAL="0")


def edited(fake: FakeTelegram, message: BotMessage) -> Callable[[], BotMessage | None]:
    """A wait condition: the message once the bot has edited it."""

    def check() -> BotMessage | None:
        current = fake.message(message.chat_id, message.message_id)
        return current if current.edited else None

    return check


def with_prefix(message: BotMessage, prefix: str) -> list[str]:
    return [d for d in message.callback_data if d.startswith(prefix)]


async def open_card(fake: FakeTelegram, user: int, event_id: str) -> BotMessage:
    """/events -> Kotka -> the event's card."""
    fake.send_command(user, "/events")
    picker = await fake.wait_message(user)
    fake.press(user, picker, "evl:285:all:0")
    token = event_token(event_id)
    await fake.wait_until(
        lambda: f"evo:{token}" in fake.message(user, picker.message_id).callback_data
    )
    fake.press(user, fake.message(user, picker.message_id), f"evo:{token}")
    card = await fake.wait_message(user)
    assert card.params.get("parse_mode") == "HTML"
    return card


async def remind_me(fake: FakeTelegram, user: int, event_id: str, offsets: str) -> BotMessage:
    """From the card: remind me -> offsets ``d``, ``h`` or ``b``; returns the confirmation."""
    card = await open_card(fake, user, event_id)
    token = event_token(event_id)
    fake.press(user, card, f"evr:{token}:-:-")
    choice = await fake.wait_message(user)
    wanted = next(d for d in with_prefix(choice, f"evr:{token}:") if d.endswith(f":{offsets}"))
    fake.press(user, choice, wanted)
    await fake.wait_until(lambda: fake.message(user, choice.message_id).edited)
    return fake.message(user, choice.message_id)


async def test_remind_me_arrives_in_the_familys_language_with_calendar_and_my_reminders(
    fake: FakeTelegram,
    bot_env: dict[str, str],
    bot_process: BotProcess,
    db: AsyncEngine,
    tmp_path: Path,
) -> None:
    now = datetime.now(UTC)
    start = (now + LEAD).replace(second=0, microsecond=0)
    series_start = (now + timedelta(days=7)).astimezone(TZ).replace(hour=9, minute=30)
    weekday = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")[series_start.weekday()]
    until = (series_start + timedelta(weeks=8)).astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    weekly_rule = f"FREQ=WEEKLY;BYDAY={weekday};UNTIL={until}"
    bot_env["CATALOG_PATH"] = write_catalogue(
        tmp_path / "catalog",
        [
            event_doc("soon-art", start, kinds=["art"]),
            event_doc("weekly-open", series_start, kinds=["open-ecec"], rrule=weekly_rule),
        ],
    )
    fast_delivery(bot_env)
    await start_and_wait(bot_process, fake)
    token = event_token("soon-art")

    fake.user(8201, language_code="fi")
    fake.user(8202, language_code="ar")
    fake.user(8203, language_code="en")
    # The day before at 18.00 has passed, so "one hour before" is the only choice left.
    for user in (8201, 8202, 8203):
        card = await open_card(fake, user, "soon-art")
        fake.press(user, card, f"evr:{token}:-:-")
        choice = await fake.wait_message(user)
        code = start.strftime("%Y%m%d%H%M")
        assert choice.callback_data == [f"evr:{token}:{code}:h"]
        fake.press(user, choice, f"evr:{token}:{code}:h")
        done = await fake.wait_until(edited(fake, choice))
        assert (done.text or "").startswith("✅")
    assert card.text is not None
    assert "When: " in card.text
    assert "Where: Hall, Puistotie 15, Kotka" in card.text
    assert "For ages: 0–6" in card.text
    assert "Cost: free" in card.text

    # While the reminder is not yet due: the calendar files...
    fake.press(8203, card, f"evc:{token}")
    one = await fake.wait_message(8203)
    assert one.method == "sendDocument"
    assert one.document is not None
    assert one.document.filename == "soon-art.ics"
    ics = one.document.data.decode()
    assert "BEGIN:VTIMEZONE\r\nTZID:Europe/Helsinki" in ics
    assert f"DTSTART;TZID=Europe/Helsinki:{start.astimezone(TZ):%Y%m%dT%H%M00}" in ics
    assert "RRULE" not in ics.split("BEGIN:VEVENT")[1]  # one time only
    weekly = await open_card(fake, 8203, "weekly-open")
    assert weekly.text is not None
    assert "Repeats: every week" in weekly.text
    fake.press(8203, weekly, f"evc:{event_token('weekly-open')}")
    series = await fake.wait_message(8203)
    assert series.document is not None
    series_ics = series.document.data.decode()
    assert f"RRULE:{weekly_rule}\r\n" in series_ics.split("BEGIN:VEVENT")[1]
    assert f"DTSTART;TZID=Europe/Helsinki:{series_start:%Y%m%dT0930}00" in series_ics

    # ...and /reminders: the English family lists its reminder and cancels it.
    fake.send_command(8203, "/reminders")
    listing = await fake.wait_message(8203)
    assert listing.text is not None
    assert listing.text.startswith("You have one reminder:")
    assert "Test event soon-art" in listing.text
    assert "one hour before" in listing.text
    [cancel] = with_prefix(listing, "rmx:")
    fake.press(8203, listing, cancel)
    await fake.wait_until(lambda: fake.message(8203, listing.message_id).edited)
    after = fake.message(8203, listing.message_id).text or ""
    assert after.startswith("✅ The reminder is cancelled.")
    assert "You have no reminders yet." in after
    async with db.connect() as conn:
        states = (
            await conn.execute(select(Delivery.state).where(Delivery.user_id == 8203))
        ).scalars()
        assert list(states) == ["cancelled"]

    # The reminders are due exactly one hour before the start; bring them forward to now.
    sessions = make_sessionmaker(db)
    async with sessions() as session, write_transaction(session):
        due = (
            await session.execute(
                select(Delivery.user_id, Delivery.due_at).where(Delivery.state == "pending")
            )
        ).all()
        assert sorted(due) == [
            (8201, start - timedelta(hours=1)),
            (8202, start - timedelta(hours=1)),
        ]
        await session.execute(
            update(Delivery)
            .where(Delivery.state == "pending", Delivery.kind == "reminder")
            .values(due_at=datetime.now(UTC))
        )

    # The reminder arrives once, in each family's language.
    def reminders(user: int) -> list[str]:
        return [m.text or "" for m in fake.messages(user) if (m.text or "").startswith("⏰")]

    await fake.wait_until(lambda: reminders(8201) and reminders(8202))
    [fi] = reminders(8201)
    [ar] = reminders(8202)
    assert fi.startswith("⏰ Alkaa tunnin päästä: Testitapahtuma soon-art")
    assert "Missä: Sali, Puistotie 15, Kotka" in fi
    local_start = start.astimezone(TZ)
    assert f"klo {local_start:%-H.%M}–" in fi
    # The Latin title is isolated, so it reads left to right inside the Arabic line.
    assert ar.startswith("⏰ تبدأ الفعالية بعد ساعة: فعالية تجريبية \u2066soon-art\u2069")
    assert f"{local_start:%H:%M}–" in ar


async def test_staff_move_tells_the_family_and_non_staff_are_refused(
    fake: FakeTelegram,
    bot_env: dict[str, str],
    bot_process: BotProcess,
    db: AsyncEngine,
    tmp_path: Path,
) -> None:
    start = (datetime.now(UTC) + timedelta(days=3)).astimezone(TZ).replace(hour=10, minute=0)
    bot_env["CATALOG_PATH"] = write_catalogue(
        tmp_path / "catalog", [event_doc("later-cafe", start, kinds=["family-cafe"])]
    )
    fast_delivery(bot_env)
    await start_and_wait(bot_process, fake)
    token = event_token("later-cafe")
    fake.user(8401, language_code="ar")
    fake.user(8402, language_code="fi")
    for user in (8401, 8402):
        confirmation = await remind_me(fake, user, "later-cafe", "b")
        assert (confirmation.text or "").startswith("✅")

    # Someone without staff rights: the command and forged buttons get "not allowed" only.
    fake.user(8403, language_code="fi")
    for command in ("/staffevents", "/addevent"):
        before = fake.sent_count(8403)
        fake.send_command(8403, command)
        refusal = await fake.wait_message(8403)
        assert refusal.text == NOT_ALLOWED_FI
        assert refusal.reply_markup is None
        assert fake.sent_count(8403) == before + 1
    for forged in (f"se:cancel:{token}:yes", f"se:move:{token}:-", "sd:save:-"):
        before = fake.sent_count(8403)
        query = fake.press(8403, 1, forged, forged=True)["callback_query"]
        answer = await fake.wait_callback_answer(query["id"])
        assert (answer.text, answer.show_alert) == (NOT_ALLOWED_FI, True)
        assert fake.sent_count(8403) == before

    new_start = start + timedelta(days=1, hours=2)
    fake.user(STAFF, language_code="en")
    fake.send_command(STAFF, "/staffevents")
    listing = await fake.wait_message(STAFF)
    fake.press(STAFF, listing, f"se:open:{token}:-")
    screen = await fake.wait_message(STAFF)
    assert "2 families have a reminder for this event." in (screen.text or "")
    fake.press(STAFF, screen, f"se:move:{token}:-")
    ask = await fake.wait_message(STAFF)
    assert (ask.text or "").startswith("Type the new date and time")
    fake.send_text(STAFF, "31.2.2030 10.00")
    bad = await fake.wait_message(STAFF)
    assert bad.text == (
        "I could not read that time. Type the date and time like this: 5.12.2026 10.00"
    )
    fake.send_text(STAFF, f"{new_start.day}.{new_start.month}.{new_start.year} 12.00")
    moved = await fake.wait_message(STAFF)
    assert (moved.text or "").startswith("✅ Moved to ")
    assert moved.text is not None
    assert "2 families with a reminder will be told." in moved.text

    ar = await fake.wait_until(
        lambda: next((m for m in fake.messages(8401) if (m.text or "").startswith("📅")), None)
    )
    fi = await fake.wait_until(
        lambda: next((m for m in fake.messages(8402) if (m.text or "").startswith("📅")), None)
    )
    moved_ar = "📅 تغيّر موعد الفعالية: فعالية تجريبية \u2066later-cafe\u2069"
    assert (ar.text or "").startswith(moved_ar)
    assert (fi.text or "").startswith("📅 Tapahtuman aika on muuttunut: Testitapahtuma later-cafe")
    assert "klo 12.00–13.00" in (fi.text or "")
    async with db.connect() as conn:
        row = (
            await conn.execute(
                select(CatalogEvent.revision, CatalogEvent.cancelled, CatalogEvent.document).where(
                    CatalogEvent.id == "later-cafe"
                )
            )
        ).one()
        occurrences = (
            await conn.execute(select(Reminder.occurrence).where(Reminder.event_id == "later-cafe"))
        ).scalars()
        new_key = new_start.replace(hour=12).astimezone(UTC).strftime("%Y-%m-%dT%H:%MZ")
        assert list(occurrences) == [new_key, new_key]  # the reminders follow the new time
    assert (row.revision, row.cancelled) == (2, False)  # refused presses changed nothing
    assert row.document["start"] == new_start.replace(hour=12).strftime("%Y-%m-%dT%H:%M")


async def test_news_subscription_and_events_near_a_remembered_municipality(
    fake: FakeTelegram,
    bot_env: dict[str, str],
    bot_process: BotProcess,
    db: AsyncEngine,
    tmp_path: Path,
) -> None:
    start = (datetime.now(UTC) + timedelta(days=2)).astimezone(TZ).replace(hour=17, minute=0)
    bot_env["CATALOG_PATH"] = write_catalogue(
        tmp_path / "catalog", [event_doc("art-night", start, kinds=["art"])]
    )
    await start_and_wait(bot_process, fake)
    user = 8501
    fake.user(user, language_code="fi")

    async def stored() -> list[tuple[str, str]]:
        async with db.connect() as conn:
            rows = await conn.execute(
                select(Subscription.municipality, Subscription.topic)
                .where(Subscription.user_id == user)
                .order_by(Subscription.topic)
            )
            return [(m, t) for m, t in rows.all()]

    fake.send_command(user, "/news")
    screen = await fake.wait_message(user)
    assert screen.text == "Mistä kunnasta haluat uutisia? Valitse kotikuntasi."
    fake.press(user, screen, "nwm:285")

    async def press_and_wait(data: str) -> str:
        before = fake.message(user, screen.message_id).text
        fake.press(user, fake.message(user, screen.message_id), data)
        await fake.wait_until(lambda: fake.message(user, screen.message_id).text != before)
        return fake.message(user, screen.message_id).text or ""

    await fake.wait_until(
        lambda: "nwt:285:art" in fake.message(user, screen.message_id).callback_data
    )
    text = await press_and_wait("nwt:285:art")
    assert text.startswith("Saat uutisia. Kunta: Kotka. Aiheet: 🎨 Taidetapahtumat.")
    assert await stored() == [("285", "art")]
    text = await press_and_wait("nwt:285:family-cafe")
    assert await stored() == [("285", "art"), ("285", "family-cafe")]
    text = await press_and_wait("nwt:285:all")
    assert text.startswith("Saat kaikki uutiset. Kunta: Kotka.")
    assert await stored() == [("285", "all")]

    # /events remembers the municipality from the subscription: straight to Kotka's events.
    fake.send_command(user, "/events")
    events = await fake.wait_message(user)
    assert (events.text or "").startswith("Tapahtumia lähellä: Kotka\n\nYksi tuleva tapahtuma:")
    assert f"evo:{event_token('art-night')}" in events.callback_data
    # The entry point other screens link to opens the same list as a new message.
    fake.press(user, events, "ev:near:285", forged=True)
    near = await fake.wait_message(user)
    assert near.text == events.text

    text = await press_and_wait("nws")
    assert text.startswith("Selvä. Et saa enää uutisia meiltä.")
    assert await stored() == []


async def test_staff_add_an_event_with_a_preview(
    fake: FakeTelegram,
    bot_env: dict[str, str],
    bot_process: BotProcess,
    db: AsyncEngine,
    tmp_path: Path,
) -> None:
    bot_env["CATALOG_PATH"] = write_catalogue(tmp_path / "catalog", [])
    await start_and_wait(bot_process, fake)
    fake.user(STAFF, language_code="en")

    async def answer(text: str) -> BotMessage:
        fake.send_text(STAFF, text)
        return await fake.wait_message(STAFF)

    async def press(message: BotMessage, data: str) -> BotMessage:
        fake.press(STAFF, message, data)
        return await fake.wait_message(STAFF)

    fake.send_command(STAFF, "/addevent")
    ask = await fake.wait_message(STAFF)
    assert ask.text == "A new event. Type its title in Finnish."
    ask = await answer("Satutunti")
    ask = await press(ask, "sd:skip:-")  # no English title
    ask = await press(ask, "sd:skip:-")  # no Arabic title
    assert "sd:svc:test-events" in ask.callback_data
    error = await answer("no-such-service")
    assert error.text == (
        'There is no service with the id "no-such-service". '
        "Choose one from the list, or check the id."
    )
    ask = await answer("test-events")  # typed instead of picked
    assert (ask.text or "").startswith("When does it start?")
    error = await answer("next friday")
    assert (error.text or "").startswith("I could not read that time.")
    day = (datetime.now(UTC) + timedelta(days=10)).astimezone(TZ)
    ask = await answer(f"{day.day}.{day.month}.{day.year} 17.30")
    ask = await press(ask, "sd:dur:90")
    ask = await press(ask, "sd:place:0")
    kinds = ask
    fake.press(STAFF, kinds, "sd:kind:art")
    await fake.wait_until(edited(fake, kinds))
    assert fake.message(STAFF, kinds.message_id).buttons[0]["text"].startswith("✅")
    ask = await press(fake.message(STAFF, kinds.message_id), "sd:kinds-done:-")
    ask = await answer("3-6")
    ask = await press(ask, "sd:cost:free")
    ask = await press(ask, "sd:repeat:weekly")
    last = day + timedelta(weeks=3)
    preview = await answer(f"{last.day}.{last.month}.{last.year}")
    assert preview.text is not None
    assert preview.text.startswith("Preview: families will see the event like this.")
    assert "Satutunti" in preview.text
    assert "Repeats: every week" in preview.text
    assert "For ages: 3–6" in preview.text
    assert (
        "No title in English and Arabic. "
        "Families who use a language without a title will see the Finnish title."
    ) in preview.text
    saved = await press(preview, "sd:save:-")
    assert (saved.text or "").startswith("✅ Saved: Satutunti.")

    async with db.connect() as conn:
        [(source, service_id, document)] = (
            await conn.execute(
                select(CatalogEvent.source, CatalogEvent.service_id, CatalogEvent.document)
            )
        ).all()
    assert (source, service_id) == ("staff", "test-events")
    assert document["title"] == {"fi": "Satutunti", "en": "Satutunti", "ar": "Satutunti"}
    assert document["start"] == f"{day:%Y-%m-%d}T17:30"
    assert document["end"] == f"{day:%Y-%m-%d}T19:00"
    weekday = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")[day.weekday()]
    assert document["rrule"].startswith(f"FREQ=WEEKLY;BYDAY={weekday};UNTIL=")
    assert (document["kinds"], document["ages"]["min"], document["cost"]) == (["art"], 3, "free")
    assert document["location"] == "test-hall"
