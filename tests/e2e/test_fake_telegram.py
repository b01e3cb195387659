"""The fake Telegram server, driven by the real aiogram Bot over HTTP.

These tests pin the fake's strictness and fault behaviour: if the fake drifted to
accept what Telegram refuses, the bot's end-to-end tests would prove nothing.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiogram import Bot, Dispatcher, F, Router
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramConflictError,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.filters import CommandStart
from aiogram.types import (
    BotCommand,
    BotCommandScopeAllPrivateChats,
    BufferedInputFile,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
)
from aiohttp import ClientSession, web

from bot.emulator.telegram import TEST_TOKEN, FakeTelegram, parse_html

CHAT = 4242


def keyboard(*data: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text=f"B {d}", callback_data=d)] for d in data]
    )


@pytest.fixture
async def server() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as fake:
        fake.user(CHAT, language_code="fi", first_name="Aino")
        fake.send_command(CHAT, "/start")  # the chat exists once the user wrote to the bot
        yield fake


class LoopbackSession(AiohttpSession):
    """aiogram's session minus the 250 ms pause it takes on close for TLS shutdown."""

    async def close(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()  # plain HTTP on loopback: nothing to wait for


@pytest.fixture
async def bot(server: FakeTelegram) -> AsyncIterator[Bot]:
    session = LoopbackSession(api=TelegramAPIServer.from_base(server.base_url))
    bot = Bot(TEST_TOKEN, session=session)
    try:
        yield bot
    finally:
        await bot.session.close()


async def raw_call(
    server: FakeTelegram, method: str, *, json: Any = None, get: bool = False
) -> tuple[int, Any]:
    url = f"{server.base_url}/bot{TEST_TOKEN}/{method}"
    async with ClientSession() as http:
        request = http.get(url, params=json) if get else http.post(url, json=json)
        async with request as response:
            return response.status, await response.json()


# ----------------------------------------------------------------------------- basics


async def test_get_me_describes_the_bot(bot: Bot) -> None:
    me = await bot.get_me()
    assert (me.id, me.is_bot, me.first_name, me.username) == (
        7000000001,
        True,
        "Valo",
        "valo_test_bot",
    )
    assert me.can_join_groups is True


async def test_send_message_round_trip_is_stored(server: FakeTelegram, bot: Bot) -> None:
    sent = await bot.send_message(
        CHAT, "Hei <b>Aino</b>", parse_mode="HTML", reply_markup=keyboard("a", "b")
    )
    assert sent.text == "Hei Aino"
    assert sent.chat.id == CHAT
    assert sent.chat.type == "private"
    assert sent.from_user is not None
    assert sent.from_user.username == "valo_test_bot"
    assert sent.entities is not None
    assert sent.entities[0].type == "bold"
    assert (sent.entities[0].offset, sent.entities[0].length) == (4, 4)
    stored = server.messages(CHAT)
    assert [m.message_id for m in stored] == [sent.message_id]
    assert stored[0].text == "Hei Aino"
    assert stored[0].callback_data == ["a", "b"]
    assert stored[0].params["parse_mode"] == "HTML"
    # Private chats share one message_id sequence: the user's /start was #1.
    assert sent.message_id == 2
    assert [(c.method, c.status) for c in server.calls("sendMessage")] == [("sendMessage", 200)]


async def test_raw_json_post_and_get_are_accepted(server: FakeTelegram) -> None:
    status, body = await raw_call(server, "sendMessage", json={"chat_id": CHAT, "text": "json"})
    assert status == 200
    assert body["ok"] is True
    assert body["result"]["text"] == "json"
    status, body = await raw_call(server, "getMe", json={}, get=True)
    assert status == 200
    assert body["result"]["username"] == "valo_test_bot"
    assert server.last_message(CHAT) is not None
    assert server.last_message(CHAT).text == "json"  # type: ignore[union-attr]


async def test_unknown_method_is_404(server: FakeTelegram) -> None:
    status, body = await raw_call(server, "sendPigeon", json={"chat_id": CHAT})
    assert status == 404
    assert body == {"ok": False, "error_code": 404, "description": "Not Found"}


# ----------------------------------------------------------------------------- strictness


async def test_text_limit_is_4096_utf16_units(server: FakeTelegram, bot: Bot) -> None:
    await bot.send_message(CHAT, "a" * 4096)
    with pytest.raises(TelegramBadRequest, match="message is too long"):
        await bot.send_message(CHAT, "a" * 4097)
    # Emoji outside the BMP count twice, as in Telegram: 2048 fit, 2049 do not.
    await bot.send_message(CHAT, "\N{GRINNING FACE}" * 2048)
    with pytest.raises(TelegramBadRequest, match="message is too long"):
        await bot.send_message(CHAT, "\N{GRINNING FACE}" * 2049)
    assert server.sent_count(CHAT) == 2


async def test_html_length_is_counted_after_parsing(server: FakeTelegram, bot: Bot) -> None:
    await bot.send_message(CHAT, "<b>" + "a" * 4096 + "</b>", parse_mode="HTML")
    await bot.send_message(CHAT, "&amp;" * 4096, parse_mode="HTML")
    assert server.messages(CHAT)[1].text == "&" * 4096
    # Without a parse mode the tags are literal text and count.
    with pytest.raises(TelegramBadRequest, match="message is too long"):
        await bot.send_message(CHAT, "<b>" + "a" * 4090 + "</b>")
    with pytest.raises(TelegramBadRequest, match="message is too long"):
        await bot.send_message(CHAT, "<i>" + "a" * 4097 + "</i>", parse_mode="HTML")
    assert server.sent_count(CHAT) == 2


@pytest.mark.parametrize(
    ("html", "reason"),
    [
        ("<b>open", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<blink>x</blink>", 'Unsupported start tag "blink"'),
        ("1 < 2", 'Unsupported start tag ""'),
        ("<b><i>x</b></i>", 'Unmatched end tag at byte offset 7, expected "</i>", found "</b>"'),
        ("x</b>", "Unexpected end tag"),
        ('<span class="x">y</span>', 'Tag "span" must have class "tg-spoiler"'),
    ],
)
async def test_bad_html_is_refused(bot: Bot, html: str, reason: str) -> None:
    with pytest.raises(TelegramBadRequest, match="can't parse entities") as caught:
        await bot.send_message(CHAT, html, parse_mode="HTML")
    assert reason in caught.value.message


def test_parse_html_entities_use_utf16_offsets() -> None:
    text, entities = parse_html(
        '\N{GRINNING FACE} <a href="https://x.fi/?a=1&amp;b=2">linkki</a> '
        '<pre><code class="language-python">x</code></pre> <tg-spoiler>s</tg-spoiler>'
    )
    assert text == "\N{GRINNING FACE} linkki x s"
    assert entities == [
        {"type": "text_link", "url": "https://x.fi/?a=1&b=2", "offset": 3, "length": 6},
        {"type": "pre", "language": "python", "offset": 10, "length": 1},
        {"type": "spoiler", "offset": 12, "length": 1},
    ]


async def test_empty_text_is_refused(bot: Bot) -> None:
    with pytest.raises(TelegramBadRequest, match="message text is empty"):
        await bot.send_message(CHAT, " \n ")
    with pytest.raises(TelegramBadRequest, match="message text is empty"):
        await bot.send_message(CHAT, "<b></b>", parse_mode="HTML")


async def test_callback_data_is_limited_to_64_bytes(server: FakeTelegram, bot: Bot) -> None:
    await bot.send_message(CHAT, "ok", reply_markup=keyboard("x" * 64))
    with pytest.raises(TelegramBadRequest, match="BUTTON_DATA_INVALID"):
        await bot.send_message(CHAT, "too long", reply_markup=keyboard("x" * 65))
    # Bytes, not characters: 33 x "ä" is 66 bytes in UTF-8.
    with pytest.raises(TelegramBadRequest, match="BUTTON_DATA_INVALID"):
        await bot.send_message(CHAT, "umlauts", reply_markup=keyboard("ä" * 33))
    assert server.sent_count(CHAT) == 1


async def test_malformed_keyboards_are_refused(server: FakeTelegram, bot: Bot) -> None:
    text_only = InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text="plain")]])
    with pytest.raises(TelegramBadRequest, match="can't parse inline keyboard button"):
        await bot.send_message(CHAT, "x", reply_markup=text_only)
    status, body = await raw_call(
        server,
        "sendMessage",
        json={"chat_id": CHAT, "text": "x", "reply_markup": {"inline_keyboard": [{"text": "a"}]}},
    )
    assert status == 400
    assert "Array of Arrays" in body["description"]
    assert server.sent_count(CHAT) == 0


