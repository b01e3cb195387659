"""The report as one self-contained HTML page: inline CSS, inline SVG charts, no scripts.

Every chart sits beside the table that holds its figures, draws only published figures
(a hidden one is written as its mark, never drawn), and is described for screen readers. The
page reads offline and prints on A4 (print CSS). Reports are made in Finnish and English
(:data:`bot.indicators.formats.REPORT_LOCALES`), so the page is always left to right.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from html import escape
from typing import Final

from bot.indicators.render import MARKS, Labels, mark_text, marks_used
from bot.indicators.report import Chart, Figure, Report, Section, Table
from bot.indicators.suppress import THRESHOLD

STYLE: Final = """
:root {
  --ink: #1b1f24; --muted: #4a5360; --line: #c9ced6; --soft: #f3f5f8;
  --bar: #1f5fa8; --bar-2: #7a4fb0; --accent: #0b6e4f; --hidden: #8a5a00;
  color-scheme: light;
}
* { box-sizing: border-box; }
html { font-size: 100%; }
body {
  margin: 0; color: var(--ink); background: #fff;
  font: 1rem/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", Arial, sans-serif;
}
header, main, footer { max-width: 72rem; margin: 0 auto; padding: 0 1.25rem; }
header { padding-top: 2rem; border-bottom: 4px solid var(--bar); padding-bottom: 1rem; }
.brand { margin: 0; font-weight: 700; letter-spacing: .08em; text-transform: uppercase;
  color: var(--bar); font-size: .9rem; }
h1 { margin: .25rem 0 .5rem; font-size: 2rem; line-height: 1.2; }
h2 { margin: 2.5rem 0 .5rem; font-size: 1.5rem; border-bottom: 1px solid var(--line);
  padding-bottom: .25rem; }
h3 { margin: 1.75rem 0 .25rem; font-size: 1.15rem; }
p { margin: .25rem 0 .75rem; max-width: 48rem; }
.meta { color: var(--muted); margin: 0; }
a { color: var(--bar); }
a:focus-visible, .table-wrap:focus-visible {
  outline: 3px solid var(--accent); outline-offset: 2px; }
.legend { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem;
  background: var(--soft); border-inline-start: 4px solid var(--hidden); padding: .75rem 1rem;
  margin: .5rem 0 1rem; max-width: 48rem; }
.legend dt { font-weight: 700; font-variant-numeric: tabular-nums; color: var(--hidden); }
.legend dd { margin: 0; }
nav ol { columns: 2 16rem; padding-inline-start: 1.25rem; }
.tiles { display: grid; grid-template-columns: repeat(auto-fit, minmax(10rem, 1fr)); gap: .75rem;
  margin: 1rem 0; padding: 0; }
.tile { background: var(--soft); border-radius: .5rem; padding: .75rem 1rem; margin: 0; }
.tile dt { color: var(--muted); font-size: .9rem; }
.tile dd { margin: 0; font-size: 1.75rem; font-weight: 700; font-variant-numeric: tabular-nums; }
.pair { display: grid; grid-template-columns: minmax(0, 2fr) minmax(0, 3fr); gap: 1.5rem;
  align-items: start; }
.pair.single, .pair.stacked { grid-template-columns: minmax(0, 1fr); }
.pair.stacked figure { max-width: 40rem; }
@media (max-width: 56rem) { .pair { grid-template-columns: minmax(0, 1fr); } }
figure { margin: 0; }
figcaption { color: var(--muted); font-size: .875rem; margin-top: .25rem; }
svg { display: block; width: 100%; height: auto; }
svg text { font-family: inherit; fill: var(--ink); }
svg .muted { fill: var(--muted); }
svg .hidden { fill: var(--hidden); font-weight: 700; }
svg .bar { fill: var(--bar); }
svg .axis { stroke: var(--line); stroke-width: 1; }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; font-size: .9rem;
  min-width: 100%; }
caption { text-align: start; font-weight: 600; padding: 0 0 .4rem; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden;
  clip-path: inset(50%); white-space: nowrap; }
