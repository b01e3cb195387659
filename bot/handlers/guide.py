"""/guide: a professional builds a service path with a family and hands it over (issue #25).

The guide is the tree ``dialogs/guide.yaml`` (audience ``professional``), run by the same
engine as the families' /find; this router is the professional's role router, so every
command and button is checked against the database on each update (staff hold the role too).
The first question is the family's language; the others are the families' own, shown in the
professional's language. At the end the path is shown by service name, with one question
when violence or shelter services are on it (may they go on the printed card?), and handed
over: the link, its QR code and the printable card. Then the dialog state is cleared and the
dialog's messages are edited to one neutral line, so the answers leave the professional's chat.

The family opens the link with ``/start p_<token>`` (:func:`open_service_path`, called by the
/start handler): the path in its own language, each step a card with the card's buttons,
the services' upcoming events (remind me) and news for the municipality (subscribe).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from aiogram import Bot
from aiogram.enums import ParseMode
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import Command
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.types import (
    BotCommand,
    BotCommandScopeChat,
    BufferedInputFile,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
)
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.catalog.cards import municipality_name
from bot.catalog.matching import CatalogIndex
from bot.catalog.store import LiveCatalog
from bot.config import Locale, Settings
from bot.db.engine import write_transaction
from bot.db.models import User
from bot.db.storage import save_fsm
from bot.events.cards import render_event_line
from bot.events.upcoming import ListedEvent, upcoming_events
from bot.flow.keyboard import OutMessage, render
from bot.flow.model import PROFESSIONAL, RESTART, Press, Tree, default_municipalities
from bot.flow.runner import NULL_OBSERVER, DialogState, Runner, Transition
from bot.guide.handover import PathEvent, printable_page, qr_png
from bot.guide.paths import (
    GUIDE_DIALOG,
    build_steps,
    family_locale,
    has_sensitive,
    open_path,
    path_link,
    save_path,
)
from bot.guide.render import PathStep, render_step
from bot.handlers.dialog_messages import edit_message, keyboard_from_markup, pressed, show_messages
from bot.handlers.events import clip, open_button
from bot.handlers.menu import COMMANDS, MenuAction, main_menu
from bot.handlers.needs import STATE_KEY, DialogButton
from bot.handlers.services import card_keyboard
from bot.handlers.subscriptions import NewsPlace
from bot.i18n import I18n, Translator
from bot.indicators.record import IndicatorRecorder
from bot.middlewares import LocaleChoice
from bot.roles import Role, role_router

log = logging.getLogger(__name__)
# The answers are about a family: a professional whose role is taken away mid-dialog loses
# them with the next press, not only with the next typed message.
router = role_router(Role.PROFESSIONAL, "guide", presses_end_dialogs=True)
GUIDE_STATE = f"dialog:{GUIDE_DIALOG}"  # the FSM state name the dialog saves under
router.dialog_states.add(GUIDE_STATE)
MESSAGES_KEY = "guide_messages"  # FSM data: ids of the dialog's messages, edited at handover
PATH_EVENTS = 5  # upcoming events listed under a path
TITLE_CLIP = 40


class Handover(CallbackData, prefix="gd"):
    """Hand the finished path over; ``token``: the dialog's (a press on an older path's
    message is stale); ``sensitive``: ``y`` print violence and shelter services, ``n`` not."""

    token: str
    sensitive: str = "n"


async def show_guide_command(bot: Bot, user_id: int, t: Translator) -> None:
    """Add /guide to the command menu of ``user_id``'s own chat (who just got the role)."""
    commands = [BotCommand(command=c, description=t(f"cmd-{c}")) for c in (*COMMANDS, "guide")]
    try:
        await bot.set_my_commands(commands, scope=BotCommandScopeChat(chat_id=user_id))
    except TelegramAPIError as exc:  # a menu is a convenience: the command works without it
        log.info("could not set the guide's command menu: %s", type(exc).__name__)


async def hide_guide_command(bot: Bot, user_id: int) -> None:
    """Back to everyone's command menu for ``user_id`` (whose role was taken away)."""
    try:
        await bot.delete_my_commands(scope=BotCommandScopeChat(chat_id=user_id))
    except TelegramAPIError as exc:
        log.info("could not reset a command menu: %s", type(exc).__name__)


def _runner(tree: Tree, municipalities: Sequence[str] | None) -> Runner:
    # The professional's answers are about a family: no dialog indicators are written for
    # them (the path's own, anonymous ones are: created, opened, services on it).
    return Runner(tree, municipalities or default_municipalities(), NULL_OBSERVER)


async def _data(state: FSMContext) -> dict[str, Any]:
    return dict(await state.get_data())


def _current(data: Mapping[str, Any], tree: Tree) -> DialogState | None:
    current = DialogState.from_data(data.get(STATE_KEY))
    return current if current is not None and current.tree == tree.id else None


async def _save(state: FSMContext, data: dict[str, Any], dialog: DialogState) -> None:
    await save_fsm(state, GUIDE_STATE, {**data, STATE_KEY: dialog.to_data()})


