"""Staff broadcasts: an announcement in up to three languages, sent once to every family in
its audience through the delivery ledger.

A broadcast is created ``scheduled`` (sending now is scheduling for now). When its time has
come, :func:`start_due_broadcasts` marks it ``sending`` (only one starter wins), and
:func:`enqueue_started` writes one ledger row per family (dedup key
``broadcast:<id>:<user>``) in chunks by user id, each chunk committed together with the
broadcast's cursor, so a big audience never holds the database's write lock for long and a
crash mid-way resumes at the cursor with no family enqueued twice. A family who joins the
audience while it is being enqueued is reached if their user id is past the cursor.
From then on the ledger is the only truth: the worker sends the rows under the global rate
limit, a restart resumes from them, and progress and the final report are counts of them
(taken once every recipient is enqueued).

Audiences (who is a "subscriber" is decided by ``bot.delivery.subscriptions``):

- ``all``: every family with any news subscription;
- ``municipality``: families following that municipality, or the whole region, any topic;
- ``topic``: families following the topic, or everything, anywhere
  (:func:`bot.delivery.subscriptions.subscribers`);
- ``event``: families with a reminder for that event.

Families who blocked the bot are never recipients. Each family receives the text in its own
language; a missing English text falls back to Finnish, a missing Arabic text to English, then
Finnish (:data:`FALLBACK`).
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from aiogram import Bot
from aiogram.enums import ParseMode
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError
from aiogram.types import InlineKeyboardMarkup
from pydantic import BaseModel, Field
from sqlalchemy import ColumnElement, and_, case, exists, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import SUPPORTED_LOCALES, Locale
from bot.db.engine import write_transaction
from bot.db.models import Broadcast, Delivery, Reminder, User
from bot.db.staff import user_locale
from bot.delivery.clock import Clock
from bot.delivery.ledger import (
    Claimed,
    DeliveryLedger,
    State,
    cancel_pending,
    enqueue_each,
)
from bot.delivery.subscriptions import ALL, subscribed, unsubscribe
from bot.delivery.worker import Outgoing, Renderer
from bot.i18n import I18n, Translator

log = logging.getLogger(__name__)

KIND = "broadcast"
# Who reads which text when theirs is missing (Finnish is always written).
FALLBACK: dict[str, tuple[Locale, ...]] = {
    "fi": ("fi",),
    "en": ("en", "fi"),
    "ar": ("ar", "en", "fi"),
}
RECENT = 10
# Recipients enqueued per write transaction: on SQLite a family's write waits for at most one
# chunk. 50,000 recipients cost 0.3 s of CPU (process and SQLite) in chunks of 5,000, 0.5 s
# in chunks of 1,000 and 0.8 s in chunks of 500: the cost per chunk is mostly the commit.
ENQUEUE_CHUNK = 1000


class Status(StrEnum):
    """A broadcast's life: scheduled, sending (rows in the ledger), then done or cancelled."""

    SCHEDULED = "scheduled"
    SENDING = "sending"
    DONE = "done"
    CANCELLED = "cancelled"


class AudienceKind(StrEnum):
    """Who a broadcast is for (see the module docstring)."""

    ALL = "all"
    MUNICIPALITY = "municipality"
    TOPIC = "topic"
    EVENT = "event"


class BroadcastDraft(BaseModel):
    """What a staff member has written and chosen so far (kept in the dialog's FSM data)."""

    texts: dict[str, str] = Field(default_factory=dict)  # locale -> checked Telegram HTML
    audience: AudienceKind | None = None
    audience_arg: str | None = None  # municipality code, topic or event id
    event_id: str | None = None  # attached: the message carries its "Remind me" button

    def complete(self) -> bool:
        """Finnish text and an audience (with its argument where one is needed)."""
        if "fi" not in self.texts or self.audience is None:
            return False
        return self.audience is AudienceKind.ALL or bool(self.audience_arg)


def ref(broadcast_id: int) -> str:
    """The ledger ``ref`` of a broadcast's rows."""
    return f"{KIND}:{broadcast_id}"


def text_for(texts: Mapping[str, str], locale: str) -> tuple[Locale, str]:
    """The text a family using ``locale`` receives, and the language it is in."""
    for language in FALLBACK.get(locale, ("fi",)):
        if texts.get(language):
            return language, texts[language]
    raise ValueError("a broadcast needs its Finnish text")


