"""End-to-end: the real bot process against the fake Bot API server."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db.models import DeepLinkCount, User
from bot.emulator.telegram import BotMessage, FakeTelegram
from tests.conftest import REPO
from tests.e2e.conftest import BotProcess, rows_mentioning, start_and_wait

GREETING_START = {
    "fi": "Hei! Olen Valo.",
    "en": "Hello! I am Valo.",
    "ar": "مرحبًا! أنا \u2066Valo\u2069.",  # a Latin name in Arabic text is isolated
}
MENU_TITLE = {
    "fi": "Mitä haluaisit tehdä?",
    "en": "What would you like to do?",
    "ar": "ماذا تريد أن تفعل؟",
}


async def next_text(fake: FakeTelegram, chat_id: int) -> str:
    message = await fake.wait_message(chat_id)
    assert message.text is not None
    return message.text


@pytest.mark.parametrize(
    ("user_id", "code", "locale"),
    [(1001, "fi", "fi"), (1002, "en-GB", "en"), (1003, "ar-EG", "ar")],
)
async def test_greeting_in_the_telegram_language(
    fake: FakeTelegram, running_bot: BotProcess, user_id: int, code: str, locale: str
) -> None:
    fake.user(user_id, language_code=code)
    fake.send_command(user_id, "/start")
    greeting = await next_text(fake, user_id)
    assert greeting.startswith(GREETING_START[locale])
    assert "112" in greeting
    menu = await fake.wait_message(user_id)
    assert menu.text == MENU_TITLE[locale]
    assert len(menu.callback_data) >= 3


async def test_unknown_language_is_asked_first_then_remembered_across_restart(
    fake: FakeTelegram, bot_process: BotProcess
) -> None:
    await start_and_wait(bot_process, fake)
    fake.user(2001, language_code="so")  # Somali: not one of ours
    fake.send_command(2001, "/start")
    picker = await fake.wait_message(2001)
    assert picker.text is not None
    assert picker.text.startswith("Valitse kieli.")  # DEFAULT_LOCALE=fi
    fake.press(2001, picker, button_text="العربية")
    assert (await next_text(fake, 2001)).startswith("تم")
    assert (await next_text(fake, 2001)).startswith(GREETING_START["ar"])
    await fake.wait_message(2001)

    await bot_process.stop()
    await start_and_wait(bot_process, fake)
    fake.send_command(2001, "/menu")
    assert await next_text(fake, 2001) == MENU_TITLE["ar"]


async def test_language_switch_persists_across_restart(
    fake: FakeTelegram, bot_process: BotProcess
) -> None:
    await start_and_wait(bot_process, fake)
    fake.user(2101, language_code="fi")
    fake.send_command(2101, "/language")
    picker = await fake.wait_message(2101)
    fake.press(2101, picker, button_text="English")
    assert await next_text(fake, 2101) == "Done, I will speak English with you."
    await fake.wait_message(2101)
    await fake.wait_message(2101)

    await bot_process.stop()
    await start_and_wait(bot_process, fake)
    fake.send_command(2101, "/help")
    assert (await next_text(fake, 2101)).startswith("I am Valo")


async def test_command_lists_are_set_per_language(
    fake: FakeTelegram, running_bot: BotProcess
) -> None:
    await fake.wait_until(lambda: fake.my_commands("ar") is not None)
    assert {c["command"] for c in fake.my_commands("fi") or []} >= {"start", "language", "delete"}
    english = {c["command"]: c["description"] for c in fake.my_commands("en") or []}
    assert english["delete"] == "Delete all my data"
    default = {c["command"]: c["description"] for c in fake.my_commands("") or []}
    assert default["delete"] == "Poista kaikki tietoni"


async def test_mydata_sends_a_readable_message_and_a_json_file(
    fake: FakeTelegram, running_bot: BotProcess
) -> None:
    fake.user(3001, language_code="en", first_name="Amina")
    fake.send_command(3001, "/start")
    await fake.wait_message(3001)
    await fake.wait_message(3001)
    fake.send_command(3001, "/mydata")
    summary = await next_text(fake, 3001)
    assert summary.startswith("This is everything stored about you")
    document = await fake.wait_message(3001)
    assert document.document is not None
    assert document.document.filename == "valo-my-data.json"
    exported = json.loads(document.document.data)
    assert exported["tables"]["users"][0]["user_id"] == 3001
    assert "Amina" not in document.document.data.decode()  # names are never stored


async def test_delete_leaves_no_row_about_the_user(
    fake: FakeTelegram, running_bot: BotProcess, db: AsyncEngine
) -> None:
    user_id = 987654321
    fake.user(user_id, language_code="fi")
    fake.send_command(user_id, "/start", payload="poster_kotka")
    await fake.wait_message(user_id)
    await fake.wait_message(user_id)
    fake.send_command(user_id, "/language")
    picker = await fake.wait_message(user_id)
    fake.press(user_id, picker, button_text="Suomi")
    for _ in range(3):
        await fake.wait_message(user_id)
    assert await rows_mentioning(db, user_id)

    fake.send_command(user_id, "/delete")
    confirm = await fake.wait_message(user_id)
    fake.press(user_id, confirm, button_text="Kyllä, poista kaikki")
    done = await next_text(fake, user_id)
    assert done.startswith("Kaikki sinusta tallennettu on poistettu.")
    assert await rows_mentioning(db, user_id) == {}
    async with db.connect() as conn:  # the anonymous count stays
        assert (await conn.execute(select(DeepLinkCount.starts))).scalar() == 1


async def test_delete_can_be_cancelled(
    fake: FakeTelegram, running_bot: BotProcess, db: AsyncEngine
) -> None:
    fake.user(3101, language_code="en")
    fake.send_command(3101, "/delete")
    confirm = await fake.wait_message(3101)
    fake.press(3101, confirm, button_text="No, keep it")
    assert await next_text(fake, 3101) == "Nothing was deleted."
    async with db.connect() as conn:
        assert (await conn.execute(select(User.user_id))).scalar() == 3101


async def test_deep_link_is_counted_without_the_user(
    fake: FakeTelegram, running_bot: BotProcess, db: AsyncEngine
) -> None:
    for user_id in (4001, 4002):
        fake.user(user_id, language_code="fi")
        fake.send_command(user_id, "/start", payload="poster_kotka")
        await fake.wait_message(user_id)
    fake.send_command(4001, "/start", payload="poster_kotka")
    fake.send_command(4001, "/start", payload="bad payload with spaces!")
    for _ in range(3):
        await fake.wait_message(4001)
    await fake.wait_message(4001)
    async with db.connect() as conn:
        rows = (await conn.execute(select(DeepLinkCount))).all()
    assert [(r.source, r.starts, r.new_users) for r in rows] == [("poster_kotka", 3, 2)]
    assert "deep_link_counts" not in await rows_mentioning(db, 4001)


async def unknown_reply(fake: FakeTelegram, chat_id: int) -> BotMessage:
    message = await fake.wait_message(chat_id)
    assert (
        message.text == "Sorry, I only understand the buttons. Please choose from the menu below."
    )
    assert any(b["text"] == "🆘 Need help now?" for b in message.buttons)
    return message


async def test_anything_unexpected_gets_a_friendly_reply(
    fake: FakeTelegram, running_bot: BotProcess
) -> None:
    fake.user(5001, language_code="en")
    fake.send_text(5001, "my child is sick, what do I do")
    await unknown_reply(fake, 5001)
    fake.send_sticker(5001)
    await unknown_reply(fake, 5001)
    fake.send_photo(5001)
    message = await unknown_reply(fake, 5001)

    fake.press(5001, message, button_text="🆘 Need help now?")
    help_now = await next_text(fake, 5001)
    assert "112" in help_now
    assert "080 005 005" in help_now

    update = fake.press(5001, message, "gone:feature:x", forged=True)  # from a removed feature
    answer = await fake.wait_callback_answer(update["callback_query"]["id"])
    assert answer.text == "That button is from an older message. Here is the menu again."
    assert await next_text(fake, 5001) == MENU_TITLE["en"]


async def test_malformed_update_does_not_stop_the_bot(
    fake: FakeTelegram, running_bot: BotProcess
) -> None:
    fake.user(6001, language_code="ar")
    fake.send_command(6001, "/help")
    await fake.wait_message(6001)
    # chat.type missing: aiogram would refuse the whole getUpdates batch over it.
    fake.enqueue_raw(
        {
            "message": {
                "message_id": 1,
                "date": 0,
                "chat": {"id": 6001},
                "from": {"id": 6001, "language_code": "ar"},
            }
        }
    )
    assert (await next_text(fake, 6001)).startswith("عذرًا، أفهم الأزرار فقط")
    fake.enqueue_raw({"message": {"date": "yesterday"}})  # no chat at all: dropped, logged
    fake.user(6002, language_code="fi")
    fake.send_command(6002, "/help")
    assert (await next_text(fake, 6002)).startswith("Olen Valo")


async def test_flooding_user_is_told_once_and_others_are_not_slowed(
    fake: FakeTelegram, bot_env: dict[str, str], bot_process: BotProcess
) -> None:
    bot_env.update(THROTTLE_RATE="3", THROTTLE_WINDOW="120")
    await start_and_wait(bot_process, fake)
    fake.user(7001, language_code="en")
    fake.user(7002, language_code="en")
    flood = [fake.send_text(7001, f"spam {n}") for n in range(10)]
    await fake.wait_confirmed(flood[-1])
    await fake.wait_until(lambda: len(fake.messages(7001)) >= 4)
    # Another user is answered as usual; by then every flood update has been handled.
    fake.send_command(7002, "/help")
    assert (await next_text(fake, 7002)).startswith("I am Valo")
    texts = [m.text for m in fake.messages(7001)]
    assert (
        texts.count("You are sending messages very fast. Please wait a moment, then try again.")
        == 1
    )
    assert len(texts) == 4  # three answers and one notice; the rest dropped


def test_run_without_token_exits_2_with_a_clear_line(tmp_path: object) -> None:
    env = {k: v for k, v in os.environ.items() if k != "BOT_TOKEN"}
    env["DATABASE_URL"] = "sqlite+aiosqlite:///:memory:"
    result = subprocess.run(
        [sys.executable, "-m", "bot", "run"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "BOT_TOKEN is not set" in lines[0]
    assert "@BotFather" in lines[0]
