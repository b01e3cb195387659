"""Benchmark: a staff broadcast to 10,000 subscribed families against the fake Bot API server.

Run from the repository root::

    python bench/broadcast.py                      # both parts; (a) takes 2+ minutes per backend
    python bench/broadcast.py --part overhead      # only (b), under a minute
    python bench/broadcast.py --part rate --duration 150
    python bench/broadcast.py --profile            # (b) also prints a cProfile of the sender

A fresh database (a temporary SQLite file; and a new PostgreSQL database, with the Redis rate
limiter, when ``VALO_TEST_DATABASE_URL`` / ``VALO_TEST_REDIS_URL`` are set) gets 10,000 families
(a third each in fi, en and ar) subscribed to everything, then one broadcast to all of them.

(a) **Rate at the cap.** The app's own pieces as ``valo-bot run`` wires them: ``start_scheduler``
    with the real sweep loop and broadcast job, ``BROADCAST_RATE=25``, ``PER_CHAT_INTERVAL=1``,
    ``SWEEP_INTERVAL=5``, ``WORKER_LEASE_SECONDS=30`` (the defaults). The broadcast is "sent now"
    and left running for ``--duration`` seconds (at least 120); the rate is the number of
    messages the fake server received between its first and its last, over that time, as a
    ratio of the cap. Then the broadcast is cancelled from the ledger and its report checked.
(b) **Overhead with the cap lifted.** ``DeliveryWorker.sweep`` repeated as the scheduler does
    (a full batch means sweep again), sending all 10,000 rows at the production concurrency
    (``SEND_CONCURRENCY``, 16), beside a baseline in the same run: a bare ``bot.send_message``
    loop of the same 10,000 messages at the same concurrency, with no ledger. The fake server
    runs in its own process, so the sender has its own core; wall time and this process's CPU
    time are measured, and the difference per message is the ledger's overhead.

Correctness guard: each family receives the broadcast at most once (in (b): exactly once), in
its own language, and the ledger's counts match the server's. Figures: ``bench/README.md``.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import json
import logging
import os
import pstats
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make ``bot`` and ``tests`` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import event, insert
from sqlalchemy.ext.asyncio import AsyncEngine

from bench.common import fresh_database, machine
from bot.app import App, build_app, make_worker, start_scheduler
from bot.config import Settings
from bot.db.engine import make_sessionmaker, write_transaction
from bot.db.models import Broadcast, Subscription, User
from bot.delivery.broadcasts import (
    AudienceKind,
    BroadcastDraft,
    cancel_broadcast,
    create_broadcast,
    ref,
    start_due_broadcasts,
)
from bot.delivery.ledger import DeliveryLedger
from bot.emulator.telegram import TEST_TOKEN, FakeTelegram

REPO = Path(__file__).resolve().parent.parent
FAMILIES = 10_000
FIRST_USER = 20_000_000
STAFF = 19_999_999
CONCURRENCY = Settings.model_fields["send_concurrency"].default  # SEND_CONCURRENCY, production
BULK = 5_000
TEXTS = {
    "fi": "<b>Perhekahvila</b> on auki torstaisin klo 9–12. Tervetuloa!",
    "en": "<b>The family café</b> is open on Thursdays 9–12. Welcome!",
    "ar": "<b>مقهى العائلة</b> مفتوح أيام الخميس من 9 إلى 12. أهلًا وسهلًا!",
}
LOCALES = ("fi", "en", "ar")


# --------------------------------------------------------------------------- the database


async def populate(engine: AsyncEngine, families: int) -> None:
    """The families (a third in each language) subscribed to everything, and the staff."""
    now = datetime.now(UTC)
    sessions = make_sessionmaker(engine)
    users = [
        {
            "user_id": FIRST_USER + n,
            "locale": LOCALES[n % 3],
            "first_seen": now,
            "last_seen": now,
            "blocked": False,
            "staff": False,
        }
        for n in range(families)
    ]
    users.append(
        {
            "user_id": STAFF,
            "locale": "en",
            "first_seen": now,
            "last_seen": now,
            "blocked": False,
            "staff": True,
        }
    )
    subscriptions = [
        {"user_id": FIRST_USER + n, "municipality": "all", "topic": "all", "created_at": now}
        for n in range(families)
    ]
    async with sessions() as session, write_transaction(session):
        for table, rows in ((User, users), (Subscription, subscriptions)):
            for start in range(0, len(rows), BULK):
                await session.execute(insert(table), rows[start : start + BULK])


def settings_for(url: str, base_url: str, backend: str, **overrides: Any) -> Settings:
    redis = os.environ.get("VALO_TEST_REDIS_URL") if backend == "postgresql" else None
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        bot_token=TEST_TOKEN,
        telegram_api_base=base_url,
        database_url=url,
        redis_url=redis,
        dialogs_path=REPO / "dialogs",
        catalog_path=REPO / "bench" / "no-catalogue",
        staff_ids=frozenset({STAFF}),
        **overrides,
    )


async def new_broadcast(app: App) -> int:
    draft = BroadcastDraft(texts=TEXTS, audience=AudienceKind.ALL)
    now = datetime.now(UTC)
    async with app.sessions() as session:
        created = await create_broadcast(session, draft, STAFF, now, now)
    return created.id


async def flush_redis(url: str | None) -> None:
    if url is None:
        return
    from redis.asyncio import Redis

    client = Redis.from_url(url)
    await client.flushdb()
    await client.aclose()


# --------------------------------------------------------------------------- (a) the rate


@dataclass
class RateResult:
    backend: str
    duration: float
    received: int
    rate: float
    cap: float
    duplicates: int
    cancelled: int
    report: dict[str, int]

    @property
    def ratio(self) -> float:
        return self.rate / self.cap


async def rate_at_cap(backend: str, families: int, duration: float) -> RateResult:
    cap = 25.0
    with tempfile.TemporaryDirectory(prefix="valo-bench-broadcast-") as tmp:
        async with (
            fresh_database(backend, Path(tmp), "valo_bench_broadcast") as (url, _),
            FakeTelegram() as fake,
        ):
            for n in range(families):
                fake.user(FIRST_USER + n, language_code=LOCALES[n % 3]).has_written = True
            fake.user(STAFF, language_code="en").has_written = True
            settings = settings_for(url, fake.base_url, backend, broadcast_rate=cap)
            await flush_redis(settings.redis_url)
            app = build_app(settings, locales=REPO / "locales")
            try:
                await populate(app.engine, families)
                broadcast_id = await new_broadcast(app)
                scheduler = start_scheduler(app, make_worker(app))
                try:
                    await fake.wait_until(lambda: family_sends(fake), 60.0)
                    first = family_sends(fake)[0].started_at
                    deadline = first + duration
                    await asyncio.sleep(max(0.0, deadline - time.monotonic()))
                    async with app.sessions() as session:
                        _, cancelled = await cancel_broadcast(
                            session, broadcast_id, datetime.now(UTC)
                        )
                    sends = [c for c in family_sends(fake) if c.started_at <= deadline]
                    report = await wait_report(app, broadcast_id)
                finally:
                    scheduler.shutdown(wait=False)
                span = sends[-1].started_at - sends[0].started_at
                received = Counter(int(c.params["chat_id"]) for c in family_sends(fake))
                duplicates = sum(n - 1 for n in received.values() if n > 1)
                assert report["sent"] + report["cancelled"] + report["unknown"] == families, report
                assert report["sent"] == sum(received.values()), (report, len(received))
                return RateResult(
                    backend,
                    span,
                    len(sends),
                    (len(sends) - 1) / span,
                    cap,
                    duplicates,
                    cancelled,
                    report,
                )
            finally:
                await app.close()


def family_sends(fake: FakeTelegram) -> list[Any]:
    return [
        c
        for c in fake.calls("sendMessage")
        if int(c.params["chat_id"]) >= FIRST_USER and c.status == 200
    ]


async def wait_report(app: App, broadcast_id: int) -> dict[str, int]:
    """The final report, once the broadcast job has written it (within two minutes)."""
    async with asyncio.timeout(120):
        while True:
            async with app.sessions() as session:
                row = await session.get(Broadcast, broadcast_id)
                if row is not None and row.report is not None:
                    return dict(row.report)
            await asyncio.sleep(0.5)


# --------------------------------------------------------------------------- (b) the overhead


FAKE_SERVER = """
import asyncio, json, sys
from bot.emulator.telegram import FakeTelegram

