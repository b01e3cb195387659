"""End-to-end: a professional invited by staff builds a service path with a family, hands it
over, and the family opens it (issue #25).

One bot run tells the whole story, in order: staff invite a professional (Finnish); a family
member without the role is refused /guide; the professional builds a path in Finnish for an
Arabic-speaking family and hands it over (link, QR photo, printable card), after which the
dialog's messages no longer show the answers; the family (another user) opens the link and
sees the same services, in Arabic, and sets a reminder for one of their events; the stored
path holds no Telegram id; staff remove the professional, who can then no longer start /guide,
while the path they handed over still opens; an expired or made-up link gets a kind message.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db.engine import make_sessionmaker, write_transaction
from bot.db.models import DeepLinkCount, Reminder, ServicePath, User
from bot.emulator.telegram import BotMessage, FakeTelegram
from tests.e2e.conftest import BotProcess, eventually, rows_mentioning, start_and_wait
from tests.real_catalogue import real_catalogue

STAFF = 900001  # STAFF_IDS in the e2e settings
PRO = 8801  # the professional: Finnish
FAMILY = 8802  # the family: Arabic
OTHER = 8803  # another family member: English, no role
NOT_ALLOWED_EN = "Sorry, this is not allowed."
NOT_ALLOWED_FI = "Anteeksi, tämä ei ole sallittua."
REMOVED_FI = "Opastus: vastaukset poistettu."
INVALID_AR = "عذرًا، هذا الرابط لم يعد يعمل"
INVALID_EN = "Sorry, this link does not work any more."
PRO_CHAT = {"type": "chat", "chat_id": PRO}


def button(message: BotMessage, prefix: str) -> str:
    for data in message.callback_data:
        if data.startswith(prefix):
            return data
    raise AssertionError(f"no {prefix}* button on {message.callback_data}")


async def press(fake: FakeTelegram, chat: int, message: BotMessage, prefix: str) -> BotMessage:
    """Press a button of the guide question and return the question after its edit."""
    edits = len(message.history)
    fake.press(chat, message, button(message, prefix))
    await fake.wait_until(lambda: len(fake.message(chat, message.message_id).history) > edits)
    return fake.message(chat, message.message_id)


async def next_message(fake: FakeTelegram, chat: int, before: int, match: str) -> BotMessage:
    """The first message to ``chat`` from index ``before`` on whose text contains ``match``."""

    def found() -> BotMessage | None:
        return next((m for m in fake.messages(chat)[before:] if match in (m.text or "")), None)

    return await fake.wait_for(found)


async def set_professional(db: AsyncEngine, holds: bool) -> None:
    async with make_sessionmaker(db)() as session, write_transaction(session):
        await session.execute(update(User).where(User.user_id == PRO).values(professional=holds))


async def invite_professional(fake: FakeTelegram) -> None:
    fake.send_command(STAFF, "/staff")
    screen = await fake.wait_message(STAFF)
    before = fake.sent_count(STAFF)
    fake.press(STAFF, screen, "stf:pro-invite:0")
    ask = await fake.wait_message(STAFF, after=before)
    before = fake.sent_count(STAFF)
    fake.press(STAFF, ask, button(ask, "stf:skip"))
    created = await fake.wait_message(STAFF, after=before)
    payload = re.search(r"start=(staff-[A-Za-z0-9_-]+)", created.text or "")
    assert payload is not None, created.text
    before = fake.sent_count(PRO)
    fake.send_command(PRO, "/start", payload.group(1))
    welcome = await fake.wait_message(PRO, after=before)
    assert "/guide" in (welcome.text or "")
    # /guide joins the command menu of the professional's own chat, and of no one else's.
    await fake.wait_until(lambda: fake.my_commands(scope=PRO_CHAT) is not None)
    assert "guide" in [c["command"] for c in fake.my_commands(scope=PRO_CHAT) or []]
    assert "guide" not in [c["command"] for c in fake.my_commands("fi") or []]


async def build_path(fake: FakeTelegram) -> tuple[str, list[BotMessage]]:
    """Kotka, a child of 1-2, daycare and meeting other families, for an Arabic-speaking
    family: the link's payload and the professional's dialog messages."""
    before = fake.sent_count(PRO)
    fake.send_command(PRO, "/guide")
    question = await fake.wait_message(PRO, after=before)
    assert "Mitä kieltä perhe lukee?" in (question.text or "")
    question = await press(fake, PRO, question, "guide:family-lang:ar:")
    question = await press(fake, PRO, question, "guide:where:285:")
    question = await press(fake, PRO, question, "guide:ages:1-2:")
    question = await press(fake, PRO, question, "guide:ages:done:")
    question = await press(fake, PRO, question, "guide:help:daycare:")
    question = await press(fake, PRO, question, "guide:help:families:")
    question = await press(fake, PRO, question, "guide:help:done:")
    preview = await press(fake, PRO, question, "guide:languages:skip:")
    assert "Palvelupolku, kieli: arabia" in (preview.text or "")
    assert "Avoin varhaiskasvatus" in (preview.text or "")
    before = fake.sent_count(PRO)
    fake.press(PRO, preview, button(preview, "gd:"))
    link = await next_message(fake, PRO, before, "t.me/")
    payload = re.search(r"start=(p_[A-Za-z0-9_-]+)", link.text or "")
    assert payload is not None, link.text
    await next_message(fake, PRO, before, "Annettu.")
    return payload.group(1), [preview]


async def open_path(fake: FakeTelegram, chat: int, payload: str) -> list[BotMessage]:
    """The family opens the link: every message up to the closing one (menu button)."""
    before = fake.sent_count(chat)
    fake.send_command(chat, "/start", payload)
    await fake.wait_until(
        lambda: any("m:menu" in m.callback_data for m in fake.messages(chat)[before:])
    )
    return fake.messages(chat)[before:]


async def test_a_professional_hands_a_path_to_a_family(
    fake: FakeTelegram, bot_process: BotProcess, db: AsyncEngine
) -> None:
    fake.user(STAFF, language_code="fi")
    fake.user(PRO, language_code="fi")
    fake.user(FAMILY, language_code="ar")
    fake.user(OTHER, language_code="en")
    await start_and_wait(bot_process, fake)

    # A family member has no role: /guide is refused.
    fake.send_command(OTHER, "/guide")
    assert (await fake.wait_message(OTHER)).text == NOT_ALLOWED_EN

    await invite_professional(fake)
    payload, dialog = await build_path(fake)

    # Handed over three ways: the link, the QR code as a photo, the printable card.
    sent = fake.messages(PRO)
    photos = [m for m in sent if "photo" in m.data]
    cards = [m for m in sent if m.document is not None and m.document.filename.endswith(".html")]
    assert len(photos) == 1
    assert photos[0].document is not None
    assert photos[0].document.data.startswith(b"\x89PNG")
    assert len(cards) == 1
    assert cards[0].document is not None
    printed = cards[0].document.data.decode()
    assert 'lang="ar"' in printed
    assert "يعمل الرابط حتى" in printed  # until when the link works (the path's expiry)
    # The answers left the chat: the dialog's message reads one neutral line, no buttons.
    question = fake.message(PRO, dialog[0].message_id)
    assert question.text == REMOVED_FI
    assert question.callback_data == []
    assert not any("Kotka" in (m.text or "") for m in fake.messages(PRO, include_deleted=False))

    # The family opens the link: the same services, in Arabic, with the cards' buttons.
    async with make_sessionmaker(db)() as session:
        row = (await session.execute(select(ServicePath))).scalar_one()
    services = {service.id: service for service in real_catalogue().services}
    on_path = [services[step["service"]] for step in row.steps]
    shown = await open_path(fake, FAMILY, payload)
    assert shown[0].text is not None
    assert shown[0].text.startswith("مسار خدمات")
    # Latin names inside Arabic are isolated (bot.bidi): compare without the marks.
    texts = "\n".join(m.text or "" for m in shown).replace("\u2066", "").replace("\u2069", "")
    for service in on_path:
        assert service.name.ar in texts
    assert "Open early education" not in texts
    assert "Avoin varhaiskasvatus" not in texts

    # ... and sets a reminder for an upcoming event of a service on the path.
    closing = shown[-1]
    before = fake.sent_count(FAMILY)
    fake.press(FAMILY, closing, button(closing, "evo:"))
    card = await fake.wait_message(FAMILY, after=before)
    before = fake.sent_count(FAMILY)
    fake.press(FAMILY, card, button(card, "evr:"))
    which = await fake.wait_message(FAMILY, after=before)
    if all(data.endswith(":-") for data in which.callback_data):  # a series: which time?
        which = await press(fake, FAMILY, which, which.callback_data[0])
    await press(fake, FAMILY, which, which.callback_data[0])  # the first offset offered

    async def reminded() -> bool:
        async with make_sessionmaker(db)() as session:
            rows = await session.execute(select(Reminder).where(Reminder.user_id == FAMILY))
            return bool(rows.first())

    await eventually(reminded, 10.0, "the family's reminder was not stored", bot_process)

    # The path row names nobody, and a guide path is never counted as a deep-link source.
    for who in (PRO, FAMILY, STAFF):
        assert "service_paths" not in await rows_mentioning(db, who)
    async with make_sessionmaker(db)() as session:
        sources = (await session.execute(select(DeepLinkCount.source))).scalars().all()
    assert not [s for s in sources if s.startswith("p_")]

    # The role taken away in the middle of a guide: the next press is refused and ends the
    # dialog, so with the role back the old question's button is only stale.
    before = fake.sent_count(PRO)
    fake.send_command(PRO, "/guide")
    started = await fake.wait_message(PRO, after=before)
    midway = await press(fake, PRO, started, "guide:family-lang:fi:")
    await set_professional(db, False)
    refused = fake.press(PRO, midway, button(midway, "guide:where:285:"))
    answer = await fake.wait_callback_answer(refused["callback_query"]["id"])
    assert (answer.text, answer.show_alert) == (NOT_ALLOWED_FI, True)
    await set_professional(db, True)
    before = fake.sent_count(PRO)
    fake.press(PRO, midway, button(midway, "guide:where:285:"))
    anew = await fake.wait_message(PRO, after=before)
    assert "Mitä kieltä perhe lukee?" in (anew.text or "")

    # Staff remove the professional: /guide ends at once; the path they handed over opens.
    fake.send_command(STAFF, "/staff")
    screen = await next_message(fake, STAFF, fake.sent_count(STAFF) - 1, "Ammattilaisia: 1")
    before = fake.sent_count(STAFF)
    fake.press(STAFF, screen, f"stf:pro-remove:{PRO}")
    removed = await next_message(fake, STAFF, before, "ei voi enää käyttää komentoa /guide")
    assert "Ammattilaisia" not in (removed.text or "")  # none left: no section
    assert fake.my_commands(scope=PRO_CHAT) is None  # back to everyone's menu
    before = fake.sent_count(PRO)
    fake.send_command(PRO, "/guide")
    assert (await fake.wait_message(PRO, after=before)).text == NOT_ALLOWED_FI
    again = await open_path(fake, OTHER, payload)
    assert again[0].text is not None
    assert again[0].text.startswith("مسار خدمات")

    # Expired, or made up: a kind message and the main menu.
    async with make_sessionmaker(db)() as session, write_transaction(session):
        past = datetime.now(UTC) - timedelta(seconds=1)
        await session.execute(update(ServicePath).values(expires_at=past))
    for chat, kind in ((FAMILY, INVALID_AR), (OTHER, INVALID_EN)):
        before = fake.sent_count(chat)
        fake.send_command(chat, "/start", payload if chat == FAMILY else "p_" + "x" * 22)
        gone = await fake.wait_message(chat, after=before)
        assert (gone.text or "").startswith(kind)
        assert "m:find" in gone.callback_data
