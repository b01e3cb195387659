"""The dialog-tree engine: model, loader and validator, runner, rendering, and ``try``.

Trees are data (``dialogs/*.yaml``); see ``bot.flow.loader`` for what a tree may contain.
This package never imports ``bot.handlers``: the bot's router and ``valo-bot try`` both drive
the same :class:`Runner` and render with the same :func:`render`.
"""

from bot.flow.keyboard import (
    Button,
    Keyboard,
    OutMessage,
    ResultCard,
    ResultPage,
    ResultSource,
    Screen,
    render,
)
from bot.flow.loader import load_dialogs, validate_dialogs
from bot.flow.model import Press, Tree, default_municipalities, parse_callback
from bot.flow.runner import (
    NULL_OBSERVER,
    DialogState,
    FlowEvent,
    Observer,
    Runner,
    Step,
    Transition,
)

__all__ = [
    "NULL_OBSERVER",
    "Button",
    "DialogState",
    "FlowEvent",
    "Keyboard",
    "Observer",
    "OutMessage",
    "Press",
    "ResultCard",
    "ResultPage",
    "ResultSource",
    "Runner",
    "Screen",
    "Step",
    "Transition",
    "Tree",
    "default_municipalities",
    "load_dialogs",
    "parse_callback",
    "render",
    "validate_dialogs",
]
