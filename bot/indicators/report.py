"""The indicator report: session counts of a period laid out as tables, small cells suppressed.

:func:`tabulate` turns the counts of one month (:mod:`bot.indicators.counts`) into
:class:`Report` tables; every other report is assembled from such month reports
(:mod:`bot.indicators.assemble`). Every table goes through
:func:`bot.indicators.suppress.protect` before it is kept, and a :class:`Figure` holds its
value only when it may be published, so no renderer can show a hidden figure by mistake.

Some figures are published by more than one table: dialogs per month are the column totals of
the sessions, languages and sources tables, a need's sessions the row totals of both needs
tables, and so on. Each such figure is named by its :data:`Quantity`; a figure one table hides
is hidden in every table that publishes it, and those tables are protected again with it
hidden, until every figure is published alike everywhere (:func:`tabulate`).

Rows that would name something only a handful of families did (a municipality or deep-link
source with fewer than five sessions in the period) are folded into one "other" row first,
so a row's mere presence never tells that someone from a small place used Valo.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property
from typing import Final, TypeAlias, TypeVar

from bot.catalog.schema import Text
from bot.catalog.vocab import NEED_TAGS
from bot.config import SUPPORTED_LOCALES
from bot.delivery.subscriptions import ALL, TOPICS
from bot.indicators import ACTION_KINDS
from bot.indicators.counts import Counts, Step
from bot.indicators.period import MonthRange
from bot.indicators.suppress import THRESHOLD, Mark, protect

A = TypeVar("A")
B = TypeVar("B")

OTHER: Final = "(other)"  # folded rows; parentheses never occur in codes, tags or sources
NONE: Final = "(none)"  # not given: no municipality answered, no deep-link source, no locale
TOP_SERVICES: Final = 20

Quantity: TypeAlias = tuple[str, ...]
"""What a figure counts, the same in every table that publishes it: the measure, then one
"kind=id" filter per axis that narrows it, in order (see :func:`_quantity`)."""


class Chart(StrEnum):
    """Which published figures a table's chart draws."""

    NONE = "none"
    ROW_TOTALS = "row-totals"  # one bar per row
    COL_TOTALS = "col-totals"  # one column per month
    FIRST_COLUMN = "first-column"  # one bar per row, from a one-column table


@dataclass(frozen=True)
class Figure:
    """A published figure: ``value`` is None unless ``mark`` is SHOWN. ``quantity`` names it
    when another table may publish the same figure (None: no other table does)."""

    value: int | None
    mark: Mark
    quantity: Quantity | None = None

    @classmethod
    def of(cls, value: int, mark: Mark, quantity: Quantity | None = None) -> Figure:
        return cls(value if mark is Mark.SHOWN else None, mark, quantity)

    @property
    def shown(self) -> bool:
        return self.mark is Mark.SHOWN


