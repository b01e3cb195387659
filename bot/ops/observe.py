"""The outermost update middleware: one structured log line and metrics per update.

Only ids, the update type, the handler's name, latency and outcome are logged: never message
text, names or dialog answers.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiogram import BaseMiddleware, Dispatcher
from aiogram.dispatcher.event.bases import UNHANDLED
from aiogram.dispatcher.event.handler import HandlerObject
from aiogram.types import TelegramObject, Update
from aiogram.types.update import UpdateTypeLookupError

from bot.ops.metrics import latency_observed, updates_counted

log = logging.getLogger("bot.updates")

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]
TRACE_KEY = "update_trace"
# The type label of an update that carries no event Valo (or aiogram) knows, e.g. a kind of
# update Telegram added later, or a bare {"update_id": ...}.
UNKNOWN_KIND = "unknown"


@dataclass
class UpdateTrace:
    """Filled in by the inner middleware: which handler took the update."""

    handler: str | None = None


class UpdateLogMiddleware(BaseMiddleware):
    """Times the whole update (all other middlewares included) and records its outcome."""

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        trace = UpdateTrace()
        data[TRACE_KEY] = trace
        kind = _kind(event)
        update_id = event.update_id if isinstance(event, Update) else None
        started = time.perf_counter()
        outcome = "error"
        try:
            if kind == UNKNOWN_KIND:
                # aiogram raises on an update without an event; the webhook would answer 500
                # and Telegram redeliver it for ever. Acknowledged, counted, not handled.
                outcome = "ignored"
                return UNHANDLED
            result = await handler(event, data)
            outcome = "unhandled" if result is UNHANDLED else "handled"
            return result
        finally:
            latency = time.perf_counter() - started
            updates_counted(kind, outcome).inc()
            latency_observed(kind).observe(latency)
            log.info(
                "update %s %s",
                update_id,
                outcome,
                extra={
                    "update_id": update_id,
                    "update_type": kind,
                    "handler": trace.handler,
                    "latency_ms": round(latency * 1000, 2),
                    "outcome": outcome,
                },
            )


def _kind(event: TelegramObject) -> str:
    if not isinstance(event, Update):
        return type(event).__name__
    try:
        return event.event_type
    except UpdateTypeLookupError:
        return UNKNOWN_KIND


class HandlerNameMiddleware(BaseMiddleware):
    """Inner middleware: records the chosen handler's qualified name in the trace."""

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        trace = data.get(TRACE_KEY)
        chosen = data.get("handler")
        if isinstance(trace, UpdateTrace) and isinstance(chosen, HandlerObject):
            callback = chosen.callback
            trace.handler = f"{callback.__module__}.{getattr(callback, '__qualname__', '?')}"
        return await handler(event, data)


def instrument_dispatcher(dispatcher: Dispatcher) -> None:
    """Install the update log as the OUTERMOST update middleware and the handler-name hook.

    Outer middlewares run in registration order, so the ones already registered are taken off
    and put back after ours: the latency then includes the session, user and FSM middlewares.
    """
    manager = dispatcher.update.outer_middleware
    existing = list(manager)
    for middleware in existing:
        manager.unregister(middleware)
    manager.register(UpdateLogMiddleware())
    for middleware in existing:
        manager.register(middleware)
    # Inner middlewares of the dispatcher apply to the handlers of every included router.
    for name, observer in dispatcher.observers.items():
        if name not in ("update", "error"):
            observer.middleware(HandlerNameMiddleware())