async def test_no_op_edit_is_refused_and_real_edit_is_recorded(
    server: FakeTelegram, bot: Bot
) -> None:
    sent = await bot.send_message(CHAT, "Valitse", reply_markup=keyboard("a"))
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_text(
            text="Valitse", chat_id=CHAT, message_id=sent.message_id, reply_markup=keyboard("a")
        )
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_reply_markup(
            chat_id=CHAT, message_id=sent.message_id, reply_markup=keyboard("a")
        )
    edited = await bot.edit_message_text(text="Valittu", chat_id=CHAT, message_id=sent.message_id)
    assert isinstance(edited, Message)
    assert edited.edit_date is not None
    stored = server.message(CHAT, sent.message_id)
    assert stored.text == "Valittu"
    assert stored.callback_data == []  # omitting reply_markup removes the keyboard
    assert [h["text"] for h in stored.history] == ["Valitse"]
    with pytest.raises(TelegramBadRequest, match="message to edit not found"):
        await bot.edit_message_text(text="?", chat_id=CHAT, message_id=999)


async def test_delete_marks_message_and_blocks_later_edits(server: FakeTelegram, bot: Bot) -> None:
    sent = await bot.send_message(CHAT, "poistuu")
    assert await bot.delete_message(CHAT, sent.message_id) is True
    assert server.message(CHAT, sent.message_id).deleted
    assert server.messages(CHAT, include_deleted=False) == []
    with pytest.raises(TelegramBadRequest, match="message to delete not found"):
        await bot.delete_message(CHAT, sent.message_id)
    with pytest.raises(TelegramBadRequest, match="message to edit not found"):
        await bot.edit_message_text(text="x", chat_id=CHAT, message_id=sent.message_id)


