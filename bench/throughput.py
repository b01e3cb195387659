"""Benchmark: dialog steps per second and their latency through the whole bot, beside a bare
aiogram echo handler measured in the same run on the same machine.

Run from the repository root::

    python bench/throughput.py                     # both stacks, ~4 minutes
    python bench/throughput.py --quick             # short windows, few families: a smoke run
    python bench/throughput.py --stack embedded    # only ``valo-bot run`` (SQLite, polling)
    python bench/throughput.py --profile           # also a cProfile of the bot process
    python bench/throughput.py --rounds 4          # 4 rounds each, then the medians
    python bench/throughput.py --pin-responses     # a bare bot without pydantic's rebuilds
    python bench/throughput.py --bare-concurrency 16  # bare polling with valo-bot run's limit
    VALO_BENCH_DATABASE_URL=postgresql+asyncpg://postgres@127.0.0.1:54329/h1 \\
    VALO_BENCH_REDIS_URL=redis://127.0.0.1:63799/1 python bench/throughput.py

Two stacks, each measured against its own bare baseline:

- **webhook**: ``valo-bot web`` with PostgreSQL + Redis (``VALO_BENCH_DATABASE_URL``,
  ``VALO_BENCH_REDIS_URL``; the Redis database is flushed), updates POSTed to its webhook over
  loopback; the baseline is aiogram's ``SimpleRequestHandler`` answering after handling, as
  Valo's does.
- **embedded**: ``valo-bot run``, the default: long polling, SQLite in a temporary directory;
  the baseline is aiogram's ``start_polling``.

The bot is a real process (the measured one); the fake Bot API server and the load generator
share this process. A *dialog step* is a family pressing an age choice of the needs dialog
(a multi-choice question, so it can be toggled on and off for ever): webhook or getUpdates,
middlewares (database session, user and locale, throttling, FSM), the flow runner, state saved,
``answerCallbackQuery`` and ``editMessageText`` back to the fake server. The bare echo handler
answers the same callback query and edits the same message, with nothing else.

For each stack and bot: **saturation**: a closed loop of ``--users`` families pressing as soon
as their previous step was answered; updates per second and per CPU-second of the bot process
("per core": the machine's other core runs the fake server). **Half rate**: an open loop
(Poisson arrivals, fixed seed) at half the saturating rate; p50/p99 latency from the update
being sent (POSTed, or queued for getUpdates) to the edit reaching the fake server.

Correctness guard: every step is answered by exactly one edit of the pressed message, and the
dialog's answers toggle as pressed. Figures: ``bench/README.md``.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import io
import itertools
import os
import pstats
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, Protocol

if __package__ in (None, ""):  # run as a script: make ``bot`` and ``tests`` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import aiohttp
from aiogram import Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.methods import AnswerCallbackQuery, EditMessageText, GetUpdates, SendMessage
from aiogram.methods.base import Response
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.webhook.aiohttp_server import SimpleRequestHandler
from aiohttp import web

from bench.common import machine
from bot.emulator.telegram import TEST_TOKEN, FakeTelegram

REPO = Path(__file__).resolve().parent.parent
SECRET = "bench-secret-0123456789"
FIRST_USER = 30_000_000
TOGGLE = "needs:ages:1-2:"  # the step: toggle "1-2 years" on the ages question
ECHO = "echo"
EDITS = ("editmessagetext", "sendmessage")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process, all its threads."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


# --------------------------------------------------------------------------- the fake server


class LoadFake(FakeTelegram):
    """The fake server, telling the load generator when a chat's message was edited."""

    def __init__(self) -> None:
        super().__init__()
        self.expected: dict[int, asyncio.Future[float]] = {}
        self.answers: dict[int, int] = {}  # chat -> edits and sends it got
        for name in EDITS:
            self._handlers[name] = self._observed(self._handlers[name])

    def _observed(self, handler: Callable[[Any], Awaitable[Any]]) -> Any:
        async def observed(ctx: Any) -> Any:
            result = await handler(ctx)
            chat = ctx.get_int("chat_id")
            self.answers[chat] = self.answers.get(chat, 0) + 1
            waiting = self.expected.pop(chat, None)
            if waiting is not None and not waiting.done():
                waiting.set_result(time.monotonic())
            return result

        return observed

    def expect(self, chat: int) -> asyncio.Future[float]:
        """Resolves with the time of the chat's next edit or new message."""
        done: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self.expected[chat] = done
        return done

    def taken(self, update: dict[str, Any]) -> dict[str, Any]:
        """An update delivered by the load generator itself (webhook): not left pending."""
        record = self._pending.pop()
        assert record.update_id == update["update_id"]
        record.confirmed = True
        return update