async def main(families, first, staff):
    async with FakeTelegram() as fake:
        for n in range(families):
            fake.user(first + n).has_written = True
        fake.user(staff).has_written = True
        print(fake.base_url, flush=True)
        loop = asyncio.get_running_loop()
        while True:
            line = await loop.run_in_executor(None, sys.stdin.readline)
            if not line or line.strip() == "quit":
                return
            calls = [c for c in fake.calls("sendMessage") if int(c.params["chat_id"]) >= first]
            per_chat = {}
            texts = {}
            for c in calls:
                per_chat[c.params["chat_id"]] = per_chat.get(c.params["chat_id"], 0) + 1
            for chat in (first, first + 1, first + 2):
                texts[chat] = [m.text for m in fake.messages(chat)]
            print(json.dumps({"calls": len(calls), "chats": len(per_chat),
                              "max_per_chat": max(per_chat.values(), default=0),
                              "texts": texts}), flush=True)

asyncio.run(main(int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])))
"""


class FakeProcess:
    """The fake Bot API server in its own process (so the sender keeps its core)."""

    def __init__(self, families: int) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-c", FAKE_SERVER, str(families), str(FIRST_USER), str(STAFF)],
            cwd=REPO,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdout is not None
        self.base_url = self.proc.stdout.readline().strip()

    def stats(self) -> dict[str, Any]:
        assert self.proc.stdin is not None
        assert self.proc.stdout is not None
        self.proc.stdin.write("stats\n")
        self.proc.stdin.flush()
        result: dict[str, Any] = json.loads(self.proc.stdout.readline())
        return result

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write("quit\n")
        self.proc.stdin.flush()
        self.proc.wait(10)


@dataclass
class OverheadResult:
    backend: str
    families: int
    sweep_wall: float
    sweep_cpu: float
    bare_wall: float
    bare_cpu: float
    sweeps: int
    concurrency: int
    statements: dict[str, int]  # by first keyword, during the sweeps
    profile: str = ""

    def per_message_ms(self, seconds: float) -> float:
        return seconds / self.families * 1000


async def overhead(backend: str, families: int, profile: bool, concurrency: int) -> OverheadResult:
    fake = FakeProcess(families)
    try:
        with tempfile.TemporaryDirectory(prefix="valo-bench-broadcast-") as tmp:
            async with fresh_database(backend, Path(tmp), "valo_bench_broadcast") as (url, _):
                settings = settings_for(
                    url, fake.base_url, backend, broadcast_rate=1e9, per_chat_interval=0.0
                )
                await flush_redis(settings.redis_url)
                app = build_app(settings, locales=REPO / "locales")
                try:
                    await populate(app.engine, families)
                    chats = [FIRST_USER + n for n in range(families)]
                    # Warm-up: connections and caches, a few hundred bare sends.
                    await bare_loop(app, chats[:300], concurrency=concurrency)
                    assert fake.stats()["calls"] == 300

                    bare_wall, bare_cpu = await bare_loop(app, chats, concurrency=concurrency)
                    assert fake.stats()["calls"] == 300 + families

                    broadcast_id = await new_broadcast(app)
                    async with app.sessions() as session:
                        await start_due_broadcasts(session, datetime.now(UTC), default_locale="fi")
                    worker = make_worker(app)
                    worker.concurrency = concurrency
                    statements = Counter[str]()

                    def count(_conn: Any, _cursor: Any, sql: str, *_: Any) -> None:
                        statements[sql.split(None, 1)[0].upper()] += 1

                    event.listen(app.engine.sync_engine, "before_cursor_execute", count)
                    profiler = cProfile.Profile() if profile else None
                    wall0, cpu0 = time.perf_counter(), time.process_time()
                    if profiler is not None:
                        profiler.enable()
                    sweeps = 0
                    while True:  # as start_scheduler's sweep job: a full batch, sweep again
                        report = await worker.sweep()
                        sweeps += 1
                        if report.claimed < worker.batch:
                            break
                    if profiler is not None:
                        profiler.disable()
                    sweep_wall = time.perf_counter() - wall0
                    sweep_cpu = time.process_time() - cpu0
                    event.remove(app.engine.sync_engine, "before_cursor_execute", count)

                    counts = await DeliveryLedger(app.sessions).counts(ref(broadcast_id))
                    assert counts == {"sent": families}, counts
                    stats = fake.stats()
                    assert stats["calls"] == 300 + 2 * families, stats
                    assert stats["max_per_chat"] == 3, stats  # warm-up/bare + bare + broadcast
                    languages = [texts[-1] for texts in stats["texts"].values()]
                    assert languages == [
                        "Perhekahvila on auki torstaisin klo 9–12. Tervetuloa!",
                        "The family café is open on Thursdays 9–12. Welcome!",
                        "مقهى العائلة مفتوح أيام الخميس من 9 إلى 12. أهلًا وسهلًا!",
                    ], languages
                    text_profile = ""
                    if profiler is not None:
                        out = io.StringIO()
                        stats_ = pstats.Stats(profiler, stream=out)
                        stats_.sort_stats("tottime").print_stats(15)
                        stats_.sort_stats("cumulative").print_stats(r"bot/", 20)
                        text_profile = out.getvalue()
                    return OverheadResult(
                        backend,
                        families,
                        sweep_wall,
                        sweep_cpu,
                        bare_wall,
                        bare_cpu,
                        sweeps,
                        concurrency,
                        dict(statements),
                        text_profile,
                    )
                finally:
                    await app.close()
    finally:
        fake.close()


async def bare_loop(app: App, chats: list[int], *, concurrency: int) -> tuple[float, float]:
    """The same sends without the ledger: ``bot.send_message`` at the worker's concurrency."""
    gate = asyncio.Semaphore(concurrency)

    async def send(n: int, chat: int) -> None:
        async with gate:
            await app.bot.send_message(chat, TEXTS[LOCALES[n % 3]], parse_mode="HTML")

    wall0, cpu0 = time.perf_counter(), time.process_time()
    await asyncio.gather(*(send(n, chat) for n, chat in enumerate(chats)))
    return time.perf_counter() - wall0, time.process_time() - cpu0


