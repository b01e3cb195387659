"""Prometheus metrics shared by every role; ``/metrics`` serves the default registry."""

from __future__ import annotations

from functools import cache

from aiogram import Bot
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.methods import TelegramMethod
from aiogram.methods.base import Response, TelegramType
from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, Histogram, generate_latest

from bot.delivery.ledger import State
from bot.delivery.ratelimit import RateLimiter

UPDATES = Counter("valo_updates_total", "Updates processed", ["type", "outcome"])
HANDLER_LATENCY = Histogram(
    "valo_handler_latency_seconds",
    "Time from an update's arrival to the end of its handling",
    ["type"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
SENDS = Counter(
    "valo_telegram_requests_total", "Bot API requests by outcome", ["method", "outcome"]
)
RETRY_AFTER = Counter("valo_telegram_429_total", "Bot API answers with 429 Too Many Requests")
RATE_WAIT = Histogram(
    "valo_rate_limiter_wait_seconds",
    "Time a bulk send waited for its rate-limit slot",
    buckets=(0.0, 0.01, 0.05, 0.1, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0),
)
# Each child found once (``labels`` takes a lock and builds a key; the label values are few).
updates_counted = cache(UPDATES.labels)
latency_observed = cache(HANDLER_LATENCY.labels)
_sends = cache(SENDS.labels)
LEDGER_ROWS = Gauge("valo_ledger_rows", "Delivery ledger rows by state", ["state"])
LEASE_ACTIVE = Gauge(
    "valo_worker_lease_active", "1 while this worker holds the delivery lease", ["worker"]
)


def _outcome(exc: BaseException) -> str:
    # Order matters: TelegramRetryAfter etc. are all TelegramAPIError subclasses.
    for kind, name in (
        (TelegramRetryAfter, "retry_after"),
        (TelegramForbiddenError, "forbidden"),
        (TelegramBadRequest, "bad_request"),
        (TelegramServerError, "server_error"),
        (TelegramNetworkError, "network"),
    ):
        if isinstance(exc, kind):
            return name
    return "error"


class RequestMetrics(BaseRequestMiddleware):
    """Counts every Bot API request by method and outcome (sends, 429s) on the bot session."""

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        name = method.__api_method__  # Telegram's name, e.g. sendMessage
        try:
            response = await make_request(bot, method)
        except Exception as exc:
            outcome = _outcome(exc)
            _sends(name, outcome).inc()
            if outcome == "retry_after":
                RETRY_AFTER.inc()
            raise
        _sends(name, "ok").inc()
        return response


class TimedLimiter:
    """A rate limiter that records how long each acquire waited."""

    def __init__(self, inner: RateLimiter) -> None:
        self._inner = inner

    async def acquire(self, chat_id: int) -> float:
        """Wait for the slot of ``chat_id`` and observe the wait."""
        waited = await self._inner.acquire(chat_id)
        RATE_WAIT.observe(waited)
        return waited

    async def pause(self, seconds: float) -> None:
        """Pause every sender (after a 429)."""
        await self._inner.pause(seconds)


def instrument_bot(bot: Bot) -> None:
    """Count the bot's API requests; safe to call once per Bot."""
    bot.session.middleware(RequestMetrics())


async def metrics_handler(_request: web.Request) -> web.Response:
    """The default registry in Prometheus' text format."""
    body = generate_latest()
    return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})


def metrics_app() -> web.Application:
    """A tiny aiohttp app serving ``/metrics`` (the metrics port of `worker` and `run`, which
    adds its health endpoints)."""
    app = web.Application()
    app.router.add_get("/metrics", metrics_handler)
    return app


def set_ledger_counts(counts: dict[str, int]) -> None:
    """Replace the ledger gauge with fresh counts (states with no rows drop to 0)."""
    for state in {*counts, *(s.value for s in State)}:
        LEDGER_ROWS.labels(state).set(float(counts.get(state, 0)))


# The PTV sync (bot.ops.ptv_job).
PTV_SYNC_LAST_SUCCESS = Gauge(
    "valo_ptv_sync_last_success_timestamp_seconds", "When the last PTV sync succeeded (Unix time)"
)
PTV_SYNC_FAILURES = Counter("valo_ptv_sync_failures_total", "PTV syncs that failed")
PTV_SYNC_CHANGED = Counter(
    "valo_ptv_sync_services_changed_total", "Services a PTV sync changed", ["change"]
)