@dataclass(frozen=True)
class Axis:
    """Row or column headings: ``kind`` says what the ids are (municipality codes, need
    tags, months "YYYY-MM", question nodes, locales, sources, service ids, action kinds,
    topics, or ``column``/``figure`` ids named in the locales)."""

    kind: str
    ids: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    """One published table. ``id`` is unique in the report; ``key`` names its title and
    explanation in the locales (``report-table-<key>``), with ``args`` for them."""

    id: str
    key: str
    rows: Axis
    cols: Axis
    cells: tuple[tuple[Figure, ...], ...]
    row_totals: tuple[Figure, ...] = ()
    col_totals: tuple[Figure, ...] = ()
    total: Figure | None = None
    rate_column: int | None = None  # this column's share of the row total is shown too
    rates: tuple[float | None, ...] = ()
    chart: Chart = Chart.NONE
    args: tuple[tuple[str, str | int], ...] = ()

    @property
    def empty(self) -> bool:
        return not self.rows.ids or not self.cols.ids

    @cached_property
    def by_position(self) -> Mapping[tuple[str | None, str | None], Figure]:
        """Every published figure by (row id, column id), None standing for the total over
        that axis. The total over a table's only row (column) is that row's (column's) own
        figure: a table's rows, and its columns, cover everything it counts."""
        found: dict[tuple[str | None, str | None], Figure] = {}
        rows: list[str | None] = [*self.rows.ids, None]
        cols: list[str | None] = [*self.cols.ids, None]
        for i, row in enumerate(rows):
            for j, col in enumerate(cols):
                i_only = 0 if row is None and len(self.rows.ids) == 1 else i
                j_only = 0 if col is None and len(self.cols.ids) == 1 else j
                figure = self._figure(i_only, j_only)
                if figure is not None:
                    found[row, col] = figure
        return found

    def _figure(self, i: int, j: int) -> Figure | None:
        rows, cols = len(self.rows.ids), len(self.cols.ids)
        if i < rows and j < cols:
            return self.cells[i][j]
        if i < rows:
            return self.row_totals[i] if self.row_totals else None
        if j < cols:
            return self.col_totals[j] if self.col_totals else None
        return self.total

    def figures(self) -> list[Figure]:
        """Every figure the table publishes, totals included."""
        found = [f for row in self.cells for f in row]
        found += [*self.row_totals, *self.col_totals]
        return found + ([self.total] if self.total is not None else [])


@dataclass(frozen=True)
class Section:
    key: str  # report-section-<key>
    tables: tuple[Table, ...]


@dataclass(frozen=True)
class Report:
    period: MonthRange
    municipality: str | None
    key_figures: Table
    sections: tuple[Section, ...]
    service_names: Mapping[str, Text] = field(default_factory=dict)
    # Nothing at all was recorded in the period (no dialog, no action): the report says so
    # instead of showing "<5" everywhere. It tells only that nobody used Valo then.
    no_data: bool = False

    def tables(self) -> list[Table]:
        return [self.key_figures, *(t for s in self.sections for t in s.tables)]

    def table(self, table_id: str) -> Table:
        return next(t for t in self.tables() if t.id == table_id)

    def service_ids(self) -> set[str]:
        return {i for t in self.tables() if t.rows.kind == "service" for i in t.rows.ids}


# ------------------------------------------------------------------ building tables


def make_table(
    table_id: str,
    rows: Axis,
    cols: Axis,
    value: Callable[[str, str], int],
    *,
    key: str | None = None,
    row_totals: bool = True,
    col_totals: bool = True,
    rate_column: int | None = None,
    chart: Chart = Chart.NONE,
    args: tuple[tuple[str, str | int], ...] = (),
    quantity: Callable[[str | None, str | None], Quantity | None] | None = None,
    hidden: Collection[Quantity] = (),
) -> Table:
    """Count every (row, column), suppress, and keep only what may be published.

    ``quantity`` names the figure at (row id, column id), None standing for a total (so
    (None, None) is the grand total), when other tables may publish it too; figures named in
    ``hidden`` are hidden whatever their value, because another table hides them.
    """
    key = key or table_id
    grid = [[value(r, c) for c in cols.ids] for r in rows.ids]
    if not rows.ids or not cols.ids:
        return Table(table_id, key, rows, cols, (), chart=chart, args=args)
    row_ids: list[str | None] = [*rows.ids, None]  # the last row holds the column totals
    col_ids: list[str | None] = [*cols.ids, None]  # the last column the row totals
    names = {
        (i, j): quantity(r, c) if quantity is not None else None
        for i, r in enumerate(row_ids)
        for j, c in enumerate(col_ids)
    }
    forced = [at for at, name in names.items() if name is not None and name in hidden]
    marks = protect(grid, row_totals=row_totals, col_totals=col_totals, hidden=forced)
    cells = tuple(
        tuple(Figure.of(v, m, names[i, j]) for j, (v, m) in enumerate(zip(row, mrow, strict=True)))
        for i, (row, mrow) in enumerate(zip(grid, marks.cells, strict=True))
    )
    last_row, last_col = len(rows.ids), len(cols.ids)
    sums = [sum(row) for row in grid]
    row_figures = tuple(
        Figure.of(v, m, names[i, last_col])
        for i, (v, m) in enumerate(zip(sums, marks.row_totals, strict=False))
    )
    col_sums = [sum(row[j] for row in grid) for j in range(len(cols.ids))]
    col_figures = tuple(
        Figure.of(v, m, names[last_row, j])
        for j, (v, m) in enumerate(zip(col_sums, marks.col_totals, strict=False))
    )
    grand = names[last_row, last_col]
    total = None if marks.total is None else Figure.of(sum(sums), marks.total, grand)
    rates: tuple[float | None, ...] = ()
    if rate_column is not None:
        rates = tuple(
            rate(row[rate_column], whole) for row, whole in zip(cells, row_figures, strict=True)
        )
    return Table(
        table_id,
        key,
        rows,
        cols,
        cells,
        row_figures,
        col_figures,
        total,
        rate_column,
        rates,
        chart,
        args,
    )


