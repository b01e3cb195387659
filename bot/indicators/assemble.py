"""Every report is assembled from month reports, so that no report can be subtracted from another.

The only reports that are counted and protected are those of **one calendar month for all
municipalities** (:func:`bot.indicators.report.tabulate`). Everything else the bot publishes is
worked out from those month reports alone, from what they publish:

- a report of several months (:func:`combine`) puts each month's own figures in its column,
  and a figure that adds months up (a period total, a row total across months) is the sum of
  the months' published figures, shown only when every month shows its part. When one is
  hidden, the sum is hidden too: as ".." (5 or more) when a part is known to be 5 or more,
  otherwise as "x", which says nothing about the value;
- a municipality's report (:func:`municipality_slice`) is that municipality's row or column of
  the month reports (its dialogs, its needs, its gaps), and "x" in a month where it was
  counted under "other municipalities".

A hidden figure (:class:`bot.indicators.report.Figure`) holds no value, and these functions
see only :class:`Report` objects, so nothing assembled can hold more than the month reports
published. Months share no sessions (a session belongs to the month it started in), so a
reader who holds every report the bot can make knows exactly what the month reports say:
each hidden figure keeps the range the month report's own protection gives it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from functools import lru_cache
from typing import Final

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.catalog.schema import Service, Text
from bot.db.models import CatalogService
from bot.indicators.counts import read_month_counts
from bot.indicators.period import MonthRange
from bot.indicators.report import (
    NONE,
    OTHER,
    TOP_SERVICES,
    Axis,
    Figure,
    Quantity,
    Report,
    Section,
    Table,
    rate,
    tabulate,
)
from bot.indicators.suppress import Mark

# Axis kinds whose ids are not filters of what is counted (named columns and key figures).
_NOT_FILTERS: Final = frozenset({"column", "figure"})
# Filters a month report may carry that an assembled table states through its own axes.
_RESTATED: Final = frozenset({"month", "municipality"})

Position = tuple[str | None, str | None]  # (row id, column id); None: the total over that axis


def figure_at(table: Table | None, row: str | None, col: str | None) -> Figure | None:
    """What ``table`` publishes at (row, col), None standing for a total; None when it
    publishes nothing there (see :attr:`Table.by_position`)."""
    return None if table is None else table.by_position.get((row, col))


def added_up(parts: Sequence[Figure | None]) -> tuple[int | None, Mark]:
    """The sum of figures the month reports publish (None: one publishes nothing there), as
    far as a reader of those reports can work it out."""
    if len(parts) == 1 and parts[0] is not None:
        return parts[0].value, parts[0].mark
    values = [p.value for p in parts if p is not None and p.value is not None]
    if len(values) == len(parts):
        return sum(values), Mark.SHOWN
    if any(p is not None and p.mark in (Mark.SHOWN, Mark.PROTECTING) for p in parts):
        return None, Mark.PROTECTING  # one part alone is 5 or more
    return None, Mark.WITHHELD


def _ordered(ids: Iterable[str]) -> tuple[str, ...]:
    """Ids in order of first appearance, "other" and "not given" last."""
    seen = dict.fromkeys(ids)
    ordinary = [i for i in seen if i not in (OTHER, NONE)]
    return (*ordinary, *(s for s in (OTHER, NONE) if s in seen))


def _named(
    sources: Iterable[Figure | None], rows: Axis, cols: Axis, at: Position
) -> Quantity | None:
    """The name of an assembled figure: the measure (and fixed filters) its parts are named
    with, narrowed by this table's axes as :func:`bot.indicators.report._quantity` does."""
    base = next((f.quantity for f in sources if f is not None and f.quantity is not None), None)
    if base is None:
        return None
    row = at[0] if rows.kind not in _NOT_FILTERS and len(rows.ids) > 1 else None
    col = at[1] if cols.kind not in _NOT_FILTERS and len(cols.ids) > 1 else None
    return _narrowed(base, rows.kind, row, cols.kind, col)