def _steps(index: CatalogIndex, runner: Runner, dialog: DialogState) -> list[PathStep]:
    return build_steps(index, runner.answers(dialog))


def _button(text: str, data: CallbackData) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=data.pack())


def _preview(
    steps: Sequence[PathStep],
    dialog: DialogState,
    locale: Locale,
    t: Translator,
    heading: str = "guide-results",
) -> tuple[str, InlineKeyboardMarkup]:
    """The finished path by service name, in the professional's language, and its buttons;
    ``heading``: the result node's text (it gets the number of services)."""
    restart = InlineKeyboardButton(
        text=t("guide-restart"),
        callback_data=Press(GUIDE_DIALOG, dialog.node, RESTART, dialog.token).pack(),
    )
    if not steps:
        return t("guide-none"), InlineKeyboardMarkup(inline_keyboard=[[restart]])
    names = "\n".join(
        t("guide-preview-line", number=n, name=step.service.name.get(t.locale))
        for n, step in enumerate(steps, 1)
    )
    preview = t("guide-preview", language=t(f"guide-lang-{locale}"), services=names)
    text = f"{t(heading, count=len(steps))}\n\n{preview}"
    if has_sensitive(steps):
        # The one question the tree cannot ask: only now is it known whether it arises.
        text = f"{text}\n\n{t('guide-sensitive-ask')}"
        rows = [
            [_button(t("guide-print-sensitive"), Handover(token=dialog.token, sensitive="y"))],
            [_button(t("guide-print-without"), Handover(token=dialog.token, sensitive="n"))],
        ]
    else:
        rows = [[_button(t("guide-hand-over"), Handover(token=dialog.token, sensitive="n"))]]
    rows.append([restart])
    return text, InlineKeyboardMarkup(inline_keyboard=rows)


async def _messages(
    transition: Transition,
    runner: Runner,
    t: Translator,
    catalog: LiveCatalog,
    session: AsyncSession,
) -> Sequence[OutMessage]:
    """The messages of the step ``transition`` leads to: the flow's rendering, except at the
    result, which is the path's preview."""
    step, dialog = transition.step, transition.state
    if step.kind != "result":
        return render(step, t, again=transition.stale).messages
    index = await catalog.get(session)
    locale = family_locale(dialog) or t.locale
    text, markup = _preview(_steps(index, runner, dialog), dialog, locale, t, step.text)
    return [OutMessage(text, keyboard_from_markup(markup))]


def _remember(data: dict[str, Any], ids: Sequence[int]) -> dict[str, Any]:
    known = [int(i) for i in data.get(MESSAGES_KEY, ())]
    return {**data, MESSAGES_KEY: list(dict.fromkeys([*known, *ids]))}


@router.message(Command("guide"))
@router.callback_query(DialogButton(PROFESSIONAL))
async def guide_step(
    event: Message | CallbackQuery,
    bot: Bot,
    state: FSMContext,
    t: Translator,
    session: AsyncSession,
    catalog: LiveCatalog,
    dialogs: Mapping[str, Tree],
    dialog_municipalities: Sequence[str] | None = None,
    press: Press | None = None,
) -> None:
    """/guide: a new guide from the first question (an unfinished one is left: its buttons go
    stale); a ``press`` on a guide's button: its next step. One handler for both, as the two
    differ only in the transition and in where the step is shown."""
    tree = dialogs[press.tree if press is not None else GUIDE_DIALOG]
    runner = _runner(tree, dialog_municipalities)
    data = await _data(state)
    editable: Message | None = None
    if isinstance(event, CallbackQuery):
        assert press is not None  # DialogButton gives it
        transition = runner.press(_current(data, tree), press)
        notice = transition.step.notice
        await event.answer(t(notice) if notice else None)
        chat_id, editable = pressed(event, transition.stale)
    else:
        transition = runner.start()
        chat_id = event.chat.id
    messages = await _messages(transition, runner, t, catalog, session)
    ids = await show_messages(bot, chat_id, messages, editable)
    await _save(state, _remember(data, ids), transition.state)


async def _path_events(
    session: AsyncSession,
    catalog: LiveCatalog,
    settings: Settings,
    steps: Sequence[PathStep],
    municipality: str | None,
    now: datetime,
) -> list[ListedEvent]:
    index = await catalog.get(session)
    on_path = {step.service.id for step in steps}
    found = await upcoming_events(session, index.services, settings.tz, now)
    near = [e for e in found if e.service.id in on_path]
    if municipality is not None:
        near.sort(key=lambda e: e.location is None or e.location.municipality != municipality)
    return near[:PATH_EVENTS]