def rate(part: Figure, whole: Figure) -> float | None:
    """``part``'s share of ``whole``, when both are published."""
    if part.value is None or not whole.value:
        return None
    return part.value / whole.value


def _big_first(totals: Mapping[str, int], specials: Sequence[str] = (OTHER, NONE)) -> list[str]:
    """Row ids by falling count (then id), with the special rows last."""
    ordinary = sorted((k for k in totals if k not in specials), key=lambda k: (-totals[k], k))
    return ordinary + [s for s in specials if s in totals]


def _key(value: str | None) -> str:
    return NONE if value is None else value


# ------------------------------------------------------------------ the report's tables


def tabulate(counts: Counts) -> Report:
    """The report's tables from ``counts`` (pure: no database, no language).

    Each table is protected on its own, so a figure several tables publish (a :data:`Quantity`)
    could be hidden by one and shown by another, which would give away what the first hid.
    So when a figure is shown in one table and hidden in another, every figure hidden anywhere
    is hidden everywhere it is published and the tables are made again, protected with those
    figures hidden from the start (which may hide more), until no figure is shown in one table
    and hidden in another. Each new round hides at least one figure more, so this ends; most
    reports need one round, a few two.
    """
    hidden: frozenset[Quantity] = frozenset()
    while True:
        report = _tables(counts, hidden)
        named = [f for t in report.tables() for f in t.figures() if f.quantity is not None]
        hidden |= {f.quantity for f in named if not f.shown and f.quantity is not None}
        if not any(f.shown and f.quantity in hidden for f in named):
            return report


def _quantity(measure: str, *filters: tuple[Axis | str, str | None]) -> Quantity:
    """Names a figure: ``measure`` counted where each axis (or kind, for a fixed filter) has the
    id given. None (the total over an axis) narrows nothing, and neither does the only id of an
    axis: the axes named here cover all that is counted (every session has one month, one
    municipality or NONE...; a need figure counts the needs of the axis), so that one id is all.
    """
    narrowing = []
    for axis, id_ in filters:
        if id_ is None:
            continue
        if isinstance(axis, str):
            narrowing.append(f"{axis}={id_}")
        elif len(axis.ids) > 1:
            narrowing.append(f"{axis.kind}={id_}")
    return (measure, *sorted(narrowing))