async def test_unknown_and_unstarted_chats_are_refused(server: FakeTelegram, bot: Bot) -> None:
    with pytest.raises(TelegramBadRequest, match="chat not found"):
        await bot.send_message(999_999, "kuka?")
    server.user(555, language_code="en")  # known to the test, but never wrote to the bot
    with pytest.raises(TelegramForbiddenError, match="can't initiate conversation"):
        await bot.send_message(555, "hello")
    assert server.sent_count(999_999) == server.sent_count(555) == 0


async def test_blocked_user_gets_403_and_my_chat_member_update(
    server: FakeTelegram, bot: Bot
) -> None:
    update = server.block(CHAT)
    with pytest.raises(TelegramForbiddenError, match="bot was blocked by the user"):
        await bot.send_message(CHAT, "hei?")
    updates = await bot.get_updates()
    member = next(u.my_chat_member for u in updates if u.update_id == update["update_id"])
    assert member is not None
    assert member.new_chat_member.status == "kicked"
    server.unblock(CHAT)
    await bot.send_message(CHAT, "tervetuloa takaisin")
    assert [m.text for m in server.messages(CHAT)] == ["tervetuloa takaisin"]


async def test_groups_deliver_service_messages_and_leave_chat_works(
    server: FakeTelegram, bot: Bot
) -> None:
    group = server.group(-4001, "Perhekerho", kind="supergroup")
    with pytest.raises(ValueError, match="not in chat"):
        server.send_group_text(group.chat_id, 555, "hei")  # the bot is not there: no update
    with pytest.raises(TelegramForbiddenError, match="not a member of the supergroup chat"):
        await bot.send_message(group.chat_id, "hei?")
    service, added = server.add_bot(group.chat_id, by=555)
    command = server.send_group_command(group.chat_id, 555, "/mydata")
    updates = {u.update_id: u for u in await bot.get_updates()}
    message = updates[service["update_id"]].message
    assert message is not None
    assert message.chat.type == "supergroup"
    assert [u.is_bot for u in message.new_chat_members or []] == [True]
    member = updates[added["update_id"]].my_chat_member
    assert member is not None
    assert (member.from_user.id, member.new_chat_member.status) == (555, "member")
    text = updates[command["update_id"]].message
    assert text is not None
    assert text.text == "/mydata"
    assert text.from_user is not None
    await bot.send_message(group.chat_id, "näkyy ryhmälle")
    assert [m.text for m in server.messages(group.chat_id)] == ["näkyy ryhmälle"]

    assert await bot.leave_chat(group.chat_id) is True
    assert group.bot_status == "left"
    left = (await bot.get_updates(offset=max(updates) + 1))[-1].my_chat_member
    assert left is not None
    assert left.from_user.is_bot
    with pytest.raises(TelegramForbiddenError, match="not a member of the supergroup chat"):
        await bot.leave_chat(group.chat_id)
    with pytest.raises(TelegramBadRequest, match="private chats"):
        await bot.leave_chat(CHAT)
    with pytest.raises(TelegramBadRequest, match="chat not found"):
        await bot.leave_chat(-999)


