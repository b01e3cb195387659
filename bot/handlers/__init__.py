"""aiogram Routers, one module per feature. Thin: parse, call, reply."""

from __future__ import annotations

from aiogram import Router

from bot.handlers import (
    broadcast,
    events,
    fallback,
    language,
    menu,
    needs,
    privacy,
    reminders,
    services,
    staff,
    staff_events,
    start,
    stats,
    subscriptions,
)


def feature_routers() -> list[Router]:
    """Every feature router, in matching order; the fallback router comes last."""
    return [
        start.router,
        menu.router,
        needs.router,
        services.router,
        language.router,
        privacy.router,
        events.router,
        reminders.router,
        subscriptions.router,
        staff_events.router,
        staff.router,
        stats.router,
        broadcast.router,
        fallback.router,
    ]
