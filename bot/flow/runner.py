"""The dialog engine: pure logic, no aiogram, no I/O.

Given a tree, the dialog state and one input (a choice id, or back / skip / done / restart /
page / more / continue), the runner returns the new state and the step to show. The state is
plain data (``DialogState.to_data``) kept in the FSM storage, so a dialog survives a restart of
the bot. Every state has a random token that also travels in each button's callback data: a
press whose token, node or tree does not match the state comes from an older message (or from
before the tree's version changed) and only shows the current step again.

Every step is reported to an :class:`Observer` (a no-op by default) with ids only, never free
text and never who the family is (see bot.indicators). Each dialog carries a random session id
in its state so an observer can count a dialog's steps together; it is dropped from the state
when the dialog ends, so afterwards nothing links those steps to the family.
"""

from __future__ import annotations

import itertools
import logging
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal, Protocol

from bot.catalog.matching import Answers
from bot.flow.model import (
    BACK,
    CONTINUE,
    DONE,
    MORE,
    MUNICIPALITY_PAGE_SIZE,
    PAGE_NEXT,
    PAGE_PREV,
    RESTART,
    SKIP,
    TOKEN_LENGTH,
    Ahead,
    Context,
    Node,
    NodeKind,
    Press,
    Route,
    Tree,
    combine,
    leaf_conditions,
)

log = logging.getLogger(__name__)

_TOKEN_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"

EventKind = Literal[
    "started",
    "asked",
    "answered",
    "skipped",
    "back",
    "finished",
    "abandoned",
    "results_shown",
]

SESSION_LENGTH = 16
# A multi-choice question with more kinds of answer than this (2^n combinations to follow)
# gets the tree's plain bound as its progress instead of one narrowed by the answers so far.
MAX_ANSWER_KINDS = 8


@dataclass(frozen=True)
class FlowEvent:
    """One step of one dialog: ids only (tree, version, node, choice ids, result page).

    ``session`` is the dialog's random id ("" once the dialog has ended). ``facts``: on
    ``answered``, what this answer told us; on ``finished`` and ``results_shown``, everything
    the answers told us.
    """

    kind: EventKind
    tree: str
    version: int
    node: str
    choices: tuple[str, ...] = ()
    page: int | None = None
    session: str = ""
    facts: Answers | None = None
    source: str | None = None  # on ``started``: the deep link that brought the family


class Observer(Protocol):
    """Receives every step of every dialog (bot.indicators.record is the real one)."""

    def record(self, event: FlowEvent) -> None:
        """Take note of ``event``; must not raise (errors are logged and ignored)."""

    def results(self, service_ids: Sequence[str], gaps: Sequence[str] | None) -> None:
        """What the last ``results_shown`` step showed (told by the handler that rendered it):
        service ids (none: no match) and, on the first page, the needs with no local match."""


class NullObserver:
    """The default observer: notes nothing."""

    def record(self, event: FlowEvent) -> None:
        return None

    def results(self, service_ids: Sequence[str], gaps: Sequence[str] | None) -> None:
        return None


NULL_OBSERVER: Observer = NullObserver()


# ------------------------------------------------------------------ state


@dataclass(frozen=True)
class PathEntry:
    """A node the family has passed and what they chose there (None: skipped)."""

    node: str
    choices: tuple[str, ...] | None


@dataclass(frozen=True)
class DialogState:
    """Where a family is in a dialog; plain data for the FSM storage."""

    tree: str
    version: int
    node: str
    token: str
    path: tuple[PathEntry, ...] = ()
    selected: tuple[str, ...] = ()  # multi choice: toggled on at the current node
    page: int = 0  # municipality picker page, or the result page
    session: str = ""  # random id for anonymous indicators; "" once the dialog has ended

    def to_data(self) -> dict[str, Any]:
        """JSON-safe form for the FSM storage."""
        return {
            "tree": self.tree,
            "version": self.version,
            "node": self.node,
            "token": self.token,
            "path": [
                [e.node, list(e.choices) if e.choices is not None else None] for e in self.path
            ],
            "selected": list(self.selected),
            "page": self.page,
            **({"session": self.session} if self.session else {}),
        }

    @classmethod
    def from_data(cls, data: Any) -> DialogState | None:
        """The state stored by :meth:`to_data`, or None when ``data`` is not one."""
        try:
            path = tuple(
                PathEntry(str(node), None if choices is None else tuple(map(str, choices)))
                for node, choices in data["path"]
            )
            state = cls(
                tree=str(data["tree"]),
                version=int(data["version"]),
                node=str(data["node"]),
                token=str(data["token"]),
                path=path,
                selected=tuple(map(str, data.get("selected", ()))),
                page=int(data.get("page", 0)),
                session=str(data.get("session", "")),
            )
        except (KeyError, TypeError, ValueError):
            return None
        return state


