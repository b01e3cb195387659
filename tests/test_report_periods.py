"""Reports cannot be subtracted: every report the bot can make, read together, hides what each
hides.

The attack (issue 19): ``/stats 2026-01`` shows a figure, ``/stats 2026-01 2026-02`` shows the
same figure for both months, ``/stats 2026-02`` hides it; the difference gives February's
hidden figure away, and the needs table ties it to a municipality.

The seeded database holds 24 months. Every report both ``/stats`` and ``valo-bot report``
accept is made: every period of whole months in them, of all municipalities and of each
municipality (those in the data, and one without any). A figure is a *fact*: what it counts
(its :data:`~bot.indicators.report.Quantity`, or its table, row and column when no other
table publishes it; the municipality of the report added) over a run of months. Two checks:

- the difference attack, exactly: per fact, a sum over months ``a..b`` is the difference of
  two running sums, so the shown sums connect months ``a-1`` and ``b`` in a graph; a reader
  can work a hidden sum out from shown sums (adding and subtracting runs of months) exactly
  when its two ends are connected (union-find);
- the proof that no report adds anything to the month reports of all municipalities: every
  figure of every report is what those month reports publish, or their sum shown only when
  every part is shown, or hidden with a mark that the month reports' marks already imply.
  Months share no sessions, so a reader with every report knows what the month reports say
  and no more; each month report is checked by the exact max-flow checker of
  ``tests/test_report.py``, tables one by one and shared figures alike everywhere.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.handlers.stats import stats_period
from bot.indicators import assemble
from bot.indicators.assemble import added_up, build_report, municipality_slice
from bot.indicators.period import MonthRange, PeriodError, PeriodProblem, shift
from bot.indicators.report import Figure, Report, Table
from bot.indicators.suppress import Mark
from tests.indicator_data import MUNICIPALITIES, insert_events, synthetic_year
from tests.test_report import _check_protection, _record_protection, check_shared

FIRST, LAST = "2025-01", "2026-12"
MONTHS = MonthRange(FIRST, LAST).months
ABSENT = "091"  # Helsinki: a valid code with no dialogs in the data
# All municipalities; every municipality in the data (big towns, ones counted under "other" in
# most months, ones with a family or two a year); and one with none (every code without data
# gives the same report as this one).
FILTERS: tuple[str | None, ...] = (None, *(code for code, _ in MUNICIPALITIES), ABSENT)
BEFORE = dict(zip(MONTHS, (shift(FIRST, -1), *MONTHS), strict=False))  # the month before
Fact = tuple[tuple[str, ...], tuple[str, ...]]  # (what it counts, the months it covers)


def _positions(table: Table) -> Iterator[tuple[str | None, str | None, Figure]]:
    for i, row in enumerate(table.rows.ids):
        for j, col in enumerate(table.cols.ids):
            yield row, col, table.cells[i][j]
        if table.row_totals:
            yield row, None, table.row_totals[i]
    for j, col in enumerate(table.cols.ids):
        if table.col_totals:
            yield None, col, table.col_totals[j]
    if table.total is not None:
        yield None, None, table.total


def facts(report: Report) -> dict[Fact, Figure]:
    """Every figure of ``report`` as the fact it states."""
    found: dict[Fact, Figure] = {}
    scope = () if report.municipality is None else (f"municipality={report.municipality}",)
    period = report.period.months
    for table in report.tables():
        for row, col, figure in _positions(table):
            if figure.quantity is None:
                assert report.municipality is None, (table.id, row, col)
                what: tuple[str, ...] = ("table", table.id, str(row), str(col))
            else:
                what = (figure.quantity[0], *sorted({*figure.quantity[1:], *scope}))
            months = period
            if len(months) > 1 and table.cols.kind == "month" and col is not None:
                months = (col,)
                what = tuple(w for w in what if w != f"month={col}")
            if len(months) == 1 and table.cols.kind == "month":
                what = tuple(w for w in what if not w.startswith("month="))
            fact = (what, months)
            assert found.get(fact, figure) == figure, (table.id, row, col)
            found[fact] = figure
    return found


@pytest.fixture
async def every_report(
    engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> tuple[dict[str, Report], dict[tuple[MonthRange, str | None], Report]]:
    rows = synthetic_year(500, year=2025, seed=11) + synthetic_year(500, year=2026, seed=12)
    await insert_events(engine, rows)
    protected = _record_protection(monkeypatch)
    months: dict[str, Report] = {}
    async with async_sessionmaker(engine)() as session:
        for month in MONTHS:
            [months[month]] = [report] = await assemble.month_reports(
                session, MonthRange(month, month)
            )
            # Each month report on its own: the exact checker, on the tables it publishes
            # (the last round of protection), and figures several tables publish alike.
            published = len([t for t in report.tables() if not t.empty])
            _check_protection(protected[-published:])
            protected.clear()
            check_shared(report)

    async def counted_once(_: AsyncSession, period: MonthRange) -> list[Report]:
        return [months[month] for month in period.months]

    async def no_names(_: AsyncSession, ids: set[str]) -> dict[str, Any]:
        return {}

    slices: dict[tuple[str, str], Report] = {}

    def sliced_once(month: Report, code: str) -> Report:
        key = (month.period.first, code)
        if key not in slices:
            slices[key] = municipality_slice(month, code)
        return slices[key]

    # The month reports are counted once above; every report below is built the way the bot
    # builds it (the catalogue's service names play no part).
    monkeypatch.setattr(assemble, "month_reports", counted_once)
    monkeypatch.setattr(assemble, "_service_names", no_names)
    monkeypatch.setattr(assemble, "municipality_slice", sliced_once)
    reports: dict[tuple[MonthRange, str | None], Report] = {}
    async with async_sessionmaker(engine)() as session:
        for i, first in enumerate(MONTHS):
            for last in MONTHS[i:]:
                period = MonthRange.parse(first, last)
                for municipality in FILTERS:
                    reports[period, municipality] = await build_report(
                        session, period, municipality
                    )
    return months, reports


def _find(parent: dict[str, str], node: str) -> str:
    while parent.setdefault(node, node) != node:
        parent[node] = parent[parent[node]]
        node = parent[node]
    return node


def test_the_bot_and_the_command_line_accept_the_same_periods() -> None:
    """So the reports made below are every report either can make."""
    today = date(2027, 1, 15)
    assert stats_period(None, today) == MonthRange.parse("2026-12")  # the last whole month
    assert stats_period("2025-01 2026-12", today) == MonthRange.parse(FIRST, LAST)
    assert stats_period("2026-03", today) == MonthRange.parse("2026-03")
    # A month still running is refused: a day's difference would tell what that day added.
    with pytest.raises(PeriodError) as caught:
        stats_period("2026-12 2027-01", today)
    assert caught.value.problem is PeriodProblem.UNFINISHED


async def test_no_report_gives_away_what_another_hides(
    every_report: tuple[dict[str, Report], dict[tuple[MonthRange, str | None], Report]],
) -> None:
    months, reports = every_report
    known: dict[tuple[str, ...], dict[str, str]] = {}  # union-find over running-sum ends
    hidden: list[Fact] = []
    everything: dict[Fact, Figure] = {}
    for report in reports.values():
        for (what, covered), figure in facts(report).items():
            seen = everything.setdefault((what, covered), figure)
            assert (seen.value, seen.mark) == (figure.value, figure.mark), (what, covered)
            if figure.shown:
                parent = known.setdefault(what, {})
                start, end = _find(parent, BEFORE[covered[0]]), _find(parent, covered[-1])
                parent[start] = end
            else:
                hidden.append((what, covered))
    assert len(hidden) > 10_000
    worked_out = [
        fact
        for fact in hidden
        if _find(known.get(fact[0], {}), BEFORE[fact[1][0]])
        == _find(known.get(fact[0], {}), fact[1][-1])
    ]
    assert not worked_out, worked_out[:5]

    # Nothing is published that the month reports of all municipalities do not already say.
    month_facts = {month: facts(report) for month, report in months.items()}
    for (what, covered), figure in everything.items():
        parts = [month_facts[month].get((what, (month,))) for month in covered]
        assert (figure.value, figure.mark) == added_up(parts), (what, covered)
    marks = {f.mark for f in everything.values()}
    assert {Mark.SHOWN, Mark.SMALL, Mark.PROTECTING, Mark.WITHHELD} <= marks
    # Longer reports still publish sums: the check had shown figures to add up.
    sums = [fact for fact, f in everything.items() if f.shown and len(fact[1]) > 1]
    assert len(sums) > 1_000
    assert any(f"municipality={code}" in what for (what, _) in sums for code in FILTERS[1:2])
