"""The indicator report: suppression, counting, the three formats and the command line.

Suppression is checked independently of :mod:`bot.indicators.suppress`: a reader who sees the
published figures of a table (exact numbers, "<5" meaning 0-4, ".." meaning 5 or more, and
the published row, column and grand totals) knows the table up to the integer points of a
transportation polytope. Its constraint matrix is a network matrix, so whether a hidden
figure can take another value is exactly a question of feasible flow: a circulation with lower
and upper bounds (source -> row -> column -> sink -> source), solved here by max-flow.
"""

from __future__ import annotations

import csv
import io
import json
import random
from collections import Counter, defaultdict, deque
from collections.abc import Collection, Sequence
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.__main__ import main
from bot.config import LOCALES_PATH
from bot.i18n import I18n
from bot.indicators import report as report_module
from bot.indicators.assemble import build_report
from bot.indicators.counts import Counts, Step, read_counts
from bot.indicators.formats import Format, file_name, render
from bot.indicators.period import MonthRange, PeriodError, PeriodProblem
from bot.indicators.render import Labels, summary_text
from bot.indicators.report import NONE, OTHER, Figure, Report, Table, tabulate
from bot.indicators.suppress import THRESHOLD, Mark, Protected, protect
from tests.cli_run import module_database, run_in_new_loop
from tests.indicator_data import COLUMNS, Row, insert_events, synthetic_year

I18N = I18n.load(LOCALES_PATH, ZoneInfo("Europe/Helsinki"), strict=True)
MADE = date(2027, 1, 4)
YEAR = MonthRange.parse("2026-01", "2026-12")
BIG = 10**9  # "5 or more", and totals that are not published, have no upper bound

# ------------------------------------------------------------------ the reader's view of a table


def _max_flow(nodes: int, edges: list[tuple[int, int, int]], source: int, sink: int) -> int:
    """Edmonds-Karp (BFS augmenting paths): integral, and exact whatever the capacities."""
    graph: list[list[int]] = [[] for _ in range(nodes)]
    head: list[int] = []
    capacity: list[int] = []
    for u, v, cap in edges:
        graph[u].append(len(head))
        head.append(v)
        capacity.append(cap)
        graph[v].append(len(head))
        head.append(u)
        capacity.append(0)
    flow = 0
    while True:
        parent_edge = [-1] * nodes
        parent_edge[source] = -2
        queue = deque([source])
        while queue and parent_edge[sink] == -1:
            node = queue.popleft()
            for edge in graph[node]:
                target = head[edge]
                if capacity[edge] > 0 and parent_edge[target] == -1:
                    parent_edge[target] = edge
                    queue.append(target)
        if parent_edge[sink] == -1:
            return flow
        push, node = BIG * 10, sink
        while node != source:
            edge = parent_edge[node]
            push = min(push, capacity[edge])
            node = head[edge ^ 1]
        node = sink
        while node != source:
            edge = parent_edge[node]
            capacity[edge] -= push
            capacity[edge ^ 1] += push
            node = head[edge ^ 1]
        flow += push


def _circulation_exists(nodes: int, arcs: Sequence[tuple[int, int, int, int]]) -> bool:
    """Whether integer flows within [low, high] on every arc balance at every node."""
    excess = [0] * nodes
    edges = []
    for u, v, low, high in arcs:
        if low > high:
            return False
        edges.append((u, v, high - low))
        excess[v] += low
        excess[u] -= low
    source, sink = nodes, nodes + 1
    needed = 0
    for node, amount in enumerate(excess):
        if amount > 0:
            edges.append((source, node, amount))
            needed += amount
        elif amount < 0:
            edges.append((node, sink, -amount))
    return _max_flow(nodes + 2, edges, source, sink) == needed


def _known(value: int, mark: Mark | None) -> tuple[int, int]:
    """What a reader knows of a figure; None: not published at all."""
    if mark is None:
        return 0, BIG
    if mark is Mark.SMALL:
        return 0, THRESHOLD - 1
    if mark is Mark.PROTECTING:
        return THRESHOLD, BIG
    return value, value


