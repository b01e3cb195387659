"""Update middlewares: one database session per update, the user and their locale, flood control.

Order (outermost first, after aiogram's own error and user-context middlewares):
PrivateChatsOnly → Throttling → DatabaseSession → FSM context → KnownUser → Indicator
(bot.indicators.record) → FloodNotice. Nothing from outside a private chat gets past the
first; throttling comes next so a dropped update costs no session, lock or read; the session
comes before the FSM context so the FSM storage reads and writes through it (see
bot.db.storage).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import Enum
from typing import Any, Protocol

from aiogram import BaseMiddleware, Bot
from aiogram.dispatcher.middlewares.user_context import EVENT_CONTEXT_KEY, EventContext
from aiogram.enums import ChatMemberStatus, ChatType
from aiogram.exceptions import TelegramAPIError
from aiogram.fsm.storage.base import BaseEventIsolation, StorageKey
from aiogram.types import ChatMemberUpdated, Message, TelegramObject, Update
from aiogram.types.update import UpdateTypeLookupError
from aiogram.utils.chat_member import ChatMemberUnion
from sqlalchemy import bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Locale, Settings
from bot.db.engine import execute_alone, update_session, upsert
from bot.db.models import User
from bot.db.storage import USER_COLUMNS, read_with_fsm
from bot.i18n import I18n, locale_from_language_code

log = logging.getLogger(__name__)

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]

# last_seen is kept to the hour: a write per update would serialise every update on SQLite.
LAST_SEEN_PRECISION = timedelta(hours=1)


def _is_member(member: ChatMemberUnion) -> bool:
    if member.status == ChatMemberStatus.RESTRICTED:
        return bool(getattr(member, "is_member", False))
    return member.status in (
        ChatMemberStatus.CREATOR,
        ChatMemberStatus.ADMINISTRATOR,
        ChatMemberStatus.MEMBER,
    )


def _bot_joined(change: ChatMemberUpdated) -> bool:
    return _is_member(change.new_chat_member) and not _is_member(change.old_chat_member)


def _about_own_membership(message: Message, bot_id: int) -> bool:
    """A service message saying the bot joined or left: its ``my_chat_member`` update is the
    one acted on (joining), or there is nothing left to do (leaving)."""
    joined = any(member.id == bot_id for member in message.new_chat_members or ())
    left = message.left_chat_member is not None and message.left_chat_member.id == bot_id
    return joined or left


class PrivateChatsOnlyMiddleware(BaseMiddleware):
    """Valo serves private chats only: every other update stops here, before a database session,
    a user row, dialog state or a handler could see it.

    Added to a group, supergroup or channel, the bot says so once, in the adder's language, and
    leaves. Any other update from such a chat (the bot was there before this rule) is dropped and
    the bot leaves quietly; a button press there is answered without effect. Updates of a kind
    no handler takes (``handled``), or with no chat at all (inline queries, polls), are dropped
    too. ``my_chat_member`` in a private chat (a family blocking or unblocking the bot) passes.
    """

    def __init__(self, settings: Settings, i18n: I18n, handled: frozenset[str]) -> None:
        self._default_locale = settings.default_locale
        self._i18n = i18n
        self._handled = handled

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        context: EventContext | None = data.get(EVENT_CONTEXT_KEY)
        chat = context.chat if context else None
        if not isinstance(event, Update):
            return await handler(event, data)
        if _kind(event) in self._handled and chat is not None and chat.type == ChatType.PRIVATE:
            return await handler(event, data)
        bot: Bot = data["bot"]
        if event.callback_query is not None:
            await self._quietly(bot.answer_callback_query(event.callback_query.id), "answer")
        if chat is None or chat.type == ChatType.PRIVATE:
            return None  # private, but of a kind Valo does not take: nothing to leave
        change = event.my_chat_member
        if change is not None:
            if _bot_joined(change):
                language = change.from_user.language_code
                locale = locale_from_language_code(language) or self._default_locale
                text = self._i18n[locale]("private-chats-only")
                await self._quietly(bot.send_message(chat.id, text), "say private only")
            if _is_member(change.new_chat_member):  # joined, or promoted where it still is
                await self._quietly(bot.leave_chat(chat.id), "leave")
            return None  # removed, or left: nothing about anyone changes
        message = event.message
        if message is not None and _about_own_membership(message, bot.id):
            return None
        await self._quietly(bot.leave_chat(chat.id), "leave")
        return None

    @staticmethod
    async def _quietly(call: Awaitable[Any], what: str) -> None:
        # A chat the bot cannot write to or has already left is no reason to fail the update.
        try:
            await call
        except TelegramAPIError as exc:
            log.info("non-private chat: could not %s (%s)", what, type(exc).__name__)


def _kind(update: Update) -> str | None:
    try:
        return update.event_type
    except UpdateTypeLookupError:  # a stand-in for a hopeless update (bot.updates)
        return None


class DatabaseSessionMiddleware(BaseMiddleware):
    """Opens the update's session, shares it through ``current_session``, closes it after."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        async with update_session(self._sessions) as session:
            data["session"] = session
            return await handler(event, data)


