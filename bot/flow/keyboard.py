"""A step as Telegram messages: texts from Fluent and inline keyboards with callback data.

The same rendering serves the bot and ``valo-bot try``, so a designer trying a tree in the
terminal sees exactly the texts and buttons a family would. Keyboards are plain dataclasses
(the handler turns them into aiogram markup): importing aiogram's types takes seconds, which
``try`` and the tests need not pay.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from bot.catalog.matching import Answers
from bot.catalog.vocab import official_name
from bot.flow.model import BACK, CONTINUE, DONE, MORE, PAGE_NEXT, PAGE_PREV, RESTART, SKIP
from bot.flow.runner import Progress, ShownChoice, Step
from bot.i18n import Translator

# Telegram's limit, counted as Telegram counts it (UTF-16 code units).
TEXT_LIMIT = 4096
# Main-menu callbacks (bot.handlers.menu.MenuAction packs to these); flow never imports
# handlers, so they are spelled out here.
MENU_CALLBACK = "m:menu"
BROWSE_CALLBACK = "m:services"
# The events feature's list of events near a municipality ("all": everywhere).
EVENTS_NEAR_CALLBACK = "ev:near:{place}"
CHECK_MARK = "✓"


# ------------------------------------------------------------------ buttons


@dataclass(frozen=True)
class Button:
    """An inline button: ``callback_data`` or ``url``."""

    text: str
    callback_data: str | None = None
    url: str | None = None


# Rows of buttons; () is no keyboard.
Keyboard = tuple[tuple[Button, ...], ...]


# ------------------------------------------------------------------ results


@dataclass(frozen=True)
class ResultCard:
    """One service as a message: Telegram HTML, with its own buttons if any."""

    text: str
    keyboard: Keyboard = ()


@dataclass(frozen=True)
class ResultPage:
    """One page of matches: the cards to show, how many matched in all, and whether
    another page follows."""

    cards: tuple[ResultCard, ...]
    total: int
    has_more: bool
    # For anonymous indicators: the ids of the matches shown (none: no match) and, on the
    # first page, the needs asked that have no local service in the family's municipality.
    service_ids: tuple[str, ...] = ()
    gaps: tuple[str, ...] | None = None
    # Said under the heading on the first page (plain text, already in the family's
    # language): e.g. that only free services are shown, or that none was free.
    note: str = ""


class ResultSource(Protocol):
    """Where a result node's services come from (the catalogue matcher and its cards)."""

    async def results(self, answers: Answers, t: Translator, page: int) -> ResultPage:
        """Page ``page`` (0-based) of the services matching ``answers``, rendered with ``t``."""
        ...


# ------------------------------------------------------------------ messages


@dataclass(frozen=True)
class OutMessage:
    """One message to send: plain text unless ``html``."""

    text: str
    keyboard: Keyboard = ()
    html: bool = False


@dataclass(frozen=True)
class Screen:
    """What a step looks like: messages in order, and a short note for the button press.

    After a press on the current step, the pressed message is edited into the first
    message and the rest are sent; otherwise all are sent.
    """

    messages: tuple[OutMessage, ...]
    notice: str | None = None


