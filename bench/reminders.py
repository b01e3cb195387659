"""Benchmark: one worker sweep of 1,000 due reminders out of 100,000 pending, against the fake
Bot API server, with the rate limit lifted.

Run from the repository root::

    python bench/reminders.py                  # 100,000 reminders on 1,000 events, 1,000 due
    python bench/reminders.py --quick          # a smoke run in seconds
    python bench/reminders.py --concurrency 1  # the worker sending one message at a time
    python bench/reminders.py --profile        # also: a cProfile of the first sweep

It builds a database (a temporary SQLite file; and a fresh PostgreSQL database too when
``VALO_TEST_DATABASE_URL`` is set) with 20,000 families, 1,000 catalogue events and 100,000
reminders with their pending ledger rows (inserted in bulk). The 1,000 rows of the ten
soonest events are made due at the moment a sweep starts; the rest are due later. Each
measurement is repeated (``--repeat``, default 3) and the median is reported, each beside a
baseline measured in the same run:

- sweep: ``DeliveryWorker.sweep`` (expire, claim, render, send, record), batch 1,000,
  concurrency 8 as in production; beside a bare ``bot.send_message`` loop of the same 1,000
  messages at the same concurrency, without the ledger (ratio ledger / bare);
- lateness p50/p99: from the due time to the moment the fake server received the message;
  the bare loop's baseline counts from its start;
- database size: the file (or ``pg_database_size``) with the reminders and their ledger rows,
  beside the same database before they were added;
- the time per row spent in each step of the worker, to show where it goes.

The correctness guard: every sweep sends each due family exactly once and nobody else, and
records every row ``sent``. The fake server runs in the same process and event loop, so both
the sweep and the baseline include its request handling. Figures: ``bench/README.md``.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import os
import pstats
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make ``bot`` and ``tests`` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, insert, select, text, update
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bench.common import fresh_database, machine
from bot.catalog.schema import Event, Service
from bot.db.engine import make_sessionmaker, write_transaction
from bot.db.models import CatalogEvent, CatalogService, Delivery, Reminder, User
from bot.delivery.clock import SystemClock
from bot.delivery.ledger import State
from bot.delivery.ratelimit import MemoryRateLimiter
from bot.delivery.worker import DeliveryWorker
from bot.emulator.telegram import FakeTelegram
from bot.events.occurrences import occurrences
from tests.delivery_support import (
    SERVICE_ID,
    SOURCE,
    TZ,
    catalogue,
    close_bot,
    event,
    make_worker,
)

REMINDERS = 100_000
EVENTS = 1_000
FAMILIES = 20_000
DUE = 1_000
QUICK = {"reminders": 5_000, "events": 100, "families": 2_000, "due": 200}
CONCURRENCY = 8  # as in the figures of bench/README.md; production now runs SEND_CONCURRENCY (16)
FIRST_USER = 10_000_000
BULK = 5_000


@dataclass
class Sizes:
    reminders: int
    events: int
    families: int
    due: int


@dataclass
class Result:
    backend: str
    populate_s: float = 0.0
    size_before: int = 0
    size_after: int = 0
    deliveries_size: int | None = None
    concurrency: int = CONCURRENCY
    sweeps_s: list[float] = field(default_factory=list)
    sweeps_cpu_s: list[float] = field(default_factory=list)  # process CPU time, all threads
    bare_s: list[float] = field(default_factory=list)
    bare_cpu_s: list[float] = field(default_factory=list)
    lateness: list[list[float]] = field(default_factory=list)  # per run
    bare_lateness: list[list[float]] = field(default_factory=list)
    phases: dict[str, float] = field(default_factory=dict)
    profile: str = ""


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


# --------------------------------------------------------------------------- the database


async def database_size(engine: AsyncEngine, url: str) -> tuple[int, int | None]:
    """(whole database, deliveries table with its indexes) in bytes; the table only on
    PostgreSQL. SQLite is checkpointed first so the file holds everything."""
    async with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            await conn.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
            path = make_url(url).database or ""
            return os.path.getsize(path), None  # noqa: ASYNC240 - one stat call
        total = await conn.scalar(text("SELECT pg_database_size(current_database())"))
        table = await conn.scalar(text("SELECT pg_total_relation_size('deliveries')"))
        return int(total or 0), int(table or 0)


def event_doc(n: int, start: datetime) -> dict[str, Any]:
    local = start.astimezone(TZ)
    return event(
        f"bench-event-{n}",
        local.strftime("%Y-%m-%dT%H:%M"),
        (local + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        title=f"Bench event {n}",
    )


async def bulk(session: AsyncSession, model: type[Any], rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), BULK):
        await session.execute(insert(model), rows[start : start + BULK])


@dataclass
class Catalogue:
    starts: list[datetime]
    docs: list[dict[str, Any]]
    keys: list[str]


async def populate_base(
    sessions: async_sessionmaker[AsyncSession], sizes: Sizes, now: datetime
) -> Catalogue:
    """The families, the service and its events (the database-size baseline)."""
    # Events start on the hour from two hours from now, every 20 minutes for two weeks.
    first = (now + timedelta(hours=2)).replace(minute=0, second=0, microsecond=0)
    starts = [first + timedelta(minutes=20 * n) for n in range(sizes.events)]
    docs = [event_doc(n, s) for n, s in enumerate(starts)]
    keys = [occurrences(Event.model_validate(d), TZ)[0].key for d in docs]
    service = Service.model_validate(catalogue([])["services"][0])
    async with sessions() as session, write_transaction(session):
        session.add(
            CatalogService(
                id=SERVICE_ID,
                source=SOURCE,
                organization_id=service.organization,
                active=True,
                document=service.model_dump(mode="json"),
                updated_at=now,
            )
        )
        await bulk(
            session,
            User,
            [
                {
                    "user_id": FIRST_USER + u,
                    "locale": ("fi", "en", "ar")[u % 3],
                    "first_seen": now,
                    "last_seen": now,
                    "blocked": False,
                    "staff": False,
                }
                for u in range(sizes.families)
            ],
        )
        await bulk(
            session,
            CatalogEvent,
            [
                {
                    "id": d["id"],
                    "service_id": SERVICE_ID,
                    "source": SOURCE,
                    "document": Event.model_validate(d).model_dump(mode="json"),
                    "starts_at": s,
                    "ends_at": s + timedelta(hours=1),
                    "cancelled": False,
                    "revision": 1,
                    "updated_at": now,
                }
                for d, s in zip(docs, starts, strict=True)
            ],
        )
    return Catalogue(starts, docs, keys)


async def populate_reminders(
    sessions: async_sessionmaker[AsyncSession], sizes: Sizes, now: datetime, cat: Catalogue
) -> list[int]:
    """The reminders and their pending ledger rows, in bulk; returns the ids of the rows of
    the soonest events, to be made due when the sweep starts."""
    starts, docs, keys = cat.starts, cat.docs, cat.keys
    per_event = sizes.reminders // sizes.events
    reminders, deliveries = [], []
    for j in range(sizes.reminders):
        e = min(j // per_event, sizes.events - 1)
        # A bijection on the families (7919 is prime to their number), so no family has two
        # reminders for one event.
        user = FIRST_USER + (j * 7919) % sizes.families
        offset = "hour-before" if j % 2 else "day-before"
        due = starts[e] - (timedelta(hours=1) if offset == "hour-before" else timedelta(days=1))
        reminders.append(
            {
                "id": j + 1,
                "user_id": user,
                "event_id": docs[e]["id"],
                "occurrence": keys[e],
                "offsets": offset,
                "created_at": now,
            }
        )
        deliveries.append(
            {
                "user_id": user,
                "kind": "reminder",
                "ref": f"reminder:{j + 1}",
                "dedup_key": f"reminder:{j + 1}:1:{keys[e]}:{offset}",
                "payload": {"event": docs[e]["id"], "occurrence": keys[e], "offset": offset},
                "due_at": max(due, now + timedelta(hours=1)),  # nothing due until we say so
                "expires_at": starts[e],
                "state": State.PENDING.value,
                "attempts": 0,
                "updated_at": now,
            }
        )
    async with sessions() as session, write_transaction(session):
        await bulk(session, Reminder, reminders)
        await bulk(session, Delivery, deliveries)
    async with sessions() as session:
        due_ids = (
            await session.execute(
                select(Delivery.id).order_by(Delivery.expires_at, Delivery.id).limit(sizes.due)
            )
        ).scalars()
        return list(due_ids)


# --------------------------------------------------------------------------- measuring


class PhaseTimer:
    """Summed wall time per worker step (steps overlap: concurrency 8)."""

    def __init__(self) -> None:
        self.totals: dict[str, float] = defaultdict(float)

    def wrap(self, name: str, fn: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
        async def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return await fn(*args, **kwargs)
            finally:
                self.totals[name] += time.perf_counter() - started

        return timed


def instrument(worker: DeliveryWorker, timer: PhaseTimer) -> None:
    ledger = worker.ledger
    ledger.expire = timer.wrap("expire", ledger.expire)  # type: ignore[method-assign]
    ledger.claim = timer.wrap("claim", ledger.claim)  # type: ignore[method-assign]
    ledger.attempt = timer.wrap("attempt (write txn)", ledger.attempt)  # type: ignore[method-assign]
    ledger.finish = timer.wrap("finish (write txn)", ledger.finish)  # type: ignore[method-assign]
    worker._render = timer.wrap("render (user, event, place)", worker._render)  # type: ignore[method-assign]
    worker.limiter.acquire = timer.wrap("rate limiter", worker.limiter.acquire)  # type: ignore[method-assign]
    bot = worker.bot
    bot.send_message = timer.wrap("send_message (HTTP)", bot.send_message)  # type: ignore[method-assign]


async def bare_loop(
    fake: FakeTelegram, chats: list[int], texts: list[str], concurrency: int
) -> tuple[float, list[float]]:
    """The same sends with no ledger: ``bot.send_message`` at the worker's concurrency.
    Returns the elapsed seconds and each message's lateness (from the start to the fake's
    receipt)."""
    bot = fake.bot()
    try:
        gate = asyncio.Semaphore(concurrency)
        seen = len(fake.call_log)
        started, clock = time.monotonic(), time.perf_counter()

        async def send(chat: int, message: str) -> None:
            async with gate:
                await bot.send_message(chat, message, parse_mode="HTML")

        await asyncio.gather(*(send(c, t) for c, t in zip(chats, texts, strict=True)))
        elapsed = time.perf_counter() - clock
        calls = [c for c in fake.call_log[seen:] if c.method == "sendMessage"]
        return elapsed, [c.started_at - started for c in calls]
    finally:
        await close_bot(bot)


async def make_due(sessions: async_sessionmaker[AsyncSession], ids: list[int]) -> datetime:
    """The rows become due now (again: a repeated run sends them once more, as new rows)."""
    async with sessions() as session, write_transaction(session):
        due_at = datetime.now(UTC)
        await session.execute(
            update(Delivery)
            .where(Delivery.id.in_(ids))
            .values(
                state=State.PENDING.value,
                worker=None,
                lease_until=None,
                attempted_at=None,
                due_at=due_at,
            )
        )
    return due_at


async def run_backend(
    backend: str, sizes: Sizes, profile: bool, concurrency: int = CONCURRENCY, repeat: int = 3
) -> Result:
    result = Result(backend, concurrency=concurrency)
    with tempfile.TemporaryDirectory(prefix="valo-bench-") as tmp:
        async with fresh_database(backend, Path(tmp), "valo_bench") as (url, engine):
            sessions = make_sessionmaker(engine)
            now = datetime.now(UTC)
            started = time.perf_counter()
            cat = await populate_base(sessions, sizes, now)
            result.size_before, _ = await database_size(engine, url)
            due_ids = await populate_reminders(sessions, sizes, now, cat)
            result.populate_s = time.perf_counter() - started
            result.size_after, result.deliveries_size = await database_size(engine, url)
            async with sessions() as session:
                pending = await session.scalar(
                    select(func.count()).where(Delivery.state == State.PENDING.value)
                )
            assert pending == sizes.reminders, pending

            async with FakeTelegram() as fake:
                for u in range(sizes.families):
                    fake.user(FIRST_USER + u).has_written = True
                async with sessions() as session:
                    due_rows = (
                        await session.execute(
                            select(Delivery.user_id, Delivery.payload).where(
                                Delivery.id.in_(due_ids)
                            )
                        )
                    ).all()
                chats = [r.user_id for r in due_rows]
                texts = [f"⏰ <b>{r.payload['event']}</b> in an hour" for r in due_rows]

                # Warm-up (connections, caches); then, alternately, the baseline and the sweep.
                await bare_loop(fake, chats[:50], texts[:50], concurrency)
                profiler = cProfile.Profile() if profile else None
                timer = PhaseTimer()
                for run in range(repeat):
                    cpu = time.process_time()
                    elapsed, lateness = await bare_loop(fake, chats, texts, concurrency)
                    result.bare_cpu_s.append(time.process_time() - cpu)
                    result.bare_s.append(elapsed)
                    result.bare_lateness.append(lateness)
                    bot = fake.bot()
                    try:
                        worker = make_worker(
                            bot,
                            sessions,
                            SystemClock(),
                            limiter=MemoryRateLimiter(rate=1e9, per_chat_interval=0.0),
                            batch=sizes.due,
                            concurrency=concurrency,
                            worker_id=f"bench-worker-{run}",
                        )
                        instrument(worker, timer)
                        due_at = await make_due(sessions, due_ids)
                        seen = len(fake.call_log)
                        mono0 = time.monotonic() - (datetime.now(UTC) - due_at).total_seconds()
                        sweep_started, cpu = time.perf_counter(), time.process_time()
                        if profiler is not None and run == 0:
                            profiler.enable()
                        report = await worker.sweep()
                        if profiler is not None and run == 0:
                            profiler.disable()
                        result.sweeps_s.append(time.perf_counter() - sweep_started)
                        result.sweeps_cpu_s.append(time.process_time() - cpu)
                    finally:
                        await close_bot(bot)
                    assert report.claimed == sizes.due, report
                    assert report.outcomes == {"sent": sizes.due}, report
                    calls = [c for c in fake.call_log[seen:] if c.method == "sendMessage"]
                    # Each due family once, and nobody else.
                    assert sorted(int(c.params["chat_id"]) for c in calls) == sorted(chats)
                    assert len(set(chats)) == sizes.due
                    result.lateness.append([c.started_at - mono0 for c in calls])
                result.phases = {k: v / repeat for k, v in timer.totals.items()}
                if profiler is not None:
                    out = io.StringIO()
                    stats = pstats.Stats(profiler, stream=out)
                    stats.sort_stats("tottime").print_stats(12)
                    stats.sort_stats("cumulative").print_stats(r"bot/|pydantic|sqlalchemy/orm", 25)
                    result.profile = out.getvalue()
            async with sessions() as session:
                sent = await session.scalar(
                    select(func.count()).where(Delivery.state == State.SENT.value)
                )
            assert sent == sizes.due, sent
    return result


# --------------------------------------------------------------------------- report


def mib(n: int) -> str:
    return f"{n / 2**20:.1f} MiB"


def report(result: Result, sizes: Sizes) -> str:
    sweep, bare = statistics.median(result.sweeps_s), statistics.median(result.bare_s)
    cpu, bare_cpu = statistics.median(result.sweeps_cpu_s), statistics.median(result.bare_cpu_s)
    runs = len(result.sweeps_s)

    def listed(values: list[float]) -> str:
        return ", ".join(f"{v:.2f}" for v in values)

    # Lateness of the median run (by elapsed time) of each.
    median_run = sorted(range(runs), key=lambda i: result.sweeps_s[i])[runs // 2]
    median_bare = sorted(range(runs), key=lambda i: result.bare_s[i])[runs // 2]
    late, bare_late = result.lateness[median_run], result.bare_lateness[median_bare]
    p50, p99 = percentile(late, 50), percentile(late, 99)
    b50, b99 = percentile(bare_late, 50), percentile(bare_late, 99)
    expire_claim = result.phases.get("expire", 0.0) + result.phases.get("claim", 0.0)
    per_reminder = (result.size_after - result.size_before) / sizes.reminders
    lines = [
        f"## {result.backend}: {sizes.reminders:,} pending reminders, {sizes.events:,} events, "
        f"{sizes.families:,} families; a sweep of {sizes.due:,} due, concurrency "
        f"{result.concurrency}, median of {runs} runs",
        f"populate (bulk insert, not part of the results): {result.populate_s:.1f} s",
        "",
        "| measure | ledger: `DeliveryWorker.sweep` | baseline: bare `send_message` loop | ratio |",
        "|---|---|---|---|",
        f"| claim + send {sizes.due:,} | {sweep:.2f} s ({sizes.due / sweep:,.0f}/s; runs "
        f"{listed(result.sweeps_s)}) | {bare:.2f} s ({sizes.due / bare:,.0f}/s; runs "
        f"{listed(result.bare_s)}) | {sweep / bare:.1f}x |",
        f"| of which expire + claim | {expire_claim * 1000:.0f} ms | | |",
        f"| CPU time of this process (all threads) | {cpu:.2f} s ({cpu / sweep:.0%} of wall) | "
        f"{bare_cpu:.2f} s ({bare_cpu / bare:.0%} of wall) | {cpu / bare_cpu:.1f}x |",
        f"| lateness p50 (median run) | {p50:.2f} s | {b50:.2f} s | {p50 / b50:.1f}x |",
        f"| lateness p99 (median run) | {p99:.2f} s | {b99:.2f} s | {p99 / b99:.1f}x |",
        f"| database size | {mib(result.size_after)} | {mib(result.size_before)} without the "
        f"reminders and ledger rows | +{per_reminder:.0f} B per reminder |",
    ]
    if result.deliveries_size is not None:
        lines.append(
            f"| `deliveries` table + indexes | {mib(result.deliveries_size)} | | "
            f"{result.deliveries_size / sizes.reminders:.0f} B per row |"
        )
    lines += [
        "",
        f"Time per row in each worker step (summed over concurrent sends; mean of {runs} runs):",
    ]
    for name, seconds in sorted(result.phases.items(), key=lambda kv: -kv[1]):
        lines.append(f"- {name}: {seconds / sizes.due * 1000:.2f} ms")
    if result.profile:
        lines += ["", "cProfile of the first sweep (main thread):", result.profile]
    return "\n".join(lines)


async def main_async(args: argparse.Namespace) -> None:
    sizes = Sizes(**QUICK) if args.quick else Sizes(REMINDERS, EVENTS, FAMILIES, DUE)
    backends = ["sqlite"]
    if os.environ.get("VALO_TEST_DATABASE_URL"):
        backends.append("postgresql")
    print(f"machine: {machine()}")
    for backend in backends:
        result = await run_backend(backend, sizes, args.profile, args.concurrency, args.repeat)
        print()
        print(report(result, sizes))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run on small sizes")
    parser.add_argument("--profile", action="store_true", help="profile the sweep")
    parser.add_argument("--repeat", type=int, default=3, help="sweeps (and baselines) to time")
    parser.add_argument(
        "--concurrency",
        type=int,
        default=CONCURRENCY,
        help=f"the worker's concurrent sends (default {CONCURRENCY}, as in production)",
    )
    asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    main()