def _tables(counts: Counts, hidden: frozenset[Quantity]) -> Report:
    """The report's tables, each protected with the figures ``hidden`` names hidden."""
    months = Axis("month", counts.period.months)
    municipality_of = _municipality_folding(counts)
    municipalities = _municipality_axis(counts, municipality_of)
    needs = Axis("need", tuple(NEED_TAGS))

    sessions = _regroup(counts.sessions, lambda muni, month: (municipality_of(muni), month))
    needs_in = _regroup(
        counts.needs_by_municipality, lambda need, muni: (need, municipality_of(muni))
    )
    gaps_in = _regroup(counts.gaps, lambda need, muni: (need, municipality_of(muni)))
    gap_total = _regroup(counts.gaps, lambda need, _: (need, ""))

    people = Section(
        "sessions",
        (
            make_table(
                "sessions-by-municipality",
                municipalities,
                months,
                lambda r, c: sessions[r, c],
                chart=Chart.COL_TOTALS,
                quantity=lambda r, c: _quantity("sessions", (municipalities, r), (months, c)),
                hidden=hidden,
            ),
        ),
    )
    need_section = Section(
        "needs",
        (
            make_table(
                "needs-by-municipality",
                needs,
                municipalities,
                lambda r, c: needs_in[r, c],
                chart=Chart.ROW_TOTALS,
                quantity=lambda r, c: _quantity("needs", (needs, r), (municipalities, c)),
                hidden=hidden,
            ),
            make_table(
                "needs-by-month",
                needs,
                months,
                lambda r, c: counts.needs_by_month[r, c],
                chart=Chart.COL_TOTALS,
                quantity=lambda r, c: _quantity("needs", (needs, r), (months, c)),
                hidden=hidden,
            ),
        ),
    )
    funnels = Section("funnel", tuple(_funnel_tables(counts.funnels)))
    gaps = Section(
        "gaps",
        (
            make_table(
                "gaps-by-need",
                needs,
                Axis("column", ("no-local", "local")),
                lambda r, c: (
                    gap_total[r, ""]
                    if c == "no-local"
                    else counts.asked_at_results[r] - gap_total[r, ""]
                ),
                rate_column=0,
                chart=Chart.ROW_TOTALS,
                # Its first column is the row totals of the next table.
                quantity=lambda r, c: _quantity("gaps", (needs, r)) if c == "no-local" else None,
                hidden=hidden,
            ),
            make_table(
                "gaps-by-municipality",
                needs,
                municipalities,
                lambda r, c: gaps_in[r, c],
                chart=Chart.ROW_TOTALS,
                quantity=lambda r, c: _quantity("gaps", (needs, r), (municipalities, c)),
                hidden=hidden,
            ),
        ),
    )
    services = Section("services", tuple(_service_tables(counts, hidden)))
    actions = Section("actions", tuple(_action_tables(counts, months, hidden)))
    paths = Section("paths", tuple(_path_tables(counts, hidden)))
    languages_counter = _regroup(counts.languages, lambda locale, month: (_key(locale), month))
    unknown_locale = any(locale == NONE for locale, _ in languages_counter)
    language_ids = (*SUPPORTED_LOCALES, *((NONE,) if unknown_locale else ()))
    source_totals = _regroup(counts.sources, lambda source, _: (_key(source), ""))
    source_of = _fold_small({source: n for (source, _), n in source_totals.items()})
    sources_folded = _regroup(
        counts.sources, lambda source, month: (source_of(_key(source)), month)
    )
    source_rows = {
        source: n
        for (source, _), n in _regroup(sources_folded, lambda source, _: (source, "")).items()
    }
    locales = Axis("locale", language_ids)
    sources = Axis("source", tuple(_big_first(source_rows)))
    reach = Section(
        "reach",
        (
            make_table(
                "languages-by-month",
                locales,
                months,
                lambda r, c: languages_counter[r, c],
                chart=Chart.ROW_TOTALS,
                quantity=lambda r, c: _quantity("sessions", (locales, r), (months, c)),
                hidden=hidden,
            ),
            make_table(
                "sources-by-month",
                sources,
                months,
                lambda r, c: sources_folded[r, c],
                chart=Chart.ROW_TOTALS,
                quantity=lambda r, c: _quantity("sessions", (sources, r), (months, c)),
                hidden=hidden,
            ),
        ),
    )
    outcomes = counts.outcomes
    key_figures = make_table(
        "key-figures",
        Axis("figure", ("sessions", "results", "no-match", "finished", "abandoned")),
        Axis("column", ("sessions",)),
        lambda r, _: outcomes[r],
        row_totals=False,
        col_totals=False,
        quantity=lambda r, _: _quantity("sessions") if r == "sessions" else None,
        hidden=hidden,
    )
    return Report(
        counts.period,
        counts.municipality,
        key_figures,
        (people, need_section, funnels, gaps, services, actions, paths, reach),
        no_data=not counts.outcomes["sessions"] and not counts.actions,
    )