@lru_cache(maxsize=4096)
def _narrowed(
    base: Quantity, row_kind: str, row: str | None, col_kind: str, col: str | None
) -> Quantity:
    restated = _RESTATED | {row_kind, col_kind}
    narrowing = [f for f in base[1:] if f.partition("=")[0] not in restated]
    narrowing += [f"{kind}={id_}" for kind, id_ in ((row_kind, row), (col_kind, col)) if id_]
    return (base[0], *sorted(narrowing))


def _table(
    template: Table,
    rows: Axis,
    cols: Axis,
    parts: Callable[[str | None, str | None], Sequence[Figure | None]],
    *,
    row_totals: bool,
    col_totals: bool,
    names: Callable[[str | None, str | None], Iterable[Figure | None]] | None = None,
) -> Table:
    """A table of the shape given whose every figure adds up ``parts(row, col)``, named after
    them (or after ``names(row, col)``: figures that count the same)."""
    if not rows.ids or not cols.ids:
        return replace(template, rows=rows, cols=cols, cells=(), row_totals=(), col_totals=())
    row_totals = row_totals and len(cols.ids) > 1
    col_totals = col_totals and len(rows.ids) > 1

    def make(row: str | None, col: str | None) -> Figure:
        found = parts(row, col)
        value, mark = added_up(found)
        like = found if names is None else names(row, col)
        return Figure(value, mark, _named(like, rows, cols, (row, col)))

    cells = tuple(tuple(make(r, c) for c in cols.ids) for r in rows.ids)
    sums = tuple(make(r, None) for r in rows.ids) if row_totals else ()
    rates: tuple[float | None, ...] = ()
    if template.rate_column is not None and sums:
        rates = tuple(
            rate(row[template.rate_column], t) for row, t in zip(cells, sums, strict=True)
        )
    return replace(
        template,
        rows=rows,
        cols=cols,
        cells=cells,
        row_totals=sums,
        col_totals=tuple(make(None, c) for c in cols.ids) if col_totals else (),
        total=make(None, None) if row_totals or col_totals else None,
        rates=rates,
    )


def _combined_table(pieces: Sequence[Table | None], months: tuple[str, ...]) -> Table:
    """One table of several months from the month reports' tables (None: not in that month)."""
    present = [p for p in pieces if p is not None]
    template = present[0]
    by_month = template.cols.kind == "month"
    rows = Axis(template.rows.kind, _ordered(i for p in present for i in p.rows.ids))
    if by_month:
        cols = Axis("month", months)
        column_of = dict(zip(months, pieces, strict=True))
    else:
        cols = Axis(template.cols.kind, _ordered(i for p in present for i in p.cols.ids))

    def parts(row: str | None, col: str | None) -> list[Figure | None]:
        if by_month and col is not None:
            return [figure_at(column_of[col], row, col)]
        return [figure_at(p, row, col) for p in pieces]

    def names(row: str | None, col: str | None) -> list[Figure | None]:
        # A month whose report has no such figure (a municipality under "other" that month)
        # names it like the other months: the same count, in another column.
        found = parts(row, col)
        if found[0] is None and by_month and col is not None:
            return [figure_at(p, row, None) for p in pieces]
        return found

    if template.id == "services-shown":  # the most shown: the largest published sums first
        sums = {r: added_up(parts(r, c))[0] for r in rows.ids for c in cols.ids}
        ranked = sorted(rows.ids, key=lambda r: (sums[r] is None, -(sums[r] or 0), r))
        rows = Axis(rows.kind, tuple(ranked[:TOP_SERVICES]))
    return _table(
        template,
        rows,
        cols,
        parts,
        row_totals=by_month or any(p.row_totals for p in present),
        col_totals=any(p.col_totals for p in present),
        names=names,
    )


