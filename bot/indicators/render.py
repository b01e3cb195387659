"""The report as JSON, CSV and text: headings and figures in the reader's language.

Suppressed figures are written as their marks, "<5" (fewer than five) and ".." (hidden so that a
small figure cannot be worked out), the same in every format and language; JSON and CSV keep
ids next to the labels so that the files can be joined and pivoted without parsing names.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Final

from babel import dates as babel_dates
from babel import numbers as babel_numbers

from bot.catalog.cards import language_name, municipality_name
from bot.catalog.schema import Text
from bot.i18n import Translator
from bot.indicators.period import parse_month
from bot.indicators.report import NONE, OTHER, Figure, Report, Table
from bot.indicators.suppress import THRESHOLD, Mark

SMALL_MARK: Final = "<5"
PROTECTING_MARK: Final = ".."
WITHHELD_MARK: Final = "x"
# Each mark and the locale message that says what it means.
MARKS: Final = {
    Mark.SMALL: (SMALL_MARK, "report-legend-small"),
    Mark.PROTECTING: (PROTECTING_MARK, "report-legend-protecting"),
    Mark.WITHHELD: (WITHHELD_MARK, "report-legend-withheld"),
}
TOTAL_ID: Final = "(total)"
SHARE_ID: Final = "(share)"


def mark_text(mark: Mark) -> str:
    return MARKS[mark][0]


def marks_used(report: Report) -> list[tuple[str, str]]:
    """(mark, locale message id) of the marks to explain: "<5" and ".." always, "x" when the
    report has one."""
    used = {f.mark for t in report.tables() for f in t.figures()}
    return [text for mark, text in MARKS.items() if mark is not Mark.WITHHELD or mark in used]


@dataclass(frozen=True)
class Labels:
    """Names, months and numbers for one language."""

    t: Translator
    service_names: Mapping[str, Text]

    def heading(self, kind: str, ident: str) -> str:
        """The display name of a row or column id of axis ``kind``."""
        t = self.t
        special = {
            ("municipality", OTHER): "report-other-municipalities",
            ("municipality", NONE): "report-municipality-none",
            ("source", OTHER): "report-other-sources",
            ("source", NONE): "report-source-none",
            ("service", OTHER): "report-other-services",
            ("topic", OTHER): "report-other-topics",
            ("locale", NONE): "report-locale-none",
        }.get((kind, ident))
        if special is not None:
            return t(special)
        namers: dict[str, Callable[[str], str]] = {
            "municipality": self.municipality,
            "need": lambda i: t(f"need-{i}") if t.has(f"need-{i}") else i,
            "month": self.month,
            "locale": lambda i: language_name(i, t),
            "service": lambda i: (
                self.service_names[i].get(t.locale) if i in self.service_names else i
            ),
            "action": lambda i: t(f"report-action-{i}"),
            "topic": lambda i: t(f"report-topic-{i}"),
            "column": lambda i: t(f"report-column-{i}"),
            "figure": lambda i: t(f"report-figure-{i}"),
        }
        namer = namers.get(kind)
        return namer(ident) if namer else ident

    def municipality(self, code: str) -> str:
        return municipality_name(code, self.t)

    def month(self, month: str, skeleton: str = "yMMM") -> str:
        year, number = parse_month(month)
        return babel_dates.format_skeleton(skeleton, date(year, number, 1), locale=self.t.locale)

    def date(self, day: date) -> str:
        return babel_dates.format_date(day, "long", locale=self.t.locale)

    def number(self, value: int) -> str:
        return self.t.format_number(value)

    def percent(self, share: float) -> str:
        return babel_numbers.format_percent(share, "#,##0 %", locale=self.t.locale)

    def figure(self, figure: Figure) -> str:
        return self.number(figure.value) if figure.value is not None else mark_text(figure.mark)

    def rate(self, table: Table, row: int) -> str:
        share = table.rates[row]
        if share is not None:
            return self.percent(share)
        hidden = table.cells[row][table.rate_column or 0]
        return mark_text(hidden.mark if not hidden.shown else table.row_totals[row].mark)

    def period(self, report: Report) -> str:
        first, last = report.period.first, report.period.last
        if first == last:
            return self.month(first, "yMMMM")
        return self.t(
            "report-period", first=self.month(first, "yMMMM"), last=self.month(last, "yMMMM")
        )

    def scope(self, report: Report) -> str:
        if report.municipality is None:
            return self.t("report-scope-all")
        return self.t("report-scope-one", municipality=self.municipality(report.municipality))

    def title(self, table: Table) -> str:
        return self.t(f"report-table-{table.key}", **dict(table.args))

    def about(self, table: Table) -> str:
        return self.t(f"report-table-{table.key}-about", **dict(table.args))

    def rate_heading(self, table: Table) -> str:
        return self.t(f"report-rate-{table.key}")


# ------------------------------------------------------------------ JSON


def _json_figure(figure: Figure) -> int | str:
    return figure.value if figure.value is not None else mark_text(figure.mark)


def report_json(report: Report, labels: Labels, made: date) -> str:
    """The report as one JSON document: metadata, then every table with ids and labels."""
    tables: list[dict[str, Any]] = []
    for table in report.tables():
        rows = []
        for i, row_id in enumerate(table.rows.ids):
            row: dict[str, Any] = {
                "id": row_id,
                "label": labels.heading(table.rows.kind, row_id),
                "cells": [_json_figure(f) for f in table.cells[i]] if table.cells else [],
            }
            if table.row_totals:
                row["total"] = _json_figure(table.row_totals[i])
            if table.rate_column is not None:
                share = table.rates[i]
                row["share"] = round(share, 4) if share is not None else None
            rows.append(row)
        tables.append(
            {
                "id": table.id,
                "title": labels.title(table),
                "about": labels.about(table),
                "row_kind": table.rows.kind,
                "column_kind": table.cols.kind,
                "columns": [
                    {"id": c, "label": labels.heading(table.cols.kind, c)} for c in table.cols.ids
                ],
                "rows": rows,
                "column_totals": [_json_figure(f) for f in table.col_totals] or None,
                "total": _json_figure(table.total) if table.total is not None else None,
            }
        )
    document = {
        "report": "valo-indicators",
        "language": labels.t.locale,
        "made": made.isoformat(),
        "period": {"from": report.period.first, "to": report.period.last},
        "municipality": None
        if report.municipality is None
        else {"code": report.municipality, "name": labels.municipality(report.municipality)},
        "unit": "sessions",
        "threshold": THRESHOLD,
        "marks": {text: labels.t(meaning) for text, meaning in marks_used(report)},
        "tables": tables,
    }
    return json.dumps(document, ensure_ascii=False, indent=1) + "\n"


# ------------------------------------------------------------------ CSV

CSV_HEADER: Final = (
    "period_from",
    "period_to",
    "municipality",
    "table",
    "row",
    "row_label",
    "column",
    "column_label",
    "value",
)


def _csv_rows(report: Report, labels: Labels) -> Iterator[tuple[str, str, str, str, str]]:
    """(table, row, column, column label, value) with row labels added by the caller."""
    for table in report.tables():
        cols = [(c, labels.heading(table.cols.kind, c)) for c in table.cols.ids]
        total = labels.t("report-total")
        for i, row_id in enumerate(table.rows.ids):
            for (col_id, col_label), figure in zip(cols, table.cells[i], strict=True):
                yield table.id, row_id, col_id, col_label, str(_json_figure(figure))
            if table.row_totals:
                yield table.id, row_id, TOTAL_ID, total, str(_json_figure(table.row_totals[i]))
            if table.rate_column is not None:
                share = table.rates[i]
                value = f"{share:.4f}" if share is not None else labels.rate(table, i)
                yield table.id, row_id, SHARE_ID, labels.rate_heading(table), value
        for (col_id, col_label), figure in zip(cols, table.col_totals, strict=False):
            yield table.id, TOTAL_ID, col_id, col_label, str(_json_figure(figure))
        if table.total is not None:
            yield table.id, TOTAL_ID, TOTAL_ID, total, str(_json_figure(table.total))


# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(cell: str) -> str:
    """``cell`` with a leading apostrophe when a spreadsheet would take it for a formula
    (OWASP's advice for CSV files); numbers such as ``-0.25`` stay as they are."""
    if not cell.startswith(_FORMULA_STARTS):
        return cell
    try:
        float(cell)
        return cell
    except ValueError:
        return "'" + cell


def report_csv(report: Report, labels: Labels) -> str:
    """Every figure as one "tidy" row: period, table, row, column, value (a number or mark)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    kinds = {t.id: t.rows.kind for t in report.tables()}
    municipality = report.municipality or ""
    for table_id, row_id, col_id, col_label, value in _csv_rows(report, labels):
        row_label = (
            labels.t("report-total")
            if row_id == TOTAL_ID
            else labels.heading(kinds[table_id], row_id)
        )
        cells = (
            report.period.first,
            report.period.last,
            municipality,
            table_id,
            row_id,
            row_label,
            col_id,
            col_label,
            value,
        )
        writer.writerow(spreadsheet_safe(str(cell)) for cell in cells)
    return out.getvalue()


# ------------------------------------------------------------------ text summary for /stats


def top_rows(table: Table, figures: tuple[Figure, ...], limit: int) -> list[tuple[str, int]]:
    """The rows with the largest published figures (hidden ones never rank)."""
    shown = [(r, f.value) for r, f in zip(table.rows.ids, figures, strict=False) if f.value]
    return sorted(shown, key=lambda rv: (-rv[1], rv[0]))[:limit]


def summary_text(report: Report, labels: Labels) -> str:
    """A few lines for a chat message: the period's main figures, suppressed as in the report."""
    t = labels.t
    key = report.key_figures
    figures = dict(zip(key.rows.ids, (row[0] for row in key.cells), strict=True))
    title = t("stats-title", period=labels.period(report), scope=labels.scope(report))
    if report.no_data:
        return f"{title}\n{t('report-no-data')}"
    lines = [
        title,
        t(
            "stats-sessions",
            sessions=labels.figure(figures["sessions"]),
            results=labels.figure(figures["results"]),
            finished=labels.figure(figures["finished"]),
        ),
    ]
    needs = report.table("needs-by-municipality")
    top = top_rows(needs, needs.row_totals, 3)
    if top:
        names = t.format_list([f"{labels.heading('need', n)} ({labels.number(v)})" for n, v in top])
        lines.append(t("stats-needs", needs=names))
    gaps = report.table("gaps-by-need")
    missing = top_rows(gaps, tuple(row[0] for row in gaps.cells), 3)
    if missing:
        names = t.format_list(
            [f"{labels.heading('need', n)} ({labels.number(v)})" for n, v in missing]
        )
        lines.append(t("stats-gaps", needs=names))
    lines.append(t("stats-no-match", count=labels.figure(figures["no-match"])))
    lines.append(t("stats-legend"))
    return "\n".join(lines)
