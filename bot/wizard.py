"""Staff wizards as data: a wizard is the list of its steps; this module runs them.

A ``Step`` says what to ask (a Fluent id or a function), which buttons to offer (``buttons``,
paged by the ``paged`` action), what a typed answer does (``typed``), what each button does
(``pressed``, by action) and where "skip" goes. A step function gets a ``Ctx`` (the update,
the draft, Valo's per-update data) and returns the next step's name, ``END`` (the wizard is
done: its state is cleared), ``REDRAW`` (stay; the pressed message's buttons are drawn again)
or None (stay; it has answered itself). What every wizard does the same way is written here
once: the draft kept in the FSM data (never in callback data), "stop" (button and /cancel),
"skip", paging, a typed answer that cannot be used (the step raises one of the wizard's
``refusals``: an error with a Fluent ``msg_id`` and ``details``), a button from another step
or an ended wizard (``texts.stale``), a message where buttons are expected, and each step's
message sent anew (not edited), so the conversation stays readable as a history.

Callback data is ``<prefix>:<action>:<arg>`` (``WizardPress``), each wizard its own prefix.
Who may use a wizard is its router's business (``bot.roles``). The wizards themselves are the
staff features' (``bot.handlers``); this is their engine, as ``bot.flow`` is the families'.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, Protocol, TypeVar, cast

from aiogram import Bot, F
from aiogram.enums import ParseMode
from aiogram.filters import Command, StateFilter
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from bot.catalog.store import LiveCatalog
from bot.config import Settings
from bot.i18n import I18n, Translator
from bot.roles import RoleRouter

NONE = "-"
END = "<end>"
REDRAW = "<redraw>"

Button = tuple[str, CallbackData]
Row = Sequence[Button]


class WizardPress(CallbackData, prefix="wz"):
    """A wizard's button; subclasses give the prefix."""

    action: str
    arg: str = NONE


def keyboard(*rows: Row) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [InlineKeyboardButton(text=text, callback_data=data.pack()) for text, data in row]
            for row in rows
        ]
    )