# --------------------------------------------------------------------------- report


def rate_report(result: RateResult) -> str:
    return "\n".join(
        [
            f"### (a) {result.backend}: BROADCAST_RATE=25, {result.duration:.0f} s of sending",
            "",
            "| measure | value |",
            "|---|---|",
            f"| messages received by the server | {result.received:,} |",
            f"| achieved rate | {result.rate:.2f}/s |",
            f"| ratio to the cap (goal >= 0.95) | **{result.ratio:.3f}** |",
            f"| families who got it twice | {result.duplicates} |",
            f"| cancelled afterwards (not sent) | {result.cancelled:,} |",
            f"| final report | {result.report} |",
        ]
    )


def overhead_report(result: OverheadResult) -> str:
    n = result.families
    sweep_rate, bare_rate = n / result.sweep_wall, n / result.bare_wall
    extra_cpu = result.sweep_cpu - result.bare_cpu
    lines = [
        f"### (b) {result.backend}: {n:,} messages, cap lifted, concurrency {result.concurrency}, "
        f"{result.sweeps} sweeps",
        "",
        "| measure | ledger: `DeliveryWorker.sweep` | baseline: bare `send_message` loop | ratio |",
        "|---|---|---|---|",
        f"| wall time | {result.sweep_wall:.2f} s | {result.bare_wall:.2f} s | "
        f"{result.sweep_wall / result.bare_wall:.2f}x |",
        f"| throughput | **{sweep_rate:,.0f} msg/s** | {bare_rate:,.0f} msg/s | |",
        f"| CPU of this process | {result.sweep_cpu:.2f} s | {result.bare_cpu:.2f} s | "
        f"{result.sweep_cpu / result.bare_cpu:.2f}x |",
        f"| CPU per message | {result.per_message_ms(result.sweep_cpu):.3f} ms | "
        f"{result.per_message_ms(result.bare_cpu):.3f} ms | |",
        f"| messages per CPU-second (one core) | **{n / result.sweep_cpu:,.0f}** | "
        f"{n / result.bare_cpu:,.0f} | |",
        f"| the ledger's overhead per message (CPU) | "
        f"{result.per_message_ms(extra_cpu):.3f} ms | | |",
        f"| database statements per message | "
        f"{sum(result.statements.values()) / n:.3f} "
        f"({', '.join(f'{k} {v / n:.3f}' for k, v in sorted(result.statements.items()))}) | | |",
    ]
    if result.profile:
        lines += ["", "cProfile of the sweeps:", "```", result.profile, "```"]
    return "\n".join(lines)