# --------------------------------------------------------------------------- the bots


@dataclass
class Stack:
    name: str  # webhook | embedded
    database_url: str | None = None
    redis_url: str | None = None

    @property
    def webhook(self) -> bool:
        return self.name == "webhook"


class Target(Protocol):
    """The bot the families talk to (a process here; the smoke test runs one in-process)."""

    bare: bool
    webhook: bool
    url: str

    def cpu(self) -> float: ...


class BotUnderTest:
    """The measured process: ``valo-bot web|run``, or the bare echo bot of this script."""

    def __init__(
        self,
        stack: Stack,
        bare: bool,
        fake: LoadFake,
        workdir: Path,
        profile: bool,
        pin_responses: bool = False,
        bare_concurrency: int | None = None,
    ):
        self.stack, self.bare, self.fake = stack, bare, fake
        self.webhook = stack.webhook
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/webhook"
        self.profile_path = workdir / f"{stack.name}-{'bare' if bare else 'valo'}.prof"
        env = {k: v for k, v in os.environ.items() if not k.startswith(("VALO_", "BOT_"))}
        env.update(
            BOT_TOKEN=TEST_TOKEN,
            TELEGRAM_API_BASE=fake.base_url,
            WEBHOOK_SECRET=SECRET,
            WEB_HOST="127.0.0.1",
            WEB_PORT=str(self.port),
            # Families here press several times a second: the flood limit would drop them.
            # The throttling middleware still counts every update.
            THROTTLE_RATE="1000000",
            PYTHONUNBUFFERED="1",
        )
        env.pop("WEBHOOK_URL", None)
        if stack.webhook:
            assert stack.database_url
            assert stack.redis_url
            env.update(DATABASE_URL=stack.database_url, REDIS_URL=stack.redis_url)
        else:
            env["DATABASE_URL"] = f"sqlite+aiosqlite:///{workdir / 'valo.db'}"
            env.pop("REDIS_URL", None)
        if bare:
            command = [__file__, "--serve-bare", stack.name, "--port", str(self.port)]
            command += ["--pin-responses"] if pin_responses else []
            if bare_concurrency is not None:
                command += ["--bare-concurrency", str(bare_concurrency)]
        else:
            command = ["-m", "bot", "web" if stack.webhook else "run"]
        if profile:
            command = ["-m", "cProfile", "-o", str(self.profile_path), *command]
        self.log_path = workdir / f"{stack.name}-{'bare' if bare else 'valo'}.log"
        with self.log_path.open("wb") as log:
            self.proc = subprocess.Popen(
                [sys.executable, *command], cwd=REPO, env=env, stdout=log, stderr=log
            )

    async def ready(self) -> None:
        deadline = time.monotonic() + 120
        if not self.stack.webhook:
            await self.fake.wait_until(lambda: self.fake.calls("getUpdates"), 120)
            return
        async with aiohttp.ClientSession() as client:
            while True:
                try:
                    async with client.get(self.url.replace("/webhook", "/healthz")) as response:
                        if response.status == 200:
                            return
                except aiohttp.ClientError:
                    pass
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"bot never became ready:\n{self.log_path.read_text()}")
                await asyncio.sleep(0.1)

    def cpu(self) -> float:
        return cpu_seconds(self.proc.pid)

    async def stop(self) -> None:
        """SIGTERM, then wait for the exit without blocking this loop: it serves the fake Bot
        API, and Valo's shutdown still calls it (it confirms the last polled offset). A blocking
        wait here stalled that call until the kill, so cProfile never wrote Valo's profile."""
        self.proc.send_signal(signal.SIGTERM)
        try:
            await asyncio.to_thread(self.proc.wait, 30)
        except subprocess.TimeoutExpired:
            print(f"{self.log_path.name}: no exit 30 s after SIGTERM, killed", file=sys.stderr)
            self.proc.kill()
            self.proc.wait()