async def test_channels_take_the_bot_as_administrator(server: FakeTelegram, bot: Bot) -> None:
    channel = server.group(-1002, "Uutiset", kind="channel")
    (added,) = server.add_bot(channel.chat_id, by=556)
    update = (await bot.get_updates())[-1]
    assert update.update_id == added["update_id"]
    assert update.my_chat_member is not None
    assert update.my_chat_member.new_chat_member.status == "administrator"
    post = await bot.send_message(channel.chat_id, "kanavalle")
    assert post.from_user is None
    assert post.sender_chat is not None
    server.remove_bot(channel.chat_id, by=556)
    with pytest.raises(TelegramForbiddenError, match="kicked from the channel chat"):
        await bot.send_message(channel.chat_id, "vielä?")


async def test_location_venue_and_document_are_stored(server: FakeTelegram, bot: Bot) -> None:
    await bot.send_location(CHAT, latitude=60.17, longitude=24.94)
    await bot.send_venue(CHAT, latitude=60.2, longitude=24.9, title="Neuvola", address="Katu 1")
    data = b"nimi;aika\nAino;9.00\n\x00\xff"
    sent = await bot.send_document(
        CHAT,
        BufferedInputFile(data, filename="ajat.csv"),
        caption="<b>Ajat</b> &amp; paikat",
        parse_mode="HTML",
    )
    location, venue, document = server.messages(CHAT)
    assert location.data["location"] == {"latitude": 60.17, "longitude": 24.94}
    assert venue.data["venue"]["title"] == "Neuvola"
    assert document.document is not None
    assert document.document.data == data
    assert (document.document.filename, document.document.mime_type) == ("ajat.csv", "text/csv")
    assert document.text == "Ajat & paikat"
    assert sent.document is not None
    assert sent.document.file_size == len(data)
    with pytest.raises(TelegramBadRequest, match="message caption is too long"):
        await bot.send_document(CHAT, BufferedInputFile(b"x", "x.txt"), caption="c" * 1025)


async def test_photos_and_documents_are_checked_and_sent_again_by_id(
    server: FakeTelegram, bot: Bot
) -> None:
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16
    photo = await bot.send_photo(CHAT, BufferedInputFile(png, "qr.png"), caption="<i>QR</i>")
    again = await bot.send_photo(CHAT, photo.photo[-1].file_id if photo.photo else "")
    first, second = server.messages(CHAT)
    assert first.document is not None
    assert second.document is not None
    assert (first.document.data, first.document.mime_type) == (png, "image/png")
    assert first.data["photo"][0]["file_size"] == len(png)
    assert first.data["caption"] == "<i>QR</i>"  # no parse_mode: the text as given
    assert again.photo is not None
    assert again.caption is None
    assert second.document.data == png
    with pytest.raises(TelegramBadRequest, match="IMAGE_PROCESS_FAILED"):
        await bot.send_photo(CHAT, BufferedInputFile(b"GIF89a", "x.gif"))
    with pytest.raises(TelegramBadRequest, match="wrong file identifier"):
        await bot.send_photo(CHAT, "https://example.org/x.png")
    with pytest.raises(TelegramBadRequest, match="file must be non-empty"):
        await bot.send_document(CHAT, BufferedInputFile(b"", "x.txt"))
    with pytest.raises(TelegramBadRequest, match="failed to get HTTP URL content"):
        await bot.send_document(CHAT, "https://example.org/x.txt")
    with pytest.raises(TelegramBadRequest, match="wrong file identifier"):
        await bot.send_document(CHAT, "no-such-file")


