"""End-to-end: what an Arabic family's Telegram receives reads right in a right-to-left chat.

A staff member types a broadcast with a phone number and a link in every language; the Arabic
family receives its text with both isolated, and laid out by a real bidi algorithm they read as
typed. The family then opens a card of the real catalogue: the same holds. The Finnish family
receives exactly what was typed, without a mark.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from bidi import get_display
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.bidi import LRI, PDI, strip_isolates
from bot.db import migrate
from bot.db.engine import make_engine, make_sessionmaker, write_transaction
from bot.db.models import Subscription
from bot.emulator.telegram import FakeTelegram
from tests.delivery_support import add_users, register_chats
from tests.e2e.conftest import BotProcess, start_and_wait
from tests.e2e.test_broadcast import STAFF, compose, fast, wait_report
from tests.test_bidi_layout import misread

ARABIC, FINNISH = 8401, 8402
PHONE = "09 2525 0111"
URL = "https://www.mll.fi/vanhemmille/"
FI_TEXT = f"Vanhempainpuhelin vastaa numerossa {PHONE}. Lisää: {URL}"
EN_TEXT = f"The parents' helpline answers at {PHONE}. More: {URL}"
AR_TEXT = f"يجيب خط الوالدين على الرقم {PHONE}. للمزيد: {URL}"


async def subscribed_families(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        await migrate.upgrade(engine)
        sessions = make_sessionmaker(engine)
        now = datetime.now(UTC) - timedelta(days=2)
        await add_users(sessions, {ARABIC: "ar", FINNISH: "fi"}, now)
        async with sessions() as session, write_transaction(session):
            for user_id in (ARABIC, FINNISH):
                session.add(
                    Subscription(user_id=user_id, municipality="285", topic="all", created_at=now)
                )
    finally:
        await engine.dispose()


def visual(text: str) -> str:
    """``text`` as a right-to-left client lays it out, line by line, marks removed."""
    return "\n".join(strip_isolates(get_display(line, base_dir="R")) for line in text.splitlines())


async def test_an_arabic_family_reads_numbers_and_links_as_typed(
    fake: FakeTelegram,
    bot_env: dict[str, str],
    bot_process: BotProcess,
    database_url: str,
    db: AsyncEngine,
) -> None:
    await subscribed_families(database_url)
    register_chats(fake, {ARABIC: "ar", FINNISH: "fi"})
    fake.user(STAFF, language_code="en")
    fast(bot_env)
    await start_and_wait(bot_process, fake)

    _, summary = await compose(fake, fi=FI_TEXT, en=EN_TEXT, ar=AR_TEXT)
    fake.press(STAFF, summary, "bc:now:-")
    status = await fake.wait_message(STAFF)
    broadcast_id = int(re.findall(r"#(\d+)", status.text or "")[0])
    await wait_report(fake, broadcast_id)

    [arabic] = fake.messages(ARABIC)
    assert arabic.text is not None
    assert f"{LRI}{PHONE}{PDI}" in arabic.text  # the marks sit outside: it copies as digits
    assert f"{LRI}{URL}{PDI}" in arabic.text
    assert strip_isolates(arabic.text) == AR_TEXT
    shown = visual(arabic.text)
    assert PHONE in shown
    assert URL in shown
    assert "0111 2525 09" in visual(AR_TEXT)  # what it would have shown: not vacuous
    assert PHONE not in visual(AR_TEXT)
    [finnish] = fake.messages(FINNISH)
    assert finnish.text == FI_TEXT  # no marks in a left-to-right language

    # A card of the real catalogue, opened by the Arabic family.
    fake.send_command(ARABIC, "/services")
    picker = await fake.wait_message(ARABIC, after=1)
    place = next(d for d in picker.callback_data if d.startswith("br:") and ":all:" not in d)
    fake.press(ARABIC, picker, place)
    await fake.wait_until(lambda: fake.message(ARABIC, picker.message_id).edited)
    categories = fake.message(ARABIC, picker.message_id)
    prefix = place.removesuffix("-:0")
    chosen = [d for d in categories.callback_data if d.startswith(prefix) and ":-:" not in d]
    crisis = [d for d in chosen if "crisis" in d]
    fake.press(ARABIC, categories, (crisis or chosen)[0])
    await fake.wait_until(
        lambda: any(
            d.startswith("c:o:") for d in fake.message(ARABIC, picker.message_id).callback_data
        )
    )
    listing = fake.message(ARABIC, picker.message_id)
    opened = next(d for d in listing.callback_data if d.startswith("c:o:"))
    fake.press(ARABIC, listing, opened)
    card = await fake.wait_message(ARABIC, after=2)
    assert card.text is not None
    assert LRI in card.text  # the card has a phone number, a link or a Latin name
    assert misread(card.text) == []
    await bot_process.stop()
