"""End-to-end: the anonymous indicators a real dialog writes, and what they must never hold."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db.models import IndicatorEvent
from bot.emulator.telegram import FakeTelegram
from tests.e2e.conftest import BotProcess, eventually, rows_mentioning
from tests.e2e.test_dialog import open_dialog, walk_to_results

# Values the family "gives" Telegram and the bot; none may end up in the indicator events.
USER_ID = 7_346_512_987
FIRST_NAME = "Qwertyuiop"
USERNAME = "zxcvbnm_family"
FREE_TEXT = "Our secret is plumbago"


async def events(db: AsyncEngine) -> list[IndicatorEvent]:
    async with db.connect() as conn:
        rows = (await conn.execute(select(IndicatorEvent))).all()
    return [IndicatorEvent(**row._asdict()) for row in rows]


async def events_when(
    db: AsyncEngine, done: Callable[[list[IndicatorEvent]], bool], what: str
) -> list[IndicatorEvent]:
    """The events once ``done`` holds for them (they are written just after each reply)."""

    async def probe() -> list[IndicatorEvent] | None:
        found = await events(db)
        return found if done(found) else None

    return await eventually(probe, 10.0, what)


async def redis_mentioning(redis_url: str | None, value: str) -> list[str]:
    """Keys of the run's Redis (FSM storage on the scale-out path) whose value holds ``value``."""
    if redis_url is None:
        return []
    from redis.asyncio import Redis

    client = Redis.from_url(redis_url)
    try:
        found = []
        async for key in client.scan_iter():
            kind = (await client.type(key)).decode()
            if kind == "string":
                content = str(await client.get(key))
            elif kind == "hash":
                content = str(await client.hgetall(key))
            else:
                content = ""
            if value in content or value in key.decode():
                found.append(key.decode())
        return found
    finally:
        await client.aclose()


async def test_a_dialog_leaves_only_anonymous_events(
    fake: FakeTelegram, running_bot: BotProcess, db: AsyncEngine, redis_url: str | None
) -> None:
    fake.user(USER_ID, "en", FIRST_NAME, username=USERNAME)
    fake.send_command(USER_ID, "/start", payload="poster_kotka")
    await fake.wait_message(USER_ID)  # greeting
    await fake.wait_message(USER_ID)  # menu
    fake.send_text(USER_ID, FREE_TEXT)
    await fake.wait_message(USER_ID)  # the friendly "use the buttons" reply
    question = await open_dialog(fake, USER_ID, "en")
    screens = await walk_to_results(fake, USER_ID, question)
    card = next(m for m in screens if any(d.startswith("c:f:") for d in m.callback_data))

    found = await events_when(
        db, lambda rows: any(e.kind == "results_shown" and e.items for e in rows), "no results"
    )
    kinds = [e.kind for e in found]
    assert kinds.count("started") == 1
    (started,) = (e for e in found if e.kind == "started")
    assert started.source == "poster_kotka"
    assert started.locale == "en"
    assert {"asked", "answered", "finished", "results_shown"} <= set(kinds)
    # Choice ids only; in no order (rows carry none: test_indicators_record).
    answered = sorted(str(e.items) for e in found if e.kind == "answered")
    assert answered == sorted(["285", "1-2", "daycare", "ar"])
    shown = next(e for e in found if e.kind == "results_shown")
    assert shown.municipality == "285"
    assert shown.needs == "early-education"  # the need tag the "daycare" choice sets
    assert shown.items  # the service ids shown
    assert shown.gaps == ""  # Kotka has local daycare services
    sessions = {e.session for e in found if e.kind in ("started", "answered", "results_shown")}
    assert len(sessions) == 1
    (session,) = sessions
    assert session

    # A card action is counted too, as the service alone.
    flag = next(d for d in card.callback_data if d.startswith("c:f:"))
    before = fake.sent_count(USER_ID)
    fake.press(USER_ID, card, flag)
    reasons = await fake.wait_message(USER_ID, after=before)
    fake.press(USER_ID, reasons, next(d for d in reasons.callback_data if d.startswith("c:r:")))
    await fake.wait_message(USER_ID, after=before + 1)  # thanks
    found = await events_when(
        db, lambda rows: any(e.kind == "card_flagged" for e in rows), "no flag counted"
    )
    flagged = [e for e in found if e.kind == "card_flagged"]
    assert [(e.items, e.session) for e in flagged] == [(flag.split(":")[2], None)]

    # Nothing identifying in any table's indicator rows; the session id only in them.
    for value in (USER_ID, FIRST_NAME, USERNAME, FREE_TEXT, "plumbago"):
        assert "indicator_events" not in await rows_mentioning(db, value), value
    assert FREE_TEXT not in str(await rows_mentioning(db, FREE_TEXT))
    elsewhere = await rows_mentioning(db, session)
    assert set(elsewhere) == {"indicator_events"}, elsewhere
    assert await redis_mentioning(redis_url, session) == []


@pytest.mark.parametrize("language", ["fi", "en", "ar"])
async def test_privacy_says_counting_is_the_default_and_opting_out_stops_it(
    fake: FakeTelegram, running_bot: BotProcess, db: AsyncEngine, language: str
) -> None:
    chat = {"fi": 7101, "en": 7102, "ar": 7103}[language]
    fake.user(chat, language)
    fake.send_command(chat, "/privacy")
    privacy = await fake.wait_message(chat)
    assert privacy.text is not None
    default = {"fi": "oletuksena", "en": "by default", "ar": "بشكل افتراضي"}[language]
    assert default in privacy.text
    button = {"fi": "Älä laske", "en": "Don't count", "ar": "لا تحسب"}[language]
    label = next(b["text"] for b in privacy.buttons if b["text"].startswith(f"🚫 {button}"))
    fake.press(chat, privacy, button_text=label)
    changed = await fake.wait_message(chat)
    assert changed.text is not None
    assert any(b["text"].startswith("✅") for b in changed.buttons)  # it can be undone

    question = await open_dialog(fake, chat, language)
    await walk_to_results(fake, chat, question)

    # A counted family walks the same way afterwards: only its dialog is in the events.
    control = chat + 100
    question = await open_dialog(fake, control, language)
    await walk_to_results(fake, control, question)
    found = await events_when(
        db, lambda rows: any(e.kind == "results_shown" for e in rows), "control not counted"
    )
    assert [e.kind for e in found].count("started") == 1
    assert len({e.session for e in found if e.session}) == 1
