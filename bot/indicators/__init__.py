"""Anonymous indicators for service designers: what is recorded, and the report built on it.

Recording (:mod:`bot.indicators.record`) writes :class:`bot.db.models.IndicatorEvent` rows:
ids only, a random per-dialog session id, month-level time, never a Telegram id or free text,
and nothing at all for a family that chose "don't count my answers" in /privacy.
"""

from __future__ import annotations

from typing import Final, Literal, get_args

from bot.flow.runner import EventKind

# Actions outside the dialog engine, written by the handlers.
ActionKind = Literal[
    "card_location",
    "card_flagged",
    "event_opened",
    "reminder_set",
    "subscribed",
    "unsubscribed",
    # Service paths (issue #25): handed over by a professional, opened by a family; ``items``
    # are the services on the path, ``municipality`` the path's (neither names anyone).
    "path_created",
    "path_opened",
]

DIALOG_KINDS: Final[tuple[str, ...]] = get_args(EventKind)  # bot.flow.runner.FlowEvent kinds
ACTION_KINDS: Final[tuple[str, ...]] = get_args(ActionKind)
KINDS: Final = DIALOG_KINDS + ACTION_KINDS