# ------------------------------------------------------------------ steps


@dataclass(frozen=True)
class Progress:
    """Question ``current`` of ``total``: the questions answered on the path so far, plus
    this one, plus the questions ahead (``Tree.ahead``).

    ``exact``: every way ahead asks the same number, so ``total`` will not change; otherwise
    ``total`` is the most the family can be asked (it can only fall as they answer). ``total``
    is None when a loop lies ahead and no bound holds: then only the number is shown.
    """

    current: int
    total: int | None
    exact: bool

    @property
    def last(self) -> bool:
        """This is surely the last question."""
        return self.exact and self.current == self.total


@dataclass(frozen=True)
class ShownChoice:
    """A button as shown: choice id, label (Fluent id), and whether it is toggled on."""

    id: str
    label: str
    selected: bool = False


@dataclass(frozen=True)
class Step:
    """What to show now. Texts are Fluent ids; ``keyboard.render`` turns them into words."""

    tree: str
    node: str
    kind: NodeKind
    text: str
    token: str
    terminal: bool
    choices: tuple[ShownChoice, ...] = ()
    progress: Progress | None = None
    skippable: bool = False
    skip_label: str = ""  # Fluent id of the skip button ("" when there is none)
    can_back: bool = False
    page: int = 0  # municipality page, or result page
    pages: int = 1  # municipality pages
    alerts: tuple[str, ...] = ()  # Fluent ids shown before the step, e.g. help-now
    notice: str | None = None  # Fluent id of a short note (stale button, tree updated)
    answers: Answers | None = None  # result steps: what the family told us

    def press(self, choice: str) -> Press:
        """The press of ``choice`` on this step (what its button carries)."""
        return Press(self.tree, self.node, choice, self.token)


@dataclass(frozen=True)
class Transition:
    """The new state and the step to show. ``stale``: the press was not for the current
    step, so nothing changed, or the dialog began again because the tree changed."""

    state: DialogState
    step: Step
    stale: bool = False


# ------------------------------------------------------------------ runner