th, td { padding: .3rem .5rem; border-bottom: 1px solid var(--line); }
thead th { background: var(--soft); vertical-align: bottom; text-align: end; }
thead th:first-child, tbody th, tfoot th { text-align: start; }
tbody th { font-weight: 400; min-width: 10rem; }
td { text-align: end; white-space: nowrap; }
td.hidden { color: var(--hidden); font-weight: 700; }
tfoot th, tfoot td, td.total, th.total { font-weight: 700; }
tfoot tr { border-top: 2px solid var(--ink); }
tbody tr:nth-child(even) { background: #fafbfc; }
.empty { color: var(--muted); font-style: italic; }
footer { margin-top: 3rem; padding-top: 1rem; padding-bottom: 2rem;
  border-top: 1px solid var(--line); color: var(--muted); font-size: .875rem; }
@media print {
  @page { size: A4; margin: 14mm 12mm; }
  body { font-size: 10pt; }
  header, main, footer { max-width: none; padding: 0; }
  nav { display: none; }
  h2 { break-after: avoid; margin-top: 1.5rem; }
  h3 { break-after: avoid; }
  .block { break-inside: avoid; }
  .pair { grid-template-columns: minmax(0, 1fr); gap: .5rem; }
  figure svg { max-width: 15cm; }
  .table-wrap { overflow: visible; }
  table { font-size: 7.5pt; }
  th, td { padding: .1rem .25rem; }
  a { color: inherit; text-decoration: none; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"""

_BAR_ROW: Final = 24
_CHART_WIDTH: Final = 560
_CHAR: Final = 6.6  # average width of a 12px character, for laying out labels


@dataclass(frozen=True)
class _Bar:
    label: str
    figure: Figure
    note: str = ""  # after the value, e.g. a drop-off share


def _e(text: str) -> str:
    return escape(text, quote=True)


def _fit(label: str, chars: int) -> str:
    return label if len(label) <= chars else label[: max(chars - 1, 1)].rstrip() + "…"


def _svg_open(chart_id: str, width: int, height: int, title: str, desc: str) -> str:
    return (
        f'<svg viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
        f'aria-labelledby="{chart_id}-t {chart_id}-d" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{chart_id}-t">{_e(title)}</title><desc id="{chart_id}-d">{_e(desc)}</desc>'
    )


def bar_chart(chart_id: str, bars: Sequence[_Bar], labels: Labels, title: str, desc: str) -> str:
    """Horizontal bars, one per row; hidden figures get their mark and no bar."""
    longest = max((len(b.label) for b in bars), default=4)
    label_chars = min(max(longest, 6), 30)
    label_width = int(label_chars * _CHAR) + 12
    value_width = 110
    plot = _CHART_WIDTH - label_width - value_width
    peak = max((b.figure.value or 0 for b in bars), default=0) or 1
    height = len(bars) * _BAR_ROW + 8
    parts = [_svg_open(chart_id, _CHART_WIDTH, height, title, desc)]
    for index, bar in enumerate(bars):
        y = 4 + index * _BAR_ROW
        middle = y + _BAR_ROW / 2 + 4
        parts.append(
            f'<text x="{label_width - 8}" y="{middle:.1f}" font-size="12" text-anchor="end">'
            f"{_e(_fit(bar.label, label_chars))}</text>"
        )
        value = bar.figure.value
        length = 0.0 if value is None else max(plot * value / peak, 1.0)
        bar_x = label_width
        text_x = bar_x + length + 6
        if value is not None:
            parts.append(
                f'<rect class="bar" x="{bar_x:.1f}" y="{y + 4}" width="{length:.1f}" '
                f'height="{_BAR_ROW - 8}" rx="2"/>'
            )
            text = labels.number(value) + (f" · {bar.note}" if bar.note else "")
            parts.append(
                f'<text x="{text_x:.1f}" y="{middle:.1f}" font-size="12" '
                f'text-anchor="start">{_e(text)}</text>'
            )
        else:
            mark = mark_text(bar.figure.mark)
            parts.append(
                f'<text class="hidden" x="{text_x:.1f}" y="{middle:.1f}" font-size="12" '
                f'text-anchor="start">{_e(mark)}</text>'
            )
    parts.append("</svg>")
    return "".join(parts)


def column_chart(
    chart_id: str, columns: Sequence[tuple[str, str, Figure]], labels: Labels, title: str, desc: str
) -> str:
    """Vertical columns over months: (short label, second line or "", figure)."""
    count = max(len(columns), 1)
    height, top, bottom, side = 240, 24, 44, 8
    slot = (_CHART_WIDTH - 2 * side) / count
    plot = height - top - bottom
    peak = max((f.value or 0 for _, _, f in columns), default=0) or 1
    parts = [_svg_open(chart_id, _CHART_WIDTH, height, title, desc)]
    base = height - bottom
    parts.append(
        f'<line class="axis" x1="{side}" y1="{base}" x2="{_CHART_WIDTH - side}" y2="{base}"/>'
    )
    font = 11 if count <= 12 else 9
    for index, (short, second, figure) in enumerate(columns):
        x = side + index * slot
        centre = x + slot / 2
        width = max(slot * 0.62, 2)
        if figure.value is not None:
            tall = max(plot * figure.value / peak, 1.0)
            parts.append(
                f'<rect class="bar" x="{centre - width / 2:.1f}" y="{base - tall:.1f}" '
                f'width="{width:.1f}" height="{tall:.1f}" rx="2"/>'
            )
            if count <= 24:
                parts.append(
                    f'<text x="{centre:.1f}" y="{base - tall - 5:.1f}" font-size="{font}" '
                    f'text-anchor="middle">{_e(labels.number(figure.value))}</text>'
                )
        else:
            mark = mark_text(figure.mark)
            parts.append(
                f'<text class="hidden" x="{centre:.1f}" y="{base - 6}" font-size="{font}" '
                f'text-anchor="middle">{_e(mark)}</text>'
            )
        if count <= 24 or index % 3 == 0:
            parts.append(
                f'<text class="muted" x="{centre:.1f}" y="{base + 16}" font-size="{font}" '
                f'text-anchor="middle">{_e(short)}</text>'
            )
        if second:
            parts.append(
                f'<text class="muted" x="{centre:.1f}" y="{base + 31}" font-size="{font}" '
                f'text-anchor="middle">{_e(second)}</text>'
            )
    parts.append("</svg>")
    return "".join(parts)


# ------------------------------------------------------------------ tables


def _cell(figure: Figure, labels: Labels, css: str = "") -> str:
    classes = " ".join(c for c in (css, "" if figure.shown else "hidden") if c)
    attribute = f' class="{classes}"' if classes else ""
    if figure.value is None:
        meaning = labels.t(MARKS[figure.mark][1])
        return f'<td{attribute}><abbr title="{_e(meaning)}">{_e(labels.figure(figure))}</abbr></td>'
    return f"<td{attribute}>{_e(labels.figure(figure))}</td>"


def html_table(table: Table, labels: Labels) -> str:
    t = labels.t
    heads = [labels.heading(table.cols.kind, c) for c in table.cols.ids]
    row_head = t(f"report-kind-{table.rows.kind}")
    out = [
        f'<div class="table-wrap" role="region" tabindex="0" aria-labelledby="{table.id}-c">',
        f'<table id="{table.id}-table"><caption id="{table.id}-c" class="visually-hidden">'
        f"{_e(labels.title(table))}"
        "</caption><thead><tr>",
        f'<th scope="col">{_e(row_head)}</th>',
        *(f'<th scope="col">{_e(h)}</th>' for h in heads),
    ]
    if table.row_totals:
        out.append(f'<th scope="col" class="total">{_e(t("report-total"))}</th>')
    if table.rate_column is not None:
        out.append(f'<th scope="col">{_e(labels.rate_heading(table))}</th>')
    out.append("</tr></thead><tbody>")
    for i, row_id in enumerate(table.rows.ids):
        out.append(f'<tr><th scope="row">{_e(labels.heading(table.rows.kind, row_id))}</th>')
        out.extend(_cell(f, labels) for f in table.cells[i])
        if table.row_totals:
            out.append(_cell(table.row_totals[i], labels, "total"))
        if table.rate_column is not None:
            share = table.rates[i]
            css = "" if share is not None else ' class="hidden"'
            out.append(f"<td{css}>{_e(labels.rate(table, i))}</td>")
        out.append("</tr>")
    out.append("</tbody>")
    if table.col_totals or (table.total is not None and table.row_totals):
        out.append(f'<tfoot><tr><th scope="row">{_e(t("report-total"))}</th>')
        if table.col_totals:
            out.extend(_cell(f, labels) for f in table.col_totals)
        else:
            out.extend("<td></td>" for _ in table.cols.ids)
        if table.row_totals:
            out.append(_cell(table.total, labels, "total") if table.total else "<td></td>")
        if table.rate_column is not None:
            out.append("<td></td>")
        out.append("</tr></tfoot>")
    out.append("</table></div>")
    return "".join(out)


def _chart(table: Table, labels: Labels) -> str:
    t = labels.t
    chart_id = f"{table.id}-chart"
    title = labels.title(table)
    desc = t("report-chart-desc")
    if table.chart is Chart.COL_TOTALS and table.col_totals:
        months = table.cols.ids
        columns = []
        for index, (month, figure) in enumerate(zip(months, table.col_totals, strict=True)):
            first = index == 0 or month.endswith("-01")
            columns.append((labels.month(month, "MMM"), month[:4] if first else "", figure))
        caption = t("report-chart-months")
        svg = column_chart(chart_id, columns, labels, title, desc)
    elif table.chart in (Chart.ROW_TOTALS, Chart.FIRST_COLUMN):
        figures = (
            table.row_totals
            if table.chart is Chart.ROW_TOTALS
            else tuple(r[0] for r in table.cells)
        )
        if not figures:
            return ""
        bars = []
        for i, (row_id, figure) in enumerate(zip(table.rows.ids, figures, strict=True)):
            note = ""
            if table.rate_column is not None and table.rates[i] is not None:
                note = labels.rate(table, i)
            bars.append(_Bar(labels.heading(table.rows.kind, row_id), figure, note))
        key = "report-chart-rate" if table.rate_column is not None else "report-chart-row-totals"
        caption = (
            t(key, rate=labels.rate_heading(table)) if table.rate_column is not None else t(key)
        )
        svg = bar_chart(chart_id, bars, labels, title, desc)
    else:
        return ""
    return f"<figure>{svg}<figcaption>{_e(caption)}</figcaption></figure>"


def _block(table: Table, labels: Labels) -> str:
    head = (
        f'<div class="block" id="{table.id}"><h3>{_e(labels.title(table))}</h3>'
        f"<p>{_e(labels.about(table))}</p>"
    )
    if table.empty:
        return head + f'<p class="empty">{_e(labels.t("report-no-data"))}</p></div>'
    chart = _chart(table, labels)
    # A wide table gets the page's full width, its chart above it; a narrow one sits beside.
    wide = len(table.cols.ids) + bool(table.row_totals) + (table.rate_column is not None) > 4
    css = "pair single" if not chart else "pair stacked" if wide else "pair"
    return head + f'<div class="{css}">{chart}{html_table(table, labels)}</div></div>'


def _section(section: Section, labels: Labels) -> str:
    t = labels.t
    out = [
        f'<section id="s-{section.key}" aria-labelledby="s-{section.key}-h">',
        f'<h2 id="s-{section.key}-h">{_e(t(f"report-section-{section.key}"))}</h2>',
        f"<p>{_e(t(f'report-section-{section.key}-about'))}</p>",
    ]
    if not section.tables:
        out.append(f'<p class="empty">{_e(t("report-no-data"))}</p>')
    out.extend(_block(table, labels) for table in section.tables)
    out.append("</section>")
    return "".join(out)


def _key_figures(report: Report, labels: Labels) -> str:
    t = labels.t
    table = report.key_figures
    tiles = "".join(
        f'<div class="tile"><dt>{_e(labels.heading("figure", row_id))}</dt>'
        f"<dd>{_e(labels.figure(row[0]))}</dd></div>"
        for row_id, row in zip(table.rows.ids, table.cells, strict=True)
    )
    return (
        '<section id="s-key" aria-labelledby="s-key-h">'
        f'<h2 id="s-key-h">{_e(t("report-table-key-figures"))}</h2>'
        f"<p>{_e(t('report-table-key-figures-about'))}</p>"
        f'<dl class="tiles">{tiles}</dl>'
        + (f'<p class="empty">{_e(t("report-no-data"))}</p>' if report.no_data else "")
        + "</section>"
    )


def report_html(report: Report, labels: Labels, made: date) -> str:
    """The whole page."""
    t = labels.t
    title = t("report-title")
    period = labels.period(report)
    scope = labels.scope(report)
    made_text = t("report-made", date=labels.date(made))
    contents = "".join(
        f'<li><a href="#s-{s.key}">{_e(t(f"report-section-{s.key}"))}</a></li>'
        for s in report.sections
    )
    body = "".join(_section(s, labels) for s in report.sections)
    legend = "".join(
        f"<dt>{_e(text)}</dt><dd>{_e(t(meaning))}</dd>" for text, meaning in marks_used(report)
    )
    return (
        f'<!DOCTYPE html>\n<html lang="{t.locale}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(title)}: {_e(period)}</title><style>{STYLE}</style></head><body>"
        f'<header><p class="brand">Valo</p><h1>{_e(title)}</h1>'
        f'<p class="meta">{_e(period)} · {_e(scope)} · {_e(made_text)}</p></header><main>'
        '<section id="s-reading" aria-labelledby="s-reading-h">'
        f'<h2 id="s-reading-h">{_e(t("report-reading"))}</h2>'
        f"<p>{_e(t('report-about', threshold=THRESHOLD))}</p>"
        f'<dl class="legend">{legend}</dl>'
        "</section>"
        f'<nav aria-labelledby="s-nav-h"><h2 id="s-nav-h">{_e(t("report-contents"))}</h2>'
        f"<ol>{contents}</ol></nav>"
        f"{_key_figures(report, labels)}{body}</main>"
        f"<footer><p>{_e(t('report-footer'))}</p></footer></body></html>\n"
    )