async def test_set_my_commands_is_stored_per_language(server: FakeTelegram, bot: Bot) -> None:
    await bot.set_my_commands(
        [BotCommand(command="start", description="Aloita")], language_code="fi"
    )
    await bot.set_my_commands(
        [BotCommand(command="start", description="Start")], language_code="en"
    )
    await bot.set_my_commands(
        [BotCommand(command="help", description="Apua")],
        scope=BotCommandScopeAllPrivateChats(),
        language_code="fi",
    )
    assert server.my_commands("fi") == [{"command": "start", "description": "Aloita"}]
    assert server.my_commands("en") == [{"command": "start", "description": "Start"}]
    assert server.my_commands("") is None
    assert server.my_commands("fi", {"type": "all_private_chats"}) == [
        {"command": "help", "description": "Apua"}
    ]
    fetched = await bot.get_my_commands(language_code="en")
    assert [(c.command, c.description) for c in fetched] == [("start", "Start")]
    await bot.delete_my_commands(language_code="en")
    assert server.my_commands("en") is None
    with pytest.raises(TelegramBadRequest, match="BOT_COMMAND_INVALID"):
        await bot.set_my_commands([BotCommand(command="Start!", description="x")])


# ----------------------------------------------------------------------------- faults


async def test_fail_429_raises_retry_after_and_stores_nothing(
    server: FakeTelegram, bot: Bot
) -> None:
    fault = server.fail_429(retry_after=3, times=1, chat_id=CHAT)
    with pytest.raises(TelegramRetryAfter) as caught:
        await bot.send_message(CHAT, "kiire")
    assert caught.value.retry_after == 3
    (refused,) = server.calls("sendMessage")
    assert refused.description == "Too Many Requests: retry after 3"
    assert server.sent_count(CHAT) == 0
    await bot.send_message(CHAT, "toinen yritys")
    assert fault.fired == 1
    assert server.faults_fired("429") == 1
    assert [c.status for c in server.calls("sendMessage")] == [429, 200]
    assert server.calls("sendMessage")[0].result is None


async def test_fail_403_and_5xx(server: FakeTelegram, bot: Bot) -> None:
    server.fail_5xx(502, times=1)
    with pytest.raises(TelegramServerError, match="Bad Gateway"):
        await bot.send_message(CHAT, "a")
    forbidden = server.fail_403(CHAT, times=2)
    for _ in range(2):
        with pytest.raises(TelegramForbiddenError, match="bot was blocked by the user"):
            await bot.send_message(CHAT, "b")
    await bot.send_message(CHAT, "c")
    assert [m.text for m in server.messages(CHAT)] == ["c"]
    assert forbidden.fired == 2
    assert server.faults_fired() == 3


async def test_nth_call_fault_hits_only_that_call(server: FakeTelegram, bot: Bot) -> None:
    fault = server.fail_5xx(500, nth=2, methods="sendMessage")
    await bot.send_message(CHAT, "1")
    with pytest.raises(TelegramServerError):
        await bot.send_message(CHAT, "2")
    await bot.send_message(CHAT, "3")
    assert [m.text for m in server.messages(CHAT)] == ["1", "3"]
    assert (fault.seen, fault.fired) == (3, 1)


async def test_lost_response_raises_but_message_is_stored_once(
    server: FakeTelegram, bot: Bot
) -> None:
    fault = server.lose_response(chat_id=CHAT)
    with pytest.raises(TelegramNetworkError):
        await bot.send_message(CHAT, "menikö perille?")
    assert [m.text for m in server.messages(CHAT)] == ["menikö perille?"]
    (call,) = server.calls("sendMessage")
    assert call.response_lost
    assert call.fault == "lose"
    assert fault.fired == 1
    await bot.send_message(CHAT, "seuraava")  # the session recovers on a new connection
    assert server.sent_count(CHAT) == 2


async def test_hold_parks_the_nth_request_until_released(server: FakeTelegram, bot: Bot) -> None:
    fault = server.hold("sendMessage", nth=2)
    await bot.send_message(CHAT, "eka")
    task = asyncio.create_task(bot.send_message(CHAT, "toka"))
    held = await server.held_event(fault)
    assert held.message is not None
    assert held.message.text == "toka"
    assert not task.done()
    held.release()
    sent = await asyncio.wait_for(task, 5)
    assert sent.message_id == held.message.message_id


async def test_hold_without_store_and_client_death(server: FakeTelegram, bot: Bot) -> None:
    fault = server.hold("sendMessage", nth=1, store=False)
    task = asyncio.create_task(bot.send_message(CHAT, "kesken"))
    held = await server.held_event(fault)
    assert server.sent_count(CHAT) == 0
    assert held.message is None
    # Killing the client mid-request (as a crashed bot process would) is observable.
    task.cancel()
    await server.wait_until(lambda: held.client_gone, timeout=5)
    assert server.sent_count(CHAT) == 0
    (call,) = server.calls("sendMessage")
    assert call.client_gone
    assert call.status is None


