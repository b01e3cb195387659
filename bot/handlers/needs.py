"""/find, the main menu's "find services" button, and every dialog-tree button.

Thin: parse the callback data, call the runner, save the state, render, reply. The question
message is edited in place while the family answers, so the chat stays short; alerts (112 and
the helplines), result cards and anything after a stale press come as new messages.

Needs in the dispatcher's workflow data: ``dialogs`` (tree id -> Tree), ``result_source``
(ResultSource), and optionally ``dialog_municipalities`` (the picker's codes; default South-East
Finland) and ``flow_observer`` (Observer; default: notes nothing).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from aiogram import Bot, F, Router
from aiogram.filters import Command, Filter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from bot.db.storage import save_fsm
from bot.flow.keyboard import ResultSource, render
from bot.flow.model import (
    FAMILY,
    FIND_DIALOG,
    Press,
    Tree,
    default_municipalities,
    parse_callback,
)
from bot.flow.runner import NULL_OBSERVER, DialogState, Observer, Runner, Step
from bot.handlers.dialog_messages import pressed, show_messages
from bot.handlers.menu import MenuAction
from bot.i18n import Translator

router = Router(name="needs")

STATE_KEY = "dialog"  # FSM data key of the dialog state
# FSM data key of the deep link a counted family came by, until its next dialog starts.
SOURCE_KEY = "entry_source"


class DialogButton(Filter):
    """A press on a button of a tree for ``audience``; the handler gets it as ``press``.

    Families' trees are this router's; a professional's tree (/guide) is its role router's,
    which checks the role first (bot.handlers.guide)."""

    def __init__(self, audience: str = FAMILY) -> None:
        self.audience = audience

    async def __call__(
        self, query: CallbackQuery, dialogs: Mapping[str, Tree] | None = None
    ) -> bool | dict[str, Any]:
        press = parse_callback(query.data or "")
        if press is None or dialogs is None or press.tree not in dialogs:
            return False  # not ours, or a tree that is gone: the fallback answers kindly
        if dialogs[press.tree].audience != self.audience:
            return False
        return {"press": press}


def _runner(tree: Tree, municipalities: Sequence[str] | None, observer: Observer) -> Runner:
    return Runner(tree, municipalities or default_municipalities(), observer)


async def _load(state: FSMContext) -> DialogState | None:
    return DialogState.from_data((await state.get_data()).get(STATE_KEY))


async def _save(state: FSMContext, dialog: DialogState, data: dict[str, Any] | None = None) -> None:
    """Keep ``dialog`` in the FSM (one write); ``data``: the rest of the FSM data, if read."""
    rest = await state.get_data() if data is None else data
    await save_fsm(state, f"dialog:{dialog.tree}", {**rest, STATE_KEY: dialog.to_data()})


async def _show(
    bot: Bot,
    chat_id: int,
    step: Step,
    t: Translator,
    result_source: ResultSource,
    observer: Observer,
    *,
    again: bool = False,
    editable: Message | None = None,
) -> None:
    page = None
    if step.kind == "result":
        assert step.answers is not None
        page = await result_source.results(step.answers, t, step.page)
        observer.results(page.service_ids, page.gaps)
    await show_messages(bot, chat_id, render(step, t, page, again=again).messages, editable)


async def _open(
    bot: Bot,
    chat_id: int,
    state: FSMContext,
    t: Translator,
    dialogs: Mapping[str, Tree],
    result_source: ResultSource,
    municipalities: Sequence[str] | None,
    observer: Observer,
) -> None:
    """Continue an unfinished dialog where the family left it, else start one."""
    tree = dialogs[FIND_DIALOG]
    runner = _runner(tree, municipalities, observer)
    data = await state.get_data()
    current = DialogState.from_data(data.get(STATE_KEY))
    if (
        current is not None
        and runner.is_current(current)
        and not tree.node(current.node).is_terminal
    ):
        step = runner.current(current)
    else:
        # The deep link goes with the dialog's "started" event and is then forgotten.
        transition = runner.start(current, source=data.pop(SOURCE_KEY, None))
        await _save(state, transition.state, data)
        step = transition.step
    await _show(bot, chat_id, step, t, result_source, observer)


@router.message(Command("find"))
async def find_command(
    message: Message,
    bot: Bot,
    state: FSMContext,
    t: Translator,
    dialogs: Mapping[str, Tree],
    result_source: ResultSource,
    dialog_municipalities: Sequence[str] | None = None,
    flow_observer: Observer = NULL_OBSERVER,
) -> None:
    await _open(
        bot,
        message.chat.id,
        state,
        t,
        dialogs,
        result_source,
        dialog_municipalities,
        flow_observer,
    )


@router.callback_query(MenuAction.filter(F.action == "find"))
async def find_button(
    query: CallbackQuery,
    bot: Bot,
    state: FSMContext,
    t: Translator,
    dialogs: Mapping[str, Tree],
    result_source: ResultSource,
    dialog_municipalities: Sequence[str] | None = None,
    flow_observer: Observer = NULL_OBSERVER,
) -> None:
    await query.answer()
    chat_id = query.message.chat.id if query.message else query.from_user.id
    await _open(
        bot, chat_id, state, t, dialogs, result_source, dialog_municipalities, flow_observer
    )


@router.callback_query(DialogButton())
async def dialog_button(
    query: CallbackQuery,
    press: Press,
    bot: Bot,
    state: FSMContext,
    t: Translator,
    dialogs: Mapping[str, Tree],
    result_source: ResultSource,
    dialog_municipalities: Sequence[str] | None = None,
    flow_observer: Observer = NULL_OBSERVER,
) -> None:
    current = await _load(state)
    # The family's own dialog decides which tree answers: a button of another tree is stale.
    in_progress = (
        current is not None
        and current.tree in dialogs
        and dialogs[current.tree].audience == FAMILY  # a guide in progress is not the family's
    )
    tree = dialogs[current.tree] if current is not None and in_progress else dialogs[press.tree]
    runner = _runner(tree, dialog_municipalities, flow_observer)
    transition = runner.press(current if in_progress else None, press)
    if transition.state != current:
        await _save(state, transition.state)
    step = transition.step
    # Answer at once, before the matcher runs: Telegram shows a spinner until then.
    await query.answer(t(step.notice) if step.notice else None)
    chat_id, editable = pressed(query, transition.stale)
    await _show(
        bot,
        chat_id,
        step,
        t,
        result_source,
        flow_observer,
        again=transition.stale,
        editable=editable,
    )
