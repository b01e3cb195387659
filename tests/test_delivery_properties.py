"""A hypothesis state machine over reminders: families schedule and cancel reminders, staff
move, cancel and remove events, Telegram fails in every way the worker knows, the worker
restarts (sometimes crashing with a claimed batch and a request in flight), the clock moves
(across the daylight-saving change) and the worker sweeps. After every step:

- no chat ever received the same ledger row (dedup key) twice, nor anything without a row;
- every row that is not ``unknown`` was delivered (the fake server has it) or has a recorded
  reason (failed, blocked, missed, cancelled with a detail), or is still to come;
- ``unknown`` rows are only the requests in flight at a crash and the ambiguous answers
  (5xx, lost response);
- nothing was sent before its due time or after its event started.

Each example gets a fresh SQLite database (a copy of a migrated template), its own fake Bot
API server, and its own event loop.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import shutil
import tempfile
from collections import Counter
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from aiogram import Bot
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.catalog.schema import Event
from bot.db import migrate
from bot.db.engine import make_engine, make_sessionmaker
from bot.db.models import Delivery, Reminder
from bot.delivery.clock import ManualClock
from bot.delivery.ledger import FINAL_STATES, Claimed, State
from bot.delivery.reminders import cancel_reminder, extend_series, set_reminder
from bot.delivery.worker import DeliveryWorker
from bot.emulator.telegram import CallRecord, FakeTelegram
from bot.events.occurrences import next_occurrence, occurrences
from tests.delivery_support import (
    TZ,
    add_users,
    close_bot,
    event,
    import_events,
    instant_limiter,
    local,
    make_worker,
    register_chats,
)

USERS = {701: "fi", 702: "en", 703: "ar"}
LEASE = timedelta(seconds=30)
SEASONS: dict[str, tuple[str, list[dict[str, Any]]]] = {
    # Around the spring change (Sunday 28 March 2027) and the autumn one (Sunday 31 October).
    "march": (
        "2027-03-20T10:00",
        [
            event("weekly", "2027-03-22T09:30", "2027-03-22T11:00", rrule="FREQ=WEEKLY;COUNT=6"),
            event("sunday", "2027-03-28T10:00", "2027-03-28T12:00"),
            event("evening", "2027-03-24T17:00", "2027-03-24T18:30"),
        ],
    ),
    "october": (
        "2027-10-23T10:00",
        [
            event("weekly", "2027-10-25T09:30", "2027-10-25T11:00", rrule="FREQ=WEEKLY;COUNT=6"),
            event("sunday", "2027-10-31T10:00", "2027-10-31T12:00"),
            event("evening", "2027-10-27T17:00", "2027-10-27T18:30"),
        ],
    ),
}
EVENT_IDS = ("weekly", "sunday", "evening")
OFFSETS = (("day-before",), ("hour-before",), ("day-before", "hour-before"))
STEPS: tuple[timedelta | str, ...] = (
    timedelta(minutes=10),
    timedelta(hours=1),
    timedelta(hours=6),
    timedelta(days=1),
    timedelta(days=3),
    "next-due",
    "just-before-next-due",
)

# The ledger row a send belongs to (set by the worker's ``deliver``, read by the bot wrapper).
CURRENT_ROW: ContextVar[int | None] = ContextVar("current_row", default=None)


class TracingWorker(DeliveryWorker):
    async def deliver(self, row: Claimed) -> str:
        CURRENT_ROW.set(row.id)
        return await super().deliver(row)


@dataclass
class Send:
    """One ``send_message`` of the worker and what the fake server made of it."""

    row_id: int | None
    chat_id: int
    at: datetime
    calls: list[CallRecord]

    @property
    def stored(self) -> bool:
        """Telegram accepted it (even if the answer was then lost): the family has it."""
        return any(c.status == 200 for c in self.calls)

    @property
    def ambiguous(self) -> bool:
        return any((c.status or 0) >= 500 or c.response_lost for c in self.calls)


class RecordingBot:
    """The real Bot, with every send recorded next to the fake's record of it. Sends are
    sequential here (workers run with concurrency 1), so the calls a send made are the ones
    the fake logged while it ran."""

    def __init__(self, bot: Bot, fake: FakeTelegram, clock: ManualClock, log: list[Send]) -> None:
        self._bot, self._fake, self._clock, self._log = bot, fake, clock, log

    async def send_message(self, chat_id: int, text: str, **kwargs: Any) -> Any:
        before = len(self._fake.call_log)
        try:
            return await self._bot.send_message(chat_id, text, **kwargs)
        finally:
            calls = [c for c in self._fake.call_log[before:] if c.method == "sendMessage"]
            self._log.append(Send(CURRENT_ROW.get(), chat_id, self._clock.now(), calls))


def first_key(doc: dict[str, Any]) -> str:
    return occurrences(Event.model_validate(doc), TZ)[0].key


_TEMPLATES = Path(tempfile.mkdtemp(prefix="valo-delivery-properties-"))
atexit.register(shutil.rmtree, _TEMPLATES, True)


@cache
def template(season: str) -> Path:
    """A migrated database with the season's catalogue and the families, made once."""
    path = _TEMPLATES / f"{season}.db"
    start, events = SEASONS[season]
    now = local(start)

    async def build() -> None:
        engine = make_engine(f"sqlite+aiosqlite:///{path}")
        try:
            await migrate.upgrade(engine)
            sessions = make_sessionmaker(engine)
            await add_users(sessions, USERS, now)
            async with sessions() as session:
                await import_events(session, events, now)
                # Every family starts with reminders for every event, so rows come due together.
                for user in USERS:
                    for e in events:
                        occurrence = "series" if "rrule" in e else first_key(e)
                        await set_reminder(session, user, e["id"], occurrence, OFFSETS[2], TZ, now)
        finally:
            await engine.dispose()

    asyncio.run(build())
    return path