# ------------------------------------------------------------------ recipients


@dataclass(frozen=True)
class Recipient:
    """A family a broadcast reaches, and the language it reads."""

    user_id: int
    locale: str


def audience_of(audience: AudienceKind, arg: str | None) -> ColumnElement[bool]:
    """The ``users`` rows a broadcast reaches: not blocked, and in its audience."""
    reached: ColumnElement[bool]
    if audience is AudienceKind.EVENT:
        reached = exists().where(Reminder.user_id == User.user_id, Reminder.event_id == (arg or ""))
    elif audience is AudienceKind.TOPIC:
        reached = subscribed(ALL, arg or "")
    elif audience is AudienceKind.MUNICIPALITY:
        reached = subscribed(arg or "", None)
    else:
        reached = subscribed(ALL, None)
    return and_(User.blocked.is_(False), reached)


async def recipients(
    session: AsyncSession,
    audience: AudienceKind,
    arg: str | None,
    *,
    default_locale: str,
) -> list[Recipient]:
    """The families a broadcast reaches right now, each once, sorted by user id."""
    rows = await session.execute(
        select(User.user_id, User.locale).where(audience_of(audience, arg)).order_by(User.user_id)
    )
    return [Recipient(user_id, locale or default_locale) for user_id, locale in rows.all()]


@dataclass(frozen=True)
class LanguageGroup:
    """Families using ``locale``: how many, and the language of the text they receive."""

    locale: Locale
    families: int
    language: Locale

    @property
    def fallback(self) -> bool:
        return self.language != self.locale


def language_groups(found: Sequence[Recipient], texts: Mapping[str, str]) -> list[LanguageGroup]:
    """Recipients per language, for every supported language, in their usual order."""
    counts = Counter(r.locale for r in found)
    return [
        LanguageGroup(locale, counts.get(locale, 0), text_for(texts, locale)[0])
        for locale in SUPPORTED_LOCALES
    ]


# ------------------------------------------------------------------ rendering

# (event id, the reader's translator) -> the "Remind me" keyboard; built by the events feature.
RemindMarkup = Callable[[str, Translator], InlineKeyboardMarkup]


def render_announcement(
    texts: Mapping[str, str],
    event_id: str | None,
    t: Translator,
    remind_markup: RemindMarkup,
) -> Outgoing:
    """The message exactly as a family using ``t.locale`` receives it (also the preview).

    A text in the reader's right-to-left language has its left-to-right runs (a phone
    number, a link staff typed) isolated; a fallback text in another language is sent as is.
    """
    language, text = text_for(texts, t.locale)
    if language == t.locale:
        text = t.isolate(text)  # idempotent: texts checked since isolation are isolated already
    markup = remind_markup(event_id, t) if event_id else None
    return Outgoing(text, ParseMode.HTML, markup)


@dataclass(frozen=True)
class _Announcement:
    texts: dict[str, str]
    event_id: str | None


def broadcast_renderer(remind_markup: RemindMarkup, cache_size: int = 64) -> Renderer:
    """The worker's renderer for ``broadcast`` rows: the broadcast's text in the reader's
    language. A broadcast's texts never change once it exists, so they are read once."""
    cache: dict[int, _Announcement] = {}

    async def render(
        sessions: async_sessionmaker[AsyncSession], row: Claimed, t: Translator
    ) -> Outgoing | None:
        broadcast_id = int(row.payload["broadcast"])
        announcement = cache.get(broadcast_id)
        if announcement is None:
            async with sessions() as session:
                stored = await session.get(Broadcast, broadcast_id)
            if stored is None:
                return None
            announcement = _Announcement(dict(stored.texts), stored.event_id)
            if len(cache) >= cache_size:
                cache.clear()
            cache[broadcast_id] = announcement
        return render_announcement(announcement.texts, announcement.event_id, t, remind_markup)

    return render


# ------------------------------------------------------------------ the broadcast's life


async def create_broadcast(
    session: AsyncSession,
    draft: BroadcastDraft,
    author_id: int,
    at: datetime,
    now: datetime,
) -> Broadcast:
    """Store a complete draft as a broadcast scheduled for ``at`` (``now``: send now)."""
    if not draft.complete():
        raise ValueError("a broadcast needs a Finnish text and an audience")
    assert draft.audience is not None
    broadcast = Broadcast(
        author_id=author_id,
        texts=dict(draft.texts),
        audience=draft.audience.value,
        audience_arg=draft.audience_arg,
        event_id=draft.event_id,
        status=Status.SCHEDULED.value,
        created_at=now,
        scheduled_at=max(at, now),
    )
    async with write_transaction(session):
        session.add(broadcast)
    return broadcast


