"""Reading indicator events: session counts aggregated in SQL, on SQLite and PostgreSQL alike.

Two grouped scans of ``indicator_events`` do the heavy work in the database: one row per
dialog session (its month, municipality, language, source, needs, outcome, and the questions
it was asked, answered and skipped), and one row per (action, month, item) for actions
outside the dialogs. Python then only tallies those rows into :class:`Counts`. (A second
grouping by (session, question) joined back to the sessions took longer than the whole
session scan; the questions ride along in the session row instead.)

A dialog session belongs to the month its ``started`` event was written in; events of the
month before and after the period are read too, so that a session that crosses a month
boundary is neither cut in two nor counted in the wrong period. Events without a session
(actions outside a dialog) count one session each.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import Select, and_, case, func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement, SQLColumnExpression

from bot.db.models import IndicatorEvent
from bot.indicators import ACTION_KINDS
from bot.indicators.period import MonthRange, shift

E = IndicatorEvent
Q = TypeVar("Q", bound=Select[*tuple[Any, ...]])
NO_MATCH = ""  # ``items`` of a results_shown event that showed nothing


@dataclass
class Step:
    """How the sessions that reached one question went on from it."""

    answered: int = 0
    skipped: int = 0  # skipped and never answered
    left: int = 0  # neither answered nor skipped: they left the dialog there

    @property
    def reached(self) -> int:
        return self.answered + self.skipped + self.left


@dataclass
class Counts:
    """Session counts of one period (and optionally one municipality), before suppression.

    Municipality keys are codes, or None when the family did not say; months are "YYYY-MM".
    """

    period: MonthRange
    municipality: str | None = None
    sessions: Counter[tuple[str | None, str]] = field(default_factory=Counter)  # (muni, month)
    needs_by_municipality: Counter[tuple[str, str | None]] = field(default_factory=Counter)
    needs_by_month: Counter[tuple[str, str]] = field(default_factory=Counter)
    asked_at_results: Counter[str] = field(default_factory=Counter)  # need -> sessions
    gaps: Counter[tuple[str, str | None]] = field(default_factory=Counter)  # (need, muni)
    outcomes: Counter[str] = field(default_factory=Counter)  # started, results, no-match...
    services_shown: Counter[str] = field(default_factory=Counter)
    languages: Counter[tuple[str | None, str]] = field(default_factory=Counter)  # (locale, month)
    sources: Counter[tuple[str | None, str]] = field(default_factory=Counter)  # (source, month)
    funnels: dict[tuple[str, int], dict[str, Step]] = field(default_factory=dict)
    actions: Counter[tuple[str, str]] = field(default_factory=Counter)  # (kind, month)
    flagged: Counter[str] = field(default_factory=Counter)  # service id -> sessions
    subscriptions: Counter[tuple[str, str]] = field(default_factory=Counter)  # (topic, kind)
    # Service paths (issue #25): (municipality or None, path_created | path_opened), and per
    # service how many created paths it was on.
    paths: Counter[tuple[str | None, str]] = field(default_factory=Counter)
    path_services: Counter[str] = field(default_factory=Counter)


def _ids(joined: str | None) -> set[str]:
    return set(joined.split()) if joined else set()


def _flag(kind: str) -> ColumnElement[int]:
    return func.max(case((E.kind == kind, 1), else_=0))


def _joined(kind: str, column: SQLColumnExpression[str | None]) -> ColumnElement[str]:
    """Every value of ``column`` on the session's ``kind`` events, space-separated."""
    return func.aggregate_strings(case((E.kind == kind, column)), " ")


def _session_month() -> ColumnElement[str]:
    return func.coalesce(func.min(case((E.kind == "started", E.month))), func.min(E.month))


def _window(period: MonthRange) -> ColumnElement[bool]:
    return E.month.between(shift(period.first, -1), shift(period.last, 1))


def _session_filter(query: Q, period: MonthRange, municipality: str | None) -> Q:
    month = _session_month()
    query = query.where(E.session.is_not(None), _window(period)).group_by(E.session)
    query = query.having(month.between(period.first, period.last))
    if municipality is not None:
        query = query.having(func.max(E.municipality) == municipality)
    return query


async def read_counts(
    session: AsyncSession, period: MonthRange, municipality: str | None = None
) -> Counts:
    """Everything the report shows of ``period``, counted in sessions."""
    counts = Counts(period, municipality)
    await _read_sessions(session, period, municipality, lambda _: counts)
    await _read_actions(session, period, municipality, lambda _: counts)
    if municipality is None:
        await _read_paths(session, period, lambda _: counts)
    return counts


async def read_month_counts(session: AsyncSession, period: MonthRange) -> list[Counts]:
    """The counts of each month of ``period`` (all municipalities), in order, from the same
    two scans as :func:`read_counts` of the whole period."""
    months = {month: Counts(MonthRange(month, month)) for month in period.months}
    await _read_sessions(session, period, None, months.__getitem__)
    await _read_actions(session, period, None, months.__getitem__)
    await _read_paths(session, period, months.__getitem__)
    return list(months.values())