def _regroup(
    counter: Mapping[tuple[A, B], int], key: Callable[[A, B], tuple[str, str]]
) -> Counter[tuple[str, str]]:
    """``counter`` summed under new (row, column) keys."""
    regrouped: Counter[tuple[str, str]] = Counter()
    for (first, second), number in counter.items():
        regrouped[key(first, second)] += number
    return regrouped


def _fold_small(totals: Mapping[str, int]) -> Callable[[str], str]:
    """Rows with fewer than THRESHOLD sessions in the period go to OTHER (NONE stays)."""

    def folding(key: str) -> str:
        return key if key == NONE or totals.get(key, 0) >= THRESHOLD else OTHER

    return folding


def _municipality_folding(counts: Counts) -> Callable[[str | None], str]:
    totals: Counter[str] = Counter()
    for (muni, _), number in counts.sessions.items():
        totals[_key(muni)] += number
    if counts.municipality is not None:  # one municipality: its own row, whatever its size
        return lambda muni: _key(muni)
    folding = _fold_small(totals)
    return lambda muni: folding(_key(muni))


def _municipality_axis(counts: Counts, folding: Callable[[str | None], str]) -> Axis:
    if counts.municipality is not None:
        return Axis("municipality", (counts.municipality,))
    totals: Counter[str] = Counter()
    for (muni, _), number in counts.sessions.items():
        totals[folding(muni)] += number
    totals[NONE] += 0  # "not given" is always a row: skipping the question is common
    return Axis("municipality", tuple(_big_first(totals)))


def _funnel_tables(funnels: Mapping[tuple[str, int], Mapping[str, Step]]) -> list[Table]:
    tables = []
    columns = Axis("column", ("answered", "skipped", "left"))
    for (tree, version), steps in sorted(funnels.items(), key=lambda kv: (kv[0][0], -kv[0][1])):
        # A dialog version fewer than five families saw is not shown at all.
        if max((s.reached for s in steps.values()), default=0) < THRESHOLD:
            continue
        nodes = sorted(steps, key=lambda n: (-steps[n].reached, n))
        tables.append(
            make_table(
                f"funnel-{tree}-{version}",
                Axis("node", tuple(nodes)),
                columns,
                _step_counts(steps),
                key="funnel",
                col_totals=False,
                rate_column=2,
                chart=Chart.ROW_TOTALS,
                args=(("tree", tree), ("version", version)),
            )
        )
    return tables


def _step_counts(steps: Mapping[str, Step]) -> Callable[[str, str], int]:
    def value(node: str, column: str) -> int:
        step = steps[node]
        return {"answered": step.answered, "skipped": step.skipped, "left": step.left}[column]

    return value


def _service_tables(counts: Counts, hidden: frozenset[Quantity]) -> list[Table]:
    shown = [(service, n) for service, n in counts.services_shown.most_common() if n >= THRESHOLD]
    top = sorted(shown, key=lambda sn: (-sn[1], sn[0]))[:TOP_SERVICES]
    shown_numbers = dict(top)
    # Services are shown several to a session, so the list has no total: only services at
    # least five families saw are listed.
    tables = [
        make_table(
            "services-shown",
            Axis("service", tuple(s for s, _ in top)),
            Axis("column", ("sessions",)),
            lambda r, _: shown_numbers[r],
            row_totals=False,
            col_totals=False,
            chart=Chart.FIRST_COLUMN,
        )
    ]
    if counts.municipality is None:
        flagged_as = _fold_small(counts.flagged)
        flagged: Counter[str] = Counter()
        for service, number in counts.flagged.items():
            flagged[flagged_as(service)] += number
        flagged_services = Axis("service", tuple(_big_first(flagged, (OTHER,))))
        tables.append(
            make_table(
                "cards-flagged",
                flagged_services,
                Axis("column", ("sessions",)),
                lambda r, _: flagged[r],
                chart=Chart.FIRST_COLUMN,
                # Its total is the card_flagged row total of actions-by-month.
                quantity=lambda r, _: _quantity(
                    "actions", ("action", "card_flagged"), (flagged_services, r)
                ),
                hidden=hidden,
            )
        )
    return tables