def utf16_length(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units (an emoji is two)."""
    return len(text.encode("utf-16-le")) // 2


def fit(text: str) -> str:
    """``text`` cut to Telegram's limit (plain text only: HTML could lose a closing tag)."""
    if utf16_length(text) <= TEXT_LIMIT:
        return text
    cut = text
    while utf16_length(cut) > TEXT_LIMIT - 1:
        cut = cut[: len(cut) - max(1, (utf16_length(cut) - TEXT_LIMIT) // 2)]
    return cut + "…"


def _button(text: str, data: str) -> Button:
    return Button(text, callback_data=data)


def _label(step: Step, choice: ShownChoice, t: Translator) -> str:
    # A catalogue municipality that the locales do not name yet: its Finnish name.
    text = t(choice.label) if t.has(choice.label) else official_name(choice.id)
    return f"{CHECK_MARK} {text}" if choice.selected else text


def choices_per_row(kind: str, count: int) -> int:
    """How many of a question's ``count`` choice buttons share a row: municipalities two
    (short names, many of them), yes and no side by side, other answers one a row (they are
    sentences). locales/buttons.yaml gives each label the width limit of this layout."""
    if kind == "municipality":
        return 2
    if kind == "yesno":
        return max(count, 1)
    return 1


def _choice_rows(step: Step, t: Translator) -> list[list[Button]]:
    buttons = [_button(_label(step, c, t), step.press(c.id).pack()) for c in step.choices]
    size = choices_per_row(step.kind, len(buttons))
    return [buttons[i : i + size] for i in range(0, len(buttons), size)]


def _navigation(step: Step, t: Translator) -> list[Button]:
    back = (
        _button(t("flow-back"), step.press(BACK).pack())
        if step.can_back
        else _button(t("menu-back"), MENU_CALLBACK)
    )
    return [back, _button(t("flow-restart"), step.press(RESTART).pack())]


def _keyboard(rows: list[list[Button]]) -> Keyboard:
    return tuple(tuple(row) for row in rows if row)


def _progress(progress: Progress, t: Translator) -> str:
    """ "Question 3 of 5" only when 5 is certain; else "of at most 6", or just the number."""
    if progress.total is None:
        return t("flow-progress-open", current=progress.current)
    if progress.last:
        message = "flow-progress-last"
    elif progress.exact:
        message = "flow-progress"
    else:
        message = "flow-progress-most"
    return t(message, current=progress.current, total=progress.total)


def _question(step: Step, t: Translator) -> OutMessage:
    lines = []
    if step.progress is not None:
        lines += [_progress(step.progress, t), ""]
    lines.append(t(step.text))
    if step.kind == "multi":
        lines += ["", t("flow-multi-hint")]
    rows = _choice_rows(step, t)
    if step.kind == "multi":
        rows.append([_button(t("flow-done"), step.press(DONE).pack())])
    if step.kind == "municipality" and step.pages > 1:
        paging: list[Button] = []
        if step.page > 0:
            paging.append(_button(t("flow-page-prev"), step.press(PAGE_PREV).pack()))
        if step.page < step.pages - 1:
            paging.append(_button(t("flow-page-next"), step.press(PAGE_NEXT).pack()))
        rows.append(paging)
    if step.skippable:
        rows.append([_button(t(step.skip_label or "flow-skip"), step.press(SKIP).pack())])
    rows.append(_navigation(step, t))
    return OutMessage(fit("\n".join(lines)), _keyboard(rows))


def _info(step: Step, t: Translator) -> OutMessage:
    rows = [[_button(t("flow-continue"), step.press(CONTINUE).pack())], _navigation(step, t)]
    return OutMessage(fit(t(step.text)), _keyboard(rows))


def _ending(step: Step, t: Translator) -> OutMessage:
    rows = [
        [_button(t("flow-restart"), step.press(RESTART).pack())],
        [_button(t("menu-back"), MENU_CALLBACK)],
    ]
    return OutMessage(fit(t(step.text)), _keyboard(rows))


def _results(step: Step, t: Translator, results: ResultPage, again: bool) -> list[OutMessage]:
    shown: list[OutMessage] = []
    if not again:
        if step.page == 0:
            heading = t(step.text, count=results.total)
            shown.append(
                OutMessage(fit(f"{heading}\n\n{results.note}" if results.note else heading))
            )
        shown += [OutMessage(card.text, card.keyboard, html=True) for card in results.cards]
    rows: list[list[Button]] = []
    if results.has_more:
        rows.append([_button(t("flow-more"), step.press(MORE).pack())])
    place = (step.answers.municipality if step.answers else None) or "all"
    rows.append([_button(t("flow-events-near"), EVENTS_NEAR_CALLBACK.format(place=place))])
    rows.append([_button(t("flow-browse"), BROWSE_CALLBACK)])
    rows.append([_button(t("flow-restart"), step.press(RESTART).pack())])
    shown.append(OutMessage(fit(t("flow-results-next")), _keyboard(rows)))
    return shown


def render(
    step: Step, t: Translator, results: ResultPage | None = None, *, again: bool = False
) -> Screen:
    """The messages for ``step`` in ``t``'s language.

    ``results`` is required for a result step. ``again`` shows only the step itself, without
    alerts or result cards: for a stale press, where the family has seen those already.
    """
    messages: list[OutMessage] = []
    if not again:
        messages += [OutMessage(fit(t(alert))) for alert in step.alerts]
    if step.kind == "result":
        if results is None:
            raise ValueError("a result step needs its ResultPage")
        messages += _results(step, t, results, again)
    elif step.kind == "message":
        messages.append(_ending(step, t) if step.terminal else _info(step, t))
    else:
        messages.append(_question(step, t))
    return Screen(tuple(messages), t(step.notice) if step.notice else None)