def bare_dispatcher() -> Dispatcher:
    """The baseline: aiogram with one handler that answers the press and edits the message."""
    dispatcher = Dispatcher()
    keyboard = InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="echo", callback_data=ECHO)]]
    )
    counter = itertools.count()

    @dispatcher.message()
    async def start(message: Message) -> None:
        await message.answer("echo", reply_markup=keyboard)

    @dispatcher.callback_query()
    async def echo(query: CallbackQuery) -> None:
        await query.answer()
        assert isinstance(query.message, Message)
        await query.message.edit_text(f"echo {next(counter)}", reply_markup=keyboard)

    return dispatcher


async def healthz(_request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


# aiogram parses each answer as ``Response[method.__returning__]``, a pydantic generic model
# that pydantic caches only weakly: each time the garbage collector frees one, the next answer
# builds it again (a quarter of the bare bot's CPU). Valo holds them (bot/updates.py); with
# --pin-responses the bare bot does too.
_PINNED: list[Any] = []


async def serve_bare(
    stack: str, port: int, pin_responses: bool = False, concurrency: int | None = None
) -> None:
    """The bare echo bot as a process, by webhook or long polling (handling at most
    ``concurrency`` updates at once, if given)."""
    if pin_responses:
        _PINNED.extend(
            Response[method.__returning__]
            for method in (AnswerCallbackQuery, EditMessageText, GetUpdates, SendMessage)
        )
    api = TelegramAPIServer.from_base(os.environ["TELEGRAM_API_BASE"])
    bot = Bot(os.environ["BOT_TOKEN"], session=AiohttpSession(api=api))
    dispatcher = bare_dispatcher()
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    if stack == "webhook":
        app = web.Application()
        SimpleRequestHandler(dispatcher, bot, secret_token=os.environ["WEBHOOK_SECRET"]).register(
            app, path="/webhook"
        )
        app.router.add_get("/healthz", healthz)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        await stop.wait()
        await runner.cleanup()
    else:
        polling = asyncio.create_task(
            dispatcher.start_polling(bot, handle_signals=False, tasks_concurrency_limit=concurrency)
        )
        await stop.wait()
        await dispatcher.stop_polling()
        await polling
    await bot.session.close()


# --------------------------------------------------------------------------- the load


@dataclass
class Window:
    """What one measurement window saw."""

    steps: int
    seconds: float
    cpu: float  # CPU seconds of the bot process
    latencies: list[float] = field(default_factory=list)
    overrun: int = 0  # arrivals dropped: every family was still waiting for its answer
    load_cpu: float = 0.0  # CPU seconds of this process: the fake server and the families

    @property
    def rate(self) -> float:
        return self.steps / self.seconds

    @property
    def per_cpu_second(self) -> float:
        return self.steps / self.cpu if self.cpu else float("nan")

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] * 1000