PATH_KINDS: Final = ("path_created", "path_opened")


def _path_tables(counts: Counts, hidden: frozenset[Quantity]) -> list[Table]:
    """Service paths (issue #25) created and opened by municipality, and the services on the
    paths created; in the report of all municipalities only, like actions-by-month."""
    if counts.municipality is not None:
        return []
    totals: Counter[str] = Counter()
    for (muni, _), number in counts.paths.items():
        totals[_key(muni)] += number
    fold = _fold_small(totals)  # a small place's row would tell that someone there used it
    by_place = _regroup(counts.paths, lambda muni, kind: (fold(_key(muni)), kind))
    rows: Counter[str] = Counter()
    for (place, _), number in by_place.items():
        rows[place] += number
    places = Axis("municipality", tuple(_big_first(rows)))
    kinds = Axis("action", PATH_KINDS)
    service_of = _fold_small(counts.path_services)
    on_paths: Counter[str] = Counter()
    for service, number in counts.path_services.items():
        on_paths[service_of(service)] += number
    return [
        make_table(
            "paths-by-municipality",
            places,
            kinds,
            lambda r, c: by_place[r, c],
            chart=Chart.ROW_TOTALS,
            # Its column totals are the path rows' totals of actions-by-month.
            quantity=lambda r, c: (
                None if c is None else _quantity("actions", ("action", c), (places, r))
            ),
            hidden=hidden,
        ),
        make_table(
            "services-on-paths",
            Axis("service", tuple(_big_first(on_paths, (OTHER,)))),
            Axis("column", ("paths",)),
            lambda r, _: on_paths[r],
            row_totals=False,
            col_totals=False,  # a path holds several services: their sum counts nothing
            chart=Chart.FIRST_COLUMN,
            hidden=hidden,
        ),
    ]


def _action_tables(counts: Counts, months: Axis, hidden: frozenset[Quantity]) -> list[Table]:
    tables = []
    if counts.municipality is None:
        kinds = Axis("action", ACTION_KINDS)
        tables.append(
            make_table(
                "actions-by-month",
                kinds,
                months,
                lambda r, c: counts.actions[r, c],
                col_totals=False,
                chart=Chart.ROW_TOTALS,
                quantity=lambda r, c: _quantity("actions", (kinds, r), (months, c)),
                hidden=hidden,
            )
        )
    topics = (*TOPICS, ALL)
    changes: Counter[tuple[str, str]] = Counter()
    for (topic, kind), number in counts.subscriptions.items():
        changes[topic if topic in topics else OTHER, kind] += number
    has_other = any(topic == OTHER for topic, _ in changes)
    topic_axis = Axis("topic", topics + ((OTHER,) if has_other else ()))
    tables.append(
        make_table(
            "subscriptions",
            topic_axis,
            Axis("column", ("subscribed", "unsubscribed")),
            lambda r, c: changes[r, c],
            row_totals=False,
            # Its column totals are the subscribed and unsubscribed totals of actions-by-month;
            # its grand total adds the two, which no other table publishes.
            quantity=lambda r, c: (
                None if c is None else _quantity("actions", ("action", c), (topic_axis, r))
            ),
            hidden=hidden,
        )
    )
    return tables
