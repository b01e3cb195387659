"""End-to-end: Valo serves private chats only.

Added to a group, supergroup or channel, the bot says so in one line and leaves; nothing that
arrives from such a chat (commands, service messages, button presses, the bot's own removal)
creates, changes or reveals a family's data, or sends anything but that line.

Each test ends with the bot stopped gracefully after its updates were confirmed: the stop waits
for every update in hand, so what the test then finds (or does not find) is final.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db import migrate
from bot.db.engine import make_engine, make_sessionmaker, write_transaction
from bot.db.models import Subscription, User
from bot.emulator.telegram import JSON, FakeTelegram
from tests.delivery_support import add_users, register_chats
from tests.e2e.conftest import BotProcess, rows_mentioning, start_and_wait

STAFF = 900001  # in STAFF_IDS (see the e2e conftest)
SENDS = ("sendMessage", "sendDocument", "sendLocation", "sendVenue", "editMessageText")
PRIVATE_ONLY = {
    "fi": "Toimin vain yksityisissä keskusteluissa, joten poistun. Kirjoita minulle suoraan.",
    "en": "I work in private chats only, so I am leaving. Write to me directly.",
    "ar": "أعمل في المحادثات الخاصة فقط، لذلك سأغادر. راسلني مباشرةً.",
}


def sends_to(fake: FakeTelegram, chat_id: int) -> list[str]:
    """What the bot tried to put into the chat, refused or not."""
    return [
        str(call.params.get("text", call.method))
        for call in fake.calls()
        if call.method in SENDS and str(call.params.get("chat_id")) == str(chat_id)
    ]


async def settle(fake: FakeTelegram, bot: BotProcess, updates: list[JSON]) -> None:
    """Every update confirmed, then a graceful stop: it finishes the updates in hand."""
    for update in updates:
        await fake.wait_confirmed(update)
    assert await bot.stop() == 0


async def fsm_keys_mentioning(redis_url: str | None, chat_id: int) -> list[bytes]:
    """Dialog state kept in Redis for the chat (SQL storage is covered by rows_mentioning)."""
    if redis_url is None:
        return []
    from redis.asyncio import Redis

    client = Redis.from_url(redis_url)
    try:
        return [key async for key in client.scan_iter(match=f"*:{chat_id}:*")]
    finally:
        await client.aclose()


async def user_row(db: AsyncEngine, user_id: int) -> tuple[object, ...] | None:
    async with db.connect() as conn:
        row = (await conn.execute(select(User).where(User.user_id == user_id))).first()
    return None if row is None else tuple(row)


async def test_added_to_a_group_or_channel_it_says_one_line_and_leaves(
    fake: FakeTelegram, bot_process: BotProcess, db: AsyncEngine
) -> None:
    await start_and_wait(bot_process, fake)
    # The adder's Telegram language picks the line; Somali is not ours: DEFAULT_LOCALE (fi).
    chats = {
        -5001: ("group", 8201, "en"),
        -1005002: ("supergroup", 8202, "ar-EG"),
        -1005003: ("channel", 8203, "so"),
    }
    updates: list[JSON] = []
    for chat_id, (kind, adder, language) in chats.items():
        fake.user(adder, language_code=language)
        fake.group(chat_id, kind=kind)
        updates += fake.add_bot(chat_id, by=adder)
    await fake.wait_until(lambda: all(fake.get_group(c).bot_status == "left" for c in chats))
    # Telegram then tells the bot it left: those updates are handled (without effect) too.
    settled = updates + [
        u.payload for u in fake.updates() if u.update_id > updates[-1]["update_id"]
    ]
    await settle(fake, bot_process, settled)

    expected = {
        -5001: PRIVATE_ONLY["en"],
        -1005002: PRIVATE_ONLY["ar"],
        -1005003: PRIVATE_ONLY["fi"],
    }
    for chat_id, line in expected.items():
        assert sends_to(fake, chat_id) == [line]  # once, although two updates told of it
        leaves = [c for c in fake.calls("leaveChat") if c.params["chat_id"] == chat_id]
        assert [c.ok for c in leaves] == [True]
    assert sends_to(fake, 8201) == sends_to(fake, 8202) == sends_to(fake, 8203) == []
    for adder in (8201, 8202, 8203):
        assert await rows_mentioning(db, adder) == {}


async def test_mydata_joins_and_presses_in_a_group_reveal_and_store_nothing(
    fake: FakeTelegram,
    bot_process: BotProcess,
    db: AsyncEngine,
    redis_url: str | None,
) -> None:
    await start_and_wait(bot_process, fake)
    family, stranger, joiner = 8101, 8102, 8103
    fake.user(family, language_code="en")
    fake.send_command(family, "/start")
    await fake.wait_message(family)
    await fake.wait_message(family)
    private_replies = fake.sent_count(family)
    before = await user_row(db, family)
    assert before is not None

    # The bot was in this group before Valo refused groups (as after an upgrade).
    group = fake.group(-1008100, "Perhekerho", kind="supergroup", bot_status="member")
    updates = [
        fake.send_group_command(group.chat_id, family, "/mydata"),
        fake.send_group_command(group.chat_id, stranger, "/start"),
        fake.join_group(group.chat_id, joiner),
        # A button of a menu the bot posted there back then (the message is gone).
        fake.press(stranger, 40, "m:privacy", forged=True, chat_id=group.chat_id),
    ]
    await settle(fake, bot_process, updates)

    assert sends_to(fake, group.chat_id) == []  # no data, no JSON file, no greeting
    assert fake.sent_count(family) == private_replies
    assert sends_to(fake, stranger) == sends_to(fake, joiner) == []
    press = fake.callback_queries[updates[-1]["callback_query"]["id"]]
    assert press.answered
    assert press.text is None
    assert await rows_mentioning(db, stranger) == {}
    assert await rows_mentioning(db, joiner) == {}
    assert await rows_mentioning(db, group.chat_id) == {}
    assert await fsm_keys_mentioning(redis_url, group.chat_id) == []
    assert await user_row(db, family) == before  # not even last_seen moved
    assert group.bot_status == "left"  # and the bot left quietly


async def test_removal_from_a_group_neither_blocks_nor_unsubscribes_the_remover(
    fake: FakeTelegram,
    bot_process: BotProcess,
    database_url: str,
    db: AsyncEngine,
    tmp_path: Path,
) -> None:
    family = 8301
    engine = make_engine(database_url)
    try:
        await migrate.upgrade(engine)
        sessions = make_sessionmaker(engine)
        now = datetime.now(UTC) - timedelta(days=2)
        await add_users(sessions, {family: "fi"}, now)
        async with sessions() as session, write_transaction(session):
            session.add(
                Subscription(user_id=family, municipality="285", topic="all", created_at=now)
            )
    finally:
        await engine.dispose()
    register_chats(fake, {family: "fi"})
    await start_and_wait(bot_process, fake)

    group = fake.group(-1008300, kind="supergroup", bot_status="member")
    removed = fake.remove_bot(group.chat_id, by=family)  # banned: status "kicked"
    await settle(fake, bot_process, [removed])

    async with db.connect() as conn:
        blocked = (await conn.execute(select(User.blocked).where(User.user_id == family))).scalar()
        topics = (await conn.execute(select(Subscription.topic))).scalars().all()
    assert blocked is False
    assert topics == ["all"]
    assert fake.calls("leaveChat") == []  # already out: nothing to do
    assert sends_to(fake, group.chat_id) == sends_to(fake, family) == []


async def test_staff_commands_in_a_group_send_nothing(
    fake: FakeTelegram,
    bot_process: BotProcess,
    db: AsyncEngine,
    redis_url: str | None,
) -> None:
    await start_and_wait(bot_process, fake)
    group = fake.group(-1009000, "Henkilökunta", kind="supergroup", bot_status="member")
    updates = [
        fake.send_group_command(group.chat_id, STAFF, "/stats"),
        fake.send_group_command(group.chat_id, STAFF, "/staff"),
        fake.send_group_command(group.chat_id, STAFF, "/broadcast"),  # last: its state stays
    ]
    await settle(fake, bot_process, updates)

    assert sends_to(fake, group.chat_id) == []  # no compose prompt, preview or report
    assert sends_to(fake, STAFF) == []
    assert await rows_mentioning(db, group.chat_id) == {}
    assert await rows_mentioning(db, STAFF) == {}
    assert await fsm_keys_mentioning(redis_url, group.chat_id) == []