class Families:
    """The load generator: simulated families pressing buttons through the fake server."""

    def __init__(self, fake: LoadFake, bot: Target, families: int) -> None:
        self.fake, self.bot = fake, bot
        self.chats = [FIRST_USER + n for n in range(families)]
        self.message: dict[int, int] = {}  # chat -> the message pressed
        self.presses: dict[int, int] = dict.fromkeys(self.chats, 0)
        self.client = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=256))
        self.errors: list[str] = []
        self.overrun = 0  # open-loop arrivals that found every family still waiting
        self.failed_opens: list[tuple[int, str]] = []  # answers to /find, not the question

    async def close(self) -> None:
        await self.client.close()

    async def deliver(self, update: dict[str, Any]) -> None:
        if not self.bot.webhook:
            return  # queued at the fake; the bot takes it with getUpdates
        headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
        async with self.client.post(self.bot.url, json=update, headers=headers) as response:
            await response.read()
            if response.status != 200:
                self.errors.append(f"webhook answered {response.status}")

    async def exchange(self, chat: int, make: Callable[[], dict[str, Any]]) -> float:
        """Send one update from ``chat``; its latency until the bot's edit reached the fake."""
        answered = self.fake.expect(chat)
        started = time.monotonic()
        update = make()
        if self.bot.webhook:
            update = self.fake.taken(update)  # at once, while it is the newest one queued
        delivery = asyncio.create_task(self.deliver(update))
        async with asyncio.timeout(30):
            at = await answered
            await delivery
        return at - started

    async def open(self, chat: int) -> None:
        """Bring the family to the pressed question (not timed)."""
        self.fake.user(chat, language_code="en").has_written = True
        command = "/start" if self.bot.bare else "/find"
        for _ in range(3):
            await self.exchange(chat, lambda: self.fake.send_command(chat, command))
            message = self.fake.messages(chat)[-1]
            if self.bot.bare:
                break
            where = next(
                (d for d in message.callback_data if d.startswith("needs:where:285:")), None
            )
            if where is not None:
                await self.exchange(chat, partial(self.fake.press, chat, message, where))
                message = self.fake.message(chat, message.message_id)
                break
            self.failed_opens.append((chat, message.text or ""))  # reported; tries again
        self.message[chat] = message.message_id

    async def step(self, chat: int) -> float:
        message = self.fake.message(chat, self.message[chat])
        if self.bot.bare:
            data = ECHO
        else:
            data = next(d for d in message.callback_data if d.startswith(TOGGLE))
        self.presses[chat] += 1
        return await self.exchange(chat, lambda: self.fake.press(chat, message, data))

    async def saturate(self, users: int, seconds: float, warmup: float) -> Window:
        """``users`` families each press again as soon as they were answered."""
        counting = False
        done: list[float] = []
        stop_at = time.monotonic() + warmup + seconds

        async def family(chat: int) -> None:
            while time.monotonic() < stop_at:
                latency = await self.step(chat)
                if counting:
                    done.append(latency)

        families = [asyncio.create_task(family(chat)) for chat in self.chats[:users]]
        await asyncio.sleep(warmup)  # the measured window's start; families run meanwhile
        counting, cpu0, t0, own0 = True, self.bot.cpu(), time.monotonic(), time.process_time()
        await asyncio.sleep(seconds)
        steps, cpu, elapsed = len(done), self.bot.cpu() - cpu0, time.monotonic() - t0
        own = time.process_time() - own0
        await asyncio.gather(*families)
        return Window(steps, elapsed, cpu, done[:steps], load_cpu=own)

    async def open_loop(self, rate: float, seconds: float) -> Window:
        """Poisson arrivals at ``rate``; each goes to a family not waiting for an answer."""
        arrivals = random.Random(7)
        idle = list(self.chats)
        latencies: list[float] = []
        tasks: set[asyncio.Task[None]] = set()

        async def press(chat: int) -> None:
            latencies.append(await self.step(chat))
            idle.append(chat)

        cpu0, t0 = self.bot.cpu(), time.monotonic()
        at = t0
        while at < t0 + seconds:
            at += arrivals.expovariate(rate)
            await asyncio.sleep(max(0.0, at - time.monotonic()))
            if not idle:
                self.overrun += 1
                continue
            task = asyncio.create_task(press(idle.pop(0)))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
        elapsed, cpu = time.monotonic() - t0, self.bot.cpu() - cpu0
        await asyncio.gather(*tasks)
        return Window(len(latencies), elapsed, cpu, latencies, self.overrun)

    def guard(self) -> None:
        """Each press got exactly one answer, and Valo's toggles show what was pressed."""
        assert not self.errors, self.errors[:5]
        failed = Counter(chat for chat, _ in self.failed_opens)
        expected = {
            chat: (1 if self.bot.bare else 2 + failed[chat]) + self.presses[chat]
            for chat in self.chats
        }
        wrong = {
            chat: (self.fake.answers.get(chat, 0), expected[chat])
            for chat in self.chats
            if self.fake.answers.get(chat, 0) != expected[chat]
        }
        assert not wrong, f"answers != presses for {len(wrong)} families: {list(wrong.items())[:5]}"
        if self.bot.bare:
            return
        for chat in self.chats:
            message = self.fake.message(chat, self.message[chat])
            button = next(
                b["text"]
                for row in (message.reply_markup or {}).get("inline_keyboard", [])
                for b in row
                if b.get("callback_data", "").startswith(TOGGLE)
            )
            selected = self.presses[chat] % 2 == 1
            assert ("✅" in button or "✓" in button) == selected, (chat, button, selected)


