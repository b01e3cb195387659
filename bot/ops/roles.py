"""The scale-out roles: ``valo-bot web`` (webhook replicas) and ``valo-bot worker`` (leased).

``LeaseKeeper`` is also used by ``valo-bot run``: the embedded process takes the same lease, so
a ``run`` and a ``worker`` on one database never both sweep.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import hmac
import logging
import signal
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from aiogram import BaseMiddleware, Bot, Dispatcher
from aiogram.exceptions import TelegramAPIError
from aiogram.types import TelegramObject, Update
from aiohttp import web
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy import text

from bot.app import App, build_app, make_worker, prepare_database, set_commands, start_scheduler
from bot.config import Settings
from bot.db.outage import Backoff, database_unreachable, describe
from bot.db.storage import ForgetsUsers
from bot.delivery.worker import DeliveryWorker
from bot.ops import lease, retention
from bot.ops.dedup import Claim, MemoryDedup, RedisDedup, UpdateDedup
from bot.ops.metrics import (
    LEASE_ACTIVE,
    TimedLimiter,
    instrument_bot,
    metrics_app,
    metrics_handler,
    set_ledger_counts,
)
from bot.ops.observe import instrument_dispatcher
from bot.ops.ptv_job import add_ptv_sync_job
from bot.updates import parse_update

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
DEFAULT_WEBHOOK_PATH = "/webhook"
DRAIN_SECONDS = 20.0  # graceful shutdown waits this long for in-flight updates
# Long polling handles at most this many updates at once; the rest of a batch waits for a
# free slot before the next getUpdates. One event loop does all the work, so more at once only
# makes each wait longer; and unbounded, a loaded bot fetched its updates one at a time (a
# getUpdates round trip per update) where a bounded one takes them in batches of 15-30.
POLLING_CONCURRENCY = 16
PROBE_SECONDS = 2.0


class MissingSecretError(RuntimeError):
    """``web`` refuses to run without WEBHOOK_SECRET: anyone could post fake updates."""


def stop_event() -> asyncio.Event:
    """An event set by SIGTERM or SIGINT (graceful shutdown)."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    return stop


