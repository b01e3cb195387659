"""End-to-end: staff broadcasts with the real bot as a subprocess against the fake Bot API.

The whole staff dialog (texts checked, audience, attached event, preview per language with the
fallback warning, send now / later / stop), each family receiving its own language once, a
scheduled send, cancelling, faults at the fake server (429 bursts, 403, 5xx, a lost response),
a SIGKILL in the middle of a send, staff invites (once) and removal, and non-staff refused.

Families, their languages and subscriptions are written to the database before the bot starts
(what /start and /news would have stored). Real-time waits are set small through settings.
"""

from __future__ import annotations

import asyncio
import re
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db import migrate
from bot.db.engine import make_engine, make_sessionmaker, write_transaction
from bot.db.models import Broadcast, DeepLinkCount, Delivery, Subscription, User
from bot.delivery.broadcasts import AudienceKind, BroadcastDraft, create_broadcast
from bot.delivery.ledger import FINAL_STATES
from bot.emulator.telegram import BotMessage, FakeTelegram
from bot.events.upcoming import event_token
from tests.delivery_support import TZ, add_users, event, register_chats, write_catalogue
from tests.e2e.conftest import BotProcess, start_and_wait
from tests.e2e.test_delivery_crash import wait_for_db

STAFF = 900001  # in STAFF_IDS (see the e2e conftest)
FAMILIES = {
    8301: "fi",
    8302: "en",
    8303: "ar",
    8304: "fi",
    8305: "en",
    8306: "ar",
    8307: "fi",
    8308: "ar",
}
FI_TEXT = "Tervetuloa perhekahvilaan torstaina!"
EN_TEXT = "Welcome to the family café on Thursday!"
NOT_ALLOWED = "Sorry, this is not allowed."
EVENT_ID = "cafe-thursday"


def fast(bot_env: dict[str, str], **extra: str) -> None:
    bot_env.update(
        {
            "SWEEP_INTERVAL": "0.2",
            "WORKER_LEASE_SECONDS": "3",
            "BROADCAST_RATE": "50",
            "PER_CHAT_INTERVAL": "0",
            **extra,
        }
    )