async def set_status_message(
    session: AsyncSession, broadcast_id: int, chat_id: int, message_id: int
) -> None:
    """Remember the staff message that shows the broadcast's progress."""
    async with write_transaction(session):
        await session.execute(
            update(Broadcast)
            .where(Broadcast.id == broadcast_id)
            .values(status_chat_id=chat_id, status_message_id=message_id)
        )


async def start_due_broadcasts(session: AsyncSession, now: datetime) -> list[int]:
    """Mark every scheduled broadcast whose time has come as sending; returns their ids.
    Their ledger rows are written next, by :func:`enqueue_started`."""
    due = await session.execute(
        select(Broadcast.id)
        .where(Broadcast.status == Status.SCHEDULED.value, Broadcast.scheduled_at <= now)
        .order_by(Broadcast.scheduled_at, Broadcast.id)
    )
    started = []
    for broadcast_id in list(due.scalars()):
        async with write_transaction(session):
            # Only the first starter wins; the rest see it started and do nothing.
            claimed = await session.execute(
                update(Broadcast)
                .where(Broadcast.id == broadcast_id, Broadcast.status == Status.SCHEDULED.value)
                .values(status=Status.SENDING.value, started_at=now, recipients=0)
                .returning(Broadcast.id)
            )
        if claimed.first() is not None:
            started.append(broadcast_id)
    return started


async def enqueue_started(
    session: AsyncSession, now: datetime, *, chunk: int = ENQUEUE_CHUNK
) -> None:
    """Write the ledger rows of every started broadcast not fully enqueued yet: ``chunk``
    recipients per write transaction, in user id order, each committed with the broadcast's
    cursor (``enqueued_through``). A big audience then never holds SQLite's write lock for
    long (families' writes take turns with the chunks), and after a crash the next worker
    carries on from the cursor; the ledger's ``dedup_key`` (``broadcast:<id>:<user>``) would
    refuse a second row for a family anyway."""
    pending = await session.execute(
        select(Broadcast.id)
        .where(Broadcast.status == Status.SENDING.value, Broadcast.enqueued_at.is_(None))
        .order_by(Broadcast.id)
    )
    for broadcast_id in list(pending.scalars()):
        while not await enqueue_chunk(session, broadcast_id, now, chunk):
            pass


async def enqueue_chunk(
    session: AsyncSession, broadcast_id: int, now: datetime, chunk: int
) -> bool:
    """Enqueue the next ``chunk`` recipients of a started broadcast in one write transaction;
    returns whether its enqueueing is over (every recipient has a row, or it was stopped)."""
    async with write_transaction(session):
        # FOR UPDATE (PostgreSQL): chunks and a cancel of one broadcast take turns.
        found = await session.execute(
            select(
                Broadcast.status,
                Broadcast.audience,
                Broadcast.audience_arg,
                Broadcast.enqueued_through,
                Broadcast.enqueued_at,
            )
            .where(Broadcast.id == broadcast_id)
            .with_for_update()
        )
        row = found.one()
        if row.enqueued_at is not None:
            return True
        if row.status != Status.SENDING.value:  # cancelled meanwhile: nothing more to write
            await _set(session, broadcast_id, enqueued_at=now, enqueued_through=None)
            return True
        reached = audience_of(AudienceKind(row.audience), row.audience_arg)
        if row.enqueued_through is not None:
            reached = and_(reached, User.user_id > row.enqueued_through)
        # The ids first (at most ``chunk`` small integers), then the rows from them: one
        # plan on every backend, and the rows written are exactly the ids counted.
        ids = list(
            (
                await session.execute(
                    select(User.user_id).where(reached).order_by(User.user_id).limit(chunk)
                )
            ).scalars()
        )
        if ids:
            await enqueue_each(
                session,
                select(User.user_id).where(User.user_id.in_(ids)),
                kind=KIND,
                ref=ref(broadcast_id),
                dedup_prefix=f"{KIND}:{broadcast_id}:",
                payload={"broadcast": broadcast_id},
                due_at=now,
                now=now,
            )
        done = len(ids) < chunk
        await _set(
            session,
            broadcast_id,
            # The cursor is a family's Telegram id: kept only while it is needed, so a
            # finished announcement names no family (/delete could not erase it there).
            enqueued_through=None if done else ids[-1] if ids else row.enqueued_through,
            recipients=Broadcast.recipients + len(ids),
            enqueued_at=now if done else None,
        )
    return done