@dataclass(frozen=True)
class LocaleChoice:
    """The locale to speak, and whether the user still has to be asked for one."""

    locale: Locale
    must_choose: bool


def choose_locale(chosen: str | None, language_code: str | None, default: Locale) -> LocaleChoice:
    """The user's own choice, else their Telegram language, else the default (and ask)."""
    for candidate in (chosen, language_code):
        locale = locale_from_language_code(candidate)
        if locale:
            return LocaleChoice(locale, must_choose=False)
    return LocaleChoice(default, must_choose=True)


# Built once: building the WHERE clause per update costs more than running the statement.
_USER = select(*USER_COLUMNS).where(User.user_id == bindparam("user_id"))


async def _user_row(session: AsyncSession, user_id: int) -> dict[str, Any] | None:
    """The user's USER_COLUMNS: brought along by the update's FSM read, else read here."""
    known = read_with_fsm(session, user_id)
    if known is not None:
        return known
    rows = await execute_alone(session, _USER, {"user_id": user_id}, writes=False)
    return rows[0]._asdict() if rows else None


async def load_user(
    session: AsyncSession,
    user_id: int,
    now: datetime,
    staff_ids: frozenset[int],
    detected_locale: str | None = None,
) -> tuple[User, bool]:
    """Fetch the user's row, creating it on first contact; returns ``(user, is_new)``.

    ``detected_locale`` (from Telegram's language_code) is remembered when the user has not
    chosen one, so reminders and announcements sent later speak their language too.

    The row is read as a lone statement (one round trip, the connection back in the pool at
    once: every update does this), or taken from the update's FSM read, which brings it along
    on SQL storage (bot.db.storage.read_with_fsm). It is returned as a ``User`` detached from
    the session: to change the row, a handler writes an UPDATE (see bot.handlers.privacy).
    """
    bootstrap_staff = user_id in staff_ids
    known = await _user_row(session, user_id)
    if known is None:
        values = {
            "locale": detected_locale,
            "first_seen": now,
            "last_seen": now,
            "blocked": False,
            "staff": bootstrap_staff,
            "counted": True,
        }
        insert = upsert(session, User).values(user_id=user_id, **values)
        created = await execute_alone(
            session,
            insert.on_conflict_do_nothing(index_elements=[User.user_id]).returning(User.user_id),
        )
        if created:
            return User(user_id=user_id, **values), True
        # Another update of theirs created it a moment ago: read it as usual.
        known = await _user_row(session, user_id)
        assert known is not None
    user = User(user_id=user_id, **known)
    changes: dict[str, Any] = {}
    if now - user.last_seen >= LAST_SEEN_PRECISION:
        changes["last_seen"] = now
    if user.blocked:
        changes["blocked"] = False  # they wrote to us, so they no longer block the bot
    if bootstrap_staff and not user.staff:
        changes["staff"] = True
    if user.locale is None and detected_locale is not None:
        changes["locale"] = detected_locale
    if changes:
        await execute_alone(session, update(User).where(User.user_id == user_id).values(**changes))
        for key, value in changes.items():
            setattr(user, key, value)
    return user, False


class KnownUserMiddleware(BaseMiddleware):
    """Loads the user row and puts ``user``, ``locale_choice`` and the translator ``t`` in data."""

    def __init__(self, settings: Settings, i18n: I18n) -> None:
        self._settings = settings
        self._i18n = i18n

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        context: EventContext | None = data.get(EVENT_CONTEXT_KEY)
        tg_user = context.user if context else None
        language_code = tg_user.language_code if tg_user else None
        if tg_user is None or tg_user.is_bot:
            choice = choose_locale(None, language_code, self._settings.default_locale)
            data.update(user=None, user_is_new=False, locale_choice=choice)
        else:
            user, is_new = await load_user(
                data["session"],
                tg_user.id,
                datetime.now(UTC),
                self._settings.staff_ids,
                locale_from_language_code(language_code),
            )
            choice = choose_locale(user.locale, language_code, self._settings.default_locale)
            data.update(user=user, user_is_new=is_new, locale_choice=choice)
        data["t"] = self._i18n[choice.locale]
        return await handler(event, data)