def recoverable(cells: Sequence[Sequence[int]], marks: Protected) -> list[str]:
    """The hidden figures a reader can work out exactly (empty when the table is safe)."""
    rows, cols = len(cells), len(cells[0])
    source, sink = 0, 1

    def row(i: int) -> int:
        return 2 + i

    def col(j: int) -> int:
        return 2 + rows + j

    entries: dict[str, tuple[int, int, int, Mark | None]] = {}  # name -> (u, v, value, mark)
    for i in range(rows):
        for j in range(cols):
            entries[f"cell {i},{j}"] = (row(i), col(j), cells[i][j], marks.cells[i][j])
        mark = marks.row_totals[i] if marks.row_totals else None
        entries[f"row total {i}"] = (source, row(i), sum(cells[i]), mark)
    for j in range(cols):
        mark = marks.col_totals[j] if marks.col_totals else None
        entries[f"column total {j}"] = (col(j), sink, sum(r[j] for r in cells), mark)
    entries["grand total"] = (sink, source, sum(map(sum, cells)), marks.total)

    def feasible(name: str, low: int, high: int) -> bool:
        arcs = [
            (u, v, *((low, high) if other == name else _known(value, mark)))
            for other, (u, v, value, mark) in entries.items()
        ]
        return _circulation_exists(2 + rows + cols, arcs)

    found = []
    for name, (_, _, value, mark) in entries.items():
        if mark is None or mark is Mark.SHOWN:  # not published, or published as it is
            continue
        low, high = _known(value, mark)
        if not (feasible(name, low, value - 1) or feasible(name, value + 1, high)):
            found.append(f"{name} = {value}")
    return found


def check_published(cells: Sequence[Sequence[int]], marks: Protected) -> None:
    """Every figure shown is >= 5, every figure under 5 is marked small, none recoverable."""
    figures: list[tuple[int, Mark]] = [
        (v, m) for r, mr in zip(cells, marks.cells, strict=True) for v, m in zip(r, mr, strict=True)
    ]
    figures += list(zip((sum(r) for r in cells), marks.row_totals, strict=False))
    columns = [sum(r[j] for r in cells) for j in range(len(cells[0]))]
    figures += list(zip(columns, marks.col_totals, strict=False))
    if marks.total is not None:
        figures.append((sum(map(sum, cells)), marks.total))
    for value, mark in figures:
        assert (mark is Mark.SMALL) == (value < THRESHOLD), (value, mark)
    assert recoverable(cells, marks) == [], (cells, marks)


# ------------------------------------------------------------------ suppression


def _marks(cells: list[list[Mark]], rows: list[Mark], cols: list[Mark], total: Mark) -> Protected:
    return Protected(tuple(map(tuple, cells)), tuple(rows), tuple(cols), total)


S, P, H = Mark.SHOWN, Mark.SMALL, Mark.PROTECTING


def test_the_checker_sees_through_primary_suppression_alone() -> None:
    cells = [[3, 10], [10, 10]]
    naive = _marks([[P, S], [S, S]], [S, S], [S, S], S)
    assert recoverable(cells, naive) == ["cell 0,0 = 3"]
    # Bounds alone can give a figure away: x + y = 5 with x in 0..4 and y >= 5 means y = 5.
    cells = [[0, 5], [20, 20]]
    bounded = _marks([[P, H], [S, H]], [S, S], [S, S], S)
    assert "cell 0,0 = 0" in recoverable(cells, bounded)


def test_one_small_cell_gets_a_protecting_rectangle() -> None:
    cells = [[3, 10, 40], [10, 10, 50], [30, 6, 70]]
    marks = protect(cells)
    check_published(cells, marks)
    hidden = [(i, j) for i, r in enumerate(marks.cells) for j, m in enumerate(r) if m is not S]
    # The cheapest rectangle through (0, 0): the 10s, never a total.
    assert sorted(hidden) == [(0, 0), (0, 1), (1, 0), (1, 1)]
    assert set(marks.row_totals) == set(marks.col_totals) == {S}


def test_a_small_total_hides_its_line() -> None:
    cells = [[1, 2, 0], [40, 30, 20]]
    marks = protect(cells)
    check_published(cells, marks)
    assert marks.row_totals[0] is P


def test_tables_without_totals_hide_only_small_cells() -> None:
    cells = [[3, 10], [10, 10]]
    marks = protect(cells, row_totals=False, col_totals=False)
    assert marks.cells == ((P, S), (S, S))
    assert marks.row_totals == marks.col_totals == ()
    assert marks.total is None
    check_published(cells, marks)


def test_one_column_tables_publish_no_row_totals() -> None:
    cells = [[12], [3], [40]]
    marks = protect(cells)
    assert marks.row_totals == ()
    check_published(cells, marks)
    assert marks.cells[1] == (P,)
    assert marks.cells[0] == (H,)  # else the column total minus 12 and 40 gives the 3


small_counts = st.one_of(st.integers(0, 4), st.integers(0, 12), st.integers(0, 300))