def paged(
    buttons: Sequence[Button],
    page: int,
    size: int,
    turn: Callable[[int], CallbackData],
    labels: tuple[str, str],
) -> list[Row]:
    """``size`` buttons a page, one a row, then "previous"/"more" (``labels``) as needed."""
    pages = max(1, -(-len(buttons) // size))
    page = min(max(page, 0), pages - 1)
    rows: list[Row] = [[b] for b in buttons[page * size : (page + 1) * size]]
    nav: list[Button] = [(labels[0], turn(page - 1))] if page > 0 else []
    nav += [(labels[1], turn(page + 1))] if page < pages - 1 else []
    return [*rows, nav] if nav else rows


def page_number(arg: str) -> int:
    return int(arg) if arg.isdigit() else 0


class Stale(Exception):
    """The press does not fit the step (forged, or its choice is gone): answered as stale."""


class Broken(Exception):
    """The draft cannot be finished (e.g. its service left the catalogue): the wizard ends."""

    def __init__(self, msg_id: str) -> None:
        super().__init__(msg_id)
        self.msg_id = msg_id


class Refusal(Protocol):
    """What a step's refusal carries (``StaffInputError``, ``TelegramHtmlError``)."""

    msg_id: str
    details: dict[str, str | int]


D = TypeVar("D", bound=BaseModel)


class Ctx(Generic[D]):
    """One update: the event, Valo's per-update data (typed), the wizard's draft and memo."""

    def __init__(
        self, event: Message | CallbackQuery, data: dict[str, Any], draft: D, memo: Any = None
    ) -> None:
        self.event, self.data, self.draft, self.memo = event, data, draft, memo or {}
        self.t: Translator = data["t"]
        self.session: AsyncSession = data["session"]
        self.settings: Settings = data["settings"]
        self.catalog: LiveCatalog = data["catalog"]
        self.i18n: I18n = data["i18n"]
        self.bot: Bot = data["bot"]
        self.state: FSMContext = data["state"]
        assert event.from_user is not None
        self.user_id = event.from_user.id
        self.answered = False

    async def send(
        self, text: str, markup: InlineKeyboardMarkup | None = None, *, html: bool = False
    ) -> Message:
        """Answer a typed message or a button press with a new message."""
        await self.acknowledge()
        mode = ParseMode.HTML if html else None
        return await self.bot.send_message(self.user_id, text, parse_mode=mode, reply_markup=markup)

    async def acknowledge(self, text: str | None = None, *, alert: bool = True) -> None:
        """Answer the button press once (with ``text`` as an alert, or a toast)."""
        if isinstance(self.event, CallbackQuery) and not self.answered:
            self.answered = True
            await self.event.answer(text, show_alert=alert and text is not None)

    async def redraw(self, markup: InlineKeyboardMarkup) -> None:
        """New buttons on the pressed message (a page turned, a choice toggled)."""
        await self.acknowledge()
        if isinstance(self.event, CallbackQuery) and isinstance(self.event.message, Message):
            await self.event.message.edit_reply_markup(reply_markup=markup)


class Blank(BaseModel):
    """The draft of a wizard that keeps nothing between updates, and of ``screen``."""


def screen(event: Message | CallbackQuery, data: dict[str, Any]) -> Ctx[Blank]:
    """A ``Ctx`` for a handler outside any wizard."""
    return Ctx(event, data, Blank())


Next = str | None
Text = str | Callable[[Ctx[D]], str | Awaitable[str]]
Answer = Callable[[Ctx[D], str], Awaitable[Next]]  # a typed text or a button's arg -> what next
Rows = Callable[[Ctx[D], int], Sequence[Row] | Awaitable[Sequence[Row]]]  # page -> buttons


@dataclass(frozen=True)
class Step(Generic[D]):
    """One step of a wizard; see the module's docstring."""

    name: str
    text: Text[D]
    buttons: Rows[D] | None = None
    typed: Answer[D] | None = None
    pressed: Mapping[str, Answer[D]] = field(default_factory=dict)
    skip: str | None = None
    paged: str | None = None
    html: bool = False


@dataclass(frozen=True)
class WizardTexts:
    """Fluent ids: the stop button (None: no button, /cancel only), stopped, a button from
    another step, a message where text was expected, one where buttons were, skip."""

    stop: str | None
    stopped: str
    stale: str
    need_text: str
    use_buttons: str
    skip: str


async def _maybe(value: Any) -> Any:
    return await value if inspect.isawaitable(value) else value


class Wizard(Generic[D]):
    """Steps named ``<group>:<step>`` (a step name with a colon is taken as it is)."""

    def __init__(
        self,
        group: str,
        press: type[WizardPress],
        draft: type[D],
        key: str,
        texts: WizardTexts,
        steps: Sequence[Step[D]],
        refusals: tuple[type[Exception], ...] = (),
        stop_action: str = "stop",
    ) -> None:
        self.press, self.model, self.key, self.texts = press, draft, key, texts
        self.refusals, self.stop_action = refusals, stop_action
        self.steps = {s.name: s for s in steps}
        self.states = {(s.name if ":" in s.name else f"{group}:{s.name}"): s for s in steps}
        self.state_of = {s.name: name for name, s in self.states.items()}
        actions = {stop_action, "skip"} | {a for s in steps for a in s.pressed}
        self.actions = actions | {s.paged for s in steps if s.paged}

    def register(self, router: RoleRouter) -> None:
        """Add the wizard's handlers (after the router's commands, so they win over text)."""
        router.dialog_states.update(self.states)
        states = StateFilter(*self.states)
        router.callback_query(self.press.filter(F.action.in_(self.actions)))(self._pressed)
        router.message(Command("cancel"), states)(self._stop)
        router.message(states)(self._typed)

    async def start(
        self, event: Message | CallbackQuery, data: dict[str, Any], step: str, memo: Any = None
    ) -> None:
        """Begin at ``step`` with a new draft (``memo``: what the steps need to know)."""
        await data["state"].clear()
        await self._go(Ctx(event, data, self.model(), memo), step)

    async def _ctx(self, event: Message | CallbackQuery, data: dict[str, Any]) -> Ctx[D]:
        stored = await data["state"].get_data()
        draft = self.model.model_validate(stored.get(self.key) or {})
        return Ctx(event, data, draft, stored.get(f"{self.key}:memo") or {})

    async def _go(self, ctx: Ctx[D], outcome: Next | Awaitable[Next]) -> None:
        """Run a step function's outcome; a broken draft ends the wizard with its reason."""
        try:
            following: Next = await _maybe(outcome)
            if following is None:
                return
            if following == END:
                await ctx.state.clear()
                return
            current = await ctx.state.get_state()
            step = self.steps[following] if following != REDRAW else self.states[current or ""]
            draft = ctx.draft.model_dump(mode="json")
            await ctx.state.update_data({self.key: draft, f"{self.key}:memo": ctx.memo})
            if following == REDRAW:
                await ctx.redraw(keyboard(*await self._rows(ctx, step, 0)))
                return
            await ctx.state.set_state(self.state_of[step.name])
            text = ctx.t(step.text) if isinstance(step.text, str) else await _maybe(step.text(ctx))
            rows = await self._rows(ctx, step, 0)
        except Broken as exc:
            await ctx.state.clear()
            await ctx.send(ctx.t(exc.msg_id))
            return
        await ctx.send(text, keyboard(*rows) if rows else None, html=step.html)

    async def _rows(self, ctx: Ctx[D], step: Step[D], page: int) -> list[Row]:
        rows = list(await _maybe(step.buttons(ctx, page))) if step.buttons else []
        if step.skip is not None or "skip" in step.pressed:
            rows.append([(ctx.t(self.texts.skip), self.press(action="skip"))])
        if self.texts.stop is not None:
            rows.append([(ctx.t(self.texts.stop), self.press(action=self.stop_action))])
        return rows

    async def _stop(self, message: Message, **data: Any) -> None:
        await data["state"].clear()
        await message.answer(data["t"](self.texts.stopped))

    async def _pressed(self, query: CallbackQuery, **data: Any) -> None:
        ctx = await self._ctx(query, data)
        pressed: WizardPress = data["callback_data"]
        action, arg = pressed.action, pressed.arg
        step = self.states.get(await ctx.state.get_state() or "")
        try:
            if step is None:
                raise Stale
            if action == self.stop_action and self.texts.stop is not None:
                await ctx.state.clear()
                await ctx.send(ctx.t(self.texts.stopped))
            elif action == "skip" and step.skip is not None:
                await self._go(ctx, step.skip)
            elif action == step.paged:
                await ctx.redraw(keyboard(*await self._rows(ctx, step, page_number(arg))))
            elif action in step.pressed:
                await self._go(ctx, step.pressed[action](ctx, arg))
            else:
                raise Stale
        except Stale:
            await ctx.send(ctx.t(self.texts.stale))
        await ctx.acknowledge()

    async def _typed(self, message: Message, **data: Any) -> None:
        ctx = await self._ctx(message, data)
        step = self.states[await ctx.state.get_state() or ""]
        if message.text is None or step.typed is None:
            await ctx.send(ctx.t(self.texts.need_text if step.typed else self.texts.use_buttons))
            return
        try:
            await self._go(ctx, step.typed(ctx, message.text))
        except self.refusals as exc:
            said = cast(Refusal, exc)
            await ctx.send(ctx.t(said.msg_id, **said.details))