async def prepare(
    bot_env: dict[str, str], database_url: str, tmp_path: Path, families: dict[int, str]
) -> None:
    """A catalogue with one coming event, and the families with their news subscriptions."""
    start = (datetime.now(UTC) + timedelta(days=3)).astimezone(TZ).replace(minute=0, second=0)
    bot_env["CATALOG_PATH"] = str(
        write_catalogue(
            tmp_path / "catalog",
            [
                event(
                    EVENT_ID,
                    start.strftime("%Y-%m-%dT%H:%M"),
                    (start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
                    title="Cafe Thursday",
                )
            ],
        )
    )
    engine = make_engine(database_url)
    try:
        await migrate.upgrade(engine)
        sessions = make_sessionmaker(engine)
        now = datetime.now(UTC) - timedelta(days=2)
        await add_users(sessions, families, now)
        async with sessions() as session, write_transaction(session):
            for user_id in families:
                session.add(
                    Subscription(user_id=user_id, municipality="285", topic="all", created_at=now)
                )
    finally:
        await engine.dispose()


def broadcasts_received(fake: FakeTelegram, chat: int, *texts: str) -> list[BotMessage]:
    return [m for m in fake.messages(chat) if (m.text or "") in texts]


async def compose(
    fake: FakeTelegram,
    *,
    fi: str | tuple[str, list[dict[str, Any]]] = FI_TEXT,
    en: str | None = EN_TEXT,
    ar: str | None = None,
    audience: str = "all",
    attach: str | None = None,
) -> tuple[list[BotMessage], BotMessage]:
    """Run the dialog up to the preview; returns the preview's messages and its summary."""
    fake.send_command(STAFF, "/broadcast")
    ask = await fake.wait_message(STAFF)
    assert (ask.text or "").startswith("New announcement. Write it in Finnish.")
    text, entities = (fi, None) if isinstance(fi, str) else fi
    fake.send_text(STAFF, text, entities=entities)
    for language, given in (("English", en), ("Arabic", ar)):
        ask = await fake.wait_message(STAFF)
        assert (ask.text or "").startswith(f"Now the {language} text"), ask.text
        if given is None:
            fake.press(STAFF, ask, "bc:skip:-")
        else:
            fake.send_text(STAFF, given)
    choose = await fake.wait_message(STAFF)
    assert choose.text == "Who should receive it?"
    fake.press(STAFF, choose, f"bc:aud:{audience}")
    attach_question = await fake.wait_message(STAFF)
    assert (attach_question.text or "").startswith("Attach an event?")
    fake.press(STAFF, attach_question, f"bc:att:{event_token(attach)}" if attach else "bc:att:-")
    preview = [await fake.wait_message(STAFF) for _ in range(7)]
    summary = await fake.wait_message(STAFF)
    assert summary.callback_data == ["bc:now:-", "bc:later:-", "bc:stop:-"]
    return preview, summary


async def wait_report(fake: FakeTelegram, broadcast_id: int, timeout: float = 30.0) -> str:
    """The final report, sent as a new message to the staff member."""
    prefix = f"✅ Announcement #{broadcast_id} is finished."

    def found() -> str | None:
        texts = [m.text or "" for m in fake.messages(STAFF)]
        # The status message (edited) and the report (new) both end with it.
        done = [t for t in texts if t.startswith(prefix)]
        return done[-1] if len(done) >= 2 else None

    return str(await fake.wait_until(found, timeout))


def report_counts(report: str) -> dict[str, int]:
    found = re.search(
        r"Sent: (\d+) · Blocked the bot: (\d+) · Failed: (\d+) · Unknown: (\d+)", report
    )
    assert found is not None, report
    sent, blocked, failed, unknown = (int(n) for n in found.groups())
    return {"sent": sent, "blocked": blocked, "failed": failed, "unknown": unknown}


# --------------------------------------------------------------------------- the dialog


async def test_staff_dialog_each_family_gets_its_language_with_the_fallback_warned(
    fake: FakeTelegram,
    bot_env: dict[str, str],
    bot_process: BotProcess,
    database_url: str,
    db: AsyncEngine,
    tmp_path: Path,
) -> None:
    await prepare(bot_env, database_url, tmp_path, FAMILIES)
    register_chats(fake, FAMILIES)
    fake.user(STAFF, language_code="en")
    fast(bot_env)
    await start_and_wait(bot_process, fake)

    # Texts Telegram would refuse are refused with a clear reason, and nothing is kept.
    fake.send_command(STAFF, "/broadcast")
    await fake.wait_message(STAFF)
    fake.send_text(STAFF, "<div>Tervetuloa</div>")
    refused = await fake.wait_message(STAFF)
    assert refused.text is not None
    assert refused.text.startswith("Telegram does not support the tag <div>.")
    fake.send_text(STAFF, "x" * 4097)
    refused = await fake.wait_message(STAFF)
    assert refused.text == (
        "The text is too long: 4,097 characters, at most 4,096. "
        "Please shorten it and send it again."
    )
    fake.send_text(STAFF, "<b>Tervetuloa</i>")
    refused = await fake.wait_message(STAFF)
    assert (refused.text or "").startswith("The closing tag </i> does not match")
    fake.send_command(STAFF, "/cancel")
    assert (await fake.wait_message(STAFF)).text == "Stopped. Nothing was sent."

    # Finnish with formatting made in the Telegram app, English typed, no Arabic.
    bold = [{"type": "bold", "offset": 0, "length": 10}]
    preview, summary = await compose(fake, fi=(FI_TEXT, bold), attach=EVENT_ID)
    title, fi_head, fi_seen, en_head, en_seen, ar_head, ar_seen = preview
    assert title.text == ("Preview: each group of families will see the message exactly like this.")
    assert fi_head.text == "Families using Finnish: 3. They will see:"
    assert en_head.text == "Families using English: 2. They will see:"
    assert ar_head.text == (
        "Families using Arabic: 3. They will see:\n"
        "⚠️ There is no Arabic text: families using Arabic get the English text (3)."
    )
    token = event_token(EVENT_ID)
    for seen, text, button in (
        (fi_seen, FI_TEXT, "⏰ Muistuta minua"),
        (en_seen, EN_TEXT, "⏰ Remind me"),
        (ar_seen, EN_TEXT, "⏰ ذكّرني"),
    ):
        assert seen.text == text
        assert seen.callback_data == [f"evr:{token}:-:-"]
        assert seen.buttons[0]["text"] == button
    assert fi_seen.entities == [{"type": "bold", "offset": 0, "length": 10}]
    assert summary.text is not None
    assert "Ready to send to all subscribers." in summary.text
    assert "Recipients now: 8 (Finnish 3, English 2, Arabic 3)." in summary.text
    assert 'With a "Remind me" button for: Cafe Thursday (en)' in summary.text
    assert "⚠️ There is no Arabic text: families using Arabic get the English text (3)." in (
        summary.text
    )

    fake.press(STAFF, summary, "bc:now:-")
    status = await fake.wait_message(STAFF)
    broadcast_id = int(re.findall(r"#(\d+)", status.text or "")[0])
    assert status.text == (
        f"⏳ Announcement #{broadcast_id} is starting. This message will show its progress."
    )
    report = await wait_report(fake, broadcast_id)
    assert report_counts(report) == {"sent": 8, "blocked": 0, "failed": 0, "unknown": 0}
    assert "Recipients: 8" in report
    expected = {"fi": FI_TEXT, "en": EN_TEXT, "ar": EN_TEXT}
    for chat, locale in FAMILIES.items():
        [received] = fake.messages(chat)
        assert received.text == expected[locale]
        assert received.callback_data == [f"evr:{token}:-:-"]
    # The status message was edited in place into the final state.
    final = fake.message(STAFF, status.message_id)
    assert final.edited
    assert (final.text or "").startswith(f"✅ Announcement #{broadcast_id} is finished.")

    # The "Remind me" button is the events feature's own: a family presses it.
    received = fake.messages(8302)[0]
    fake.press(8302, received, f"evr:{token}:-:-")
    asked = await fake.wait_message(8302, after=1)
    assert asked.text == "When should I remind you?"

    # /broadcasts lists it with its report.
    fake.send_command(STAFF, "/broadcasts")
    listing = await fake.wait_message(STAFF, after=fake.sent_count(STAFF))
    assert listing.text is not None
    assert f"#{broadcast_id} · ✅ sent" in listing.text
    assert "Sent: 8 · Blocked the bot: 0 · Failed: 0 · Unknown: 0" in listing.text
    assert listing.callback_data == []  # nothing left to cancel
    await bot_process.stop()


async def test_scheduled_send_and_cancelling_scheduled_and_running_broadcasts(
    fake: FakeTelegram,
    bot_env: dict[str, str],
    bot_process: BotProcess,
    database_url: str,
    db: AsyncEngine,
    tmp_path: Path,
) -> None:
    await prepare(bot_env, database_url, tmp_path, FAMILIES)
    register_chats(fake, FAMILIES)
    fake.user(STAFF, language_code="en")
    # One row per sweep: a held send keeps the broadcast running while staff cancel it.
    # The held send must outlast the staff's cancelling however slow the machine.
    fast(bot_env, BROADCAST_RATE="1", WORKER_LEASE_SECONDS="2", TELEGRAM_REQUEST_TIMEOUT="30")
    await start_and_wait(bot_process, fake)
    sessions = make_sessionmaker(db)

    # Scheduled for a minute ahead (staff type minutes), then brought forward to now.
    _, summary = await compose(fake, en=None)
    fake.press(STAFF, summary, "bc:later:-")
    ask = await fake.wait_message(STAFF)
    assert (ask.text or "").startswith("When should it be sent?")
    at = (datetime.now(UTC) + timedelta(minutes=2)).astimezone(TZ)
    fake.send_text(STAFF, f"{at.day}.{at.month}.{at.year} {at.hour}.{at.minute:02d}")
    scheduled = await fake.wait_message(STAFF)
    first = int(re.findall(r"#(\d+)", scheduled.text or "")[0])
    assert (scheduled.text or "").startswith(f"🕒 Announcement #{first} will be sent ")
    async with sessions() as session:
        row = await session.get(Broadcast, first)
        assert row is not None
        assert row.status == "scheduled"
        assert row.scheduled_at == at.replace(second=0, microsecond=0)
        assert await session.scalar(select(Delivery.id)) is None  # nobody chosen yet

    # A second one, cancelled before its time from /broadcasts.
    _, summary = await compose(fake, en=None)
    fake.press(STAFF, summary, "bc:later:-")
    await fake.wait_message(STAFF)
    fake.send_text(STAFF, f"{at.day}.{at.month}.{at.year} {at.hour}.{at.minute:02d}")
    second = int(re.findall(r"#(\d+)", (await fake.wait_message(STAFF)).text or "")[0])
    fake.send_command(STAFF, "/broadcasts")
    listing = await fake.wait_message(STAFF)
    assert "🕒 scheduled for" in (listing.text or "")
    assert listing.callback_data == [f"bcl:cancel:{first}", f"bcl:cancel:{second}"]
    fake.press(STAFF, listing, f"bcl:cancel:{second}")
    confirm = await fake.wait_message(STAFF)
    assert confirm.text == (
        f"Cancel announcement #{second}? Families who have not received it yet will not get it."
    )
    fake.press(STAFF, confirm, f"bcl:cancel-yes:{second}")
    assert (await fake.wait_message(STAFF)).text == (
        f"⛔ Announcement #{second} is cancelled. Nobody will get it."
    )

    # The first comes due; its third send is held open while staff cancel the rest.
    held_chat = sorted(FAMILIES)[2]
    fault = fake.hold("sendMessage", chat_id=held_chat)
    async with sessions() as session, write_transaction(session):
        await session.execute(
            update(Broadcast).where(Broadcast.id == first).values(scheduled_at=datetime.now(UTC))
        )
    held = await fake.held_event(fault, timeout=20.0)
    fake.send_command(STAFF, "/broadcasts")
    listing = await fake.wait_message(STAFF, after=fake.sent_count(STAFF))
    assert f"#{first} · 📤 sending since" in (listing.text or "")
    fake.press(STAFF, listing, f"bcl:cancel:{first}")
    confirm = await fake.wait_message(STAFF, after=fake.sent_count(STAFF))
    fake.press(STAFF, confirm, f"bcl:cancel-yes:{first}")
    stopped = await fake.wait_message(STAFF, after=fake.sent_count(STAFF))
    assert stopped.text == (
        f"⛔ Announcement #{first} has been stopped: 5 families will not get it. "
        "Messages already sent cannot be taken back."
    )
    held.release()
    rows = await wait_for_db(
        sessions,
        lambda rows: len(rows) == len(FAMILIES) and all(r.state in FINAL_STATES for r in rows),
        20.0,
        bot_process,
    )
    assert Counter(r.state for r in rows) == {"sent": 3, "cancelled": 5}
    got = [c for c in FAMILIES if broadcasts_received(fake, c, FI_TEXT)]
    assert got == sorted(FAMILIES)[:3]

    def final_status() -> str | None:
        text = fake.message(STAFF, scheduled.message_id).text or ""
        return text if text.startswith(f"⛔ Announcement #{first} was cancelled.") else None

    final = await fake.wait_until(final_status, 10.0)
    assert "Sent: 3 · Blocked the bot: 0 · Failed: 0 · Unknown: 0" in final
    assert "Not sent because it was cancelled: 5" in final
    async with sessions() as session:
        row = await session.get(Broadcast, second)
        assert row is not None
        assert row.status == "cancelled"
    await bot_process.stop()


# --------------------------------------------------------------------------- faults


async def test_faults_nobody_twice_everyone_reachable_once_report_matches_server(
    fake: FakeTelegram,
    bot_env: dict[str, str],
    bot_process: BotProcess,
    database_url: str,
    db: AsyncEngine,
    tmp_path: Path,
) -> None:
    families = {8400 + n: ("fi", "en", "ar")[n % 3] for n in range(24)}
    await prepare(bot_env, database_url, tmp_path, families)
    register_chats(fake, families)
    fake.user(STAFF, language_code="en")
    fast(bot_env)
    chats = sorted(families)
    # Bursts of 429 (every sender pauses for retry_after), 403 for some chats, a 500, and a
    # response lost after Telegram accepted the message.
    for chat in chats[0:3]:
        fake.fail_429(retry_after=1, times=2, chat_id=chat, methods="sendMessage")
    blocked = set(chats[5:8])
    for chat in blocked:
        fake.fail_403(chat_id=chat, methods="sendMessage")
    fake.fail_5xx(502, chat_id=chats[10], methods="sendMessage")
    fake.lose_response(chat_id=chats[12], methods="sendMessage")
    await start_and_wait(bot_process, fake)

    _, summary = await compose(fake, ar="مرحبًا بكم في مقهى العائلة يوم الخميس!")
    fake.press(STAFF, summary, "bc:now:-")
    status = await fake.wait_message(STAFF)
    broadcast_id = int(re.findall(r"#(\d+)", status.text or "")[0])
    report = await wait_report(fake, broadcast_id)

    texts = (FI_TEXT, EN_TEXT, "مرحبًا بكم في مقهى العائلة يوم الخميس!")
    outcome: dict[int, str] = {}
    for chat in chats:
        calls = [c for c in fake.calls("sendMessage") if int(c.params["chat_id"]) == chat]
        stored = broadcasts_received(fake, chat, *texts)
        assert len(stored) <= 1, (chat, len(stored))  # nobody twice
        answered = [c.status for c in calls]
        if chat in blocked:
            assert answered == [403]
            outcome[chat] = "blocked"
        elif chat == chats[10]:
            assert answered == [502]  # never resent: it might have gone through
            outcome[chat] = "unknown"
        elif chat == chats[12]:
            assert answered == [200]
            assert calls[0].response_lost
            assert len(stored) == 1  # it arrived, although the bot never heard so
            outcome[chat] = "unknown"
        else:
            assert answered[-1] == 200
            assert len(stored) == 1  # every reachable family got it
            outcome[chat] = "sent"
    first = [c.status for c in fake.calls("sendMessage") if int(c.params["chat_id"]) == chats[0]]
    assert first == [429, 429, 200]  # retried after each retry_after
    server = Counter(outcome.values())
    assert report_counts(report) == {
        "sent": server["sent"],
        "blocked": server["blocked"],
        "failed": 0,
        "unknown": server["unknown"],
    }
    assert "Recipients: 24" in report
    # Families who blocked the bot are marked blocked and unsubscribed.
    async with db.connect() as conn:
        flagged = set((await conn.execute(select(User.user_id).where(User.blocked))).scalars())
        subscribed = set((await conn.execute(select(Subscription.user_id))).scalars())
    assert flagged == blocked
    assert subscribed == set(chats) - blocked

    # A family that blocks the bot (my_chat_member: kicked) is unsubscribed at once too.
    fake.block(chats[1])
    await fake.wait_confirmed(fake.updates()[-1].update_id)

    async def unsubscribed() -> bool:
        async with db.connect() as conn:
            rows = await conn.execute(
                select(Subscription.user_id).where(Subscription.user_id == chats[1])
            )
            return rows.first() is None

    loop = asyncio.get_running_loop()
    deadline = loop.time() + 10
    while not await unsubscribed():
        assert loop.time() < deadline, "the kicked family is still subscribed"
        await asyncio.sleep(0.05)  # polling the database, bounded by the deadline above
    await bot_process.stop()


async def test_sigkill_while_a_send_is_held_then_restart_finishes_without_duplicates(
    fake: FakeTelegram,
    bot_env: dict[str, str],
    bot_process: BotProcess,
    database_url: str,
    db: AsyncEngine,
    tmp_path: Path,
) -> None:
    await prepare(bot_env, database_url, tmp_path, FAMILIES)
    register_chats(fake, FAMILIES)
    fake.user(STAFF, language_code="en")
    # Four sends a second: the send after the held one is still waiting for its slot when the
    # bot dies, so one request is in flight.
    fast(bot_env, BROADCAST_RATE="4", WORKER_LEASE_SECONDS="2")
    await start_and_wait(bot_process, fake)
    held_chat = sorted(FAMILIES)[3]
    fault = fake.hold("sendMessage", chat_id=held_chat)

    _, summary = await compose(fake, en=None)
    fake.press(STAFF, summary, "bc:now:-")
    status = await fake.wait_message(STAFF)
    broadcast_id = int(re.findall(r"#(\d+)", status.text or "")[0])
    held = await fake.held_event(fault, timeout=20.0)
    await bot_process.kill()  # SIGKILL to the process group, with the request still open
    assert held.message is not None  # Telegram had accepted it
    fake.clear_faults()
    in_flight = {
        int(c.params["chat_id"])
        for c in fake.calls("sendMessage")
        if int(c.params["chat_id"]) in FAMILIES and (c.status is None or c.client_gone)
    }
    assert held_chat in in_flight

    await start_and_wait(bot_process, fake)
    report = await wait_report(fake, broadcast_id)
    sessions = make_sessionmaker(db)
    rows = await wait_for_db(
        sessions, lambda rows: all(r.state in FINAL_STATES for r in rows), 10.0, bot_process
    )
    unknown = {r.user_id for r in rows if r.state == "unknown"}
    assert unknown == in_flight  # one unknown at most per send in flight at the crash
    assert {r.user_id for r in rows if r.state == "sent"} == set(FAMILIES) - unknown
    for chat in FAMILIES:
        calls = [c for c in fake.calls("sendMessage") if int(c.params["chat_id"]) == chat]
        assert len(calls) == 1, (chat, len(calls))  # nobody twice, nobody resent
        assert len(broadcasts_received(fake, chat, FI_TEXT)) == 1
    assert report_counts(report) == {
        "sent": len(FAMILIES) - len(unknown),
        "blocked": 0,
        "failed": 0,
        "unknown": len(unknown),
    }
    await bot_process.stop()


# --------------------------------------------------------------------------- staff rights


async def test_staff_rights_invite_once_removal_and_everyone_else_refused(
    fake: FakeTelegram,
    bot_env: dict[str, str],
    bot_process: BotProcess,
    database_url: str,
    db: AsyncEngine,
    tmp_path: Path,
) -> None:
    family = 8601
    await prepare(bot_env, database_url, tmp_path, {family: "en"})
    register_chats(fake, {family: "en"})
    # A broadcast scheduled for tomorrow, which a forged press must not cancel.
    sessions = make_sessionmaker(db)
    async with sessions() as session:
        draft = BroadcastDraft(texts={"fi": FI_TEXT}, audience=AudienceKind.ALL)
        now = datetime.now(UTC)
        scheduled = await create_broadcast(session, draft, STAFF, now + timedelta(days=1), now)
    fast(bot_env)
    await start_and_wait(bot_process, fake)

    # Not staff: every staff command and (forged) staff button gets "not allowed", nothing else.
    for command in ("/broadcast", "/broadcasts", "/staff"):
        fake.send_command(family, command)
        assert (await fake.wait_message(family)).text == NOT_ALLOWED
    for data in (
        "bc:now:-",
        "bc:aud:all",
        f"bcl:cancel-yes:{scheduled.id}",
        "stf:invite:0",
        f"stf:remove-yes:{STAFF}",
    ):
        press = fake.press(family, 1, data, forged=True)
        answer = await fake.wait_callback_answer(press["callback_query"]["id"])
        assert (answer.text, answer.show_alert) == (NOT_ALLOWED, True)
    assert fake.sent_count(family) == 3  # the three refusals, nothing else

    # Staff create a one-time invite link for a person they name.
    fake.user(STAFF, language_code="en")
    fake.send_command(STAFF, "/staff")
    listing = await fake.wait_message(STAFF)
    assert listing.text == "Staff members: 1\n• id 900001 (you): from the STAFF_IDS setting"
    fake.press(STAFF, listing, "stf:invite:0")
    ask = await fake.wait_message(STAFF)
    assert (ask.text or "").startswith("Who is the invite for?")
    fake.send_text(STAFF, "Maria, Kotka")
    created = await fake.wait_message(STAFF)
    link = re.search(
        r"https://t\.me/valo_test_bot\?start=(staff-[A-Za-z0-9_-]+)", created.text or ""
    )
    assert link is not None, created.text
    payload = link.group(1)
    assert len(payload) <= 64
    assert "It works once and expires" in (created.text or "")

    maria, other = 8501, 8502
    fake.user(maria, language_code="fi")
    fake.send_command(maria, "/start", payload)
    welcome = await fake.wait_message(maria)
    assert (welcome.text or "").startswith("✅ Tervetuloa henkilökuntaan!")
    joined = await fake.wait_message(STAFF)
    assert joined.text == "✅ Maria, Kotka (id 8501) accepted your invite and is now staff."
    fake.send_command(maria, "/broadcast")
    assert ((await fake.wait_message(maria)).text or "").startswith("Uusi tiedote.")
    fake.send_command(maria, "/cancel")
    await fake.wait_message(maria)

    # Maria makes a spare invite for herself (the attack: keep a way back in after removal).
    fake.send_command(maria, "/staff")
    mine = await fake.wait_message(maria)
    fake.press(maria, mine, "stf:invite:0")
    ask = await fake.wait_message(maria)
    fake.press(maria, ask, "stf:skip:0")
    spare_text = (await fake.wait_message(maria)).text or ""
    spare = re.search(r"start=(staff-[A-Za-z0-9_-]+)", spare_text)
    assert spare is not None, spare_text

    # The same link a second time does not work; an invite is never a deep-link source.
    fake.user(other, language_code="en")
    fake.send_command(other, "/start", payload)
    refused = await fake.wait_message(other)
    assert refused.text == (
        "This invite link does not work: it has been used already, or it has expired "
        "(links work for 24 hours). Please ask a staff member for a new one."
    )
    fake.send_command(other, "/broadcast")
    assert (await fake.wait_message(other)).text == NOT_ALLOWED
    async with db.connect() as conn:
        assert (await conn.execute(select(DeepLinkCount.source))).scalars().all() == []
        staff = set((await conn.execute(select(User.user_id).where(User.staff))).scalars())
    assert staff == {STAFF, maria}

    # Removing Maria, with confirmation; STAFF_IDS staff cannot be removed in the bot.
    fake.send_command(STAFF, "/staff")
    listing = await fake.wait_message(STAFF)
    assert "• Maria, Kotka (id 8501): since" in (listing.text or "")
    pending = "Unused invite links: 1\n• for the new staff member, created by id 8501, works until"
    assert pending in (listing.text or "")
    assert listing.callback_data[:3] == [
        "stf:invite:0",
        f"stf:remove:{maria}",
        "stf:pro-invite:0",  # professionals (issue #25): tests/e2e/test_guide.py
    ]
    assert len(listing.callback_data) == 4
    assert listing.callback_data[3].startswith("stf:cancel:")
    fake.press(STAFF, listing, f"stf:remove:{maria}")
    confirm = await fake.wait_message(STAFF)
    assert (confirm.text or "").startswith("Remove staff rights from Maria, Kotka (id 8501)?")
    fake.press(STAFF, confirm, f"stf:remove-yes:{maria}")
    assert (await fake.wait_message(STAFF)).text == (
        "✅ Maria, Kotka (id 8501) is no longer staff.\n"
        "The unused invite link they created no longer works."
    )
    fake.send_command(maria, "/broadcast")
    assert (await fake.wait_message(maria)).text == "Anteeksi, tämä ei ole sallittua."
    # Her spare link, opened from another account, does not make anyone staff.
    helper = 8503
    fake.user(helper, language_code="en")
    fake.send_command(helper, "/start", spare.group(1))
    assert ((await fake.wait_message(helper)).text or "").startswith("This invite link does not")
    fake.send_command(helper, "/broadcast")
    assert (await fake.wait_message(helper)).text == NOT_ALLOWED

    # Staff cancel an invite they no longer want: its link stops working at once.
    fake.send_command(STAFF, "/staff")
    listing = await fake.wait_message(STAFF)
    fake.press(STAFF, listing, "stf:invite:0")
    await fake.wait_message(STAFF)
    fake.send_text(STAFF, "Pekka")
    created = await fake.wait_message(STAFF)
    unwanted = re.search(r"start=(staff-[A-Za-z0-9_-]+)", created.text or "")
    assert unwanted is not None
    fake.send_command(STAFF, "/staff")
    listing = await fake.wait_message(STAFF)
    assert "• for Pekka, created by id 900001" in (listing.text or "")
    [cancel] = [data for data in listing.callback_data if data.startswith("stf:cancel:")]
    fake.press(STAFF, listing, cancel)
    cancelled = await fake.wait_message(STAFF)
    assert (cancelled.text or "").startswith("✅ The invite is cancelled: its link no longer")
    assert "Unused invite links" not in (cancelled.text or "")
    fake.press(STAFF, listing, cancel)
    assert ((await fake.wait_message(STAFF)).text or "").startswith("That invite was used already")
    fake.send_command(helper, "/start", unwanted.group(1))
    assert ((await fake.wait_message(helper)).text or "").startswith("This invite link does not")
    fake.press(STAFF, listing, f"stf:remove-yes:{STAFF}", forged=True)
    assert (await fake.wait_message(STAFF)).text == (
        "id 900001 is staff through the STAFF_IDS setting. Ask the administrator to change "
        "the setting."
    )
    async with db.connect() as conn:
        status = await conn.scalar(select(Broadcast.status).where(Broadcast.id == scheduled.id))
        staff = set((await conn.execute(select(User.user_id).where(User.staff))).scalars())
    assert status == "scheduled"
    assert staff == {STAFF}
    await bot_process.stop()
