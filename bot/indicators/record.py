"""Recording anonymous indicator events: one recorder per update, written after the handler.

The recorder is the dialog engine's observer (bot.flow.runner.Observer) and the handlers'
notebook for actions outside the dialog. It keeps what an update did in memory and writes it
in one short transaction once the handler has finished, so a failing handler leaves no half
record and a family's reply never waits on a failed indicator write.

Nothing here knows who the family is: rows carry ids of questions, choices, services and
events, the family's locale, the month, and the dialog's random session id. A family that
chose "don't count my answers" gets a recorder that notes nothing.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Awaitable, Callable, Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.engine import write_transaction
from bot.db.models import IndicatorEvent, User
from bot.flow.runner import FlowEvent
from bot.indicators import ActionKind

log = logging.getLogger(__name__)

_SHUFFLE = random.SystemRandom()

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


def _ids(ids: Iterable[str]) -> str:
    return " ".join(ids)


class IndicatorRecorder:
    """Collects one update's anonymous events; :meth:`flush` writes them.

    ``counted`` False (the family opted out, or the update has no user) makes every method a
    no-op, so handlers never need to check.
    """

    def __init__(self, *, counted: bool, locale: str | None, now: datetime | None = None) -> None:
        self.counted = counted
        self._locale = locale
        self._month = (now or datetime.now(UTC)).strftime("%Y-%m")
        self._rows: list[IndicatorEvent] = []

    @property
    def pending(self) -> list[IndicatorEvent]:
        """The rows not yet written (for tests and the middleware)."""
        return self._rows

    def record(self, event: FlowEvent) -> None:
        """bot.flow.runner.Observer: one dialog step."""
        if not self.counted:
            return
        row = self._row(
            event.kind,
            session=event.session or None,
            tree=event.tree,
            version=event.version,
            node=event.node,
        )
        facts = event.facts
        if event.kind == "started":
            row.source = event.source
        elif event.kind == "answered":
            row.items = _ids(event.choices)
            if facts is not None:
                row.municipality = facts.municipality
                row.needs = _ids(facts.needs) or None
        elif event.kind == "results_shown" and facts is not None:
            row.municipality = facts.municipality
            row.needs = _ids(facts.needs)
        self._rows.append(row)

    def results(self, service_ids: Sequence[str], gaps: Sequence[str] | None) -> None:
        """bot.flow.runner.Observer: what the last ``results_shown`` step showed, service ids
        (none: no match) and, on the first page, the needs asked that got no local match."""
        for row in reversed(self._rows):
            if row.kind == "results_shown":
                row.items = _ids(service_ids)
                if gaps is not None and row.needs is not None:
                    row.gaps = _ids(gaps)
                return

    def action(self, kind: ActionKind, item: str) -> None:
        """An action outside the dialog: a card's location or flag, an event opened, a
        reminder set, a subscription changed (``item``: the service, event or
        ``municipality:topic`` concerned)."""
        if self.counted:
            self._rows.append(self._row(kind, items=item))

    def path(self, kind: ActionKind, municipality: str | None, service_ids: Sequence[str]) -> None:
        """A service path created or opened (``path_created``, ``path_opened``): its
        municipality and the services on it. Nothing says by whom, or which path."""
        if self.counted:
            self._rows.append(self._row(kind, items=_ids(service_ids), municipality=municipality))

    async def flush(self, session: AsyncSession) -> int:
        """Write what was recorded in one transaction; returns the number of rows.

        The rows go in shuffled: where storage keeps insertion order (PostgreSQL's heap), the
        steps of one update cannot be read back in the order the family took them.
        """
        rows, self._rows = self._rows, []
        _SHUFFLE.shuffle(rows)
        if rows:
            async with write_transaction(session):
                session.add_all(rows)
        return len(rows)

    def _row(self, kind: str, **values: Any) -> IndicatorEvent:
        return IndicatorEvent(month=self._month, kind=kind, locale=self._locale, **values)


class IndicatorMiddleware(BaseMiddleware):
    """Gives each update a recorder (``indicators``, also the dialog's ``flow_observer``)
    and writes its events after the handler; after KnownUserMiddleware, which loads the user.

    A failed write is logged and dropped: indicators must never break a family's reply.
    """

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        user: User | None = data.get("user")
        choice = data.get("locale_choice")
        recorder = IndicatorRecorder(
            counted=user is not None and user.counted,
            locale=choice.locale if choice is not None else None,
        )
        data["indicators"] = recorder
        data["flow_observer"] = recorder
        result = await handler(event, data)
        if recorder.pending:
            try:
                await recorder.flush(data["session"])
            except Exception as exc:
                log.warning("indicator events not written: %s", type(exc).__name__)
        return result
