"""Dialog trees as loaded from ``dialogs/*.yaml``: nodes, choices, routes and conditions.

A tree is plain data; the loader (``bot.flow.loader``) builds these objects only from a file
that passed every check, so the runner can trust them. Conditions are small dataclasses
evaluated against the answers so far: there is no expression language and nothing is eval'd.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal, TypeAlias

from bot.catalog.matching import Answers
from bot.catalog.vocab import regions

NodeKind = Literal["single", "multi", "yesno", "municipality", "message", "result"]
NODE_KINDS: tuple[NodeKind, ...] = ("single", "multi", "yesno", "municipality", "message", "result")
QUESTION_KINDS: frozenset[NodeKind] = frozenset({"single", "multi", "yesno", "municipality"})

# Callback data is ``<tree>:<node>:<choice>:<token>``. With these limits it is at most
# 8 + 16 + 16 + 6 + 3 separators = 49 bytes (ids are ASCII), under Telegram's 64.
ID_CHARS = re.compile(r"[a-z0-9-]+")
TREE_ID_MAX = 8
NODE_ID_MAX = 16
CHOICE_ID_MAX = 16
TOKEN_LENGTH = 6
CALLBACK_MAX_BYTES = 64
assert TREE_ID_MAX + NODE_ID_MAX + CHOICE_ID_MAX + TOKEN_LENGTH + 3 <= CALLBACK_MAX_BYTES

# The engine's own buttons travel in the choice slot; authors may not use these ids.
BACK, SKIP, DONE, RESTART, PAGE_PREV, PAGE_NEXT, MORE, CONTINUE = (
    "back",
    "skip",
    "done",
    "restart",
    "prev",
    "next",
    "more",
    "ok",
)
RESERVED_CHOICES = frozenset({BACK, SKIP, DONE, RESTART, PAGE_PREV, PAGE_NEXT, MORE, CONTINUE})

# Municipality picker: choices per page (two per row keeps the keyboard short on a phone).
MUNICIPALITY_PAGE_SIZE = 8

FIND_DIALOG = "needs"  # the tree behind /find and the menu's "find services"
# Who goes through a tree: families (the default), or a professional with a family (/guide,
# issue #25), whose tree's buttons only the professional's role router takes.
FAMILY, PROFESSIONAL = "family", "professional"
AUDIENCES = (FAMILY, PROFESSIONAL)

_CALLBACK = re.compile(
    rf"^([a-z0-9-]{{1,{TREE_ID_MAX}}}):([a-z0-9-]{{1,{NODE_ID_MAX}}})"
    rf":([a-z0-9-]{{1,{CHOICE_ID_MAX}}}):([a-z0-9]{{1,{TOKEN_LENGTH}}})$"
)


@dataclass(frozen=True)
class Press:
    """One button press: which tree, on which node, what, and the token of the message."""

    tree: str
    node: str
    choice: str
    token: str

    def pack(self) -> str:
        """The callback data for this press."""
        return f"{self.tree}:{self.node}:{self.choice}:{self.token}"


def parse_callback(data: str) -> Press | None:
    """The press encoded in callback data, or None when it is not a dialog button."""
    found = _CALLBACK.match(data)
    return Press(*found.groups()) if found else None


def default_municipalities() -> tuple[str, ...]:
    """South-East Finland (Kymenlaakso and South Karelia): the picker's list when no
    catalogue is at hand (``valo-bot try`` without one, tests)."""
    provinces = regions()["Province"]
    return provinces["08"] + provinces["09"]


# ------------------------------------------------------------------ facts


@dataclass(frozen=True)
class AgeRange:
    """Whole years, both ends included."""

    min: int
    max: int

    def years(self) -> tuple[int, ...]:
        """Every whole year in the range: the matcher fits a service to any of them."""
        return tuple(range(self.min, self.max + 1))


def combine(earlier: Answers, later: Answers) -> Answers:
    """The facts of two answers together; a later municipality replaces an earlier one."""

    def union(a: tuple[str, ...], b: tuple[str, ...]) -> tuple[str, ...]:
        return a + tuple(x for x in dict.fromkeys(b) if x not in a)

    return Answers(
        municipality=later.municipality or earlier.municipality,
        child_ages=tuple(sorted(set(earlier.child_ages) | set(later.child_ages))),
        expecting=earlier.expecting or later.expecting,
        needs=union(earlier.needs, later.needs),
        languages=union(earlier.languages, later.languages),
        free_only=earlier.free_only or later.free_only,
    )


# ------------------------------------------------------------------ conditions


@dataclass(frozen=True)
class Context:
    """What conditions can see: the facts so far and the latest answer to each node."""

    facts: Answers
    answers: Mapping[str, tuple[str, ...] | None]  # node -> choices; None when skipped


@dataclass(frozen=True)
class HasNeed:
    tag: str

    def holds(self, ctx: Context) -> bool:
        """Whether the condition is true for the answers so far."""
        return self.tag in ctx.facts.needs


@dataclass(frozen=True)
class Answered:
    node: str

    def holds(self, ctx: Context) -> bool:
        """Whether the condition is true for the answers so far."""
        return ctx.answers.get(self.node) is not None


@dataclass(frozen=True)
class Skipped:
    node: str

    def holds(self, ctx: Context) -> bool:
        """Whether the condition is true for the answers so far."""
        return self.node in ctx.answers and ctx.answers[self.node] is None


@dataclass(frozen=True)
class Chose:
    node: str
    choice: str

    def holds(self, ctx: Context) -> bool:
        """Whether the condition is true for the answers so far."""
        return self.choice in (ctx.answers.get(self.node) or ())


FactValue: TypeAlias = str | bool | AgeRange


@dataclass(frozen=True)
class FactIs:
    """A fact has this value (lists: contains it; ``child_ages``: a child in the range)."""

    name: str
    value: FactValue

    def holds(self, ctx: Context) -> bool:
        """Whether the condition is true for the answers so far."""
        facts = ctx.facts
        if self.name == "child_ages":
            assert isinstance(self.value, AgeRange)
            return any(self.value.min <= age <= self.value.max for age in facts.child_ages)
        if self.name in ("needs", "languages"):
            return self.value in getattr(facts, self.name)
        return bool(getattr(facts, self.name) == self.value)


@dataclass(frozen=True)
class AllOf:
    conditions: tuple[Condition, ...]

    def holds(self, ctx: Context) -> bool:
        """Whether the condition is true for the answers so far."""
        return all(c.holds(ctx) for c in self.conditions)


@dataclass(frozen=True)
class AnyOf:
    conditions: tuple[Condition, ...]

    def holds(self, ctx: Context) -> bool:
        """Whether the condition is true for the answers so far."""
        return any(c.holds(ctx) for c in self.conditions)


@dataclass(frozen=True)
class Not:
    condition: Condition

    def holds(self, ctx: Context) -> bool:
        """Whether the condition is true for the answers so far."""
        return not self.condition.holds(ctx)


Condition: TypeAlias = HasNeed | Answered | Skipped | Chose | FactIs | AllOf | AnyOf | Not


# ------------------------------------------------------------------ tree


@dataclass(frozen=True)
class Route:
    """Go to ``goto`` when ``when`` holds; a route without ``when`` always applies."""

    goto: str
    when: Condition | None = None


@dataclass(frozen=True)
class Choice:
    """A button: its id (in callback data), label (Fluent id), the facts it sets, and
    optionally its own routes (single choice and yes/no only) and an alert shown at once."""

    id: str
    label: str
    sets: Answers = field(default_factory=Answers)
    routes: tuple[Route, ...] = ()
    alert: str | None = None


@dataclass(frozen=True)
class Node:
    """One step. Questions wait for an answer; ``message`` with routes is an info step with a
    "continue" button; ``result`` and ``message`` without routes end the dialog."""

    id: str
    kind: NodeKind
    text: str
    line: int = 0
    skippable: bool = False
    choices: tuple[Choice, ...] = ()  # empty for municipality: those come at run time
    routes: tuple[Route, ...] = ()
    # The skip button's label (Fluent id; "" when the node cannot be skipped). The loader
    # picks it by kind unless the author names one: "Skip" on a plain yes/no question,
    # "I'd rather not say" where the question touches the family's own life.
    skip_label: str = ""

    @property
    def is_question(self) -> bool:
        return self.kind in QUESTION_KINDS

    @property
    def is_terminal(self) -> bool:
        return self.kind == "result" or (self.kind == "message" and not self.routes)

    def choice(self, choice_id: str) -> Choice | None:
        """The author's choice with this id (None for municipality codes and unknown ids)."""
        return next((c for c in self.choices if c.id == choice_id), None)

    def targets(self) -> tuple[str, ...]:
        """Every node this one can lead to, in order, without repeats."""
        routes = [*self.routes, *(r for c in self.choices for r in c.routes)]
        return tuple(dict.fromkeys(r.goto for r in routes))