@settings(max_examples=250, deadline=None)
@given(
    st.integers(1, 6).flatmap(
        lambda cols: st.lists(st.lists(small_counts, min_size=cols, max_size=cols), max_size=7)
    ),
    st.booleans(),
    st.booleans(),
)
def test_no_suppressed_figure_can_be_worked_out(
    cells: list[list[int]], row_totals: bool, col_totals: bool
) -> None:
    if not cells:
        return
    marks = protect(cells, row_totals=row_totals, col_totals=col_totals)
    check_published(cells, marks)
    assert protect(cells, row_totals=row_totals, col_totals=col_totals) == marks  # deterministic


def _figure_marks(marks: Protected) -> dict[tuple[int, int], Mark]:
    """The marks by (row, column) of the table with its totals, as ``protect(hidden=...)``."""
    rows, cols = len(marks.cells), len(marks.cells[0])
    found = {(i, j): m for i, r in enumerate(marks.cells) for j, m in enumerate(r)}
    found.update({(i, cols): m for i, m in enumerate(marks.row_totals)})
    found.update({(rows, j): m for j, m in enumerate(marks.col_totals)})
    if marks.total is not None:
        found[rows, cols] = marks.total
    return found


def test_a_figure_hidden_from_the_start_is_protected_too() -> None:
    cells = [[10, 20], [30, 40]]  # nothing small: alone, everything is shown
    assert set(_figure_marks(protect(cells)).values()) == {S}
    marks = protect(cells, hidden=[(2, 0)])  # the first column total, hidden by another table
    assert marks.col_totals[0] is H
    check_published(cells, marks)  # and not given away by the grand total minus 60
    assert protect(cells, row_totals=False, hidden=[(0, 2)]) == protect(cells, row_totals=False)
    with pytest.raises(ValueError, match="no figure at"):
        protect(cells, hidden=[(3, 0)])


@settings(max_examples=120, deadline=None)
@given(
    st.integers(1, 5).flatmap(
        lambda cols: st.lists(
            st.lists(small_counts, min_size=cols, max_size=cols), min_size=1, max_size=5
        )
    ),
    st.booleans(),
    st.data(),
)
def test_figures_hidden_from_the_start_cannot_be_worked_out(
    cells: list[list[int]], col_totals: bool, data: st.DataObject
) -> None:
    places = [(i, j) for i in range(len(cells) + 1) for j in range(len(cells[0]) + 1)]
    hidden = data.draw(st.lists(st.sampled_from(places), max_size=3))
    marks = protect(cells, col_totals=col_totals, hidden=hidden)
    check_published(cells, marks)
    published = _figure_marks(marks)
    assert all(published[at] is not S for at in hidden if at in published)


# ------------------------------------------------------------------ counting


def event(kind: str, session: str | None, month: str = "2026-03", **values: Any) -> Row:
    row: Row = dict.fromkeys(COLUMNS)
    row.update(month=month, session=session, kind=kind, **values)
    if kind == "started":
        row.update(tree="needs", version=1)
    return row


def dialog(
    session: str,
    *,
    month: str = "2026-03",
    municipality: str | None = "285",
    steps: Sequence[tuple[str, str]] = (),
    needs: str = "",
    gaps: str = "",
    shown: str | None = None,
    locale: str = "fi",
    source: str | None = None,
) -> list[Row]:
    """One session: started, (kind, node) steps, results when ``shown`` is not None."""
    common = {"tree": "needs", "version": 1, "locale": locale}
    rows = [event("started", session, month, locale=locale, source=source, node="where")]
    for kind, node in steps:
        extra = {"municipality": municipality} if kind == "answered" and node == "where" else {}
        if kind == "answered" and node == "help":
            extra["needs"] = needs
        rows.append(event(kind, session, month, node=node, **common, **extra))
    if shown is not None:
        rows.append(
            event(
                "results_shown",
                session,
                month,
                node="results",
                items=shown,
                municipality=municipality,
                needs=needs,
                gaps=gaps,
                **common,
            )
        )
        rows.append(event("finished", session, month, node="results", **common))
    return rows


async def counts_of(
    engine: AsyncEngine, rows: list[Row], period: MonthRange, municipality: str | None = None
) -> Counts:
    await insert_events(engine, rows)
    async with async_sessionmaker(engine)() as session:
        return await read_counts(session, period, municipality)