class Verdict(Enum):
    PASS = "pass"
    NOTIFY = "notify"  # the first update over the limit in this window: tell the user once
    DROP = "drop"


class FloodCounter(Protocol):
    async def hit(self, user_id: int) -> int:
        """Count one update for ``user_id`` in the current window; return the count so far."""


class MemoryFloodCounter:
    """Fixed windows per user in process memory (the embedded default)."""

    def __init__(self, window: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._window = window
        self._clock = clock
        self._counts: dict[int, tuple[int, int]] = {}

    async def hit(self, user_id: int) -> int:
        window = int(self._clock() // self._window)
        previous_window, count = self._counts.get(user_id, (window, 0))
        count = count + 1 if previous_window == window else 1
        self._counts[user_id] = (window, count)
        if len(self._counts) > 10_000:  # forget users from old windows
            self._counts = {u: wc for u, wc in self._counts.items() if wc[0] == window}
        return count


# Count one update in the window's key; the first count of a window sets its expiry.
_HIT = """
local count = redis.call('incr', KEYS[1])
if count == 1 then redis.call('expire', KEYS[1], ARGV[1]) end
return count
"""


class RedisFloodCounter:
    """Fixed windows per user in Redis, shared by every replica (one script call per update)."""

    def __init__(self, redis: Any, window: float, prefix: str = "valo:flood") -> None:
        self._window = window
        self._prefix = prefix
        self._hit = redis.register_script(_HIT)

    async def hit(self, user_id: int) -> int:
        window = int(time.time() // self._window)
        key = f"{self._prefix}:{user_id}:{window}"
        return int(await self._hit(keys=[key], args=[int(self._window) + 1]))


# data key: the chat to tell "slow down" (set by ThrottlingMiddleware, used by FloodNotice).
FLOOD_NOTICE = "valo_flood_notice"


class ThrottlingMiddleware(BaseMiddleware):
    """Drops a flooding user's excess updates before anything else is spent on them.

    Outermost of ours: a dropped update costs one counter hit (process memory, or one Redis
    call), never a database session, the user's lock or a row read. The first update over
    the limit in a window goes on, marked, so that :class:`FloodNoticeMiddleware` can tell
    the user once, in their language, instead of running the handler."""

    def __init__(self, counter: FloodCounter, rate: int) -> None:
        self._counter = counter
        self._rate = rate

    async def verdict(self, user_id: int) -> Verdict:
        count = await self._counter.hit(user_id)
        if count <= self._rate:
            return Verdict.PASS
        return Verdict.NOTIFY if count == self._rate + 1 else Verdict.DROP

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        context: EventContext | None = data.get(EVENT_CONTEXT_KEY)
        if context is None or context.user is None:
            return await handler(event, data)
        verdict = await self.verdict(context.user.id)
        if verdict is Verdict.PASS:
            return await handler(event, data)
        log.info("throttled update from a user (%s)", verdict.value)
        if verdict is Verdict.NOTIFY and context.chat is not None:
            data[FLOOD_NOTICE] = context.chat.id
            return await handler(event, data)
        return None


class FloodNoticeMiddleware(BaseMiddleware):
    """Sends the "slow down" notice in place of the handler for an update so marked (once
    per window and user; see :class:`ThrottlingMiddleware`). Inside the user middleware,
    which gives the translator."""

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        chat_id = data.get(FLOOD_NOTICE)
        if chat_id is None:
            return await handler(event, data)
        bot: Bot = data["bot"]
        await bot.send_message(chat_id, data["t"]("flood-slow-down"))
        return None


class MemoryEventIsolation(BaseEventIsolation):
    """One user's updates one at a time, in process memory (without Redis).

    aiogram's ``SimpleEventIsolation`` keeps a lock per key for ever (~300 bytes per user
    who ever wrote); here a key's lock lives only while an update holds it or waits for it.
    """

    def __init__(self) -> None:
        self._locks: dict[StorageKey, _KeyLock] = {}

    def keys_locked(self) -> int:
        """How many keys have a lock now. (Not ``__len__``: aiogram tests the isolation it is
        given for truth, and an empty one would be replaced by none.)"""
        return len(self._locks)

    @asynccontextmanager
    async def lock(self, key: StorageKey) -> AsyncIterator[None]:
        entry = self._locks.get(key)
        if entry is None:
            entry = self._locks[key] = _KeyLock()
        entry.users += 1
        try:
            async with entry.lock:
                yield
        finally:
            entry.users -= 1
            if entry.users == 0:
                del self._locks[key]

    async def close(self) -> None:
        self._locks.clear()


@dataclass
class _KeyLock:
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    users: int = 0  # holding or waiting