@dataclass(frozen=True)
class Ahead:
    """How many questions lie on the way from a node (itself included) to an end: the fewest
    and the most over every way the routes allow, whatever the answers."""

    fewest: int
    most: int

    @property
    def exact(self) -> bool:
        """Every way ahead asks the same number of questions."""
        return self.fewest == self.most


@dataclass(frozen=True)
class Tree:
    """A validated dialog tree.

    ``ahead[node]`` bounds the questions from ``node`` to an end (see :class:`Ahead`); it is
    None for a node from which a loop can be reached, where no bound holds: the progress shown
    is built from it, so it can never promise fewer questions than a family will be asked.
    """

    id: str
    version: int
    start: str
    nodes: Mapping[str, Node]
    file: str = ""
    ahead: Mapping[str, Ahead | None] = field(default_factory=dict)
    audience: str = FAMILY  # one of AUDIENCES

    def node(self, node_id: str) -> Node:
        """The node with this id (KeyError if the tree has none)."""
        return self.nodes[node_id]

    @property
    def has_municipality_picker(self) -> bool:
        return any(n.kind == "municipality" for n in self.nodes.values())


def leaf_conditions(tree: Tree) -> tuple[Condition, ...]:
    """Every condition the routes of ``tree`` test, ``all``/``any``/``not`` taken apart, in
    order and without repeats. Where a dialog goes next depends on the answers only through
    these: two paths on which each holds alike route alike from the same node onwards."""
    found: dict[Condition, None] = {}

    def add(condition: Condition | None) -> None:
        if isinstance(condition, AllOf | AnyOf):
            for part in condition.conditions:
                add(part)
        elif isinstance(condition, Not):
            add(condition.condition)
        elif condition is not None:
            found[condition] = None

    for node in tree.nodes.values():
        for route in (*node.routes, *(r for c in node.choices for r in c.routes)):
            add(route.when)
    return tuple(found)