async def test_funnel_counts_answered_skipped_and_left_once_per_session(
    engine: AsyncEngine,
) -> None:
    rows = [
        *dialog("a", steps=[("asked", "where"), ("answered", "where")]),
        *dialog("b", steps=[("asked", "where"), ("skipped", "where")]),
        *dialog("c", steps=[("asked", "where")]),  # left at "where"
        # Back and forth: asked twice, answered in the end: one answered session.
        *dialog(
            "d",
            steps=[
                ("asked", "where"),
                ("asked", "help"),
                ("back", "help"),
                ("asked", "where"),
                ("answered", "where"),
            ],
        ),
    ]
    counts = await counts_of(engine, rows, MonthRange.parse("2026-03"))
    steps = counts.funnels["needs", 1]
    assert steps["where"] == Step(answered=2, skipped=1, left=1)
    assert steps["help"] == Step(answered=0, skipped=0, left=1)
    assert counts.outcomes["sessions"] == 4


async def test_a_session_belongs_to_the_month_it_started(engine: AsyncEngine) -> None:
    rows = dialog("x", month="2026-01", steps=[("asked", "help"), ("answered", "help")])
    rows += [  # its results came in February
        event("results_shown", "x", "2026-02", items="svc-1", needs="early-education", gaps=""),
        event("finished", "x", "2026-02"),
    ]
    rows[2]["needs"] = "early-education"
    await insert_events(engine, rows)
    async with async_sessionmaker(engine)() as session:
        january = await read_counts(session, MonthRange.parse("2026-01"))
        february = await read_counts(session, MonthRange.parse("2026-02"))
    assert january.outcomes["sessions"] == 1
    assert january.outcomes["results"] == 1
    assert january.needs_by_month == Counter({("early-education", "2026-01"): 1})
    assert february.outcomes["sessions"] == 0


async def test_gaps_municipalities_and_actions(engine: AsyncEngine) -> None:
    rows = [
        *dialog("k1", needs="early-education home-help", gaps="home-help", shown="svc-1"),
        *dialog("k2", needs="home-help", gaps="home-help", shown=""),
        *dialog("h1", municipality="075", needs="early-education", gaps="", shown="svc-2"),
        event("card_flagged", None, items="svc-1"),
        event("card_flagged", None, items="svc-1"),
        event("subscribed", None, items="285:art"),
        event("subscribed", None, items="075:all"),
        event("reminder_set", None, month="2026-04", items="event-1"),
    ]
    await insert_events(engine, rows)
    march = MonthRange.parse("2026-03")
    async with async_sessionmaker(engine)() as session:
        everyone = await read_counts(session, march)
        kotka = await read_counts(session, march, "285")
    assert everyone.gaps == Counter({("home-help", "285"): 2})
    assert everyone.asked_at_results == Counter({"early-education": 2, "home-help": 2})
    assert everyone.outcomes["no-match"] == 1
    assert everyone.services_shown == Counter({"svc-1": 1, "svc-2": 1})
    assert everyone.flagged == Counter({"svc-1": 2})
    assert everyone.actions == Counter(
        {("card_flagged", "2026-03"): 2, ("subscribed", "2026-03"): 2}
    )
    assert everyone.subscriptions == Counter({("art", "subscribed"): 1, ("all", "subscribed"): 1})
    assert kotka.outcomes["sessions"] == 2
    assert kotka.needs_by_municipality == Counter(
        {("early-education", "285"): 1, ("home-help", "285"): 2}
    )
    assert kotka.subscriptions == Counter({("art", "subscribed"): 1})


def test_small_municipalities_and_sources_are_folded_into_other() -> None:
    counts = Counts(MonthRange.parse("2026-03"))
    counts.sessions.update({("285", "2026-03"): 40, ("489", "2026-03"): 2, (None, "2026-03"): 6})
    counts.sources.update({("poster", "2026-03"): 30, ("rare", "2026-03"): 1})
    report = tabulate(counts)
    assert report.table("sessions-by-municipality").rows.ids == ("285", OTHER, NONE)
    assert report.table("sources-by-month").rows.ids == ("poster", OTHER)


def test_periods_are_whole_months() -> None:
    assert MonthRange.parse("2026-11", "2027-02").months == (
        "2026-11",
        "2026-12",
        "2027-01",
        "2027-02",
    )
    assert MonthRange.last_whole_month(date(2026, 3, 10)) == MonthRange("2026-02", "2026-02")
    assert MonthRange.last_whole_month(date(2026, 1, 1)) == MonthRange("2025-12", "2025-12")
    for first, last, problem in (
        ("2026-13", None, PeriodProblem.FORMAT),
        ("26-01", None, PeriodProblem.FORMAT),
        ("2026-05", "2026-01", PeriodProblem.ORDER),
        ("2020-01", "2026-01", PeriodProblem.LENGTH),
    ):
        with pytest.raises(PeriodError) as caught:
            MonthRange.parse(first, last)
        assert caught.value.problem is problem