# ----------------------------------------------------------------------------- updates


async def test_get_updates_redelivers_until_a_later_offset_confirms(
    server: FakeTelegram, bot: Bot
) -> None:
    start = server.updates()[0].update_id
    message = server.send_text(CHAT, "moi")
    first = await bot.get_updates()
    assert [u.update_id for u in first] == [start, message["update_id"]]
    assert first[1].message is not None
    assert first[1].message.text == "moi"
    assert first[1].message.from_user is not None
    assert first[1].message.from_user.language_code == "fi"
    again = await bot.get_updates()  # no offset: nothing was confirmed
    assert [u.update_id for u in again] == [start, message["update_id"]]
    with pytest.raises(TimeoutError):
        await server.wait_confirmed(message, timeout=0.2)
    await bot.get_updates(offset=message["update_id"])  # confirms only the older one
    assert server.updates()[0].confirmed
    assert not server.updates()[1].confirmed
    assert await bot.get_updates(offset=message["update_id"] + 1) == []
    record = await server.wait_confirmed(message, timeout=1)
    assert record.confirmed
    assert record.deliveries == 3


async def test_long_poll_returns_as_soon_as_an_update_arrives(
    server: FakeTelegram, bot: Bot
) -> None:
    first = await bot.get_updates()
    offset = first[-1].update_id + 1
    started = time.monotonic()
    assert await bot.get_updates(offset=offset, timeout=1) == []
    assert time.monotonic() - started >= 0.9  # it really waited for the timeout

    poll = asyncio.create_task(bot.get_updates(offset=offset, timeout=20))
    await server.wait_until(lambda: any(c.status is None for c in server.calls("getUpdates")))
    started = time.monotonic()
    update = server.send_sticker(CHAT)
    updates = await asyncio.wait_for(poll, 5)
    assert time.monotonic() - started < 2
    assert [u.update_id for u in updates] == [update["update_id"]]
    assert updates[0].message is not None
    assert updates[0].message.sticker is not None


async def test_concurrent_get_updates_terminates_the_older_one(
    server: FakeTelegram, bot: Bot
) -> None:
    offset = (await bot.get_updates())[-1].update_id + 1
    older = asyncio.create_task(bot.get_updates(offset=offset, timeout=20))
    await server.wait_until(lambda: any(c.status is None for c in server.calls("getUpdates")))
    newer = asyncio.create_task(bot.get_updates(offset=offset, timeout=20))
    with pytest.raises(TelegramConflictError, match="terminated by other getUpdates"):
        await asyncio.wait_for(older, 5)
    update = server.send_text(CHAT, "uusin")
    assert [u.update_id for u in await asyncio.wait_for(newer, 5)] == [update["update_id"]]


async def test_press_enqueues_callback_query_and_answer_is_recorded(
    server: FakeTelegram, bot: Bot
) -> None:
    sent = await bot.send_message(CHAT, "Valitse", reply_markup=keyboard("yes", "no"))
    stored = server.message(CHAT, sent.message_id)
    with pytest.raises(ValueError, match="is not on message"):
        server.press(CHAT, stored, "maybe")
    update = server.press(CHAT, stored, button_text="B no")
    forged = server.press(CHAT, stored, "admin:delete_all", forged=True)
    updates = await bot.get_updates(offset=update["update_id"])
    query = updates[0].callback_query
    assert query is not None
    assert query.data == "no"
    assert isinstance(query.message, Message)
    assert query.message.message_id == sent.message_id
    assert updates[1].callback_query is not None
    assert updates[1].callback_query.data == "admin:delete_all"
    assert forged["callback_query"]["data"] == "admin:delete_all"
    await bot.answer_callback_query(query.id, text="Selvä")
    answer = await server.wait_callback_answer(query.id, timeout=1)
    assert answer.text == "Selvä"
    assert answer.data == "no"
    assert not answer.show_alert
    with pytest.raises(TelegramBadRequest, match="query is too old"):
        await bot.answer_callback_query(query.id)


async def test_enqueue_raw_and_allowed_updates(server: FakeTelegram, bot: Bot) -> None:
    raw = server.enqueue_raw(
        {
            "edited_message": {
                "message_id": 1,
                "date": 0,
                "chat": {"id": CHAT, "type": "private"},
                "text": "muokattu",
            }
        }
    )
    reaction = server.enqueue_raw(
        {
            "message_reaction": {
                "chat": {"id": CHAT, "type": "private"},
                "message_id": 1,
                "date": 0,
                "old_reaction": [],
                "new_reaction": [],
            }
        }
    )
    updates = await bot.get_updates()
    ids = [u.update_id for u in updates]
    assert raw["update_id"] in ids
    assert reaction["update_id"] not in ids  # opt-in type, not requested: Telegram drops it
    assert server.updates()[-1].dropped


