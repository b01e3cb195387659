"""Roles: who may use a router's commands, buttons and dialogs, checked on every update.

``role_router(Role.STAFF, name)`` is a Router whose message and button handlers run only for
users who hold the role *now* (a fresh database read per update, never a flag in callback
data or FSM data). Anyone else gets one refusal, ``not-allowed``: a message for a command or
typed text, an alert for a button; whoever lost the role in the middle of one of the router's
dialogs also loses that dialog. The refusal comes from an inner middleware, which aiogram
runs only after a handler's filters matched, so it answers exactly what the router would
have taken and nothing else reaches the other routers' handlers by mistake.

A role is data: a name and the check that reads it (``HOLDERS``); a second role (the
professional, issue #25) is a new entry, not a new set of handlers.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from enum import Enum
from typing import Any

from aiogram import Router
from aiogram.filters import Filter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message, TelegramObject
from aiogram.types import User as TelegramUser
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import User
from bot.i18n import Translator


class Role(Enum):
    STAFF = "staff"
    PROFESSIONAL = "professional"  # guides families (/guide); fewer rights than staff


async def is_staff(session: AsyncSession, user_id: int) -> bool:
    """Whether ``user_id`` has staff rights right now (a fresh read, not a cached flag)."""
    flag = await session.scalar(select(User.staff).where(User.user_id == user_id))
    return bool(flag)


async def is_professional(session: AsyncSession, user_id: int) -> bool:
    """Whether ``user_id`` may guide families right now: a professional, or staff (staff
    hold every right a professional has)."""
    row = (
        await session.execute(select(User.professional, User.staff).where(User.user_id == user_id))
    ).first()
    return row is not None and bool(row.professional or row.staff)


HOLDERS: dict[Role, Callable[[AsyncSession, int], Awaitable[bool]]] = {
    Role.STAFF: is_staff,
    Role.PROFESSIONAL: is_professional,
}


class HasRole(Filter):
    """Passes only for users who hold ``role`` in the database."""

    def __init__(self, role: Role) -> None:
        self.role = role

    async def __call__(
        self,
        event: TelegramObject,
        session: AsyncSession,
        event_from_user: TelegramUser | None = None,
    ) -> bool:
        user = event_from_user
        return user is not None and await HOLDERS[self.role](session, user.id)


class IsStaff(HasRole):
    def __init__(self) -> None:
        super().__init__(Role.STAFF)


Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


class RoleRouter(Router):
    """A Router for one role; its dialogs register their states in ``dialog_states``."""

    def __init__(self, role: Role, name: str, *, presses_end_dialogs: bool = False) -> None:
        """``presses_end_dialogs``: a refused button press also ends the router's dialog (for
        dialogs of buttons only, such as /guide, whose answers should not outlive the role;
        a wizard that takes typed text ends on the next text, with its refusal)."""
        super().__init__(name=name)
        self.holds = HasRole(role)
        self.dialog_states: set[str] = set()
        self.presses_end_dialogs = presses_end_dialogs
        self.message.middleware(self._only_holders)
        self.callback_query.middleware(self._only_holders)

    async def _only_holders(
        self, handler: Handler, event: TelegramObject, data: dict[str, Any]
    ) -> Any:
        if await self.holds(event, data["session"], data.get("event_from_user")):
            return await handler(event, data)
        t: Translator = data["t"]
        state: FSMContext | None = data.get("state")
        ends = isinstance(event, Message) or self.presses_end_dialogs
        if ends and state is not None and await state.get_state() in self.dialog_states:
            await state.clear()  # the role was withdrawn mid-dialog: nothing more is used
        if isinstance(event, CallbackQuery):
            await event.answer(t("not-allowed"), show_alert=True)
        elif isinstance(event, Message):
            await event.answer(t("not-allowed"))
        return None


def role_router(role: Role, name: str, *, presses_end_dialogs: bool = False) -> RoleRouter:
    return RoleRouter(role, name, presses_end_dialogs=presses_end_dialogs)
