"""Small-cell suppression for count tables: no figure under 5, and none that can be worked out.

A table is a grid of session counts with its published row and column totals and grand total.
Every figure below :data:`THRESHOLD` (0 included) is hidden: that is the *primary*
suppression, shown as "<5". Hiding alone is not enough when totals are published: a row total
minus the row's visible cells gives back a single hidden cell. So more cells are hidden
(*secondary* suppression, shown as "..") until no hidden figure is determined by what is
published, even to a reader who knows that counts are whole and non-negative, that a "<5"
figure is 0-4 and that a ".." figure is 5 or more.

How that is decided, exactly. Write the table with its totals as one (R+1) x (C+1) grid whose
every line sums to zero (totals negated, the grand total not). A change to the hidden figures
that keeps every published figure is then a *circulation*: a set of alternating +1/-1 steps
along a cycle of hidden entries, row node to column node and back. A hidden figure can take
another value exactly when some such cycle through it is feasible within the bounds the reader
knows: the set of tables the reader cannot tell apart is a convex polytope, the difference
between two of its points is a circulation, and a circulation splits into simple cycles with
the same signs. So each hidden entry gives arcs in a directed graph (row -> column when adding 1
keeps it in bounds, column -> row when taking 1 away does, the other way round for totals), and
an entry is protected when one of its arcs lies on a directed cycle through other entries.
Secondary cells are chosen by a cheapest-path search that closes such a cycle, preferring
small inner cells; totals are hidden only when no inner cell can do it. Tests check the
result independently with max-flow.

A figure can also be hidden from the start (``hidden`` in :func:`protect`): the report hides a
figure that several tables publish in all of them when any one hides it
(:func:`bot.indicators.report.tabulate`). Such a figure is hidden like any other, "<5" or "..",
and gets the same protection, so that this table does not give it away either.
"""

from __future__ import annotations

import heapq
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

THRESHOLD: Final = 5
_INFINITY: Final = float("inf")
# Hiding a published total costs more than hiding any inner cell: it is the last resort.
_TOTAL_COST: Final = 10**12


class Mark(StrEnum):
    """How a figure is published."""

    SHOWN = "shown"
    SMALL = "small"  # below the threshold: "<5"
    PROTECTING = "protecting"  # 5 or more, hidden so that a small figure stays hidden: ".."
    # Not published, and nothing said of the value: a sum over months one of which hides its
    # part (bot.indicators.assemble). Never set by the suppression itself.
    WITHHELD = "withheld"


@dataclass(frozen=True)
class Protected:
    """What may be published of a table: a mark for every cell and published total.

    ``row_totals`` / ``col_totals`` are empty when that kind of total is not published;
    ``total`` (the grand total) is None when neither is.
    """

    cells: tuple[tuple[Mark, ...], ...]
    row_totals: tuple[Mark, ...]
    col_totals: tuple[Mark, ...]
    total: Mark | None


@dataclass
class _Entry:
    value: int
    sign: int  # +1 for inner cells and the grand total, -1 for row and column totals
    published: bool  # False: a total the table does not publish (a free unknown)
    mark: Mark = Mark.SHOWN

    @property
    def hidden(self) -> bool:
        return not self.published or self.mark is not Mark.SHOWN

    def bounds(self, mark: Mark | None = None) -> tuple[float, float]:
        """What a reader knows of the value (when marked ``mark``, default its own)."""
        mark = mark or self.mark
        if not self.published:
            return 0, _INFINITY
        if mark is Mark.SMALL:
            return 0, THRESHOLD - 1
        if mark is Mark.PROTECTING:
            return THRESHOLD, _INFINITY
        return self.value, self.value

    def arcs(self, mark: Mark | None = None) -> tuple[bool, bool]:
        """(row -> column, column -> row): whether the entry can take +1 / -1 in grid terms."""
        low, high = self.bounds(mark)
        up, down = self.value < high, self.value > low
        return (up, down) if self.sign > 0 else (down, up)