@router.callback_query(Handover.filter())
async def hand_over(
    query: CallbackQuery,
    callback_data: Handover,
    bot: Bot,
    state: FSMContext,
    t: Translator,
    i18n: I18n,
    session: AsyncSession,
    catalog: LiveCatalog,
    settings: Settings,
    dialogs: Mapping[str, Tree],
    indicators: IndicatorRecorder,
    dialog_municipalities: Sequence[str] | None = None,
) -> None:
    """Store the path and hand it over three ways; then forget the answers, here and in
    the chat."""
    tree = dialogs[GUIDE_DIALOG]
    runner = _runner(tree, dialog_municipalities)
    data = await _data(state)
    dialog = _current(data, tree)
    chat_id = query.message.chat.id if query.message else query.from_user.id
    if (
        dialog is None
        or dialog.token != callback_data.token
        or tree.node(dialog.node).kind != "result"
    ):
        await query.answer()
        await bot.send_message(chat_id, t("guide-stale"))
        return
    await query.answer()
    index = await catalog.get(session)
    steps = _steps(index, runner, dialog)
    locale = family_locale(dialog) or t.locale
    municipality = runner.answers(dialog).municipality
    include_sensitive = callback_data.sensitive == "y"
    now = datetime.now(UTC)
    token = await save_path(
        session,
        locale,
        municipality,
        steps,
        include_sensitive=include_sensitive,
        now=now,
        days=settings.guide_path_days,
    )
    indicators.path("path_created", municipality, [s.service.id for s in steps])
    # The answers go first: whatever fails below, nothing of them is left in the state.
    await state.clear()
    me = await bot.me()
    link = path_link(me.username or "", token)
    expires = now + timedelta(days=settings.guide_path_days)
    await bot.send_message(chat_id, t("guide-link", link=link, expires=t.format_date(expires)))
    await bot.send_photo(
        chat_id, BufferedInputFile(qr_png(link), "valo-path.png"), caption=t("guide-qr-caption")
    )
    family = i18n[locale]
    local_now = now.astimezone(settings.tz)
    listed = await _path_events(session, catalog, settings, steps, municipality, now)
    events = [
        PathEvent(
            e.event.title.get(locale),
            e.next.start,
            e.location.name.get(locale) if e.location is not None else None,
            # A service left off paper takes its events with it.
            service_id=e.service.id,
        )
        for e in listed
    ]
    page = printable_page(
        steps,
        family,
        link,
        local_now,
        events=events,
        include_sensitive=include_sensitive,
        expires=expires.astimezone(settings.tz),
    )
    caption = t("guide-print-caption")
    if has_sensitive(steps) and not include_sensitive:
        caption = f"{caption}\n{t('guide-print-without-note')}"
    await bot.send_document(
        chat_id, BufferedInputFile(page.encode(), "valo-path.html"), caption=caption
    )
    for message_id in data.get(MESSAGES_KEY, ()):
        await edit_message(bot, chat_id, int(message_id), OutMessage(t("guide-answers-removed")))
    await bot.send_message(chat_id, t("guide-done"))


# ------------------------------------------------------------------ the family opens the path


async def open_service_path(
    message: Message,
    payload: str,
    bot: Bot,
    session: AsyncSession,
    i18n: I18n,
    own: Translator,
    settings: Settings,
    catalog: LiveCatalog,
    locale_choice: LocaleChoice,
    indicators: IndicatorRecorder,
) -> None:
    """``/start p_<token>``: show the path in its own language (called by the /start handler).

    A family with no language of its own yet (neither chosen nor given by Telegram) gets the
    path's; one with a language keeps it, and only the path itself is in the path's.
    Nothing is stored about who opened it."""
    assert message.from_user is not None
    now = datetime.now(UTC)
    stored = await open_path(session, payload, now)
    if stored is None:
        await message.answer(own("guide-path-invalid"), reply_markup=main_menu(own))
        return
    if locale_choice.must_choose:
        async with write_transaction(session):
            await session.execute(
                update(User)
                .where(User.user_id == message.from_user.id)
                .values(locale=stored.locale)
            )
    t = i18n[stored.locale]  # the path speaks its own language, whatever the family set
    index = await catalog.get(session)
    steps, gone = stored.resolve(index.services)
    indicators.path("path_opened", stored.municipality, [s.service.id for s in steps])
    chat_id = message.chat.id
    await bot.send_message(chat_id, t("guide-path-title"))
    local_now = now.astimezone(settings.tz)
    for step in steps:
        await bot.send_message(
            chat_id,
            render_step(step, t, local_now),
            parse_mode=ParseMode.HTML,
            reply_markup=card_keyboard(step.service, t, ""),
        )
    listed = await _path_events(session, catalog, settings, steps, stored.municipality, now)
    rows = [[open_button(e, t, TITLE_CLIP)] for e in listed]
    closing = [t("guide-path-gone", count=gone)] if gone else []
    if listed:
        closing.append(t("guide-path-events"))
        closing.extend(render_event_line(e, t) for e in listed)
    if stored.municipality is not None:
        name = municipality_name(stored.municipality, t)
        rows.append(
            [
                InlineKeyboardButton(
                    text=t("guide-path-news", municipality=clip(name, TITLE_CLIP)),
                    callback_data=NewsPlace(place=stored.municipality).pack(),
                )
            ]
        )
    rows.append(
        [InlineKeyboardButton(text=t("menu-back"), callback_data=MenuAction(action="menu").pack())]
    )
    text = "\n\n".join(closing) if closing else t("menu-title")
    await bot.send_message(
        chat_id,
        text,
        parse_mode=ParseMode.HTML,
        reply_markup=InlineKeyboardMarkup(inline_keyboard=rows),
    )