@dataclass
class Measured:
    stack: str
    bot: str
    saturated: Window
    half: Window
    failed_opens: list[tuple[int, str]]
    profile: str = ""


async def measure(stack: Stack, bare: bool, args: argparse.Namespace, workdir: Path) -> Measured:
    if stack.redis_url:
        from redis.asyncio import Redis

        client = Redis.from_url(stack.redis_url)
        await client.flushdb()  # update dedup and FSM states of earlier runs
        await client.aclose()
    fake = LoadFake()
    async with fake:
        bot = BotUnderTest(
            stack, bare, fake, workdir, args.profile, args.pin_responses, args.bare_concurrency
        )
        families = Families(fake, bot, args.families)
        try:
            await bot.ready()
            gate = asyncio.Semaphore(16)

            async def open_one(chat: int) -> None:
                async with gate:
                    await families.open(chat)

            await asyncio.gather(*(open_one(chat) for chat in families.chats))
            # No garbage collection in this process while measuring: the fake server keeps
            # every message, and a full collection of this heap took 0.2-1.4 s, stalling every
            # exchange in flight: the p99 of both bots was the load side's pauses.
            gc.collect()
            gc.disable()
            saturated = await families.saturate(args.users, args.seconds, args.warmup)
            gc.collect()
            half = await families.open_loop(saturated.rate / 2, args.seconds)
            families.guard()
        finally:
            gc.enable()
            await families.close()
            await bot.stop()
            # The bot's first errors, with their tracebacks: a benchmark also finds bugs.
            log = bot.log_path.read_text(errors="replace").splitlines()
            for n in [n for n, line in enumerate(log) if " ERROR " in line][:2]:
                print("\n".join(log[n : n + 120]), file=sys.stderr)
    profile = ""
    if args.profile and not bot.profile_path.exists():
        print(
            f"{bot.profile_path.name}: no profile (exit code {bot.proc.returncode})",
            file=sys.stderr,
        )
    if args.profile and bot.profile_path.exists():
        out = io.StringIO()
        stats = pstats.Stats(str(bot.profile_path), stream=out)
        stats.sort_stats("tottime").print_stats(25)
        if args.keep_profiles:  # for pstats or snakeviz later
            shutil.copy(bot.profile_path, Path(args.keep_profiles) / bot.profile_path.name)
        profile = out.getvalue()
    name = "bare aiogram" if bare else "Valo"
    return Measured(stack.name, name, saturated, half, families.failed_opens, profile)


