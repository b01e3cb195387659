"""Composition root: builds Bot, Dispatcher, storage and services from Settings."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.telegram import TelegramAPIServer
from aiogram.fsm.storage.base import BaseEventIsolation, BaseStorage, DefaultKeyBuilder
from aiogram.types import BotCommand, BotCommandScopeDefault
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.catalog.store import LiveCatalog
from bot.config import DATABASE_POOL_OVERFLOW, Settings
from bot.db import migrate
from bot.db.engine import make_engine, make_sessionmaker
from bot.db.outage import Backoff, database_unreachable, describe
from bot.db.staff import clear_stale_staff
from bot.db.storage import SQLStorage
from bot.delivery.broadcasts import BroadcastProgress, broadcast_renderer
from bot.delivery.clock import Clock, SystemClock
from bot.delivery.event_news import sync_catalog_path
from bot.delivery.messages import notice_renderer, reminder_renderer, staff_alert_renderer
from bot.delivery.ratelimit import MemoryRateLimiter, RateLimiter, RedisRateLimiter
from bot.delivery.reminders import extend_series
from bot.delivery.subscriptions import drop_subscriptions_of_blocked
from bot.delivery.worker import DeliveryWorker
from bot.flow import load_dialogs
from bot.flow.model import FIND_DIALOG, Tree, default_municipalities
from bot.guide.paths import GUIDE_DIALOG
from bot.handlers import feature_routers
from bot.handlers.broadcast import remind_keyboard
from bot.handlers.menu import COMMANDS
from bot.handlers.services import CatalogueResults
from bot.i18n import I18n
from bot.indicators.record import IndicatorMiddleware
from bot.middlewares import (
    DatabaseSessionMiddleware,
    FloodCounter,
    FloodNoticeMiddleware,
    KnownUserMiddleware,
    MemoryEventIsolation,
    MemoryFloodCounter,
    PrivateChatsOnlyMiddleware,
    RedisFloodCounter,
    ThrottlingMiddleware,
)
from bot.updates import RepairingSession

log = logging.getLogger(__name__)


async def prepare_database(app: App) -> None:
    """Migrate to head and import CATALOG_PATH if it changed: every role does this on start."""
    await migrate.upgrade(app.engine)
    async with app.sessions() as session:
        await sync_catalog_path(session, app.settings.catalog_path, app.settings.tz)
        cleared = await clear_stale_staff(session, app.settings.staff_ids)
    if cleared:
        # Staff accounts are the operator's colleagues, not families: their ids let the
        # operator check that exactly the people taken out of STAFF_IDS lost their rights.
        log.info(
            "staff rights cleared for %d user(s) no longer in STAFF_IDS and without an "
            "accepted invite: %s",
            len(cleared),
            " ".join(map(str, cleared)),
        )


class MissingTokenError(RuntimeError):
    """BOT_TOKEN is needed to talk to Telegram."""


@dataclass
class App:
    """Everything a running role needs; ``close()`` releases it all."""

    settings: Settings
    bot: Bot
    dispatcher: Dispatcher
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    i18n: I18n
    redis: Any | None

    async def close(self) -> None:
        await self.bot.session.close()
        if self.redis is not None:
            await self.redis.aclose()
        # aiosqlite's threads would otherwise keep the process alive.
        await self.engine.dispose()
        # The feature routers are module-level and attach to one dispatcher at a time: hand
        # them back, so another App in this process (the tests build several) can take them.
        for router in self.dispatcher.sub_routers:
            router._parent_router = None
        self.dispatcher.sub_routers.clear()


def load_i18n(settings: Settings, root: Path | None = None) -> I18n:
    return I18n.load(root or settings.locales_path, settings.tz)


def load_trees(settings: Settings, locales: Path | None = None) -> dict[str, Tree]:
    """The dialog trees, validated against the locales; raises DataFileError when broken."""
    return load_dialogs(
        settings.dialogs_path,
        locales or settings.locales_path,
        default_municipalities(),
        required=(FIND_DIALOG, GUIDE_DIALOG),
    )


def make_bot(settings: Settings) -> Bot:
    if settings.bot_token is None:
        raise MissingTokenError(
            "BOT_TOKEN is not set: create a bot with @BotFather in Telegram (/newbot), "
            "then start with BOT_TOKEN=<token> valo-bot run (or put it in .env)"
        )
    session = RepairingSession(
        api=TelegramAPIServer.from_base(settings.telegram_api_base),
        timeout=settings.telegram_request_timeout,
    )
    return Bot(
        settings.bot_token.get_secret_value(),
        session=session,
        default=DefaultBotProperties(link_preview_is_disabled=True),
    )


def _redis_client(url: str) -> Any:
    from redis.asyncio import Redis

    return Redis.from_url(url)


def make_dispatcher(
    settings: Settings,
    i18n: I18n,
    sessions: async_sessionmaker[AsyncSession],
    redis: Any | None,
    dialogs: Mapping[str, Tree],
) -> Dispatcher:
    storage: BaseStorage
    isolation: BaseEventIsolation
    counter: FloodCounter
    if redis is not None:
        from bot.db.redis_storage import CachingRedisStorage

        # The TTL is the retention rule for Redis: untouched dialog state expires by itself.
        retention = timedelta(days=settings.retention_days)
        keys = DefaultKeyBuilder(with_destiny=True)
        storage = CachingRedisStorage(
            redis, key_builder=keys, state_ttl=retention, data_ttl=retention
        )
        isolation = storage.create_isolation()
        counter = RedisFloodCounter(redis, settings.throttle_window)
    else:
        storage, isolation = SQLStorage(sessions), MemoryEventIsolation()
        counter = MemoryFloodCounter(settings.throttle_window)

    # aiogram's FSM middleware is registered by hand, inside the update's database session,
    # and before the user row is loaded: the user's updates are handled one at a time from
    # there on, and SQLStorage reads the user row with the FSM row (one statement; read
    # before the user's lock, the FSM row could be stale, aiogram #1317).
    dispatcher = Dispatcher(storage=storage, events_isolation=isolation, disable_fsm=True)
    dispatcher.include_routers(*feature_routers())
    # First of all: an update from a group or channel never reaches the throttle, the database,
    # the family's dialog state or a handler (the kinds handled are known once routers are in).
    # Throttling next: a dropped update costs no session, lock or read.
    handled = frozenset(dispatcher.resolve_used_update_types())
    dispatcher.update.outer_middleware(PrivateChatsOnlyMiddleware(settings, i18n, handled))
    dispatcher.update.outer_middleware(ThrottlingMiddleware(counter, settings.throttle_rate))
    dispatcher.update.outer_middleware(DatabaseSessionMiddleware(sessions))
    dispatcher.update.outer_middleware(dispatcher.fsm)
    dispatcher.update.outer_middleware(KnownUserMiddleware(settings, i18n))
    dispatcher.update.outer_middleware(IndicatorMiddleware())
    dispatcher.update.outer_middleware(FloodNoticeMiddleware())
    dispatcher["settings"] = settings
    dispatcher["i18n"] = i18n
    dispatcher["sessions"] = sessions
    catalog = LiveCatalog()
    dispatcher["catalog"] = catalog
    dispatcher["result_source"] = CatalogueResults(catalog, sessions, settings.tz)
    dispatcher["dialogs"] = dialogs
    return dispatcher


def build_app(settings: Settings, *, locales: Path | None = None) -> App:
    """Build every part from settings; raises on a missing token or broken data files."""
    bot = make_bot(settings)
    i18n = load_i18n(settings, locales)
    dialogs = load_trees(settings, locales)
    engine = make_engine(
        settings.database_url,
        pool_size=settings.database_pool_size,
        max_overflow=DATABASE_POOL_OVERFLOW,
    )
    sessions = make_sessionmaker(engine)
    redis = _redis_client(settings.redis_url) if settings.redis_url else None
    dispatcher = make_dispatcher(settings, i18n, sessions, redis, dialogs)
    return App(settings, bot, dispatcher, engine, sessions, i18n, redis)


def make_limiter(app: App) -> RateLimiter:
    settings = app.settings
    if app.redis is not None:
        return RedisRateLimiter(app.redis, settings.broadcast_rate, settings.per_chat_interval)
    return MemoryRateLimiter(settings.broadcast_rate, settings.per_chat_interval)


def make_worker(app: App, clock: Clock | None = None) -> DeliveryWorker:
    """The delivery worker with every kind of message it knows how to render."""
    settings = app.settings
    lease = timedelta(seconds=settings.worker_lease_seconds)
    # A claimed batch must be sendable well within one lease at the rate limit (375 rows at
    # the defaults). Up to 1,000: each sweep ends with its send slots draining, so small
    # batches waste a fast sender's time (bench/README.md, broadcast, third round).
    batch = max(1, min(1000, int(settings.broadcast_rate * settings.worker_lease_seconds / 2)))
    return DeliveryWorker(
        bot=app.bot,
        sessions=app.sessions,
        i18n=app.i18n,
        default_locale=settings.default_locale,
        limiter=make_limiter(app),
        clock=clock or SystemClock(),
        renderers={
            "reminder": reminder_renderer(settings.tz),
            "notice": notice_renderer(settings.tz),
            "broadcast": broadcast_renderer(remind_keyboard),
            "staff-alert": staff_alert_renderer(),
        },
        lease=lease,
        batch=batch,
        concurrency=settings.send_concurrency,
        on_blocked=[drop_subscriptions_of_blocked],
    )


async def periodic_jobs(app: App, worker: DeliveryWorker) -> None:
    """Hourly upkeep: materialise the next occurrences of series reminders."""
    async with app.sessions() as session:
        added = await extend_series(session, app.settings.tz, worker.clock.now())
    if added:
        log.info("series reminders extended: %d ledger rows", added)


def start_scheduler(app: App, worker: DeliveryWorker) -> AsyncIOScheduler:
    """APScheduler only triggers sweeps; the ledger in the database is the source of truth."""

    async def sweep() -> None:
        # A full batch means more is due: sweep again at once, so a broadcast keeps the rate
        # limit busy instead of idling until the next interval. While the database cannot be
        # reached, try again with backoff (never longer apart than the interval).
        backoff = Backoff(cap=max(0.1, app.settings.sweep_interval))
        while True:
            try:
                report = await worker.sweep()
            except Exception as exc:
                if not database_unreachable(exc):
                    log.exception("sweep failed; the next one will retry")
                    return
                wait = backoff.next()
                log.warning(
                    "sweep: database unreachable (%s); retrying in %.1fs", describe(exc), wait
                )
                await asyncio.sleep(wait)
                if not scheduler.running:
                    return  # the lease was lost meanwhile
                continue
            backoff.reset()
            if report.claimed or report.missed or report.expired_unknown:
                log.info("sweep: %s", report)
            if report.claimed < worker.batch or not scheduler.running:
                return

    progress = BroadcastProgress(
        bot=app.bot,
        sessions=app.sessions,
        i18n=app.i18n,
        default_locale=app.settings.default_locale,
        clock=worker.clock,
        rate_cap=app.settings.broadcast_rate,
        every=timedelta(seconds=max(1.0, app.settings.sweep_interval)),
    )

    async def broadcasts() -> None:
        try:
            await progress.tick()
        except Exception as exc:
            if not database_unreachable(exc):
                log.exception("broadcast progress failed; the next tick will retry")
                return
            log.warning(
                "broadcast progress: database unreachable (%s); the next tick retries",
                describe(exc),
            )

    scheduler = AsyncIOScheduler(timezone=UTC)
    scheduler.add_job(
        sweep,
        "interval",
        seconds=app.settings.sweep_interval,
        max_instances=1,
        coalesce=True,
        next_run_time=datetime.now(UTC),
        id="sweep",
    )
    scheduler.add_job(
        broadcasts,
        "interval",
        seconds=app.settings.sweep_interval,
        max_instances=1,
        coalesce=True,
        next_run_time=datetime.now(UTC),
        id="broadcasts",
    )
    scheduler.add_job(
        periodic_jobs,
        "interval",
        args=[app, worker],
        hours=1,
        max_instances=1,
        coalesce=True,
        next_run_time=datetime.now(UTC),
        id="hourly",
    )
    scheduler.start()
    return scheduler


async def set_commands(bot: Bot, i18n: I18n, settings: Settings) -> None:
    """The command list in each language, and the default language for everyone else."""
    for locale in (None, *i18n.locales):
        t = i18n[locale or settings.default_locale]
        commands = [BotCommand(command=c, description=t(f"cmd-{c}")) for c in COMMANDS]
        await bot.set_my_commands(commands, scope=BotCommandScopeDefault(), language_code=locale)