async def _read_sessions(
    session: AsyncSession,
    period: MonthRange,
    municipality: str | None,
    into: Callable[[str], Counts],
) -> None:
    started = E.kind == "started"
    results = E.kind == "results_shown"
    query = select(
        _session_month(),
        func.max(E.municipality),
        func.max(case((started, E.locale))),
        func.max(case((started, E.source))),
        _flag("started"),
        _flag("finished"),
        _flag("abandoned"),
        _flag("results_shown"),
        func.max(case((and_(results, E.items != NO_MATCH), 1), else_=0)),
        _joined("answered", E.needs),
        _joined("results_shown", E.needs),
        _joined("results_shown", E.gaps),
        _joined("results_shown", E.items),
        func.max(case((started, E.tree))),
        func.max(case((started, E.version))),
        _joined("asked", E.node),
        _joined("answered", E.node),
        _joined("skipped", E.node),
    )
    query = _session_filter(query, period, municipality)
    rows = await session.execute(query)
    for row in rows:
        (month, muni, locale, source, was_started, finished, abandoned, shown, matched) = row[:9]
        counts = into(month)
        needs, asked, gaps, items = (_ids(value) for value in row[9:13])
        tree, version = row[13:15]
        if tree is not None and version is not None:
            _add_steps(counts, (tree, version), *(_ids(value) for value in row[15:18]))
        counts.sessions[muni, month] += 1
        counts.languages[locale, month] += 1
        counts.sources[source, month] += 1
        outcomes = counts.outcomes
        outcomes["sessions"] += 1
        outcomes["started"] += was_started
        outcomes["finished"] += finished
        outcomes["abandoned"] += abandoned
        if shown:
            outcomes["results"] += 1
            outcomes["no-match"] += not matched
        for need in needs | asked:  # what the answers said, and what the results were for
            counts.needs_by_municipality[need, muni] += 1
            counts.needs_by_month[need, month] += 1
        for need in asked:
            counts.asked_at_results[need] += 1
        for need in gaps:
            counts.gaps[need, muni] += 1
        counts.services_shown.update(items)


def _add_steps(
    counts: Counts,
    dialog: tuple[str, int],
    asked: set[str],
    answered: set[str],
    skipped: set[str],
) -> None:
    """One session's way through the questions of its dialog version."""
    steps = counts.funnels.setdefault(dialog, {})
    for node in asked:
        step = steps.setdefault(node, Step())
        if node in answered:
            step.answered += 1
        elif node in skipped:
            step.skipped += 1
        else:
            step.left += 1


# Actions whose item the report breaks down: the card flagged, the subscription changed.
_ITEMISED = ("card_flagged", "subscribed", "unsubscribed")
PATH_KINDS = ("path_created", "path_opened")


async def _read_paths(
    session: AsyncSession, period: MonthRange, into: Callable[[str], Counts]
) -> None:
    """Service paths created and opened by municipality, and the services on created paths.

    One row per path event (each is one session, as in :func:`_read_actions`); paths are few
    (a professional hands one over per family met), so they are tallied here, not in SQL."""
    query = (
        select(E.kind, E.month, E.municipality, E.items)
        .where(E.kind.in_(PATH_KINDS), E.month.between(period.first, period.last))
        .group_by(E.kind, E.month, E.municipality, E.items)
        .add_columns(func.count())
    )
    for kind, month, municipality, items, number in await session.execute(query):
        counts = into(month)
        counts.paths[municipality, kind] += int(number)
        if kind == "path_created":
            for service in set(_ids(items)):
                counts.path_services[service] += int(number)


async def _read_actions(
    session: AsyncSession,
    period: MonthRange,
    municipality: str | None,
    into: Callable[[str], Counts],
) -> None:
    item = case((E.kind.in_(_ITEMISED), E.items), else_=literal(None)).label("item")
    # A row without a session is one session; rows of one dialog session count once.
    sessions = func.count(func.distinct(E.session)) + func.sum(
        case((E.session.is_(None), 1), else_=0)
    )
    query = (
        select(E.kind, E.month, item, sessions)
        .where(E.kind.in_(ACTION_KINDS), E.month.between(period.first, period.last))
        .group_by(E.kind, E.month, item)
    )
    if municipality is not None:
        # Only subscription changes name a municipality ("285:art"); the other actions are
        # not tied to one, so a municipality's report leaves them out.
        query = query.where(
            E.kind.in_(("subscribed", "unsubscribed")),
            E.items.startswith(f"{municipality}:", autoescape=True),
        )
    for kind, month, value, number in await session.execute(query):
        number = int(number)
        counts = into(month)
        counts.actions[kind, month] += number
        if kind == "card_flagged" and value:
            counts.flagged[value] += number
        elif kind in ("subscribed", "unsubscribed") and value:
            counts.subscriptions[value.partition(":")[2] or value, kind] += number