@dataclass
class World:
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    fake: FakeTelegram
    bot: Bot
    clock: ManualClock
    events: dict[str, dict[str, Any]]
    sends: list[Send] = field(default_factory=list)
    in_flight: set[int] = field(default_factory=set)  # attempted rows abandoned by a crash
    restarts: int = 0
    worker: DeliveryWorker = field(init=False)


class DeliveryMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.loop = asyncio.new_event_loop()
        self.directory = Path(tempfile.mkdtemp(prefix="valo-delivery-example-"))
        self.world: World | None = None

    def run(self, coroutine: Any) -> Any:
        return self.loop.run_until_complete(coroutine)

    @property
    def w(self) -> World:
        assert self.world is not None
        return self.world

    # ------------------------------------------------------------------ set-up and tear-down

    @initialize(season=st.sampled_from(sorted(SEASONS)))
    def start(self, season: str) -> None:
        database = self.directory / "valo.db"
        shutil.copy(template(season), database)
        start, events = SEASONS[season]
        self.run(self._start(database, local(start), events))

    async def _start(self, database: Path, now: datetime, events: list[dict[str, Any]]) -> None:
        engine = make_engine(f"sqlite+aiosqlite:///{database}")
        fake = FakeTelegram()
        await fake.start()
        register_chats(fake, USERS)
        self.world = World(
            engine,
            make_sessionmaker(engine),
            fake,
            fake.bot(),
            ManualClock(now),
            {e["id"]: dict(e) for e in events},
        )
        self.world.worker = self._new_worker()

    def _new_worker(self) -> DeliveryWorker:
        w = self.w
        w.restarts += 1
        worker = make_worker(
            w.bot,
            w.sessions,
            w.clock,
            limiter=instant_limiter(),
            worker_id=f"worker-{w.restarts}",
            lease=LEASE,
            concurrency=1,
            worker_class=TracingWorker,
        )
        worker.bot = RecordingBot(w.bot, w.fake, w.clock, w.sends)  # type: ignore[assignment]
        return worker

    def teardown(self) -> None:
        try:
            if self.world is not None:
                self.run(self._drain())
                self.check_guarantees()
                rows = self.run(self._rows())
                assert all(r.state in FINAL_STATES for r in rows), [r.state for r in rows]
        finally:
            try:
                if self.world is not None:
                    self.run(self._close())
            finally:
                self.loop.run_until_complete(self.loop.shutdown_asyncgens())
                self.loop.close()
                shutil.rmtree(self.directory, ignore_errors=True)

    async def _drain(self) -> None:
        """Time runs on with a healthy Telegram until every row has an outcome."""
        w = self.w
        w.fake.clear_faults()
        for step in (LEASE + timedelta(seconds=1), timedelta(days=1), timedelta(days=60)):
            now = w.clock.advance(step)
            await w.worker.sweep(now)
            while (await w.worker.sweep(now)).claimed:
                pass

    async def _close(self) -> None:
        w = self.w
        await close_bot(w.bot)
        await w.fake.stop()
        await w.engine.dispose()

    async def _rows(self) -> list[Delivery]:
        async with self.w.sessions() as session:
            return list((await session.execute(select(Delivery).order_by(Delivery.id))).scalars())

    async def _catalogue_changed(self) -> None:
        w = self.w
        async with w.sessions() as session:
            await import_events(session, list(w.events.values()), w.clock.now())

    # ------------------------------------------------------------------ families

    @rule(
        user=st.sampled_from(sorted(USERS)),
        event_id=st.sampled_from(EVENT_IDS),
        series=st.booleans(),
        offsets=st.sampled_from(OFFSETS),
    )
    def schedule(self, user: int, event_id: str, series: bool, offsets: tuple[str, ...]) -> None:
        w = self.w
        doc = w.events.get(event_id)
        if doc is None:
            return
        now = w.clock.now()
        if series and doc.get("rrule"):
            occurrence = "series"
        else:
            following = next_occurrence(Event.model_validate(doc), TZ, now)
            if following is None:
                return
            occurrence = following.key

        async def go() -> None:
            async with w.sessions() as session:
                await set_reminder(session, user, event_id, occurrence, offsets, TZ, now)

        self.run(go())

    @rule(user=st.sampled_from(sorted(USERS)), pick=st.integers(0, 5))
    def cancel(self, user: int, pick: int) -> None:
        w = self.w

        async def go() -> None:
            async with w.sessions() as session:
                ids = list(
                    (
                        await session.execute(
                            select(Reminder.id)
                            .where(Reminder.user_id == user)
                            .order_by(Reminder.id)
                        )
                    ).scalars()
                )
                if ids:
                    assert await cancel_reminder(session, ids[pick % len(ids)], user, w.clock.now())

        self.run(go())

    @rule(user=st.sampled_from(sorted(USERS)))
    def block(self, user: int) -> None:
        w = self.w
        if not w.fake.get_user(user).blocked:
            w.fake.block(user)

    # ------------------------------------------------------------------ staff

    @rule(event_id=st.sampled_from(EVENT_IDS), hours=st.sampled_from([-26, -3, 2, 25, 168]))
    def move_event(self, event_id: str, hours: int) -> None:
        w = self.w
        doc = w.events.get(event_id)
        if doc is None or doc.get("cancelled"):
            return
        shift = timedelta(hours=hours)

        def moved(value: str) -> str:
            return (datetime.fromisoformat(value) + shift).strftime("%Y-%m-%dT%H:%M")

        doc["start"] = moved(doc["start"])
        if "end" in doc:
            doc["end"] = moved(doc["end"])
        self.run(self._catalogue_changed())

    @rule(event_id=st.sampled_from(EVENT_IDS))
    def cancel_event(self, event_id: str) -> None:
        w = self.w
        if event_id in w.events and not w.events[event_id].get("cancelled"):
            w.events[event_id]["cancelled"] = True
            self.run(self._catalogue_changed())

    @rule(event_id=st.sampled_from(EVENT_IDS))
    def remove_event(self, event_id: str) -> None:
        w = self.w
        if w.events.pop(event_id, None) is not None:
            self.run(self._catalogue_changed())

    # ------------------------------------------------------------------ Telegram

    @rule(kind=st.sampled_from(["429", "5xx", "lose"]))
    def telegram_fails_next(self, kind: str) -> None:
        fake = self.w.fake
        if kind == "429":
            fake.fail_429(retry_after=2, methods="sendMessage")
        elif kind == "5xx":
            fake.fail_5xx(502, methods="sendMessage")
        else:
            fake.lose_response(methods="sendMessage")

    # ------------------------------------------------------------------ the worker

    @rule(step=st.sampled_from(STEPS))
    def advance(self, step: timedelta | str) -> None:
        w = self.w
        if isinstance(step, timedelta):
            w.clock.advance(step)
            return

        async def next_due() -> datetime | None:
            async with w.sessions() as session:
                due: datetime | None = await session.scalar(
                    select(Delivery.due_at)
                    .where(Delivery.state == State.PENDING.value, Delivery.due_at > w.clock.now())
                    .order_by(Delivery.due_at)
                    .limit(1)
                )
                return due

        due = self.run(next_due())
        if due is None:
            w.clock.advance(timedelta(hours=1))
        elif step == "next-due":
            w.clock.set(due)
        elif due - timedelta(seconds=1) > w.clock.now():
            w.clock.set(due - timedelta(seconds=1))

    @rule()
    def sweep(self) -> None:
        w = self.w
        self.run(w.worker.sweep(w.clock.now()))

    @rule()
    def extend_series(self) -> None:
        w = self.w

        async def go() -> None:
            async with w.sessions() as session:
                await extend_series(session, TZ, w.clock.now())

        self.run(go())

    @rule(crash=st.booleans(), finished=st.integers(0, 2), reached=st.booleans())
    def restart(self, crash: bool, finished: int, reached: bool) -> None:
        """A new worker process. With ``crash``, the old one had claimed a batch, finished
        ``finished`` rows, had one request in flight (which reached Telegram or not) and
        died with the rest of the batch claimed but not attempted."""
        w = self.w
        if crash:
            self.run(self._crash(w.worker, finished, reached))
        w.worker = self._new_worker()

    async def _crash(self, dead: DeliveryWorker, finished: int, reached: bool) -> None:
        w = self.w
        now = w.clock.now()
        claimed = await dead.ledger.claim(now, dead.id, LEASE, finished + 3)
        for row in claimed[:finished]:
            CURRENT_ROW.set(row.id)
            await dead.deliver(row)
        if len(claimed) <= finished:
            return
        row = claimed[finished]
        assert await dead.ledger.attempt(row.id, dead.id, now)
        w.in_flight.add(row.id)
        outgoing, _ = await dead._render(row)
        if reached and outgoing is not None:
            CURRENT_ROW.set(row.id)
            # Whatever Telegram answers, nobody is left to read it.
            with contextlib.suppress(Exception):
                await dead.bot.send_message(
                    row.user_id, outgoing.text, parse_mode=outgoing.parse_mode
                )

    # ------------------------------------------------------------------ the guarantees

    @invariant()
    def guarantees_hold(self) -> None:
        if self.world is not None:
            self.check_guarantees()

    def check_guarantees(self) -> None:
        w = self.w
        rows = {r.id: r for r in self.run(self._rows())}
        stored = [s for s in w.sends if s.stored]
        # Every message the families got belongs to a ledger row, and no row went twice.
        assert all(s.row_id in rows for s in stored), "a message without a ledger row"
        twice = [i for i, n in Counter(s.row_id for s in stored).items() if n > 1]
        assert not twice, f"sent twice: {[rows[i].dedup_key for i in twice if i is not None]}"
        for chat in USERS:
            assert w.fake.sent_count(chat) == sum(1 for s in stored if s.chat_id == chat)
        # Nothing before its due time, nothing after its event started.
        for send in w.sends:
            assert send.row_id is not None
            row = rows[send.row_id]
            assert send.chat_id == row.user_id
            assert send.at >= row.due_at, (row.dedup_key, send.at, row.due_at)
            if row.expires_at is not None:
                assert send.at < row.expires_at, (row.dedup_key, send.at, row.expires_at)
        delivered = {s.row_id for s in stored}
        ambiguous = {s.row_id for s in w.sends if s.ambiguous}
        for row in rows.values():
            if row.state == State.SENT:
                assert row.id in delivered, f"{row.dedup_key} is sent but the fake never had it"
            elif row.state == State.UNKNOWN:
                assert row.id in w.in_flight | ambiguous, f"{row.dedup_key} unknown: {row.detail}"
            elif row.state in (State.FAILED, State.BLOCKED, State.MISSED, State.CANCELLED):
                assert row.detail, f"{row.dedup_key} is {row.state} without a reason"
                assert row.id not in delivered, f"{row.dedup_key} is {row.state} but was sent"
            elif row.state == State.PENDING:
                assert row.id not in delivered, f"{row.dedup_key} is pending but was sent"
            else:
                assert row.state == State.SENDING, row.state
                assert row.id not in delivered or row.id in w.in_flight


DeliveryMachine.TestCase.settings = settings(
    max_examples=25,
    stateful_step_count=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
TestDeliveryGuarantees = DeliveryMachine.TestCase