class Runner:
    """Runs one tree. Cheap to build: make one per update if that is simpler."""

    def __init__(
        self,
        tree: Tree,
        municipalities: Sequence[str] = (),
        observer: Observer = NULL_OBSERVER,
        rng: random.Random | None = None,
    ) -> None:
        """``municipalities``: the picker's codes in the order shown (the catalogue's).

        ``rng`` makes tokens reproducible in tests; the default is the system's randomness.
        """
        if tree.has_municipality_picker and not municipalities:
            raise ValueError(f"tree {tree.id!r} has a municipality picker but no municipalities")
        self.tree = tree
        self._municipalities = tuple(municipalities)
        self._observer = observer
        self._rng = rng or random.SystemRandom()
        self._conditions = leaf_conditions(tree)
        # Progress: the ways of answering each node, and the questions ahead from a node on
        # which the tree's conditions hold so (see _ahead); both depend on the tree only.
        self._kinds: dict[str, list[tuple[str, ...] | None] | None] = {}
        self._ahead_memo: dict[tuple[str, tuple[bool, ...]], Ahead] = {}

    # ---------------------------------------------------------------- public

    def start(self, previous: DialogState | None = None, source: str | None = None) -> Transition:
        """A new dialog at the start node; an unfinished ``previous`` one counts as abandoned.
        ``source``: the deep link that brought the family, if any (only passed on)."""
        if (
            previous is not None
            and self.is_current(previous)
            and not self.tree.node(previous.node).is_terminal
        ):
            self._emit("abandoned", previous.node, session=previous.session)
        return self._begin(source=source)

    def is_current(self, state: DialogState) -> bool:
        """Whether ``state`` belongs to this tree as loaded now (same id and version, and
        every node it names still exists)."""
        return (
            state.tree == self.tree.id
            and state.version == self.tree.version
            and state.node in self.tree.nodes
            and all(e.node in self.tree.nodes for e in state.path)
        )

    def current(self, state: DialogState, notice: str | None = None) -> Step:
        """The step ``state`` is at, shown again (resume, or after a stale press)."""
        return self._step(state, notice=notice)

    def answers(self, state: DialogState) -> Answers:
        """Every fact the answers on the path set, combined."""
        return self._context(state.path).facts

    def press(self, state: DialogState | None, press: Press) -> Transition:
        """Apply one button press to ``state`` (None: no dialog in progress)."""
        if state is None or state.tree != self.tree.id:
            return replace(self._begin(notice="flow-stale"), stale=True)
        if not self.is_current(state):
            # The tree changed under this family: start again, kindly.
            self._emit("abandoned", state.node, version=state.version, session=state.session)
            return replace(self._begin(notice="flow-updated"), stale=True)
        if (press.tree, press.node, press.token) != (self.tree.id, state.node, state.token):
            return Transition(state, self._step(state, notice="flow-stale"), stale=True)

        node = self.tree.node(state.node)
        choice = press.choice
        if choice == RESTART:
            return self.start(state)
        if choice == BACK:
            return self._back(state)
        if node.kind == "result" and choice == MORE:
            page = state.page + 1
            self._emit("results_shown", node.id, page=page, facts=self.answers(state))
            return self._moved(replace(state, page=page))
        if node.kind == "message" and not node.is_terminal and choice == CONTINUE:
            return self._advance(state, node, PathEntry(node.id, ()))
        if node.is_question and choice == SKIP and node.skippable:
            self._emit("skipped", node.id, session=state.session)
            return self._advance(state, node, PathEntry(node.id, None))
        if node.kind == "multi":
            return self._multi(state, node, choice)
        if node.kind == "municipality":
            return self._municipality(state, node, choice)
        if node.kind in ("single", "yesno"):
            picked = node.choice(choice)
            if picked is not None:
                self._answered(state, node, (picked.id,))
                alerts = (picked.alert,) if picked.alert else ()
                return self._advance(state, node, PathEntry(node.id, (picked.id,)), alerts)
        # A button this step does not have (an older layout): show the step again.
        return Transition(state, self._step(state, notice="flow-stale"), stale=True)

    # ---------------------------------------------------------------- inputs

    def _multi(self, state: DialogState, node: Node, choice: str) -> Transition:
        if choice == DONE:
            if state.selected:
                # Stored in the tree's order, so the same answers always read the same.
                chosen = tuple(c.id for c in node.choices if c.id in state.selected)
                self._answered(state, node, chosen)
                return self._advance(state, node, PathEntry(node.id, chosen))
            if node.skippable:
                self._emit("skipped", node.id, session=state.session)
                return self._advance(state, node, PathEntry(node.id, None))
            return Transition(state, self._step(state, notice="flow-choose-one"))
        picked = node.choice(choice)
        if picked is None:
            return Transition(state, self._step(state, notice="flow-stale"), stale=True)
        if picked.id in state.selected:
            selected = tuple(c for c in state.selected if c != picked.id)
            alerts: tuple[str, ...] = ()
        else:
            selected = (*state.selected, picked.id)
            alerts = (picked.alert,) if picked.alert else ()
        return self._moved(replace(state, selected=selected), alerts)

    def _municipality(self, state: DialogState, node: Node, choice: str) -> Transition:
        if choice in (PAGE_PREV, PAGE_NEXT):
            step = -1 if choice == PAGE_PREV else 1
            page = min(max(state.page + step, 0), self._pages() - 1)
            return self._moved(replace(state, page=page))
        if choice in self._municipalities:
            self._answered(state, node, (choice,))
            return self._advance(state, node, PathEntry(node.id, (choice,)))
        return Transition(state, self._step(state, notice="flow-stale"), stale=True)

    def _back(self, state: DialogState) -> Transition:
        if not state.path:
            return Transition(state, self._step(state))
        last = state.path[-1]
        self._emit("back", state.node, session=state.session)
        previous = self.tree.node(last.node)
        selected = last.choices or () if previous.kind == "multi" else ()
        page = 0
        if previous.kind == "municipality" and last.choices:
            code = last.choices[0]
            if code in self._municipalities:
                page = self._municipalities.index(code) // MUNICIPALITY_PAGE_SIZE
        return self._moved(
            replace(state, node=last.node, path=state.path[:-1], selected=selected, page=page)
        )

    # ---------------------------------------------------------------- moving

    def _answered(self, state: DialogState, node: Node, chosen: tuple[str, ...]) -> None:
        said = self._context((PathEntry(node.id, chosen),)).facts
        self._emit("answered", node.id, chosen, session=state.session, facts=said)

    def _begin(self, notice: str | None = None, source: str | None = None) -> Transition:
        state = DialogState(
            self.tree.id,
            self.tree.version,
            self.tree.start,
            self._token(),
            session=self._session_id(),
        )
        self._emit("started", state.node, session=state.session, source=source)
        return self._arrive(state, notice=notice)

    def _advance(
        self, state: DialogState, node: Node, entry: PathEntry, alerts: tuple[str, ...] = ()
    ) -> Transition:
        path = (*state.path, entry)
        target = self._route(node, entry, path)
        moved = DialogState(
            state.tree,
            state.version,
            target,
            self._token(state.token),
            path,
            (),
            0,
            state.session,
        )
        return self._arrive(moved, alerts)

    def _arrive(
        self, state: DialogState, alerts: tuple[str, ...] = (), notice: str | None = None
    ) -> Transition:
        """Show the node ``state`` has just reached. At the end of the dialog the session id
        is reported one last time and then forgotten."""
        node = self.tree.node(state.node)
        if node.is_question:
            self._emit("asked", node.id, session=state.session)
        if node.is_terminal:
            facts = self.answers(state)
            self._emit("finished", node.id, session=state.session, facts=facts)
            if node.kind == "result":
                self._emit(
                    "results_shown", node.id, page=state.page, session=state.session, facts=facts
                )
            state = replace(state, session="")
        return Transition(state, self._step(state, alerts, notice))

    def _moved(self, state: DialogState, alerts: tuple[str, ...] = ()) -> Transition:
        """The same node shown anew (toggle, page, back): a new token retires the old
        buttons, so a double tap on the old message cannot act twice."""
        moved = replace(state, token=self._token(state.token))
        return Transition(moved, self._step(moved, alerts))

    def _route(
        self,
        node: Node,
        entry: PathEntry,
        path: Sequence[PathEntry],
        context: Context | None = None,
    ) -> str:
        """Where ``entry`` (the last of ``path``) leads; ``context``: the path's, if known."""
        routes: Sequence[Route] = node.routes
        if entry.choices and node.kind in ("single", "yesno"):
            picked = node.choice(entry.choices[0])
            if picked is not None and picked.routes:
                routes = picked.routes
        if context is None:
            context = self._context(path)
        for route in routes:
            if route.when is None or route.when.holds(context):
                return route.goto
        # The loader makes the last route unconditional; this is only a guard.
        raise RuntimeError(f"{self.tree.id}:{node.id}: no route applies")

    def _context(self, path: Sequence[PathEntry]) -> Context:
        context = Context(Answers(), {})
        for entry in path:
            context = self._extend(context, entry)
        return context

    def _extend(self, context: Context, entry: PathEntry) -> Context:
        """``context`` with one more answer."""
        facts = context.facts
        node = self.tree.nodes.get(entry.node)
        if node is not None and entry.choices:
            for choice_id in entry.choices:
                if node.kind == "municipality":
                    facts = combine(facts, Answers(municipality=choice_id))
                else:
                    choice = node.choice(choice_id)
                    if choice is not None:
                        facts = combine(facts, choice.sets)
        return Context(facts, {**context.answers, entry.node: entry.choices})

    # ---------------------------------------------------------------- showing

    def _step(
        self, state: DialogState, alerts: tuple[str, ...] = (), notice: str | None = None
    ) -> Step:
        node = self.tree.node(state.node)
        progress = None
        if node.is_question:
            taken = sum(
                1
                for e in state.path
                if e.node in self.tree.nodes and self.tree.node(e.node).is_question
            )
            ahead = self._ahead(node, state.path)
            if ahead is None:
                progress = Progress(taken + 1, None, exact=False)
            else:
                progress = Progress(taken + 1, taken + ahead.most, exact=ahead.exact)
        page, pages = state.page, 1
        if node.kind == "municipality":
            pages = self._pages()
            page = min(max(state.page, 0), pages - 1)
            codes = self._municipalities[
                page * MUNICIPALITY_PAGE_SIZE : (page + 1) * MUNICIPALITY_PAGE_SIZE
            ]
            choices = tuple(ShownChoice(code, f"municipality-{code}") for code in codes)
        else:
            choices = tuple(
                ShownChoice(c.id, c.label, c.id in state.selected) for c in node.choices
            )
        return Step(
            tree=self.tree.id,
            node=node.id,
            kind=node.kind,
            text=node.text,
            token=state.token,
            terminal=node.is_terminal,
            choices=choices,
            progress=progress,
            skippable=node.skippable,
            skip_label=node.skip_label,
            can_back=bool(state.path),
            page=page,
            pages=pages,
            alerts=alerts,
            notice=notice,
            answers=self.answers(state) if node.kind == "result" else None,
        )

    def _ahead(self, node: Node, path: tuple[PathEntry, ...]) -> Ahead | None:
        """The questions from ``node`` to an end given the answers so far: the tree's bound
        for the node (``Tree.ahead``), narrowed by following every answer the family can
        still give through the routes, which the answers so far partly decide (after "help
        at home" without "money", the question about free services will not come).

        Sound because answers are told apart only by the conditions of the tree (see
        :func:`leaf_conditions`): one answer stands for all that hold them alike. Falls back to
        the tree's bound where a loop lies ahead or a question has too many kinds of answer.
        """
        bound = self.tree.ahead.get(node.id)
        if bound is None or bound.exact:
            return bound
        conditions = self._conditions
        memo = self._ahead_memo

        def visit(node_id: str, context: Context) -> Ahead | None:
            here = self.tree.node(node_id)
            if here.is_terminal:
                return Ahead(0, 0)
            key = (node_id, tuple(c.holds(context) for c in conditions))
            if key in memo:
                return memo[key]
            answers = self._answer_kinds(here)
            if answers is None:
                return None
            found = []
            for chosen in answers:
                entry = PathEntry(node_id, chosen)
                after_context = self._extend(context, entry)
                after = visit(self._route(here, entry, (), after_context), after_context)
                if after is None:
                    return None
                found.append(after)
            asked = int(here.is_question)
            memo[key] = Ahead(
                asked + min(a.fewest for a in found), asked + max(a.most for a in found)
            )
            return memo[key]

        return visit(node.id, self._context(path)) or bound

    def _answer_kinds(self, node: Node) -> list[tuple[str, ...] | None] | None:
        """One answer for each way of answering ``node`` that the tree's conditions can tell
        apart (None: skipped); None when there are too many to follow."""
        if node.id not in self._kinds:
            self._kinds[node.id] = self._tell_apart(node)
        return self._kinds[node.id]

    def _tell_apart(self, node: Node) -> list[tuple[str, ...] | None] | None:
        if node.kind == "message":
            return [()]
        kinds: list[tuple[str, ...] | None] = [None] if node.skippable else []
        if node.kind in ("single", "yesno"):
            # Each choice may route on its own: every one is followed.
            return kinds + [(c.id,) for c in node.choices]
        # Choices (or municipalities) that every condition sees alike, alone, are one choice
        # here, unless one sets a municipality and the other does not (a municipality set
        # later replaces an earlier one, so setting another one is not the same as none).
        alike: dict[tuple[object, ...], str] = {}
        if node.kind == "municipality":
            options = [(code, Answers(municipality=code)) for code in self._municipalities]
        else:
            options = [(c.id, c.sets) for c in node.choices]
        for option, sets in options:
            alone = Context(sets, {node.id: (option,)})
            seen = tuple(c.holds(alone) for c in self._conditions)
            alike.setdefault((seen, sets.municipality is not None), option)
        if node.kind == "municipality":
            return kinds + [(option,) for option in alike.values()]
        if len(alike) > MAX_ANSWER_KINDS:
            return None
        picks = list(alike.values())
        order = {c.id: i for i, c in enumerate(node.choices)}
        for size in range(1, len(picks) + 1):
            for subset in itertools.combinations(picks, size):
                kinds.append(tuple(sorted(subset, key=order.__getitem__)))
        return kinds

    def _pages(self) -> int:
        return max(1, math.ceil(len(self._municipalities) / MUNICIPALITY_PAGE_SIZE))

    def _session_id(self) -> str:
        return "".join(self._rng.choice(_TOKEN_ALPHABET) for _ in range(SESSION_LENGTH))

    def _token(self, old: str = "") -> str:
        while True:
            token = "".join(self._rng.choice(_TOKEN_ALPHABET) for _ in range(TOKEN_LENGTH))
            if token != old:
                return token

    def _emit(
        self,
        kind: EventKind,
        node: str,
        choices: tuple[str, ...] = (),
        *,
        page: int | None = None,
        version: int | None = None,
        session: str = "",
        facts: Answers | None = None,
        source: str | None = None,
    ) -> None:
        event = FlowEvent(
            kind,
            self.tree.id,
            self.tree.version if version is None else version,
            node,
            choices,
            page,
            session,
            facts,
            source,
        )
        try:
            self._observer.record(event)
        except Exception as exc:  # indicators must never break a family's dialog
            log.warning("flow observer failed on %s: %s", kind, type(exc).__name__)
