"""Broadcasts and staff rights in process, on a manual clock: Telegram HTML checks, audiences
and languages, scheduling, cancelling, progress and reports, staff invites (once, 24 hours).

The worker is the real one against the fake Bot API server; ``sweep(now)`` and
``BroadcastProgress.tick(now)`` are called with chosen times, so nothing here sleeps.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

import pytest
from aiogram import Bot
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.engine import write_transaction
from bot.db.models import Broadcast, StaffInvite, Subscription, User
from bot.db.staff import (
    INVITE_TTL,
    Redeemed,
    Revoked,
    cancel_invite,
    create_invite,
    invite_link,
    is_invite_payload,
    pending_invites,
    redeem_invite,
    revoke_staff,
    staff_members,
    token_hash,
)
from bot.delivery.broadcasts import (
    AudienceKind,
    BroadcastDraft,
    BroadcastProgress,
    CancelOutcome,
    Progress,
    Recipient,
    broadcast_renderer,
    cancel_broadcast,
    create_broadcast,
    forget_blocked_family,
    format_duration,
    language_groups,
    recipients,
    seconds_left,
    set_status_message,
    text_for,
)
from bot.delivery.clock import ManualClock
from bot.delivery.reminders import set_reminder
from bot.delivery.telegram_html import (
    MAX_MESSAGE_LENGTH,
    TelegramHtmlError,
    announcement_html,
    check_html,
)
from bot.delivery.worker import DeliveryWorker
from bot.emulator.telegram import FakeTelegram
from bot.events.upcoming import event_token
from bot.handlers.broadcast import remind_keyboard
from bot.i18n import I18n
from tests.conftest import REPO
from tests.delivery_support import (
    TZ,
    add_users,
    close_bot,
    event,
    import_events,
    instant_limiter,
    ledger,
    local,
    register_chats,
)

NOW = local("2027-03-01T12:00")
STAFF = 900
FAMILIES = {601: "fi", 602: "en", 603: "ar", 604: "ar", 605: "fi", 606: "en"}
TEXTS = {"fi": "<b>Tervetuloa</b> perhekahvilaan!", "en": "Welcome to the family café!"}
CAFE = event("cafe-day", "2027-03-10T10:00", "2027-03-10T12:00", title="Cafe Day")


@cache
def i18n() -> I18n:
    return I18n.load(REPO / "locales", TZ, strict=True)


async def subscribe(
    sessions: async_sessionmaker[AsyncSession], rows: list[tuple[int, str, str]]
) -> None:
    async with sessions() as session, write_transaction(session):
        for user_id, municipality, topic in rows:
            session.add(
                Subscription(
                    user_id=user_id, municipality=municipality, topic=topic, created_at=NOW
                )
            )


# --------------------------------------------------------------------------- Telegram HTML


@pytest.mark.parametrize(
    ("source", "msg_id"),
    [
        ("<div>hi</div>", "bc-html-unsupported"),
        ("<b>bold", "bc-html-unclosed"),
        ("bold</b>", "bc-html-unexpected-end"),
        ("<b><i>x</b></i>", "bc-html-wrong-end"),
        ('<a title="x">link</a>', "bc-html-link-without-address"),
        ('<span class="x">s</span>', "bc-html-unsupported"),
        ("<b x", "bc-html-broken-tag"),
        ("<b></b>  ", "bc-text-empty"),
    ],
)
def test_html_telegram_would_refuse_is_refused(source: str, msg_id: str) -> None:
    with pytest.raises(TelegramHtmlError) as caught:
        check_html(source)
    assert caught.value.msg_id == msg_id


def test_valid_html_is_kept_and_measured_as_telegram_does() -> None:
    checked = check_html('<b>Hei</b> &amp; <a href="https://x.fi">linkki</a> 😀')
    assert checked.html == '<b>Hei</b> &amp; <a href="https://x.fi">linkki</a> 😀'
    assert checked.text == "Hei & linkki 😀"
    assert checked.length == len("Hei & linkki ") + 2  # the emoji is two UTF-16 units
    # A bare "&" and a lone "<" are escaped, so any client reads the same text.
    assert check_html("a & b < c").html == "a &amp; b &lt; c"
    assert check_html('<tg-spoiler>x</tg-spoiler><span class="tg-spoiler">y</span>').text == "xy"
    assert check_html("<pre><code class='language-py'>1</code></pre>").text == "1"


def test_length_limit_counts_visible_text_only() -> None:
    fits = "<b>" + "x" * MAX_MESSAGE_LENGTH + "</b>"
    assert check_html(fits).length == MAX_MESSAGE_LENGTH
    with pytest.raises(TelegramHtmlError) as caught:
        check_html("😀" * (MAX_MESSAGE_LENGTH // 2 + 1))
    assert caught.value.msg_id == "bc-text-too-long"
    assert caught.value.details == {"length": MAX_MESSAGE_LENGTH + 2, "max": MAX_MESSAGE_LENGTH}


def test_typed_text_is_plain_unless_it_has_tags_or_formatting() -> None:
    assert announcement_html("Kahvia & pullaa <3", None).html == "Kahvia &amp; pullaa &lt;3"
    assert announcement_html("<i>Tervetuloa</i>", None).html == "<i>Tervetuloa</i>"
    # Formatting applied in the Telegram app arrives as HTML and is used as it is.
    assert announcement_html("<i>x</i>", "&lt;i&gt;x&lt;/i&gt;").text == "<i>x</i>"
    with pytest.raises(TelegramHtmlError):
        announcement_html("<marquee>x</marquee>", None)


# --------------------------------------------------------------------------- audiences


def test_language_fallback() -> None:
    assert text_for(TEXTS, "ar") == ("en", TEXTS["en"])
    assert text_for({"fi": "x"}, "ar") == ("fi", "x")
    assert text_for({"fi": "x"}, "en") == ("fi", "x")
    assert text_for({"fi": "x", "ar": "y"}, "ar") == ("ar", "y")
    assert text_for({"fi": "x"}, "sv") == ("fi", "x")


async def test_audiences(sessions: async_sessionmaker[AsyncSession]) -> None:
    await add_users(sessions, {**FAMILIES, 607: "fi", 608: "en"}, NOW)
    async with sessions() as session:
        await import_events(session, [CAFE], NOW)
    await subscribe(
        sessions,
        [
            (601, "285", "all"),  # Kotka, everything
            (602, "285", "art"),  # Kotka, art only
            (603, "all", "family-cafe"),  # the whole region, family cafés
            (604, "075", "all"),  # Hamina, everything
            (605, "075", "art"),
            (606, "285", "open-ecec"),
            (607, "285", "all"),  # blocked below: never a recipient
        ],
    )
    async with sessions() as session, write_transaction(session):
        await session.execute(update(User).where(User.user_id == 607).values(blocked=True))
        await session.execute(update(User).where(User.user_id == 606).values(locale=None))
    async with sessions() as session:
        for user_id in (602, 608):
            result = await set_reminder(
                session, user_id, "cafe-day", "2027-03-10T08:00Z", ["day-before"], TZ, NOW
            )
            assert result is not None

    async def who(kind: AudienceKind, arg: str | None = None) -> list[tuple[int, str]]:
        async with sessions() as session:
            found = await recipients(session, kind, arg, default_locale="fi")
        return [(r.user_id, r.locale) for r in found]

    everyone = [(601, "fi"), (602, "en"), (603, "ar"), (604, "ar"), (605, "fi"), (606, "fi")]
    assert await who(AudienceKind.ALL) == everyone
    assert await who(AudienceKind.MUNICIPALITY, "285") == [
        (601, "fi"),
        (602, "en"),
        (603, "ar"),
        (606, "fi"),
    ]
    assert await who(AudienceKind.TOPIC, "art") == [
        (601, "fi"),
        (602, "en"),
        (604, "ar"),
        (605, "fi"),
    ]
    assert await who(AudienceKind.EVENT, "cafe-day") == [(602, "en"), (608, "en")]

    groups = language_groups([Recipient(u, loc) for u, loc in everyone], {"fi": "x", "ar": "y"})
    assert [(g.locale, g.families, g.language, g.fallback) for g in groups] == [
        ("fi", 3, "fi", False),
        ("en", 1, "fi", True),
        ("ar", 2, "ar", False),
    ]


# --------------------------------------------------------------------------- sending


@dataclass
class World:
    fake: FakeTelegram
    bot: Bot
    sessions: async_sessionmaker[AsyncSession]
    clock: ManualClock
    worker: DeliveryWorker
    progress: BroadcastProgress

    async def broadcast(
        self,
        *,
        at: datetime | None = None,
        texts: dict[str, str] | None = None,
        event_id: str | None = None,
    ) -> int:
        draft = BroadcastDraft(texts=texts or TEXTS, audience=AudienceKind.ALL, event_id=event_id)
        async with self.sessions() as session:
            created = await create_broadcast(
                session, draft, STAFF, at or self.clock.now(), self.clock.now()
            )
        return created.id

    async def tick(self) -> list[int]:
        return await self.progress.tick(self.clock.now())

    async def row(self, broadcast_id: int) -> Broadcast:
        async with self.sessions() as session:
            found = await session.get(Broadcast, broadcast_id)
            assert found is not None
            return found


@pytest.fixture
async def world(
    fake: FakeTelegram, sessions: async_sessionmaker[AsyncSession]
) -> AsyncIterator[World]:
    await add_users(sessions, {**FAMILIES, STAFF: "en"}, NOW)
    register_chats(fake, {**FAMILIES, STAFF: "en"})
    await subscribe(sessions, [(u, "285", "all") for u in FAMILIES])
    async with sessions() as session:
        await import_events(session, [CAFE], NOW)
    bot = fake.bot()
    clock = ManualClock(NOW)
    worker = DeliveryWorker(
        bot=bot,
        sessions=sessions,
        i18n=i18n(),
        default_locale="fi",
        limiter=instant_limiter(),
        clock=clock,
        renderers={"broadcast": broadcast_renderer(remind_keyboard)},
        lease=timedelta(seconds=30),
    )
    progress = BroadcastProgress(
        bot=bot,
        sessions=sessions,
        i18n=i18n(),
        default_locale="fi",
        clock=clock,
        rate_cap=25.0,
        every=timedelta(seconds=5),
    )
    try:
        yield World(fake, bot, sessions, clock, worker, progress)
    finally:
        await close_bot(bot)


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as server:
        yield server


async def test_each_family_gets_its_language_once_with_the_remind_button(world: World) -> None:
    broadcast_id = await world.broadcast(event_id="cafe-day")
    assert await world.tick() == [broadcast_id]
    rows = await ledger(world.sessions)
    assert sorted(r.user_id for r in rows) == sorted(FAMILIES)
    assert {r.dedup_key for r in rows} == {f"broadcast:{broadcast_id}:{u}" for u in FAMILIES}

    report = await world.worker.sweep(NOW)
    assert report.outcomes == {"sent": len(FAMILIES)}
    expected = {"fi": "Tervetuloa perhekahvilaan!", "en": TEXTS["en"], "ar": TEXTS["en"]}
    token = event_token("cafe-day")
    for user_id, locale in FAMILIES.items():
        [message] = world.fake.messages(user_id)
        assert message.text == expected[locale]
        assert message.params["parse_mode"] == "HTML"
        assert message.callback_data == [f"evr:{token}:-:-"]
        assert message.buttons[0]["text"] == i18n()[locale]("event-remind-me")

    # Nothing more: a second start and a second sweep find nothing to do.
    assert await world.tick() == []
    assert (await world.worker.sweep(NOW)).claimed == 0
    assert all(len(world.fake.messages(u)) == 1 for u in FAMILIES)


async def test_a_scheduled_broadcast_starts_at_its_time_and_resolves_recipients_then(
    world: World,
) -> None:
    at = NOW + timedelta(hours=2)
    broadcast_id = await world.broadcast(at=at)
    world.clock.set(at - timedelta(seconds=1))
    assert await world.tick() == []
    assert await ledger(world.sessions) == []
    # A family subscribing before the start is a recipient; one who blocked the bot is not.
    await add_users(world.sessions, {610: "fi"}, NOW)
    register_chats(world.fake, {610: "fi"})
    await subscribe(world.sessions, [(610, "all", "all")])
    async with world.sessions() as session:
        await forget_blocked_family(session, 606, NOW)

    world.clock.set(at)
    assert await world.tick() == [broadcast_id]
    row = await world.row(broadcast_id)
    assert (row.status, row.started_at, row.recipients) == ("sending", at, len(FAMILIES))
    assert sorted(r.user_id for r in await ledger(world.sessions)) == sorted(
        {*FAMILIES, 610} - {606}
    )
    assert all(r.due_at == at for r in await ledger(world.sessions))


async def test_progress_is_shown_at_most_every_interval_then_the_report(world: World) -> None:
    broadcast_id = await world.broadcast()
    status = await world.bot.send_message(STAFF, "starting")
    async with world.sessions() as session:
        await set_status_message(session, broadcast_id, STAFF, status.message_id)
    await world.tick()  # starts it and shows the first progress
    message = world.fake.message(STAFF, status.message_id)
    assert message.text is not None
    assert message.text.startswith(f"📤 Announcement #{broadcast_id} is being sent.")
    assert f"Still to send: {len(FAMILIES)} of {len(FAMILIES)}" in message.text
    edits = len(message.history)

    world.fake.fail_403(chat_id=603)
    world.fake.fail_5xx(chat_id=604)
    world.worker.batch = 2
    await world.worker.sweep(NOW)  # two of six
    world.clock.advance(timedelta(seconds=4))
    await world.tick()
    assert len(world.fake.message(STAFF, status.message_id).history) == edits  # too soon
    world.clock.advance(timedelta(seconds=1))
    await world.tick()
    message = world.fake.message(STAFF, status.message_id)
    assert len(message.history) == edits + 1
    assert "Still to send: 4 of 6" in (message.text or "")

    world.worker.batch = 200
    await world.worker.sweep(world.clock.now())
    await world.tick()
    row = await world.row(broadcast_id)
    assert row.status == "done"
    assert row.report == {"sent": 4, "blocked": 1, "failed": 0, "unknown": 1, "cancelled": 0}
    assert row.reported_at == world.clock.now()
    final = world.fake.message(STAFF, status.message_id).text or ""
    assert final.startswith(f"✅ Announcement #{broadcast_id} is finished.")
    assert "Sent: 4 · Blocked the bot: 1 · Failed: 0 · Unknown: 1" in final
    # The report is also a new message, so the author is notified, and it is sent once.
    assert world.fake.last_message(STAFF).text == final
    count = world.fake.sent_count(STAFF)
    await world.tick()
    assert world.fake.sent_count(STAFF) == count
    # The blocked family is unsubscribed by the worker's on_blocked hook in the app; here the
    # worker has none, and the user is marked blocked.
    async with world.sessions() as session:
        assert await session.scalar(select(User.blocked).where(User.user_id == 603))


async def test_a_report_that_could_not_be_sent_is_retried(world: World) -> None:
    broadcast_id = await world.broadcast()
    await world.tick()
    await world.worker.sweep(NOW)
    world.fake.fail_5xx(chat_id=STAFF, times=1, methods="sendMessage")
    await world.tick()  # finishes; the status message (a new one) fails with 500
    row = await world.row(broadcast_id)
    assert row.finished_at is not None
    assert row.reported_at is None
    world.clock.advance(timedelta(seconds=1))
    await world.tick()
    assert (await world.row(broadcast_id)).reported_at is not None
    texts = [m.text or "" for m in world.fake.messages(STAFF)]
    assert sum(t.startswith(f"✅ Announcement #{broadcast_id} is finished.") for t in texts) == 2
    # (the status message and the report: the failed attempt stored nothing)


async def test_cancel_a_scheduled_broadcast(world: World) -> None:
    broadcast_id = await world.broadcast(at=NOW + timedelta(hours=1))
    async with world.sessions() as session:
        assert await cancel_broadcast(session, broadcast_id, NOW) == (CancelOutcome.CANCELLED, 0)
        assert await cancel_broadcast(session, broadcast_id, NOW) == (CancelOutcome.TOO_LATE, 0)
        assert await cancel_broadcast(session, 999, NOW) == (CancelOutcome.UNKNOWN, 0)
    world.clock.set(NOW + timedelta(hours=2))
    assert await world.tick() == []
    assert await ledger(world.sessions) == []
    assert (await world.row(broadcast_id)).status == "cancelled"


async def test_cancel_a_running_broadcast_withdraws_even_claimed_rows(world: World) -> None:
    broadcast_id = await world.broadcast()
    await world.tick()
    world.worker.batch = 2
    assert (await world.worker.sweep(NOW)).outcomes == {"sent": 2}
    # Another worker has claimed two rows and not begun to send them.
    claimed = await world.worker.ledger.claim(NOW, "other-worker", timedelta(seconds=30), 2)
    async with world.sessions() as session:
        outcome = await cancel_broadcast(session, broadcast_id, NOW)
    assert outcome == (CancelOutcome.STOPPED, len(FAMILIES) - 2)
    for row in claimed:
        assert not await world.worker.ledger.attempt(row.id, "other-worker", NOW)
    assert (await world.worker.sweep(NOW)).claimed == 0
    assert sum(len(world.fake.messages(u)) for u in FAMILIES) == 2
    await world.tick()
    row = await world.row(broadcast_id)
    assert row.status == "cancelled"
    assert row.report == {"sent": 2, "blocked": 0, "failed": 0, "unknown": 0, "cancelled": 4}


async def test_family_blocking_the_bot_is_unsubscribed_and_skipped(world: World) -> None:
    await world.broadcast(at=NOW + timedelta(minutes=1))
    async with world.sessions() as session:
        await forget_blocked_family(session, 601, NOW)
        subscribed = await session.scalar(
            select(Subscription.user_id).where(Subscription.user_id == 601)
        )
        assert subscribed is None
    world.clock.advance(timedelta(minutes=1))
    await world.tick()
    assert 601 not in {r.user_id for r in await ledger(world.sessions)}


def test_time_left_uses_the_achieved_rate_but_never_beats_the_cap() -> None:
    progress = Progress(sent=100, remaining=500)
    assert seconds_left(progress, 0.0, 25.0) == 20.0  # no rate known yet: the cap
    assert seconds_left(progress, 10.0, 25.0) == 50.0  # 10/s achieved
    assert seconds_left(progress, 2.0, 25.0) == 20.0  # 50/s measured, but the cap is 25/s
    assert format_duration(20.0) == "0:20"
    assert format_duration(61.2) == "1:02"
    assert format_duration(3725) == "1:02:05"


async def test_renderer_reads_a_broadcast_once(world: World) -> None:
    broadcast_id = await world.broadcast()
    await world.tick()
    async with world.sessions() as session, write_transaction(session):
        # Texts never change after creation; the renderer's copy is what goes out.
        await session.execute(
            update(Broadcast).where(Broadcast.id == broadcast_id).values(texts={"fi": "muutettu"})
        )
    render = world.worker.renderers["broadcast"]
    rows = await world.worker.ledger.claim(NOW, "w", timedelta(seconds=30), 1)
    first = await render(world.sessions, rows[0], i18n()["fi"])
    assert first is not None
    # The first read was after the change: this test checks it is then cached.
    async with world.sessions() as session, write_transaction(session):
        await session.execute(
            update(Broadcast).where(Broadcast.id == broadcast_id).values(texts={"fi": "taas"})
        )
    again = await render(world.sessions, rows[0], i18n()["fi"])
    assert again is not None
    assert again.text == first.text == "muutettu"


# --------------------------------------------------------------------------- staff invites


async def make_staff(sessions: async_sessionmaker[AsyncSession], *user_ids: int) -> None:
    async with sessions() as session, write_transaction(session):
        await session.execute(update(User).where(User.user_id.in_(user_ids)).values(staff=True))


async def test_an_invite_works_once(sessions: async_sessionmaker[AsyncSession]) -> None:
    await add_users(sessions, {STAFF: "fi", 701: "en", 702: "ar"}, NOW)
    await make_staff(sessions, STAFF)
    async with sessions() as session:
        invite = await create_invite(session, STAFF, "  Maria, Kotka  ", NOW)
        payload = f"staff-{invite.token}"
        assert is_invite_payload(payload)
        assert len(payload) <= 64
        assert invite_link("valo_bot", invite.token) == f"https://t.me/valo_bot?start={payload}"
        assert invite.expires_at == NOW + INVITE_TTL
        stored = (await session.execute(select(StaffInvite))).scalar_one()
        assert stored.token_hash == token_hash(invite.token)
        assert invite.token not in str(stored.__dict__)

        first = await redeem_invite(session, payload, 701, NOW + timedelta(hours=1))
        assert (first.outcome, first.created_by, first.label) == (
            Redeemed.JOINED,
            STAFF,
            "Maria, Kotka",
        )
        again = await redeem_invite(session, payload, 702, NOW + timedelta(hours=1))
        assert again.outcome is Redeemed.INVALID
        assert (await redeem_invite(session, "staff-forged", 702, NOW)).outcome is Redeemed.INVALID
        members = await staff_members(session, frozenset())
    assert [(m.user_id, m.label, m.invited_by) for m in members] == [
        (701, "Maria, Kotka", STAFF),
        (STAFF, None, None),  # not in STAFF_IDS here, and no invite: listed last
    ]


async def test_an_invite_expires_after_24_hours(sessions: async_sessionmaker[AsyncSession]) -> None:
    await add_users(sessions, {STAFF: "fi", 701: "en"}, NOW)
    await make_staff(sessions, STAFF)
    clock = ManualClock(NOW)
    async with sessions() as session:
        invite = await create_invite(session, STAFF, None, clock.now())
        clock.advance(INVITE_TTL)
        result = await redeem_invite(session, f"staff-{invite.token}", 701, clock.now())
        assert result.outcome is Redeemed.INVALID
        assert not await session.scalar(select(User.staff).where(User.user_id == 701))
        # A moment earlier it would have worked.
        fresh = await create_invite(session, STAFF, None, clock.now())
        clock.advance(INVITE_TTL - timedelta(seconds=1))
        ok = await redeem_invite(session, f"staff-{fresh.token}", 701, clock.now())
        assert ok.outcome is Redeemed.JOINED


async def test_staff_already_do_not_use_up_an_invite(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    await add_users(sessions, {STAFF: "fi", 701: "en"}, NOW)
    await make_staff(sessions, STAFF)
    async with sessions() as session:
        invite = await create_invite(session, STAFF, None, NOW)
        payload = f"staff-{invite.token}"
        assert (await redeem_invite(session, payload, STAFF, NOW)).outcome is Redeemed.ALREADY_STAFF
        assert (await redeem_invite(session, payload, 701, NOW)).outcome is Redeemed.JOINED


async def test_revoking_staff_rights(sessions: async_sessionmaker[AsyncSession]) -> None:
    await add_users(sessions, {STAFF: "fi", 701: "en", 702: "ar"}, NOW)
    async with sessions() as session, write_transaction(session):
        await session.execute(update(User).values(staff=True))
    bootstrap = frozenset({STAFF})
    async with sessions() as session:
        outcomes = [
            (await revoke_staff(session, user, by, bootstrap, NOW)).outcome
            for user, by in ((STAFF, 701), (701, 701), (702, 701), (702, 701))
        ]
        members = await staff_members(session, bootstrap)
    assert outcomes == [Revoked.BOOTSTRAP, Revoked.SELF, Revoked.REVOKED, Revoked.NOT_STAFF]
    assert [(m.user_id, m.bootstrap) for m in members] == [(STAFF, True), (701, False)]


async def test_a_removed_staff_member_cannot_come_back_through_a_spare_invite(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    """The attack: make a spare invite, get removed, open it from another account."""
    await add_users(sessions, {STAFF: "fi", 701: "en", 702: "en", 703: "en"}, NOW)
    await make_staff(sessions, STAFF, 701)
    later = NOW + timedelta(minutes=5)
    async with sessions() as session:
        spare = await create_invite(session, 701, "my other phone", NOW)
        spare_two = await create_invite(session, 701, None, NOW)
        others = await create_invite(session, STAFF, "Pekka", NOW)
        removed = await revoke_staff(session, 701, STAFF, frozenset({STAFF}), later)
        assert (removed.outcome, removed.invites_expired) == (Revoked.REVOKED, 2)
        for invite in (spare, spare_two):
            result = await redeem_invite(session, f"staff-{invite.token}", 702, later)
            assert result.outcome is Redeemed.INVALID
        # Another staff member's invite is not affected.
        kept = await redeem_invite(session, f"staff-{others.token}", 703, later)
        assert kept.outcome is Redeemed.JOINED
        staff = set((await session.execute(select(User.user_id).where(User.staff))).scalars())
    assert staff == {STAFF, 703}


async def test_an_invite_works_only_while_its_creator_is_staff(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    """Rights lost another way (STAFF_IDS changed, the flag cleared) end the invites too."""
    await add_users(sessions, {STAFF: "fi", 701: "en", 702: "en"}, NOW)
    await make_staff(sessions, 701)
    async with sessions() as session:
        invite = await create_invite(session, 701, None, NOW)
        async with write_transaction(session):
            await session.execute(update(User).where(User.user_id == 701).values(staff=False))
        payload = f"staff-{invite.token}"
        assert (await redeem_invite(session, payload, 702, NOW)).outcome is Redeemed.INVALID
        assert not await session.scalar(select(User.staff).where(User.user_id == 702))
        # Still unused: had the creator been staff again, it would work.
        async with write_transaction(session):
            await session.execute(update(User).where(User.user_id == 701).values(staff=True))
        assert (await redeem_invite(session, payload, 702, NOW)).outcome is Redeemed.JOINED


async def test_pending_invites_are_listed_and_can_be_cancelled(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    await add_users(sessions, {STAFF: "fi", 701: "en"}, NOW)
    await make_staff(sessions, STAFF)
    async with sessions() as session:
        first = await create_invite(session, STAFF, "Maria", NOW)
        second = await create_invite(session, STAFF, None, NOW + timedelta(hours=1))
        used = await create_invite(session, STAFF, "used", NOW)
        await redeem_invite(session, f"staff-{used.token}", 701, NOW)
        await create_invite(session, STAFF, "expired", NOW - INVITE_TTL)
        pending = await pending_invites(session, NOW + timedelta(minutes=1))
        assert [(p.label, p.created_by) for p in pending] == [("Maria", STAFF), (None, STAFF)]
        assert await cancel_invite(session, pending[0].id, NOW + timedelta(minutes=2))
        assert not await cancel_invite(session, pending[0].id, NOW + timedelta(minutes=3))
        after = await pending_invites(session, NOW + timedelta(minutes=3))
        assert [p.label for p in after] == [None]
        gone = await redeem_invite(session, f"staff-{first.token}", 701, NOW + timedelta(minutes=3))
        assert gone.outcome is Redeemed.ALREADY_STAFF  # 701 joined through "used"
        async with write_transaction(session):
            await session.execute(update(User).where(User.user_id == 701).values(staff=False))
        gone = await redeem_invite(session, f"staff-{first.token}", 701, NOW + timedelta(minutes=3))
        assert gone.outcome is Redeemed.INVALID
        ok = await redeem_invite(session, f"staff-{second.token}", 701, NOW + timedelta(minutes=3))
        assert ok.outcome is Redeemed.JOINED


async def test_delete_keeps_the_broadcasts_and_takes_the_invite_the_person_accepted(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    from bot.db.personal_data import erase_user, export_user_data, personal_tables

    names = {table.name for table in personal_tables()}
    assert "broadcasts" not in names  # author_id: the organisation's record
    assert "staff_invites" in names  # user_id: who accepted it (the label may be their name)
    await add_users(sessions, {STAFF: "fi", 701: "en", 702: "en"}, NOW)
    await make_staff(sessions, STAFF)
    async with sessions() as session:
        draft = BroadcastDraft(texts={"fi": "x"}, audience=AudienceKind.ALL)
        created = await create_broadcast(session, draft, STAFF, NOW, NOW)
        accepted = await create_invite(session, STAFF, "Maria", NOW)
        await redeem_invite(session, f"staff-{accepted.token}", 701, NOW)
        by_maria = await create_invite(session, 701, "Pekka", NOW)
        await redeem_invite(session, f"staff-{by_maria.token}", 702, NOW)
        exported = await export_user_data(session, 701)
        # The invite she accepted, and the one she made (a staff record carrying her id).
        assert [row["label"] for row in exported["staff_invites"]] == ["Maria", "Pekka"]
        assert "broadcasts" not in exported  # written by STAFF, not by her
        assert [row["id"] for row in (await export_user_data(session, STAFF))["broadcasts"]] == [
            created.id
        ]

        await erase_user(session, STAFF)
        await erase_user(session, 701)
        assert await session.get(Broadcast, created.id) is not None
        labels = (await session.execute(select(StaffInvite.label))).scalars().all()
    assert labels == ["Pekka"]  # the invite Maria accepted went with her; hers to Pekka stays