async def _set(session: AsyncSession, broadcast_id: int, **values: Any) -> None:
    await session.execute(update(Broadcast).where(Broadcast.id == broadcast_id).values(**values))


class CancelOutcome(StrEnum):
    """What cancelling did."""

    CANCELLED = "cancelled"  # it had not started: nobody gets it
    STOPPED = "stopped"  # it was sending: the families not yet sent to will not get it
    TOO_LATE = "too-late"  # it had finished (or was cancelled already)
    UNKNOWN = "unknown"


async def cancel_broadcast(
    session: AsyncSession, broadcast_id: int, now: datetime
) -> tuple[CancelOutcome, int]:
    """Cancel a scheduled or running broadcast; returns the outcome and how many families
    will not get it. Rows a worker has claimed but not yet begun to send are withdrawn too
    (its ``attempt`` then fails and it sends nothing); a request already under way cannot be
    called back."""
    async with write_transaction(session):
        broadcast = await session.get(
            Broadcast, broadcast_id, populate_existing=True, with_for_update=True
        )
        if broadcast is None:
            return CancelOutcome.UNKNOWN, 0
        if broadcast.status == Status.SCHEDULED.value:
            broadcast.status = Status.CANCELLED.value
            broadcast.recipients = 0
            broadcast.finished_at = now
            broadcast.report = {}
            return CancelOutcome.CANCELLED, 0
        if broadcast.status != Status.SENDING.value:
            return CancelOutcome.TOO_LATE, 0
        broadcast.status = Status.CANCELLED.value
        if broadcast.enqueued_at is None:  # no more chunks: those written are withdrawn below
            broadcast.enqueued_at = now
        withdrawn = await session.execute(
            update(Delivery)
            .where(
                Delivery.ref == ref(broadcast_id),
                (Delivery.state == State.PENDING.value)
                | and_(Delivery.state == State.SENDING.value, Delivery.attempted_at.is_(None)),
            )
            .values(
                state=State.CANCELLED.value,
                detail="broadcast cancelled",
                worker=None,
                lease_until=None,
                updated_at=now,
            )
        )
    return CancelOutcome.STOPPED, int(withdrawn.rowcount or 0)  # type: ignore[attr-defined]


async def recent_broadcasts(session: AsyncSession, limit: int = RECENT) -> list[Broadcast]:
    """Scheduled and running broadcasts first (soonest first), then the latest finished."""
    open_ = await session.execute(
        select(Broadcast)
        .where(Broadcast.status.in_({Status.SCHEDULED.value, Status.SENDING.value}))
        .order_by(Broadcast.scheduled_at, Broadcast.id)
        .limit(limit)
    )
    found = list(open_.scalars())
    if len(found) < limit:
        closed = await session.execute(
            select(Broadcast)
            .where(Broadcast.status.in_({Status.DONE.value, Status.CANCELLED.value}))
            .order_by(Broadcast.id.desc())
            .limit(limit - len(found))
        )
        found += list(closed.scalars())
    return found


async def forget_blocked_family(session: AsyncSession, user_id: int, now: datetime) -> None:
    """The family blocked the bot (``my_chat_member`` kicked): mark them blocked, withdraw
    what was queued for them and drop their subscriptions, as a 403 during a send does."""
    async with write_transaction(session):
        await session.execute(update(User).where(User.user_id == user_id).values(blocked=True))
        await cancel_pending(
            session, Delivery.user_id == user_id, now=now, detail="user has blocked the bot"
        )
        await unsubscribe(session, user_id)


# ------------------------------------------------------------------ progress and reports