def report(valo: Measured, bare: Measured) -> str:
    ratio = valo.saturated.per_cpu_second / bare.saturated.per_cpu_second
    lines = [
        f"### {valo.stack}",
        "",
        "| bot | saturated: steps/s | CPU of the bot | steps per CPU-second | "
        "p50 / p99 at saturation | CPU of the fake + load | half rate: offered | p50 / p99 |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for m in (valo, bare):
        s, h = m.saturated, m.half
        lines.append(
            f"| {m.bot} | {s.rate:,.0f} | {s.cpu / s.seconds:.0%} | {s.per_cpu_second:,.0f} | "
            f"{s.percentile(50):.1f} / {s.percentile(99):.1f} ms | "
            f"{s.load_cpu / s.seconds:.0%} | {h.rate:,.0f}/s | "
            f"{h.percentile(50):.1f} / {h.percentile(99):.1f} ms"
            + (f" ({h.overrun} arrivals found no idle family)" if h.overrun else "")
            + " |"
        )
    lines += [
        "",
        f"Valo / bare per CPU-second: **{ratio:.2f}** (goal >= 0.5); wall throughput ratio "
        f"{valo.saturated.rate / bare.saturated.rate:.2f}; Valo p99 at half its saturating "
        f"rate: **{valo.half.percentile(99):.1f} ms** (goal < 50 ms).",
    ]
    if valo.failed_opens:
        lines.append(
            "While the families opened the dialog, 16 at a time, "
            f"{len(valo.failed_opens)} got {sorted({t for _, t in valo.failed_opens})} "
            "instead of the first question (they tried again)."
        )
    if valo.profile:
        lines += ["", f"cProfile of the Valo process ({valo.stack}):", "```", valo.profile, "```"]
    return "\n".join(lines)


async def run(args: argparse.Namespace) -> None:
    stacks = []
    if args.stack in ("all", "webhook"):
        if args.database_url and args.redis_url:
            stacks.append(Stack("webhook", args.database_url, args.redis_url))
        else:
            print("webhook stack skipped: VALO_BENCH_DATABASE_URL / VALO_BENCH_REDIS_URL unset")
    if args.stack in ("all", "embedded"):
        stacks.append(Stack("embedded"))
    print(f"machine: {machine()}", flush=True)
    baseline = []
    if args.pin_responses:
        baseline.append("bare bot keeps its response models")
    if args.bare_concurrency:
        baseline.append(f"bare bot polls {args.bare_concurrency} updates at once")
    print(
        f"{args.users} families, {args.warmup:.0f} s warm-up, {args.seconds:.0f} s windows"
        + "".join(f", {b}" for b in baseline)
        + "\n",
        flush=True,
    )
    for stack in stacks:
        rounds: list[tuple[Measured, Measured]] = []
        for _ in range(args.rounds):
            with tempfile.TemporaryDirectory(prefix="valo-bench-throughput-") as tmp:
                bare = await measure(stack, True, args, Path(tmp))
                valo = await measure(stack, False, args, Path(tmp))
            rounds.append((valo, bare))
            print(report(valo, bare), "\n", flush=True)
        if len(rounds) > 1:
            print(summary(rounds), "\n", flush=True)


def summary(rounds: list[tuple[Measured, Measured]]) -> str:
    """The goal's two figures over the rounds: one round moves by +-0.1 on a shared machine."""
    ratios = [v.saturated.per_cpu_second / b.saturated.per_cpu_second for v, b in rounds]
    p99s = [v.half.percentile(99) for v, _ in rounds]
    return (
        f"{rounds[0][0].stack}, {len(rounds)} rounds: Valo / bare per CPU-second median "
        f"**{statistics.median(ratios):.2f}** ({min(ratios):.2f}-{max(ratios):.2f}; goal >= 0.5); "
        f"p99 at half rate median **{statistics.median(p99s):.1f} ms** "
        f"({min(p99s):.1f}-{max(p99s):.1f}; goal < 50 ms)."
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stack", choices=("all", "webhook", "embedded"), default="all")
    parser.add_argument("--users", type=int, default=32, help="families in the closed loop")
    parser.add_argument("--seconds", type=float, default=20.0, help="each measured window")
    parser.add_argument("--warmup", type=float, default=5.0)
    parser.add_argument(
        "--rounds", type=int, default=1, help="bare then Valo this many times; medians at the end"
    )
    parser.add_argument("--families", type=int, default=200, help="families in all")
    parser.add_argument("--quick", action="store_true", help="few families, 2-second windows")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--keep-profiles", metavar="DIR", help="with --profile: keep them here")
    parser.add_argument("--database-url", default=os.environ.get("VALO_BENCH_DATABASE_URL"))
    parser.add_argument("--redis-url", default=os.environ.get("VALO_BENCH_REDIS_URL"))
    parser.add_argument(
        "--pin-responses",
        action="store_true",
        help="the bare bot keeps its Response[...] models (as Valo does): a stronger baseline",
    )
    parser.add_argument(
        "--bare-concurrency",
        type=int,
        metavar="N",
        help="the bare bot's polling handles at most N updates at once (valo-bot run: 16)",
    )
    parser.add_argument("--serve-bare", choices=("webhook", "embedded"), help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_bare:
        asyncio.run(
            serve_bare(args.serve_bare, args.port, args.pin_responses, args.bare_concurrency)
        )
        return
    if args.quick:
        args.users, args.families, args.seconds, args.warmup = 8, 40, 2.0, 1.0
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
