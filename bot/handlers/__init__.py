"""aiogram Routers, one module per feature. Thin: parse, call, reply."""

from __future__ import annotations

from aiogram import Router

from bot.handlers import (
    broadcast,
    events,
    fallback,
    guide,
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
    """Every feature router, in matching order; the fallback router comes last.

    The dialog's router first: most updates are presses on its buttons, and every router
    before it checks its own filters on each of them."""
    return [
        needs.router,
        start.router,
        menu.router,
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
        guide.router,
        fallback.router,
    ]