@dataclass(frozen=True)
class Progress:
    """A broadcast's ledger rows by outcome."""

    sent: int = 0
    blocked: int = 0
    failed: int = 0
    unknown: int = 0
    cancelled: int = 0
    remaining: int = 0  # pending or being sent

    @classmethod
    def from_counts(cls, counts: Mapping[str, int]) -> Progress:
        """From ``DeliveryLedger.counts`` (rows by state) or a stored report."""
        return cls(
            sent=counts.get(State.SENT, 0),
            blocked=counts.get(State.BLOCKED, 0),
            # A broadcast has no expiry, so "missed" cannot happen; counted as failed if it did.
            failed=counts.get(State.FAILED, 0) + counts.get(State.MISSED, 0),
            unknown=counts.get(State.UNKNOWN, 0),
            cancelled=counts.get(State.CANCELLED, 0),
            remaining=counts.get(State.PENDING, 0) + counts.get(State.SENDING, 0),
        )

    @property
    def done(self) -> int:
        return self.sent + self.blocked + self.failed + self.unknown

    @property
    def total(self) -> int:
        return self.done + self.cancelled + self.remaining

    def as_report(self) -> dict[str, int]:
        """The final counts as stored in ``broadcasts.report``."""
        return {
            "sent": self.sent,
            "blocked": self.blocked,
            "failed": self.failed,
            "unknown": self.unknown,
            "cancelled": self.cancelled,
        }


def seconds_left(progress: Progress, elapsed: float, rate_cap: float) -> float:
    """Estimated seconds until the rest is sent: at the rate achieved so far, never faster
    than the rate limit (the start, before any rate is known, assumes the limit)."""
    rate = rate_cap
    if elapsed >= 1.0 and progress.done:
        rate = min(rate_cap, progress.done / elapsed)
    return progress.remaining / rate


def format_duration(seconds: float) -> str:
    """``m:ss`` (or ``h:mm:ss``), rounded up: the same in every language."""
    whole = int(seconds) + (1 if seconds % 1 else 0)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def progress_text(
    broadcast: Broadcast, progress: Progress, t: Translator, now: datetime, rate_cap: float
) -> str:
    """The staff member's status message while the broadcast is being sent."""
    elapsed = (now - broadcast.started_at).total_seconds() if broadcast.started_at else 0.0
    return "\n".join(
        [
            t("bc-progress-title", id=str(broadcast.id)),
            _counts_line(progress, t),
            t("bc-progress-remaining", remaining=progress.remaining, total=progress.total),
            t(
                "bc-progress-eta",
                time=format_duration(seconds_left(progress, elapsed, rate_cap)),
            ),
        ]
    )


def report_text(broadcast: Broadcast, report: Mapping[str, int], t: Translator) -> str:
    """The final report (also the status message's last state)."""
    progress = Progress.from_counts(report)
    title = "bc-report-done" if broadcast.status == Status.DONE.value else "bc-report-cancelled"
    lines = [
        t(title, id=str(broadcast.id)),
        t("bc-report-recipients", count=broadcast.recipients or 0),
    ]
    lines.append(_counts_line(progress, t))
    if progress.cancelled:
        lines.append(t("bc-report-not-sent", count=progress.cancelled))
    if progress.unknown:
        lines.append(t("bc-report-unknown-help"))
    return "\n".join(lines)


def _counts_line(progress: Progress, t: Translator) -> str:
    return t(
        "bc-counts",
        sent=progress.sent,
        blocked=progress.blocked,
        failed=progress.failed,
        unknown=progress.unknown,
    )