# ----------------------------------------------------------------------------- webhook


class Receiver:
    """A tiny webhook endpoint: records requests, answers from a status script."""

    def __init__(self, statuses: list[int] | None = None, reply: Any = None) -> None:
        self.statuses = list(statuses or [])
        self.reply = reply
        self.received: list[tuple[dict[str, Any], str | None]] = []
        self.runner: web.AppRunner | None = None
        self.url = ""

    async def handle(self, request: web.Request) -> web.Response:
        self.received.append(
            (await request.json(), request.headers.get("X-Telegram-Bot-Api-Secret-Token"))
        )
        status = self.statuses.pop(0) if self.statuses else 200
        return web.json_response(self.reply if status == 200 else {}, status=status)

    async def __aenter__(self) -> Receiver:
        app = web.Application()
        app.router.add_post("/hook", self.handle)
        self.runner = web.AppRunner(app, access_log=None)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}/hook"
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self.runner is not None
        await self.runner.cleanup()


async def test_webhook_push_with_secret_and_retry(server: FakeTelegram, bot: Bot) -> None:
    async with Receiver(statuses=[500]) as receiver:
        assert await bot.set_webhook(receiver.url, secret_token="s3cr3t_T0ken") is True
        with pytest.raises(TelegramConflictError, match="webhook is active"):
            await bot.get_updates()
        update = server.send_text(CHAT, "webhookiin")
        await server.wait_confirmed(update, timeout=5)
        received = [body["update_id"] for body, _ in receiver.received]
        # The initial /start failed once with 500 and was retried; nothing is lost.
        assert received == [update["update_id"] - 1, update["update_id"] - 1, update["update_id"]]
        assert {secret for _, secret in receiver.received} == {"s3cr3t_T0ken"}
        assert receiver.received[-1][0]["message"]["text"] == "webhookiin"
        info = await bot.get_webhook_info()
        assert info.url == receiver.url
        assert info.pending_update_count == 0
        assert info.last_error_message is not None
        assert "500" in info.last_error_message
        assert await bot.delete_webhook() is True
        assert await bot.get_updates() == []


async def test_webhook_round_robin_and_reply_method(server: FakeTelegram, bot: Bot) -> None:
    reply = {"method": "sendMessage", "chat_id": CHAT, "text": "vastaus webhookista"}
    async with Receiver() as first, Receiver(reply=reply) as second:
        server.webhook_urls = [first.url, second.url]
        last = [server.send_text(CHAT, f"viesti {i}") for i in range(3)][-1]
        await server.wait_confirmed(last, timeout=5)
        assert len(first.received) == 2
        assert len(second.received) == 2
        message = await server.wait_message(CHAT, timeout=5)
        assert message.text == "vastaus webhookista"
        assert [c.via for c in server.calls("sendMessage")] == ["webhook_reply"] * 2


# ----------------------------------------------------------------------------- aiogram polling


async def test_dispatcher_polling_end_to_end(server: FakeTelegram, bot: Bot) -> None:
    router = Router()

    @router.message(CommandStart())
    async def start(message: Message) -> None:
        await message.answer("Tervetuloa", reply_markup=keyboard("go"))

    @router.callback_query(F.data == "go")
    async def go(callback: CallbackQuery) -> None:
        assert isinstance(callback.message, Message)
        await callback.message.edit_text("Mennään")
        await callback.answer("ok")

    dp = Dispatcher()
    dp.include_router(router)
    polling = asyncio.create_task(
        dp.start_polling(bot, handle_signals=False, close_bot_session=False, polling_timeout=5)
    )
    try:
        welcome = await server.wait_message(CHAT)
        assert welcome.text == "Tervetuloa"
        press = server.press(CHAT, welcome, "go")
        answer = await server.wait_callback_answer(press["callback_query"]["id"])
        assert answer.text == "ok"
        assert server.message(CHAT, welcome.message_id).text == "Mennään"
        await server.wait_confirmed(press)  # the next poll acknowledged the press
    finally:
        await dp.stop_polling()
        await polling
