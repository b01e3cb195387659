"""Anonymous indicators for service designers: what is recorded, and the report built on it.

Recording (:mod:`bot.indicators.record`) writes :class:`bot.db.models.IndicatorEvent` rows:
ids only, a random per-dialog session id, month-level time, never a Telegram id or free text,
and nothing at all for a family that chose "don't count my answers" in /privacy.
"""

from __future__ import annotations

from typing import Final

# Dialog steps (bot.flow.runner.FlowEvent kinds) ...
DIALOG_KINDS: Final = (
    "started",
    "asked",
    "answered",
    "skipped",
    "back",
    "finished",
    "abandoned",
    "results_shown",
)
# ... and actions outside the dialog engine, written by the handlers.
ACTION_KINDS: Final = (
    "card_location",
    "card_flagged",
    "event_opened",
    "reminder_set",
    "subscribed",
    "unsubscribed",
)
KINDS: Final = DIALOG_KINDS + ACTION_KINDS
