"""End-to-end: the staff role is checked on every action, also in the middle of a wizard.

A staff member (not from STAFF_IDS) is part-way through /broadcast when their rights are
taken away: the next press gets the one refusal (an alert, nothing sent), the next
typed text gets "not allowed" and ends the dialog, so nothing typed after the removal is used
even once the rights come back.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db.engine import make_sessionmaker, write_transaction
from bot.db.models import User
from bot.emulator.telegram import FakeTelegram
from tests.e2e.conftest import BotProcess, start_and_wait
from tests.e2e.test_broadcast import FI_TEXT, NOT_ALLOWED, prepare

MARIA = 8701


async def set_staff(db: AsyncEngine, staff: bool) -> None:
    async with make_sessionmaker(db)() as session, write_transaction(session):
        await session.execute(update(User).where(User.user_id == MARIA).values(staff=staff))


async def test_rights_removed_mid_wizard_refuse_the_next_press_and_text(
    fake: FakeTelegram,
    bot_env: dict[str, str],
    bot_process: BotProcess,
    database_url: str,
    db: AsyncEngine,
    tmp_path: Path,
) -> None:
    await prepare(bot_env, database_url, tmp_path, {MARIA: "en"})
    fake.user(MARIA, language_code="en")
    await start_and_wait(bot_process, fake)
    await set_staff(db, True)  # after start-up, which clears rights STAFF_IDS did not give

    fake.send_command(MARIA, "/broadcast")
    await fake.wait_message(MARIA)
    fake.send_text(MARIA, FI_TEXT)
    ask_en = await fake.wait_message(MARIA)
    assert ask_en.callback_data == ["bc:skip:-", "bc:stop:-"]

    await set_staff(db, False)
    sent = fake.sent_count(MARIA)
    press = fake.press(MARIA, ask_en, "bc:skip:-")
    answer = await fake.wait_callback_answer(press["callback_query"]["id"])
    assert (answer.text, answer.show_alert) == (NOT_ALLOWED, True)
    assert fake.sent_count(MARIA) == sent  # an alert only, nothing in the chat
    fake.send_text(MARIA, "Welcome in English")
    assert (await fake.wait_message(MARIA, after=sent)).text == NOT_ALLOWED

    # Rights back: the dialog ended with the refusal, so its old button is only stale.
    await set_staff(db, True)
    fake.press(MARIA, ask_en, "bc:skip:-")
    stale = await fake.wait_message(MARIA, after=sent + 1)
    assert stale.text == (
        "That button is from an earlier step. Please continue from the latest message."
    )