async def wait_unless_signalled(waiting: Awaitable[Any], seconds: float) -> bool:
    """Wait for ``waiting`` at most ``seconds``; another SIGTERM or SIGINT (a second Ctrl+C)
    ends the wait at once. True if it finished."""
    again = asyncio.ensure_future(stop_event().wait())
    waiter = asyncio.ensure_future(waiting)
    await asyncio.wait({waiter, again}, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
    again.cancel()
    if waiter.done():
        return True
    waiter.cancel()
    return False


def instrument(app: App) -> None:
    """Structured update logs and metrics on the dispatcher and the bot's HTTP session."""
    instrument_dispatcher(app.dispatcher)
    instrument_bot(app.bot)


# The PostgreSQL advisory lock key for start-up ("VALP"); it must differ from the migration
# lock in bot.db.migrate ("VALO"), which prepare_database takes on another connection.
PREPARE_LOCK = 0x56414C50


async def prepare_exclusively(app: App) -> None:
    """``prepare_database`` with replicas starting together taking turns.

    Two replicas migrating or importing the catalogue at the same moment would collide on
    PostgreSQL (duplicate keys); an advisory lock makes the second wait and then find the work
    done. SQLite already serialises writers with ``BEGIN IMMEDIATE``.
    """
    if app.engine.dialect.name != "postgresql":
        await prepare_database(app)
        return
    async with app.engine.connect() as conn:
        await conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": PREPARE_LOCK})
        await conn.commit()  # the lock is session-level; do not hold a transaction open
        try:
            await prepare_database(app)
        finally:
            await conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": PREPARE_LOCK})
            await conn.commit()


# Container objects allocated before the youngest generation is collected (CPython: 700). An
# update allocates a few thousand (aiogram's models, SQLAlchemy's results) and frees nearly
# all of them by reference counting; at 700 the collector ran several times per update,
# scanning the updates in flight each time.
GC_YOUNG_THRESHOLD = 10_000


def freeze_start_up() -> None:
    """Called by each role once it is ready. What start-up built (catalogue index, dialogs,
    Fluent bundles, aiogram's models) lives as long as the process: keep it out of the garbage
    collector's full collections, which otherwise rescan it all and pause every update in
    flight."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(GC_YOUNG_THRESHOLD, *gc.get_threshold()[1:])


# ---------------------------------------------------------------------------- worker lease


class LeaseKeeper:
    """Holds the delivery lease and runs the scheduler only while it is held."""

    def __init__(
        self,
        app: App,
        worker: DeliveryWorker | None = None,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.app = app
        self.worker = worker or make_worker(app)
        self.worker.limiter = TimedLimiter(self.worker.limiter)
        self.holder = lease.holder_id(self.worker.id)
        self.period = timedelta(seconds=app.settings.worker_lease_seconds)
        # Renew four times per period: one lost renewal never costs the lease.
        self.interval = app.settings.worker_lease_seconds / 4
        self._now = now
        self.scheduler: AsyncIOScheduler | None = None
        self._valid_until = 0.0  # monotonic: until when our last successful renewal holds
        self._task: asyncio.Task[None] | None = None
        self._stop = asyncio.Event()

    @property
    def active(self) -> bool:
        """Whether this process is the active worker right now."""
        return self.scheduler is not None

    def start(self) -> None:
        """Start competing for the lease in the background."""
        self._task = asyncio.create_task(self._loop(), name="worker-lease")

    async def stop(self) -> None:
        """Stop sweeping and give the lease up so a standby takes over at once."""
        self._stop.set()
        if self._task is not None:
            await self._task
        if self.active:
            self._deactivate("shutting down")
            with contextlib.suppress(Exception):
                await lease.release(self.app.sessions, self.holder, self._now())

    async def _loop(self) -> None:
        backoff = Backoff(first=0.1, cap=self.interval)  # back off, but never past a renewal
        while not self._stop.is_set():
            wait = self.interval
            try:
                # A renewal that hangs (a network partition) counts as failed in time for
                # the lease check below, instead of leaving us believing we are active.
                async with asyncio.timeout(self.interval):
                    held = await lease.try_acquire(
                        self.app.sessions,
                        self.holder,
                        self._now(),
                        self.period,
                        is_dead=lease.dead_on_this_host,
                    )
            except Exception as exc:
                # Keep sweeping only while the last renewal still holds.
                held = self.active and time.monotonic() < self._valid_until
                wait = backoff.next()
                why = "database unreachable" if database_unreachable(exc) else "database error"
                log.warning("worker lease: %s (%s); retrying in %.1fs", why, describe(exc), wait)
            else:
                backoff.reset()
                if held:
                    # Renewed at worst a little before now: count from before the call.
                    self._valid_until = time.monotonic() + self.period.total_seconds() - wait
            if held and not self.active:
                self._activate()
            elif not held and self.active:
                self._deactivate("lease lost")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), wait)

    async def readyz(self, _request: web.Request) -> web.Response:
        """Ready: the database answers and, while this process holds the lease, its scheduler
        runs (a standby that waits for the lease is ready too)."""
        checks = {"database": await probe_database(self.app)}
        scheduler = self.scheduler
        if scheduler is None:
            checks["lease"] = "standby"
        else:
            checks["lease"] = "active"
            checks["scheduler"] = "ok" if scheduler.running else "stopped"
        ready = checks["database"] == "ok" and checks.get("scheduler", "ok") == "ok"
        return web.json_response(checks, status=200 if ready else 503)

    def _activate(self) -> None:
        log.info("worker lease taken by %s: sweeping", self.holder)
        scheduler = start_scheduler(self.app, self.worker)
        add_operations_jobs(scheduler, self.app, self.worker)
        self.scheduler = scheduler
        LEASE_ACTIVE.labels(self.holder).set(1)

    def _deactivate(self, why: str) -> None:
        log.info("worker %s stops sweeping: %s", self.holder, why)
        assert self.scheduler is not None
        self.scheduler.shutdown(wait=False)
        self.scheduler = None
        LEASE_ACTIVE.labels(self.holder).set(0)


def add_operations_jobs(scheduler: AsyncIOScheduler, app: App, worker: DeliveryWorker) -> None:
    """Daily retention and a ledger gauge refresh, next to the scheduler's own jobs."""

    async def purge() -> None:
        try:
            report = await retention.purge(
                app.sessions, worker.clock.now(), app.settings.retention_days
            )
        except Exception:
            log.exception("retention failed; tomorrow's run will retry")
        else:
            log.info(
                "retention: %d fsm states purged, %d ledger rows reduced to counts, "
                "%d expired service paths deleted",
                report.fsm_states,
                report.deliveries,
                report.paths,
            )
        storage = app.dispatcher.storage
        try:
            inactive = await retention.erase_inactive(
                app.sessions,
                worker.clock.now(),
                app.settings.inactive_retention_days,
                storage if isinstance(storage, ForgetsUsers) else None,
                reached_days=app.settings.retention_days,
            )
        except Exception as exc:  # described, not traced: a database error may name an id
            log.warning("inactive retention failed (%s); tomorrow's run will retry", describe(exc))
            return
        log.info(
            "inactive retention: %d families erased, %d rows of inactive staff's family data",
            inactive.families,
            inactive.staff_rows,
        )

    async def ledger_gauge() -> None:
        try:
            set_ledger_counts(await worker.ledger.counts())
        except Exception as exc:  # metrics must never take the worker down
            log.warning("ledger gauge: %s", describe(exc))

    scheduler.add_job(
        purge, "interval", days=1, next_run_time=datetime.now(UTC), id="retention", coalesce=True
    )
    scheduler.add_job(
        ledger_gauge,
        "interval",
        seconds=15,
        next_run_time=datetime.now(UTC),
        id="ledger-gauge",
        coalesce=True,
        max_instances=1,
    )
    add_ptv_sync_job(scheduler, app, worker)


async def probe_database(app: App) -> str:
    """ "ok" when the database answers within PROBE_SECONDS, else the error's type name."""
    try:
        async with asyncio.timeout(PROBE_SECONDS), app.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
    except Exception as exc:
        return type(exc).__name__
    return "ok"


async def healthz(_request: web.Request) -> web.Response:
    """The process is up (and its event loop answers)."""
    return web.json_response({"status": "ok"})


async def start_metrics_server(settings: Settings, keeper: LeaseKeeper) -> web.AppRunner | None:
    """``/metrics``, ``/healthz`` and ``/readyz`` on METRICS_PORT when it is set (worker and
    run roles; the container health checks use them)."""
    if settings.metrics_port is None:
        return None
    webapp = metrics_app()
    webapp.router.add_get("/healthz", healthz)
    webapp.router.add_get("/readyz", keeper.readyz)
    runner = web.AppRunner(webapp, handle_signals=False)
    await runner.setup()
    await web.TCPSite(runner, settings.web_host, settings.metrics_port).start()
    log.info(
        "metrics and health on %s:%d (/metrics, /healthz, /readyz)",
        settings.web_host,
        settings.metrics_port,
    )
    return runner


async def serve_worker(settings: Settings) -> None:
    """``valo-bot worker``: compete for the lease; sweep while holding it; stop on SIGTERM."""
    app = build_app(settings)
    try:
        stop = stop_event()
        await prepare_exclusively(app)
        freeze_start_up()
        instrument_bot(app.bot)
        keeper = LeaseKeeper(app)
        metrics = await start_metrics_server(settings, keeper)
        keeper.start()
        log.info("worker %s started", keeper.holder)
        await stop.wait()
        await keeper.stop()
        # Let a sweep that is sending finish recording its outcomes, within one lease.
        others = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        if others:
            await asyncio.wait(others, timeout=settings.worker_lease_seconds)
        if metrics is not None:
            await metrics.cleanup()
    finally:
        await app.close()


# ---------------------------------------------------------------------------- web role


class WebhookServer:
    """The aiohttp application of one web replica."""

    def __init__(self, app: App, secret: str, dedup: UpdateDedup) -> None:
        self.app = app
        self._secret = secret.encode()
        self.dedup = dedup
        self.in_flight = 0
        self.draining = False
        self._idle = asyncio.Event()
        self._idle.set()

    def application(self, path: str) -> web.Application:
        """Routes: the webhook path, /healthz, /readyz, /metrics."""
        webapp = web.Application()
        webapp.router.add_post(path, self.handle_update)
        webapp.router.add_get("/healthz", healthz)
        webapp.router.add_get("/readyz", self.readyz)
        webapp.router.add_get("/metrics", metrics_handler)
        return webapp

    async def handle_update(self, request: web.Request) -> web.Response:
        """Check the secret, drop duplicates, handle the update, and only then answer 200."""
        # aiohttp keeps bytes that are not UTF-8 as surrogates: encode them back as they came,
        # so such a header is simply a wrong secret (401), not an error (500 and a traceback).
        given = request.headers.get(SECRET_HEADER, "").encode("utf-8", "surrogateescape")
        if not hmac.compare_digest(given, self._secret):
            return web.Response(status=401, text="wrong secret token")
        if self.draining:
            return web.Response(status=503, text="shutting down")  # Telegram retries elsewhere
        try:
            raw = await request.json()
        except ValueError:
            return web.Response(status=400, text="not JSON")
        bot = self.app.bot
        update = parse_update(raw, bot)  # the same repair as polling: a bad update is answered
        if update is None:
            return web.json_response({})
        update_id = update.update_id
        claim = await self.dedup.claim(update_id)
        if claim is Claim.DONE:
            log.info("dropped duplicate update %d", update_id, extra={"update_id": update_id})
            return web.json_response({})
        if claim is Claim.BUSY:
            return web.Response(status=503, text="being handled by another replica")
        self.in_flight += 1
        self._idle.clear()
        try:
            await self.app.dispatcher.feed_update(bot, update)
        except Exception:
            log.exception("update %d failed; Telegram will redeliver it", update_id)
            await self.dedup.forget(update_id)
            return web.Response(status=500, text="failed")
        finally:
            self.in_flight -= 1
            if self.in_flight == 0:
                self._idle.set()
        await self.dedup.done(update_id)
        return web.json_response({})

    async def readyz(self, _request: web.Request) -> web.Response:
        """The database (and Redis, when used) answer: the replica can handle updates."""
        checks = {"database": await probe_database(self.app)}
        if self.app.redis is not None:
            try:
                async with asyncio.timeout(PROBE_SECONDS):
                    await self.app.redis.ping()
                checks["redis"] = "ok"
            except Exception as exc:
                checks["redis"] = type(exc).__name__
        ready = all(v == "ok" for v in checks.values()) and not self.draining
        return web.json_response(checks, status=200 if ready else 503)

    async def drain(self, seconds: float) -> None:
        """Refuse new updates and wait (at most ``seconds``, or until another signal) for the
        ones being handled."""
        self.draining = True
        if not await wait_unless_signalled(self._idle.wait(), seconds):
            log.warning("shutting down: %d update(s) left unfinished", self.in_flight)


class PolledUpdates(BaseMiddleware):
    """Outer middleware of ``valo-bot run``: which polled updates are handled, for
    :func:`confirm_handled`."""

    def __init__(self) -> None:
        self.highest: int | None = None  # the highest update_id handled
        self.in_progress: set[int] = set()

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        update_id = event.update_id if isinstance(event, Update) else None
        if update_id is None:
            return await handler(event, data)
        self.in_progress.add(update_id)
        try:
            return await handler(event, data)
        finally:  # an update that failed counts as handled, as aiogram's polling has it
            self.in_progress.discard(update_id)
            if self.highest is None or update_id > self.highest:
                self.highest = update_id

    def confirmable(self) -> int | None:
        """The getUpdates offset that confirms every update handled and none still being
        handled (Telegram confirms all updates below an offset); None if there is none."""
        if self.in_progress:
            return min(self.in_progress)
        return None if self.highest is None else self.highest + 1


async def confirm_handled(bot: Bot, polled: PolledUpdates) -> None:
    """After polling stopped and its updates finished: confirm them to Telegram.

    Polling confirms a batch only with the next getUpdates, and with POLLING_CONCURRENCY that
    call waits until the whole batch has started: a bot stopped under load would otherwise get
    the updates it had already handled again when it starts (a second answer to a command,
    a stale-button notice for a press). Updates of the batch that never started are not
    confirmed, so Telegram delivers them again.
    """
    offset = polled.confirmable()
    if offset is None:
        return
    try:
        await bot.get_updates(offset=offset, limit=1, timeout=0)
    except TelegramAPIError as exc:  # network errors too
        log.warning(
            "shutting down: could not confirm the handled updates, Telegram may send them "
            "again: %s",
            exc,
        )


async def finish_in_flight(dispatcher: Dispatcher, seconds: float) -> None:
    """After polling stopped: let the updates still being handled finish (at most ``seconds``).

    aiogram's polling handles each update as a task of its own and, when stopped, neither
    waits for nor cancels them: they would die with the event loop, between a saved answer and
    the message that shows it. Its set of those tasks is internal (``_handle_update_tasks``,
    aiogram 3.x); without it there is nothing to wait for.
    """
    tasks = set(getattr(dispatcher, "_handle_update_tasks", ()))
    if not tasks:
        return
    log.info("shutting down: finishing %d in-flight update(s)", len(tasks))
    if not await wait_unless_signalled(asyncio.wait(tasks), seconds):
        unfinished = sum(not task.done() for task in tasks)
        log.warning("shutting down: %d update(s) left unfinished", unfinished)


def webhook_path(settings: Settings) -> str:
    """The path of WEBHOOK_URL (a reverse proxy keeps paths), else ``/webhook``."""
    if settings.webhook_url:
        return urlsplit(settings.webhook_url).path or DEFAULT_WEBHOOK_PATH
    return DEFAULT_WEBHOOK_PATH


async def serve_web(settings: Settings) -> None:
    """``valo-bot web``: register the webhook (if WEBHOOK_URL), serve until SIGTERM, drain."""
    if settings.webhook_secret is None or not settings.webhook_secret.get_secret_value():
        raise MissingSecretError(
            "WEBHOOK_SECRET is not set: choose a random string (A-Z, a-z, 0-9, _ and -)"
        )
    secret = settings.webhook_secret.get_secret_value()
    app = build_app(settings)
    try:
        stop = stop_event()
        await prepare_exclusively(app)
        freeze_start_up()
        instrument(app)
        dedup: UpdateDedup = (
            RedisDedup(app.redis, settings.update_dedup_seconds)
            if app.redis is not None
            else MemoryDedup()
        )
        server = WebhookServer(app, secret, dedup)
        runner = web.AppRunner(server.application(webhook_path(settings)), handle_signals=False)
        await runner.setup()
        await web.TCPSite(runner, settings.web_host, settings.web_port).start()
        log.info("webhook server on %s:%d", settings.web_host, settings.web_port)
        await set_commands(app.bot, app.i18n, settings)
        if settings.webhook_url and not settings.webhook_register:
            log.info("webhook path %s served; another replica registers it", webhook_path(settings))
        elif settings.webhook_url:
            # Pending updates are kept: they were sent by families and must be answered.
            await app.bot.set_webhook(
                settings.webhook_url,
                secret_token=secret,
                allowed_updates=app.dispatcher.resolve_used_update_types(),
                drop_pending_updates=False,
            )
            log.info("webhook registered")
        await stop.wait()
        log.info("shutting down: finishing %d in-flight update(s)", server.in_flight)
        await server.drain(DRAIN_SECONDS)
        await runner.cleanup()
    finally:
        await app.close()