def combine(months: Sequence[Report], period: MonthRange) -> Report:
    """The report of ``period`` from the reports of each of its months, in order."""
    if len(months) == 1:
        return months[0]
    ids = period.months

    def tables_of(section: str) -> list[Table]:
        found: dict[str, list[Table | None]] = {}
        for index, report in enumerate(months):
            for table in next((s.tables for s in report.sections if s.key == section), ()):
                found.setdefault(table.id, [None] * len(months))[index] = table
        combined = [_combined_table(pieces, ids) for pieces in found.values()]
        if section == "funnel":  # dialogs by name, their newest version first
            combined.sort(key=lambda t: (str(dict(t.args)["tree"]), -int(dict(t.args)["version"])))
        return combined

    keys = _ordered(s.key for r in months for s in r.sections)
    return Report(
        period,
        months[0].municipality,
        _combined_table([r.key_figures for r in months], ids),
        tuple(Section(key, tuple(tables_of(key))) for key in keys),
        no_data=all(r.no_data for r in months),
    )


def municipality_slice(month: Report, code: str) -> Report:
    """Municipality ``code``'s part of a month report of all municipalities: its dialogs, its
    needs and its gaps, all read off the month report's tables."""
    month_id = month.period.first
    sessions = month.table("sessions-by-municipality")
    needs = month.table("needs-by-municipality")
    gaps = month.table("gaps-by-municipality")
    one = Axis("municipality", (code,))
    months = Axis("month", (month_id,))

    def name(measure: str, need: str | None = None) -> list[Figure | None]:
        # Named whether or not the month report has the municipality's own row (it has none
        # when the municipality is counted under "other"): the same count either way.
        return [Figure(None, Mark.WITHHELD, (measure,) if need is None else (measure, need))]

    def column(table: Table, template: Table, cols: Axis) -> Table:
        """``code``'s column of ``table`` (needs by need), laid out as ``template``."""
        measure = "gaps" if table is gaps else "needs"
        return _table(
            template,
            table.rows,
            cols,
            lambda r, _: [figure_at(table, r, code)],
            row_totals=False,
            col_totals=bool(table.col_totals),
            names=lambda r, _: name(measure, None if r is None else f"need={r}"),
        )

    def one_figure(template: Table, rows: Axis, cols: Axis) -> Table:
        return _table(
            template,
            rows,
            cols,
            lambda *_: [figure_at(sessions, code, month_id)],
            row_totals=False,
            col_totals=False,
            names=lambda *_: name("sessions"),
        )

    key = one_figure(
        month.key_figures, Axis("figure", ("sessions",)), Axis("column", ("sessions",))
    )
    return Report(
        month.period,
        code,
        key,
        (
            Section("sessions", (one_figure(sessions, one, months),)),
            Section(
                "needs",
                (column(needs, needs, one), column(needs, month.table("needs-by-month"), months)),
            ),
            Section("gaps", (column(gaps, gaps, one),)),
        ),
    )


async def _service_names(session: AsyncSession, ids: set[str]) -> dict[str, Text]:
    if not ids:
        return {}
    rows = await session.execute(
        select(CatalogService.document).where(CatalogService.id.in_(sorted(ids)))
    )
    services = [Service.model_validate(document) for document in rows.scalars()]
    return {service.id: service.name for service in services}


async def month_reports(session: AsyncSession, period: MonthRange) -> list[Report]:
    """The report of each month of ``period``, all municipalities: counted and protected."""
    return [tabulate(counts) for counts in await read_month_counts(session, period)]


async def build_report(
    session: AsyncSession, period: MonthRange, municipality: str | None = None
) -> Report:
    """The report of ``period`` (whole months), of one municipality or all of them,
    assembled from the month reports."""
    months = await month_reports(session, period)
    if municipality is not None:
        months = [municipality_slice(report, municipality) for report in months]
    report = combine(months, period)
    return replace(report, service_names=await _service_names(session, report.service_ids()))