class BroadcastProgress:
    """Starts due broadcasts and keeps their staff informed; run by a scheduler job.

    ``tick(now)`` is the whole algorithm, on the injected clock. Everything it needs is in
    the database (status message ids, when progress was last shown, whether the report went
    out), so a restarted or standby worker simply carries on. Telegram failures of these staff
    messages are retried at the next tick; they never touch the families' ledger rows.
    """

    def __init__(
        self,
        *,
        bot: Bot,
        sessions: async_sessionmaker[AsyncSession],
        i18n: I18n,
        default_locale: Locale,
        clock: Clock,
        rate_cap: float,
        every: timedelta,
        chunk: int = ENQUEUE_CHUNK,
    ) -> None:
        self.bot = bot
        self.sessions = sessions
        self.ledger = DeliveryLedger(sessions)
        self.i18n = i18n
        self.default_locale = default_locale
        self.clock = clock
        self.rate_cap = rate_cap
        self.every = every
        self.chunk = chunk

    async def tick(self, now: datetime | None = None) -> list[int]:
        """Start what is due, show progress at most every ``every``, finish and report.
        Returns the ids of the broadcasts started."""
        now = now or self.clock.now()
        # Short sessions: no transaction stays open across a Telegram call.
        async with self.sessions() as session:
            started = await start_due_broadcasts(session, now)
            await enqueue_started(session, now, chunk=self.chunk)
            active = await self._load(
                session, Broadcast.enqueued_at.is_not(None), Broadcast.finished_at.is_(None)
            )
        for broadcast in active:
            await self._follow(broadcast, now)
        async with self.sessions() as session:
            unreported = await self._load(
                session, Broadcast.finished_at.is_not(None), Broadcast.reported_at.is_(None)
            )
        for broadcast in unreported:
            await self._report(broadcast, now)
        return started

    @staticmethod
    async def _load(session: AsyncSession, *conditions: Any) -> list[Broadcast]:
        rows = await session.execute(
            select(Broadcast)
            .where(*conditions)
            .order_by(Broadcast.id)
            .execution_options(populate_existing=True)
        )
        return list(rows.scalars())

    async def _update(self, broadcast_id: int, *conditions: Any, **values: Any) -> None:
        async with self.sessions() as session, write_transaction(session):
            await session.execute(
                update(Broadcast).where(Broadcast.id == broadcast_id, *conditions).values(**values)
            )

    async def _author_translator(self, broadcast: Broadcast) -> Translator:
        async with self.sessions() as session:
            locale = await user_locale(session, broadcast.author_id, self.default_locale)
        return self.i18n[locale]

    async def _follow(self, broadcast: Broadcast, now: datetime) -> None:
        progress = Progress.from_counts(await self.ledger.counts(ref(broadcast.id)))
        if progress.remaining == 0:
            # Every row is final. A broadcast cancelled meanwhile stays "cancelled".
            await self._update(
                broadcast.id,
                Broadcast.finished_at.is_(None),
                finished_at=now,
                report=progress.as_report(),
                status=case(
                    (Broadcast.status == Status.SENDING.value, Status.DONE.value),
                    else_=Broadcast.status,
                ),
            )
            return
        if broadcast.progress_at is not None and now - broadcast.progress_at < self.every:
            return
        t = await self._author_translator(broadcast)
        if await self._show(broadcast, progress_text(broadcast, progress, t, now, self.rate_cap)):
            await self._update(broadcast.id, progress_at=now)

    async def _report(self, broadcast: Broadcast, now: datetime) -> None:
        t = await self._author_translator(broadcast)
        text = report_text(broadcast, broadcast.report or {}, t)
        shown = await self._show(broadcast, text)
        if shown and broadcast.status == Status.DONE.value:
            # The status message changes silently; the report is also a new message, so the
            # author is notified that it is finished.
            delivered, _ = await self._send(broadcast.status_chat_id or broadcast.author_id, text)
            shown = delivered
        if shown:
            await self._update(broadcast.id, reported_at=now)

    async def _show(self, broadcast: Broadcast, text: str) -> bool:
        """Put ``text`` in the status message (a new one if it is gone); False to retry."""
        chat_id = broadcast.status_chat_id or broadcast.author_id
        if broadcast.status_message_id is not None:
            try:
                await self.bot.edit_message_text(
                    text=text,
                    chat_id=chat_id,
                    message_id=broadcast.status_message_id,
                    parse_mode=ParseMode.HTML,
                )
                return True
            except TelegramBadRequest as exc:
                if "message is not modified" in exc.message:
                    return True
                log.info("broadcast %s: status message not editable (%s)", broadcast.id, exc)
            except TelegramForbiddenError:
                return True  # the author blocked the bot: nobody to show it to
            except Exception as exc:  # 429, 5xx, network: the next tick tries again
                log.info("broadcast %s: progress not shown (%s)", broadcast.id, type(exc).__name__)
                return False
        delivered, message_id = await self._send(chat_id, text)
        if message_id is not None:
            async with self.sessions() as session:
                await set_status_message(session, broadcast.id, chat_id, message_id)
            broadcast.status_message_id = message_id
        return delivered

    async def _send(self, chat_id: int, text: str) -> tuple[bool, int | None]:
        """(done, the new message's id): done is False when it is worth trying again."""
        try:
            sent = await self.bot.send_message(chat_id, text, parse_mode=ParseMode.HTML)
        except TelegramForbiddenError:
            return True, None  # the author blocked the bot: nothing more can be done
        except Exception as exc:
            log.info("broadcast staff message not sent (%s)", type(exc).__name__)
            return False, None
        return True, sent.message_id
