"""One step of a service path, rendered once for the chat and for the printable page.

A step is a service and the need tags it was matched for; its text is the service's card
(``bot.catalog.cards.render_card``) with a line on why it fits, phrased from the service's side
(what it helps with), never from the family's answers: a path is shown to the family and may
be printed, and neither should repeat what the family told the professional.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.catalog.cards import render_card
from bot.catalog.schema import Service
from bot.i18n import Translator


@dataclass(frozen=True)
class PathStep:
    service: Service
    needs: tuple[str, ...]  # the need tags it was matched for, in the family's order


def render_step(step: PathStep, t: Translator, now: datetime) -> str:
    """Telegram HTML (b, i, a and text): valid HTML for the printable page as well."""
    return render_card(step.service, t, now)