# ------------------------------------------------------------------ figures several tables publish


def _at(table: Table, row: str | None, col: str | None) -> Figure:
    """The figure of ``table`` at (row id, column id), None meaning the total over that axis;
    the total over a table's only row (column) is that row's (column's) own figure."""
    if row is None and len(table.rows.ids) == 1:
        row = table.rows.ids[0]
    if col is None and len(table.cols.ids) == 1:
        col = table.cols.ids[0]
    i = None if row is None else table.rows.ids.index(row)
    j = None if col is None else table.cols.ids.index(col)
    if i is not None and j is not None:
        return table.cells[i][j]
    if i is not None:
        return table.row_totals[i]
    if j is not None:
        return table.col_totals[j]
    assert table.total is not None
    return table.total


BY_MONTH = ("sessions-by-municipality", "languages-by-month", "sources-by-month")


def _shared_figures(report: Report) -> list[list[tuple[str, Figure]]]:
    """The figures published by more than one table, found from the tables' layout (not from
    the report's own names for them): each group is one count, published in several places."""
    tables = {t.id: t for t in report.tables() if not t.empty}
    groups: list[list[tuple[str, Figure]]] = []

    def group(*places: tuple[str, str | None, str | None]) -> None:
        found = [(t, _at(tables[t], r, c)) for t, r, c in places if t in tables]
        if len(found) > 1:
            groups.append(found)

    for month in report.period.months:  # dialogs per month
        group(*((t, None, month) for t in BY_MONTH))
    group(("key-figures", "sessions", None), *((t, None, None) for t in BY_MONTH))
    needs: list[str | None] = [*tables["needs-by-month"].rows.ids, None]
    for need in needs:
        group(("needs-by-municipality", need, None), ("needs-by-month", need, None))
        group(("gaps-by-need", need, "no-local"), ("gaps-by-municipality", need, None))
    group(("actions-by-month", "card_flagged", None), ("cards-flagged", None, None))
    for kind in ("subscribed", "unsubscribed"):
        group(("actions-by-month", kind, None), ("subscriptions", None, kind))
    return groups


def check_shared(report: Report) -> int:
    """Every figure several tables publish is the same figure everywhere: the same value (so
    the tables agree), the same mark (none shows what another hides) and the same name; and
    figures the report names alike are alike. Returns the number of shared figures."""
    groups = _shared_figures(report)
    for found in groups:
        assert len({figure for _, figure in found}) == 1, found
        assert found[0][1].quantity is not None, found
    named: defaultdict[tuple[str, ...], set[Figure]] = defaultdict(set)
    for table in report.tables():
        for figure in table.figures():
            if figure.quantity is not None:
                named[figure.quantity].add(figure)
    assert all(len(figures) == 1 for figures in named.values()), named
    return len(groups)


Protection = tuple[list[list[int]], Collection[tuple[int, int]], Protected]


def _record_protection(monkeypatch: pytest.MonkeyPatch) -> list[Protection]:
    """Every table the report protects, with the figures it was told to hide from the start."""
    protected: list[Protection] = []

    def recording(cells: list[list[int]], **options: Any) -> Protected:
        marks = protect(cells, **options)
        protected.append((cells, options.get("hidden", ()), marks))
        return marks

    monkeypatch.setattr(report_module, "protect", recording)
    return protected


def _check_protection(protected: list[Protection]) -> None:
    """The independent check of each table, figures hidden from the start as hidden as any."""
    for cells, hidden, marks in protected:
        check_published(cells, marks)
        published = _figure_marks(marks)
        assert all(published[at] is not S for at in hidden if at in published), (cells, hidden)