class _Grid:
    """The extended grid: rows 0..R-1 and the totals row R; columns 0..C-1 and column C."""

    def __init__(
        self, cells: Sequence[Sequence[int]], *, row_totals: bool, col_totals: bool
    ) -> None:
        self.rows = len(cells)
        self.cols = len(cells[0]) if cells else 0
        rows, cols = self.rows, self.cols
        self.entries: dict[tuple[int, int], _Entry] = {}
        for i, row in enumerate(cells):
            if len(row) != cols:
                raise ValueError("every row needs the same number of cells")
            for j, value in enumerate(row):
                if value < 0:
                    raise ValueError("counts are never negative")
                self.entries[i, j] = _Entry(value, +1, True)
            self.entries[i, cols] = _Entry(sum(row), -1, row_totals)
        for j in range(cols):
            self.entries[rows, j] = _Entry(sum(r[j] for r in cells), -1, col_totals)
        grand = sum(sum(r) for r in cells)
        self.entries[rows, cols] = _Entry(grand, +1, row_totals or col_totals)
        for entry in self.entries.values():
            if entry.published and entry.value < THRESHOLD:
                entry.mark = Mark.SMALL

    # Nodes: ("r", i) for rows 0..R, ("c", j) for columns 0..C.
    def _graph(self, skip: tuple[int, int]) -> dict[tuple[str, int], list[tuple[str, int]]]:
        graph: dict[tuple[str, int], list[tuple[str, int]]] = {}
        for (i, j), entry in self.entries.items():
            if (i, j) == skip or not entry.hidden:
                continue
            forward, backward = entry.arcs()
            if forward:
                graph.setdefault(("r", i), []).append(("c", j))
            if backward:
                graph.setdefault(("c", j), []).append(("r", i))
        return graph

    def protected(self, at: tuple[int, int]) -> bool:
        """Whether the hidden entry ``at`` lies on a feasible cycle of other hidden entries."""
        graph = self._graph(skip=at)
        forward, backward = self.entries[at].arcs()
        row, col = ("r", at[0]), ("c", at[1])
        return (forward and _reaches(graph, col, row)) or (backward and _reaches(graph, row, col))

    def close_cycle(self, at: tuple[int, int]) -> None:
        """Hide the cheapest set of published figures that puts ``at`` on a feasible cycle."""
        forward, backward = self.entries[at].arcs()
        row, col = ("r", at[0]), ("c", at[1])
        best: tuple[float, list[tuple[int, int]]] | None = None
        for usable, start, goal in ((forward, col, row), (backward, row, col)):
            if not usable:
                continue
            found = self._cheapest_path(start, goal, skip=at)
            if found is not None and (best is None or found[0] < best[0]):
                best = found
        if best is None:  # cannot happen: hiding the totals always closes a cycle
            raise AssertionError(f"no way to protect cell {at}")
        for key in best[1]:
            self.entries[key].mark = Mark.PROTECTING

    def _cheapest_path(
        self, start: tuple[str, int], goal: tuple[str, int], skip: tuple[int, int]
    ) -> tuple[float, list[tuple[int, int]]] | None:
        """Dijkstra over hidden entries (free) and published ones (their cost if hidden)."""
        arcs: dict[tuple[str, int], list[tuple[tuple[str, int], float, tuple[int, int] | None]]]
        arcs = {}
        for key, entry in self.entries.items():
            if key == skip:
                continue
            i, j = key
            if entry.hidden:
                cost: float = 0
                forward, backward = entry.arcs()
                used: tuple[int, int] | None = None
            else:
                inner = i < self.rows and j < self.cols
                cost = entry.value + (0 if inner else _TOTAL_COST)
                forward, backward = entry.arcs(Mark.PROTECTING)
                used = key
            if forward:
                arcs.setdefault(("r", i), []).append((("c", j), cost, used))
            if backward:
                arcs.setdefault(("c", j), []).append((("r", i), cost, used))
        distance: dict[tuple[str, int], float] = {start: 0}
        previous: dict[tuple[str, int], tuple[tuple[str, int], tuple[int, int] | None]] = {}
        queue: list[tuple[float, tuple[str, int]]] = [(0, start)]
        while queue:
            dist, node = heapq.heappop(queue)
            if node == goal:
                path: list[tuple[int, int]] = []
                while node != start:
                    node, used = previous[node]
                    if used is not None:
                        path.append(used)
                return dist, path
            if dist > distance.get(node, _INFINITY):
                continue
            for target, cost, used in arcs.get(node, ()):
                candidate = dist + cost
                if candidate < distance.get(target, _INFINITY):
                    distance[target] = candidate
                    previous[target] = (node, used)
                    heapq.heappush(queue, (candidate, target))
        return None

    def result(self) -> Protected:
        rows, cols = self.rows, self.cols
        row_published = self.entries[0, cols].published if rows else False
        col_published = self.entries[rows, 0].published if cols else False
        grand = self.entries[rows, cols]
        return Protected(
            cells=tuple(tuple(self.entries[i, j].mark for j in range(cols)) for i in range(rows)),
            row_totals=tuple(self.entries[i, cols].mark for i in range(rows))
            if row_published
            else (),
            col_totals=tuple(self.entries[rows, j].mark for j in range(cols))
            if col_published
            else (),
            total=grand.mark if grand.published else None,
        )


def _reaches(
    graph: dict[tuple[str, int], list[tuple[str, int]]],
    start: tuple[str, int],
    goal: tuple[str, int],
) -> bool:
    seen = {start}
    stack = [start]
    while stack:
        node = stack.pop()
        if node == goal:
            return True
        for target in graph.get(node, ()):
            if target not in seen:
                seen.add(target)
                stack.append(target)
    return False


def protect(
    cells: Sequence[Sequence[int]],
    *,
    row_totals: bool = True,
    col_totals: bool = True,
    hidden: Collection[tuple[int, int]] = (),
) -> Protected:
    """Marks for ``cells`` (rows of counts) published with the totals asked for.

    A one-column table never publishes row totals (they would repeat its cells), nor a one-row
    table column totals. ``hidden`` names figures to hide whatever their value, as (row,
    column) of the table with its totals: row ``len(cells)`` holds the column totals, column
    ``len(cells[0])`` the row totals, and the grand total is at both; a total the table does not
    publish is left alone. Deterministic: the same counts always give the same marks.
    """
    rows = len(cells)
    cols = len(cells[0]) if cells else 0
    grid = _Grid(cells, row_totals=row_totals and cols > 1, col_totals=col_totals and rows > 1)
    for key in hidden:
        entry = grid.entries.get(key)
        if entry is None:
            raise ValueError(f"no figure at {key} in a {rows} x {cols} table")
        if entry.published and entry.mark is Mark.SHOWN:
            entry.mark = Mark.PROTECTING
    to_protect = sorted(
        (key for key, entry in grid.entries.items() if entry.published and entry.hidden),
        key=lambda key: (grid.entries[key].value, key),
    )
    for key in to_protect:
        if not grid.protected(key):
            grid.close_cycle(key)
    return grid.result()