async def run_part(args: argparse.Namespace) -> None:
    # APScheduler reports skipped runs of the (long) sweep job and, at the end, the sweep
    # cancelled by shutting the app down: expected here, and noise in the figures.
    logging.getLogger("apscheduler").setLevel(logging.CRITICAL)
    if args.part == "overhead":
        result = await overhead(args.backend, args.families, args.profile, args.concurrency)
        print(overhead_report(result), "\n", flush=True)
    else:
        rate = await rate_at_cap(args.backend, args.families, args.duration)
        print(rate_report(rate), "\n", flush=True)


def run_all(args: argparse.Namespace) -> None:
    """Each part in its own process: an app (its routers) is built once per process."""
    backends = ["sqlite"]
    if os.environ.get("VALO_TEST_DATABASE_URL"):
        backends.append("postgresql")
    if args.backend != "all":
        backends = [args.backend]
    parts = ["overhead", "rate"] if args.part == "both" else [args.part]
    print(f"machine: {machine()}", flush=True)
    for part in parts:  # the CPU-bound part first, while nothing else runs
        for backend in backends:
            command = [
                sys.executable,
                __file__,
                "--part",
                part,
                "--backend",
                backend,
                "--families",
                str(args.families),
                "--duration",
                str(args.duration),
                "--concurrency",
                str(args.concurrency),
                "--one",
            ]
            if args.profile:
                command.append("--profile")
            subprocess.run(command, check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--part", choices=("rate", "overhead", "both"), default="both")
    parser.add_argument("--backend", choices=("all", "sqlite", "postgresql"), default="all")
    parser.add_argument("--families", type=int, default=FAMILIES)
    parser.add_argument("--duration", type=float, default=130.0, help="seconds, at least 120")
    parser.add_argument(
        "--concurrency",
        type=int,
        default=CONCURRENCY,
        help=f"sends at once (production: SEND_CONCURRENCY={CONCURRENCY})",
    )
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.part in ("rate", "both") and args.duration < 120:
        parser.error("--duration must be at least 120 seconds")
    if args.one:
        asyncio.run(run_part(args))
    else:
        run_all(args)


if __name__ == "__main__":
    main()