def test_a_total_one_table_hides_is_hidden_in_every_table(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Kotka's 4 dialogs in January. On its own, the sessions table can only protect them by
    hiding both month totals; the languages table, on its own, shows those totals, and the
    sources table (one row) shows them as its cells. January's 14 minus the 10 families who did
    not say where they live would give the 4 away."""
    counts = Counts(MonthRange.parse("2026-01", "2026-02"))
    counts.sessions.update(
        {("285", "2026-01"): 4, ("285", "2026-02"): 10, (None, "2026-01"): 10, (None, "2026-02"): 5}
    )
    counts.languages.update(
        {("fi", "2026-01"): 7, ("fi", "2026-02"): 8, ("en", "2026-01"): 7, ("en", "2026-02"): 7}
    )
    counts.sources.update({(None, "2026-01"): 14, (None, "2026-02"): 15})
    counts.outcomes["sessions"] = 29
    # Each table on its own, as the report used to do it:
    sessions = [[4, 10], [10, 5]]
    alone = protect(sessions)
    assert alone.col_totals == (H, H)
    assert protect([[7, 8], [7, 7], [0, 0]]).col_totals == (S, S)  # fi, en, ar by month
    assert "cell 0,0 = 4" in recoverable(sessions, replace(alone, col_totals=(S, S)))

    protected = _record_protection(monkeypatch)
    report = tabulate(counts)
    _check_protection(protected)
    assert check_shared(report) >= 3
    for month in counts.period.months:
        assert [_at(report.table(t), None, month).mark for t in BY_MONTH] == [H, H, H]
    assert report.table("sessions-by-municipality").cells[0][0].mark is P


# ------------------------------------------------------------------ a synthetic year


def _truth(rows: Sequence[Row]) -> dict[str, Counter[tuple[str, str]]]:
    """Some of the report's figures counted straight from the events, another way."""
    started: dict[str, Row] = {}
    needs: defaultdict[str, set[str]] = defaultdict(set)
    nodes: defaultdict[tuple[str, str], set[str]] = defaultdict(set)
    gaps: defaultdict[str, set[str]] = defaultdict(set)
    truth: dict[str, Counter[tuple[str, str]]] = defaultdict(Counter)
    for row in rows:
        session, kind = row["session"], row["kind"]
        if session is None:
            truth["actions-by-month"][kind, row["month"]] += 1
        elif kind == "started":
            started[session] = row
        elif kind == "answered" and row["needs"]:
            needs[session].update(row["needs"].split())
        elif kind == "results_shown" and row["gaps"]:
            gaps[session].update(row["gaps"].split())
        if kind in ("asked", "answered", "skipped"):
            nodes[session, row["node"]].add(kind)
    for session, start in started.items():
        truth["months"]["", start["month"]] += 1
        truth["languages-by-month"][start["locale"], start["month"]] += 1
        for need in needs[session]:
            truth["needs-by-month"][need, start["month"]] += 1
        for need in gaps[session]:
            truth["gaps-by-need"][need, "no-local"] += 1
    for (session, node), kinds in nodes.items():
        if "asked" in kinds and started[session]["version"] == 1:
            column = next((k for k in ("answered", "skipped") if k in kinds), "left")
            truth["funnel-needs-1"][node, column] += 1
    return truth


def _published_cells(report: Report, table_id: str) -> dict[tuple[str, str], int]:
    table = report.table(table_id)
    return {
        (r, c): figure.value
        for r, row in zip(table.rows.ids, table.cells, strict=True)
        for c, figure in zip(table.cols.ids, row, strict=True)
        if figure.value is not None
    }


async def test_report_of_a_synthetic_year_in_three_formats(
    engine: AsyncEngine, sessions: async_sessionmaker[AsyncSession], monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = synthetic_year(10_000)
    await insert_events(engine, rows)
    protected = _record_protection(monkeypatch)
    async with sessions() as session:
        report = await build_report(session, YEAR)

    # Every table of every month went through suppression (again, in each round of hiding what
    # another table hides), and none gives a small figure away, the figures hidden from the
    # start included; every figure two tables publish is published alike in both.
    tables = len([t for t in report.tables() if not t.empty])
    assert tables >= 12
    assert len(protected) >= tables * 12
    _check_protection(protected)
    assert check_shared(report) >= 40
    for table in report.tables():
        for figure in table.figures():
            assert figure.value is None or figure.value >= THRESHOLD, table.id
            assert (figure.value is None) == (figure.mark is not Mark.SHOWN)
    # The suppression had work to do, and the published figures are the true ones.
    hidden = Counter(f.mark for t in report.tables() for f in t.figures())
    assert hidden[Mark.SMALL] > 10  # a month's own figure, in its column
    assert hidden[Mark.PROTECTING] > 5
    assert hidden[Mark.WITHHELD] > 10  # a sum over months, one of which hides its part
    key = dict(zip(report.key_figures.rows.ids, report.key_figures.cells, strict=True))
    assert key["sessions"][0].value == 10_000
    truth = _truth(rows)
    months = report.table("sessions-by-municipality")
    shown_months = {m: f.value for m, f in zip(months.cols.ids, months.col_totals, strict=True)}
    assert shown_months == {m: n for (_, m), n in truth["months"].items()}
    for table_id in ("needs-by-month", "languages-by-month", "funnel-needs-1", "actions-by-month"):
        published = _published_cells(report, table_id)
        assert published, table_id
        assert all(truth[table_id][key] == value for key, value in published.items()), table_id
    gaps = _published_cells(report, "gaps-by-need")
    no_local = {k: v for k, v in gaps.items() if k[1] == "no-local"}
    assert len(no_local) >= 8  # a need small in some month stays hidden over the year
    assert all(truth["gaps-by-need"][k] == v for k, v in no_local.items())
    funnel = report.table("funnel-needs-1")
    assert funnel.rows.ids[0] == "where"  # every session is asked where it lives first
    assert report.table("funnel-needs-2").args == (("tree", "needs"), ("version", 2))
    assert OTHER in report.table("sessions-by-municipality").rows.ids  # Miehikkälä & co.
    assert "rare_flyer" not in report.table("sources-by-month").rows.ids

    for locale in ("fi", "en"):
        t = I18N[locale]
        page = render(report, Format.HTML, t, MADE)
        assert page.startswith("<!DOCTYPE html>")
        assert f'<html lang="{locale}">' in page
        # Self-contained: nothing to fetch (the only URL is the SVG namespace).
        lowered = page.lower()
        for reference in ("<script", "<link", "<img", "src=", "url(", "@import", 'href="http'):
            assert reference not in lowered, reference
        assert "http" not in lowered.replace("http://www.w3.org/2000/svg", "")
        assert page.count("<svg") >= 10
        assert t("report-title") in page

    document = json.loads(render(report, Format.JSON, I18N["en"], MADE))
    assert document["period"] == {"from": "2026-01", "to": "2026-12"}
    assert document["language"] == "en"
    assert [t["id"] for t in document["tables"]] == [t.id for t in report.tables()]

    lines = list(csv.reader(io.StringIO(render(report, Format.CSV, I18N["fi"], MADE))))
    assert lines[0][:4] == ["period_from", "period_to", "municipality", "table"]
    values = [line[-1] for line in lines[1:]]
    assert len(values) == sum(len(t.figures()) for t in report.tables()) + sum(
        len(t.rates) for t in report.tables()
    )
    for line in lines[1:]:
        value = line[-1]
        if line[6] == "(share)":
            assert value in ("<5", "..", "x") or 0 <= float(value) <= 1
        else:
            assert value in ("<5", "..", "x") or int(value) >= THRESHOLD, line
    # The JSON and the CSV publish the same figures.
    json_figures = [
        str(cell)
        for t in document["tables"]
        for row in t["rows"]
        for cell in [*row["cells"], *([row["total"]] if "total" in row else [])]
    ]
    csv_figures = [line[-1] for line in lines[1:] if line[4] != "(total)" and line[6] != "(share)"]
    assert json_figures == csv_figures

    summary = summary_text(report, Labels(I18N["en"], report.service_names))
    assert "Dialogs: 10,000." in summary
    assert file_name(report, Format.HTML) == "valo-indicators-2026-01_2026-12.html"


async def test_one_municipality_report(engine: AsyncEngine) -> None:
    """A municipality's report is its row or column of the month reports of all municipalities:
    its dialogs, its needs and its gaps."""
    rows = synthetic_year(600, seed=7)
    await insert_events(engine, rows)
    async with async_sessionmaker(engine)() as session:
        report = await build_report(session, YEAR, "285")
        region = await build_report(session, YEAR)
    assert report.table("sessions-by-municipality").rows.ids == ("285",)
    assert {t.id for t in report.tables()} == {
        "key-figures",
        "sessions-by-municipality",
        "needs-by-municipality",
        "needs-by-month",
        "gaps-by-municipality",
    }
    kotka = report.table("sessions-by-municipality")
    everyone = region.table("sessions-by-municipality")
    row = everyone.rows.ids.index("285")

    def published(figures: Sequence[Figure]) -> list[tuple[int | None, Mark]]:
        return [(f.value, f.mark) for f in figures]

    assert published(kotka.cells[0]) == published(everyone.cells[row])
    assert published(kotka.row_totals) == published([everyone.row_totals[row]])
    assert any(f.shown for f in kotka.cells[0])
    labels = Labels(I18N["fi"], report.service_names)
    assert labels.scope(report) == "Kotka"
    assert file_name(report, Format.CSV).endswith("-285.csv")
    for table in report.tables():
        for figure in table.figures():
            assert figure.value is None or figure.value >= THRESHOLD
    assert check_shared(report) >= 13
    # One month of one municipality: one-row and one-column tables, whose cells are totals.
    async with async_sessionmaker(engine)() as session:
        march = await build_report(session, MonthRange.parse("2026-03"), "285")
        # Miehikkälä, counted under "other municipalities": nothing said of it.
        small = await build_report(session, MonthRange.parse("2026-03"), "489")
    assert march.table("sessions-by-municipality").total is None
    assert check_shared(march) >= 13
    assert {f.mark for t in small.tables() for f in t.figures()} == {Mark.WITHHELD}


# ------------------------------------------------------------------ the command line


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from", "2026-13"], "'2026-13' is not a month: write it as YYYY-MM"),
        (["--from", "2026-1"], "'2026-1' is not a month"),
        (["--from", "2026-05", "--to", "2026-01"], "the first month 2026-05 is after the last"),
        (["--from", "2020-01", "--to", "2026-01"], "73 months; a report covers at most 60"),
        (["--from", "2026-01", "--municipality", "999"], "unknown municipality code '999'"),
        (["--from", "2999-01"], "2999-01 has not ended yet: a report covers months that have"),
    ],
)
def test_report_command_refuses_bad_input(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["report", *args]) == 2
    err = capsys.readouterr().err
    assert err.startswith("valo-bot report: ")
    assert message in err


def test_report_command_refuses_arabic_and_unknown_formats(
    capsys: pytest.CaptureFixture[str],
) -> None:
    for args in (["--lang", "ar"], ["--format", "pdf"]):
        with pytest.raises(SystemExit) as caught:
            main(["report", "--from", "2026-01", *args])
        assert caught.value.code == 2
        assert "invalid choice" in capsys.readouterr().err


def test_report_command_writes_each_format(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = synthetic_year(300, seed=3, year=2025)  # months that have ended
    with module_database(tmp_path) as url:

        async def fill() -> None:
            from bot.db import migrate
            from bot.db.engine import make_engine

            engine = make_engine(url)
            try:
                await migrate.upgrade(engine)
                await insert_events(engine, rows)
            finally:
                await engine.dispose()

        run_in_new_loop(fill())
        monkeypatch.setenv("DATABASE_URL", url)
        monkeypatch.setenv("DEFAULT_LOCALE", "ar")  # no Arabic report: English instead
        out = tmp_path / "report.json"
        args = ["report", "--from", "2025-01", "--to", "2025-12", "--format", "json"]
        assert main([*args, "--output", str(out)]) == 0
        assert capsys.readouterr().err == f"wrote {out}\n"
        document = json.loads(out.read_text(encoding="utf-8"))
        assert document["language"] == "en"
        key = document["tables"][0]
        assert key["id"] == "key-figures"
        assert key["rows"][0]["cells"] == [300]
        assert main(["report", "--from", "2025-03", "--format", "csv", "--lang", "fi"]) == 0
        lines = capsys.readouterr().out.splitlines()
        assert lines[0].startswith("period_from,period_to,municipality,table")
        assert lines[1].startswith("2025-03,2025-03,,key-figures,sessions,Keskustelut,")
        assert main(["report", "--from", "2025-01", "--municipality", "285"]) == 0
        assert capsys.readouterr().out.startswith('<!DOCTYPE html>\n<html lang="en">')


def test_random_tables_of_report_shapes_stay_safe() -> None:
    """Wide month tables with a skewed distribution, as the report's needs-by-month."""
    rng = random.Random(8)
    for _ in range(6):
        cells = [[int(rng.paretovariate(1.2)) - 1 for _ in range(12)] for _ in range(12)]
        check_published(cells, protect(cells))


def test_an_empty_period_says_there_is_no_data() -> None:
    """Nothing recorded reads "no sessions", not "<5" (which reads like one to four families);
    a single session still reads "<5"."""
    march = MonthRange.parse("2026-03")
    labels = Labels(I18N["en"], {})
    empty = tabulate(Counts(march))
    assert empty.no_data
    assert "No sessions in this period." in summary_text(empty, labels)
    assert "No sessions in this period." in render(empty, Format.HTML, I18N["en"], MADE)
    one = Counts(march)
    one.sessions[None, "2026-03"] = 1
    one.outcomes["sessions"] = 1
    report = tabulate(one)
    assert not report.no_data
    summary = summary_text(report, labels)
    assert "No sessions" not in summary
    assert "Dialogs: <5." in summary
