"""Loading and validating dialog trees (``dialogs/*.yaml``).

A broken tree must never reach a family, so everything a service designer can get wrong is
refused here with ``file:line: path: reason`` in words they can act on: wrong types, unknown
keys, ids that would break the callback format, duplicate ids, unknown route targets,
unreachable nodes, loops with no way out, Fluent ids missing in a locale, and facts or need
tags the catalogue does not know. The same checks run at start-up, in ``valo-bot check`` and
in CI.
"""

from __future__ import annotations

import difflib
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any

import babel

from bot.catalog.matching import Answers
from bot.catalog.vocab import NEED_TAGS, municipalities
from bot.config import SUPPORTED_LOCALES, Locale
from bot.data_errors import DataError, DataFileError
from bot.flow.model import (
    AUDIENCES,
    CHOICE_ID_MAX,
    FAMILY,
    ID_CHARS,
    NODE_ID_MAX,
    NODE_KINDS,
    QUESTION_KINDS,
    RESERVED_CHOICES,
    TREE_ID_MAX,
    AgeRange,
    Ahead,
    AllOf,
    Answered,
    AnyOf,
    Choice,
    Chose,
    Condition,
    FactIs,
    FactValue,
    HasNeed,
    Node,
    NodeKind,
    Not,
    Route,
    Skipped,
    Tree,
    default_municipalities,
)
from bot.i18n import message_variables
from bot.yaml_source import YamlDocument, read_yaml

PathKey = tuple[str | int, ...]
# Message ids per locale with their variables, as ``bot.i18n.message_variables`` gives them.
LocaleMessages = Mapping[Locale, Mapping[str, frozenset[str]]]

# The engine's own texts, with the variables it passes to each.
ENGINE_MESSAGES: dict[str, frozenset[str]] = {
    "flow-progress": frozenset({"current", "total"}),
    "flow-progress-last": frozenset({"current", "total"}),
    "flow-progress-most": frozenset({"current", "total"}),
    "flow-progress-open": frozenset({"current"}),
    "flow-multi-hint": frozenset(),
    "flow-done": frozenset(),
    "flow-skip": frozenset(),
    "flow-skip-plain": frozenset(),
    "flow-back": frozenset(),
    "flow-restart": frozenset(),
    "flow-page-prev": frozenset(),
    "flow-page-next": frozenset(),
    "flow-yes": frozenset(),
    "flow-no": frozenset(),
    "flow-continue": frozenset(),
    "flow-more": frozenset(),
    "flow-browse": frozenset(),
    "flow-results-next": frozenset(),
    "flow-stale": frozenset(),
    "flow-updated": frozenset(),
    "flow-choose-one": frozenset(),
    "menu-back": frozenset(),
}
# Variables the engine passes to a tree's own texts, by node kind (a result heading gets the
# number of services found); every other text gets none.
TEXT_VARIABLES: dict[NodeKind, frozenset[str]] = {"result": frozenset({"count"})}
# The skip button's label when the node names none: "Skip" on a yes/no question (a plain
# choice, nothing personal to withhold), "I'd rather not say" on the others, which ask about
# the family's own life (where it lives, its children, what is hard).
SKIP_LABELS: dict[NodeKind, str] = {
    "single": "flow-skip",
    "multi": "flow-skip",
    "municipality": "flow-skip",
    "yesno": "flow-skip-plain",
}

FACTS = ("needs", "child_ages", "expecting", "municipality", "languages", "free_only")
CONDITIONS = ("has_need", "answered", "skipped", "chose", "fact", "all", "any", "not")
MAX_CHILD_AGE = 18

_NODE_KEYS: dict[NodeKind, tuple[str, ...]] = {
    "single": ("kind", "text", "skippable", "skip_label", "choices", "next"),
    "multi": ("kind", "text", "skippable", "skip_label", "choices", "next"),
    "yesno": ("kind", "text", "skippable", "skip_label", "yes", "no", "next"),
    "municipality": ("kind", "text", "skippable", "skip_label", "next"),
    "message": ("kind", "text", "next"),
    "result": ("kind", "text"),
}
_CHOICE_KEYS = ("id", "label", "sets", "next", "alert")
_YESNO_KEYS = ("label", "sets", "next", "alert")


@cache
def language_codes() -> frozenset[str]:
    """ISO 639-1 codes (two letters), from Babel's language names."""
    names: Mapping[str, str] = babel.Locale("en").languages
    return frozenset(code for code in names if len(code) == 2 and code.isascii() and code.isalpha())


def _suggest(word: str, options: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _display(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root.parent)) if root.parent != Path() else str(path)
    except ValueError:
        return str(path)


@dataclass
class _Messages:
    """Fluent message ids per locale with their variables."""

    by_locale: LocaleMessages

    def missing_in(self, msg_id: str) -> list[Locale]:
        return [loc for loc in SUPPORTED_LOCALES if msg_id not in self.by_locale.get(loc, {})]

    def variables(self, msg_id: str) -> frozenset[str]:
        found: set[str] = set()
        for loc in SUPPORTED_LOCALES:
            found |= self.by_locale.get(loc, {}).get(msg_id, frozenset())
        return frozenset(found)


@dataclass
class _Reader:
    """Turns one YAML document into a Tree, collecting every error on the way."""

    doc: YamlDocument
    messages: _Messages
    municipality_codes: Sequence[str]
    errors: list[DataError] = field(default_factory=list)
    # Node references in conditions, checked once all nodes are known.
    references: list[tuple[PathKey, str, Condition]] = field(default_factory=list)

    def error(self, path: PathKey, reason: str) -> None:
        self.errors.append(self.doc.error(path, reason))

    # ---------------------------------------------------------------- value shapes

    def mapping(self, value: Any, path: PathKey, what: str) -> dict[str, Any] | None:
        if isinstance(value, dict):
            return value
        self.error(path, f"must be {what}")
        return None

    def keys(
        self,
        mapping: Mapping[str, Any],
        path: PathKey,
        allowed: Sequence[str],
        required: Sequence[str] = (),
        context: str = "",
    ) -> None:
        for key in mapping:
            if key not in allowed:
                where = f" {context}" if context else ""
                self.error(
                    (*path, key),
                    f"unknown key{where}{_suggest(key, allowed)}; "
                    f"allowed keys: {', '.join(allowed)}",
                )
        for key in required:
            if key not in mapping:
                self.error((*path, key), "is missing")

    def text(self, value: Any, path: PathKey) -> str | None:
        if isinstance(value, str) and value:
            return value
        self.error(path, "must be a text, not a list or a mapping")
        return None

    def ident(self, value: Any, path: PathKey, limit: int, what: str) -> str | None:
        text = self.text(value, path)
        if text is None:
            return None
        if not ID_CHARS.fullmatch(text) or len(text) > limit:
            self.error(
                path,
                f"{what} '{text}' must be 1-{limit} characters of a-z, 0-9 and - "
                "(it travels in button data)",
            )
            return None
        return text

    def boolean(self, value: Any, path: PathKey) -> bool | None:
        if value in ("true", "false"):
            return bool(value == "true")
        self.error(path, f"must be true or false, not '{value}'")
        return None

    def integer(self, value: Any, path: PathKey, low: int, high: int) -> int | None:
        if isinstance(value, str) and value.lstrip("-").isdigit():
            number = int(value)
            if low <= number <= high:
                return number
        self.error(path, f"must be a whole number from {low} to {high}, not '{value}'")
        return None

    def fluent(self, value: Any, path: PathKey, variables: frozenset[str] = frozenset()) -> str:
        """A Fluent message id that exists in every locale and needs only ``variables``."""
        msg_id = self.text(value, path)
        if msg_id is None:
            return ""
        missing = self.messages.missing_in(msg_id)
        if missing:
            self.error(path, f"no Fluent message '{msg_id}' in {'/'.join(missing)}")
            return msg_id
        extra = sorted(self.messages.variables(msg_id) - variables)
        if extra:
            given = ", ".join(f"${v}" for v in sorted(variables)) or "no variables"
            self.error(
                path,
                f"Fluent message '{msg_id}' uses {', '.join('$' + v for v in extra)}, "
                f"but this text gets {given}",
            )
        return msg_id

    # ---------------------------------------------------------------- tree

    def tree(self) -> Tree | None:
        top = self.mapping(self.doc.data, (), "a mapping with id, version, start and nodes")
        if top is None:
            return None
        self.keys(
            top,
            (),
            ("id", "version", "start", "nodes", "audience"),
            ("id", "version", "start", "nodes"),
        )
        audience = FAMILY
        if "audience" in top:
            if top["audience"] in AUDIENCES:
                audience = str(top["audience"])
            else:
                self.error(
                    ("audience",),
                    f"unknown audience '{top['audience']}'; use one of {', '.join(AUDIENCES)}",
                )
        tree_id = self.ident(top["id"], ("id",), TREE_ID_MAX, "tree id") if "id" in top else None
        version = self.integer(top["version"], ("version",), 1, 10**9) if "version" in top else None
        start = self.text(top["start"], ("start",)) if "start" in top else None
        nodes: dict[str, Node] = {}
        body: dict[str, Any] = {}
        if "nodes" in top:
            body = self.mapping(top["nodes"], ("nodes",), "a mapping of node id to node") or {}
            if isinstance(top["nodes"], dict) and not body:
                self.error(("nodes",), "a tree needs at least one node")
            for node_id, raw in body.items():
                node = self.node(node_id, raw, ("nodes", node_id))
                if node is not None:
                    nodes[node_id] = node
        self.check_targets(start, nodes, set(body))
        # Reachability and the like are judged only on a tree whose nodes all parsed: a node
        # that failed to parse would make its targets look unreachable.
        if self.errors or start is None:
            return None
        self.check_graph(start, nodes)
        if self.errors or tree_id is None or version is None:
            return None
        return Tree(
            tree_id, version, start, nodes, self.doc.file, _questions_ahead(nodes), audience
        )

    def node(self, node_id: str, raw: Any, path: PathKey) -> Node | None:
        valid_id = self.ident(node_id, path, NODE_ID_MAX, "node id")
        body = self.mapping(raw, path, "a mapping with kind, text and the rest of the node")
        if body is None:
            return None
        kind_text = body.get("kind")
        if kind_text not in NODE_KINDS:
            if "kind" not in body:
                self.error(path, f"'kind' is missing: one of {', '.join(NODE_KINDS)}")
            else:
                self.error(
                    (*path, "kind"),
                    f"unknown kind '{kind_text}'{_suggest(str(kind_text), NODE_KINDS)}; "
                    f"use one of {', '.join(NODE_KINDS)}",
                )
            return None
        kind: NodeKind = kind_text
        allowed = _NODE_KEYS[kind]
        self.keys(body, path, allowed, ("text",), context=f"for a {kind} node")
        text = (
            self.fluent(body["text"], (*path, "text"), TEXT_VARIABLES.get(kind, frozenset()))
            if "text" in body
            else ""
        )
        skippable = False
        if "skippable" in body and "skippable" in allowed:
            skippable = bool(self.boolean(body["skippable"], (*path, "skippable")))
        skip_label = SKIP_LABELS.get(kind, "") if skippable else ""
        if "skip_label" in body and "skip_label" in allowed:
            if skippable:
                skip_label = self.fluent(body["skip_label"], (*path, "skip_label"))
            elif body.get("skippable") in (None, "false"):
                self.error(
                    (*path, "skip_label"),
                    "a skip button needs 'skippable: true' on this question",
                )
        choices: tuple[Choice, ...] = ()
        if kind in ("single", "multi"):
            choices = self.choices(body.get("choices"), (*path, "choices"), kind, "choices" in body)
        elif kind == "yesno":
            choices = (
                self.yesno_choice("yes", body.get("yes"), (*path, "yes")),
                self.yesno_choice("no", body.get("no"), (*path, "no")),
            )
        routes: tuple[Route, ...] = ()
        if "next" in body and "next" in allowed:
            routes = self.routes(body["next"], (*path, "next"))
        elif kind in QUESTION_KINDS:
            every_choice_routes = bool(choices) and all(c.routes for c in choices)
            if not every_choice_routes or skippable:
                self.error(
                    path,
                    "'next' is missing: which node comes after this question?"
                    + (" (a skipped question needs it too)" if every_choice_routes else ""),
                )
        if valid_id is None:
            return None
        return Node(
            valid_id, kind, text, self.doc.line_of(path), skippable, choices, routes, skip_label
        )

    def choices(self, raw: Any, path: PathKey, kind: NodeKind, present: bool) -> tuple[Choice, ...]:
        if not present:
            self.error(path[:-1], f"a {kind} node needs 'choices': a list of buttons")
            return ()
        if not isinstance(raw, list) or not raw:
            self.error(path, f"a {kind} node needs a list of at least one choice")
            return ()
        found: list[Choice] = []
        first_at: dict[str, int] = {}
        labels: dict[str, str] = {}
        for index, item in enumerate(raw):
            item_path = (*path, index)
            body = self.mapping(item, item_path, "a mapping with id and label")
            if body is None:
                continue
            self.keys(body, item_path, _CHOICE_KEYS, ("id", "label"))
            choice_id = None
            if "id" in body:
                choice_id = self.ident(body["id"], (*item_path, "id"), CHOICE_ID_MAX, "choice id")
            if choice_id in RESERVED_CHOICES:
                self.error(
                    (*item_path, "id"),
                    f"choice id '{choice_id}' is reserved for the bot's own buttons "
                    f"({', '.join(sorted(RESERVED_CHOICES))}); pick another",
                )
                choice_id = None
            if choice_id is not None and choice_id in first_at:
                self.error(
                    (*item_path, "id"),
                    f"duplicate choice id '{choice_id}', first at line {first_at[choice_id]}",
                )
                choice_id = None
            if choice_id is not None:
                first_at[choice_id] = self.doc.line_of((*item_path, "id"))
            if kind == "multi" and "next" in body:
                self.error(
                    (*item_path, "next"),
                    "a choice of a multi node cannot route (several can be chosen); route on "
                    "the node instead, e.g. next: [{when: {chose: {<node>: <choice>}}, goto: ...}]",
                )
            choice = self.choice_body(choice_id or "", body, item_path)
            if choice.label and choice.label in labels:
                self.error(
                    (*item_path, "label"),
                    f"same label as choice '{labels[choice.label]}': "
                    "the family could not tell them apart",
                )
            elif choice.label:
                labels[choice.label] = choice_id or "?"
            if choice_id is not None:
                found.append(choice)
        return tuple(found)

    def yesno_choice(self, choice_id: str, raw: Any, path: PathKey) -> Choice:
        # The buttons say the engine's own "Yes" / "No" unless the author gives a label.
        default_label = f"flow-{choice_id}"
        if raw is None:
            return Choice(choice_id, default_label)
        body = self.mapping(raw, path, "a mapping with sets, next, alert or label")
        if body is None:
            return Choice(choice_id, default_label)
        self.keys(body, path, _YESNO_KEYS)
        return self.choice_body(choice_id, body, path, default_label)

    def choice_body(
        self, choice_id: str, body: Mapping[str, Any], path: PathKey, default_label: str = ""
    ) -> Choice:
        label = self.fluent(body["label"], (*path, "label")) if "label" in body else default_label
        sets = self.facts(body["sets"], (*path, "sets")) if "sets" in body else Answers()
        routes = self.routes(body["next"], (*path, "next")) if "next" in body else ()
        alert = self.fluent(body["alert"], (*path, "alert")) if "alert" in body else None
        return Choice(choice_id, label, sets, routes, alert)

    # ---------------------------------------------------------------- facts

    def facts(self, raw: Any, path: PathKey) -> Answers:
        body = self.mapping(raw, path, f"a mapping of facts ({', '.join(FACTS)})")
        if body is None:
            return Answers()
        values: dict[str, Any] = {}
        for name, value in body.items():
            if name not in FACTS:
                self.error(
                    (*path, name),
                    f"unknown fact '{name}'{_suggest(name, FACTS)}; facts are {', '.join(FACTS)}",
                )
                continue
            fact_path = (*path, name)
            if name in ("needs", "languages"):
                items = value if isinstance(value, list) else [value]
                parsed = [
                    self.fact_value(name, item, (*fact_path, i)) for i, item in enumerate(items)
                ]
                values[name] = tuple(str(p) for p in parsed if p is not None)
            elif name == "child_ages":
                ages = self.fact_value(name, value, fact_path)
                values[name] = ages.years() if isinstance(ages, AgeRange) else ()
            else:
                parsed_value = self.fact_value(name, value, fact_path)
                if parsed_value is not None:
                    values[name] = parsed_value
        return Answers(**values)

    def fact_value(self, name: str, value: Any, path: PathKey) -> FactValue | None:
        """One value of a fact, as a choice sets it or a condition tests it."""
        if name == "needs":
            tag = self.text(value, path)
            if tag is not None and tag not in NEED_TAGS:
                self.error(
                    path,
                    f"unknown need tag '{tag}'{_suggest(tag, NEED_TAGS)}; need tags are listed "
                    "in bot/catalog/vocab.py (NEED_TAGS)",
                )
                return None
            return tag
        if name == "languages":
            code = self.text(value, path)
            if code is not None and code not in language_codes():
                self.error(path, f"unknown language '{code}': use a two-letter ISO 639-1 code")
                return None
            return code
        if name == "municipality":
            code = self.text(value, path)
            if code is not None and code not in municipalities():
                self.error(path, f"unknown municipality code '{code}' (e.g. Kotka is \"285\")")
                return None
            return code
        if name in ("expecting", "free_only"):
            return self.boolean(value, path)
        assert name == "child_ages"
        body = self.mapping(value, path, "a mapping {min: <years>, max: <years>}")
        if body is None:
            return None
        self.keys(body, path, ("min", "max"), ("min", "max"))
        low = self.integer(body.get("min"), (*path, "min"), 0, MAX_CHILD_AGE)
        high = self.integer(body.get("max"), (*path, "max"), 0, MAX_CHILD_AGE)
        if low is None or high is None:
            return None
        if low > high:
            self.error((*path, "min"), f"min {low} must not be greater than max {high}")
            return None
        return AgeRange(low, high)

    # ---------------------------------------------------------------- routing

    def routes(self, raw: Any, path: PathKey) -> tuple[Route, ...]:
        if isinstance(raw, str):
            return (Route(raw),) if self.text(raw, path) else ()
        if not isinstance(raw, list) or not raw:
            self.error(
                path,
                "must be a node id, or a list of {when: <condition>, goto: <node>} "
                "ending with {goto: <node>}",
            )
            return ()
        routes: list[Route] = []
        for index, item in enumerate(raw):
            item_path = (*path, index)
            body = self.mapping(item, item_path, "a mapping {when: <condition>, goto: <node>}")
            if body is None:
                continue
            self.keys(body, item_path, ("when", "goto"), ("goto",))
            last = index == len(raw) - 1
            when: Condition | None = None
            if "when" in body:
                if last:
                    self.error(
                        (*item_path, "when"),
                        "the last route is the default: leave out 'when' so the dialog "
                        "always has somewhere to go",
                    )
                when = self.condition(body["when"], (*item_path, "when"))
            elif not last:
                self.error(item_path, "only the last route may leave out 'when'")
            goto = self.text(body["goto"], (*item_path, "goto")) if "goto" in body else None
            if goto is not None:
                routes.append(Route(goto, when))
        return tuple(routes)

    def condition(self, raw: Any, path: PathKey) -> Condition | None:
        body = self.mapping(raw, path, f"a condition: one of {', '.join(CONDITIONS)}")
        if body is None:
            return None
        if len(body) != 1:
            self.error(
                path,
                f"a condition has exactly one of {', '.join(CONDITIONS)}; "
                "combine several with all: [...] or any: [...]",
            )
            return None
        ((name, value),) = body.items()
        inner = (*path, name)
        if name not in CONDITIONS:
            self.error(
                inner,
                f"unknown condition '{name}'{_suggest(name, CONDITIONS)}; "
                f"use one of {', '.join(CONDITIONS)}",
            )
            return None
        if name in ("all", "any"):
            if not isinstance(value, list) or not value:
                self.error(inner, f"{name} needs a list of conditions")
                return None
            parts = [self.condition(v, (*inner, i)) for i, v in enumerate(value)]
            if any(p is None for p in parts):
                return None
            kept = tuple(p for p in parts if p is not None)
            return AllOf(kept) if name == "all" else AnyOf(kept)
        if name == "not":
            negated = self.condition(value, inner)
            return Not(negated) if negated is not None else None
        if name == "has_need":
            tag = self.fact_value("needs", value, inner)
            return HasNeed(str(tag)) if tag is not None else None
        if name in ("answered", "skipped"):
            node = self.text(value, inner)
            if node is None:
                return None
            found: Condition = Answered(node) if name == "answered" else Skipped(node)
            self.references.append((inner, node, found))
            return found
        pair = self.mapping(value, inner, f"a mapping with one entry, e.g. {name}: {{key: value}}")
        if pair is None:
            return None
        if len(pair) != 1:
            self.error(inner, f"{name} takes exactly one entry")
            return None
        ((key, item),) = pair.items()
        if name == "chose":
            choice = self.text(item, (*inner, key))
            if choice is None:
                return None
            chose = Chose(key, choice)
            self.references.append(((*inner, key), key, chose))
            return chose
        if key not in FACTS:
            self.error(
                (*inner, key),
                f"unknown fact '{key}'{_suggest(key, FACTS)}; facts are {', '.join(FACTS)}",
            )
            return None
        fact = self.fact_value(key, item, (*inner, key))
        return FactIs(key, fact) if fact is not None else None

    # ---------------------------------------------------------------- graph

    def check_targets(
        self, start: str | None, nodes: Mapping[str, Node], declared: set[str]
    ) -> None:
        for node in nodes.values():
            for path, target in _route_paths(node):
                if target not in declared:
                    self.error(
                        path, f"routes to unknown node '{target}'{_suggest(target, declared)}"
                    )
        if start is not None and declared and start not in declared:
            self.error(("start",), f"unknown node '{start}'{_suggest(start, declared)}")

    def check_graph(self, start: str, nodes: Mapping[str, Node]) -> None:
        reachable = _reachable(start, nodes)
        for node_id in nodes:
            if node_id not in reachable:
                self.error(("nodes", node_id), f"unreachable: no route from '{start}' leads here")
        ends = {n for n, node in nodes.items() if node.is_terminal}
        can_end = _reaching(ends, nodes)
        for node_id in nodes:
            if node_id in reachable and node_id not in can_end:
                self.error(
                    ("nodes", node_id),
                    "no way out: every route from here loops back without reaching a result "
                    "or message node",
                )
        self.check_references(nodes)
        self.check_municipalities(nodes)

    def check_references(self, nodes: Mapping[str, Node]) -> None:
        owners = _condition_owners(nodes)
        for path, target, condition in self.references:
            target_node = nodes.get(target)
            if target_node is None:
                self.error(path, f"unknown node '{target}'{_suggest(target, nodes)}")
                continue
            if isinstance(condition, Chose):
                if target_node.kind == "municipality":
                    if condition.choice not in municipalities():
                        self.error(path, f"unknown municipality code '{condition.choice}'")
                elif target_node.choice(condition.choice) is None:
                    offered = ", ".join(c.id for c in target_node.choices) or "none"
                    self.error(
                        path,
                        f"node '{target}' has no choice '{condition.choice}' "
                        f"(its choices: {offered})",
                    )
            owner = owners.get(path[:2])
            if owner is not None and target not in _before(owner, nodes):
                self.error(
                    path,
                    f"node '{target}' is never answered before '{owner}', so this is never true",
                )
        for owner_id, node in nodes.items():
            earlier = _before(owner_id, nodes)
            tags = {tag for n in earlier for c in nodes[n].choices for tag in c.sets.needs}
            for path, condition in _node_conditions(node):
                tag = condition.tag if isinstance(condition, HasNeed) else None
                if isinstance(condition, FactIs) and condition.name == "needs":
                    tag = str(condition.value)
                if tag is not None and tag not in tags:
                    self.error(
                        path,
                        f"no question before '{owner_id}' sets need '{tag}', so this is never true",
                    )

    def check_municipalities(self, nodes: Mapping[str, Node]) -> None:
        pickers = [n for n in nodes.values() if n.kind == "municipality"]
        if not pickers:
            return
        for code in self.municipality_codes:
            missing = self.messages.missing_in(f"municipality-{code}")
            if missing:
                self.error(
                    ("nodes", pickers[0].id),
                    f"the picker offers municipality {code}, but municipality-{code} has no "
                    f"name in {'/'.join(missing)}",
                )


# -------------------------------------------------------------------- graph helpers


def _route_paths(node: Node) -> list[tuple[PathKey, str]]:
    """Each route target of ``node`` with the YAML path of its ``goto``."""
    base: PathKey = ("nodes", node.id)
    found: list[tuple[PathKey, str]] = []

    def add(prefix: PathKey, routes: Sequence[Route]) -> None:
        if len(routes) == 1 and routes[0].when is None:
            found.append(((*prefix, "next"), routes[0].goto))
            return
        for i, route in enumerate(routes):
            found.append(((*prefix, "next", i, "goto"), route.goto))

    add(base, node.routes)
    for index, choice in enumerate(node.choices):
        if choice.routes:
            prefix: PathKey = (
                (*base, choice.id) if node.kind == "yesno" else (*base, "choices", index)
            )
            add(prefix, choice.routes)
    return found


def _node_conditions(node: Node) -> list[tuple[PathKey, Condition]]:
    """Every leaf condition in the node's routes, with the path of its route's ``when``."""
    found: list[tuple[PathKey, Condition]] = []

    def walk(condition: Condition, path: PathKey) -> None:
        if isinstance(condition, AllOf | AnyOf):
            for part in condition.conditions:
                walk(part, path)
        elif isinstance(condition, Not):
            walk(condition.condition, path)
        else:
            found.append((path, condition))

    def routes(prefix: PathKey, items: Sequence[Route]) -> None:
        for i, route in enumerate(items):
            if route.when is not None:
                walk(route.when, (*prefix, "next", i, "when"))

    base: PathKey = ("nodes", node.id)
    routes(base, node.routes)
    for index, choice in enumerate(node.choices):
        routes(
            (*base, choice.id) if node.kind == "yesno" else (*base, "choices", index), choice.routes
        )
    return found


def _condition_owners(nodes: Mapping[str, Node]) -> dict[PathKey, str]:
    return {("nodes", node_id): node_id for node_id in nodes}


def _successors(node: Node, nodes: Mapping[str, Node]) -> list[str]:
    return [t for t in node.targets() if t in nodes]


def _reachable(start: str, nodes: Mapping[str, Node]) -> set[str]:
    seen = {start}
    todo = [start]
    while todo:
        for target in _successors(nodes[todo.pop()], nodes):
            if target not in seen:
                seen.add(target)
                todo.append(target)
    return seen


def _reaching(goals: set[str], nodes: Mapping[str, Node]) -> set[str]:
    """Nodes from which some node of ``goals`` can be reached (goals included)."""
    predecessors: dict[str, set[str]] = {n: set() for n in nodes}
    for node_id, node in nodes.items():
        for target in _successors(node, nodes):
            predecessors[target].add(node_id)
    seen = set(goals)
    todo = list(goals)
    while todo:
        for source in predecessors[todo.pop()]:
            if source not in seen:
                seen.add(source)
                todo.append(source)
    return seen


def _before(node_id: str, nodes: Mapping[str, Node]) -> set[str]:
    """Nodes that can have been answered when ``node_id`` routes: itself and its ancestors."""
    return _reaching({node_id}, nodes)


def _questions_ahead(nodes: Mapping[str, Node]) -> dict[str, Ahead | None]:
    """For each node, the fewest and the most questions from it (itself included) to an end
    over every route, whatever the conditions say; None where a loop can be reached, since a
    family may go round it any number of times.

    Ignoring conditions only widens the range, so "most" is never an underestimate and an
    exact count is exact on every path the answers can take. Along any route the most never
    grows by more than the question just answered takes away, so the total shown never rises.
    """
    found: dict[str, Ahead | None] = {}
    on_path: set[str] = set()

    def visit(node_id: str) -> Ahead | None:
        if node_id in found:
            return found[node_id]
        if node_id in on_path:
            return None  # a loop: no bound
        on_path.add(node_id)
        node = nodes[node_id]
        ahead = [visit(t) for t in _successors(node, nodes)]
        on_path.discard(node_id)
        here = int(node.is_question)
        result: Ahead | None
        if any(a is None for a in ahead):
            result = None
        else:
            bounded = [a for a in ahead if a is not None]
            result = Ahead(
                here + min((a.fewest for a in bounded), default=0),
                here + max((a.most for a in bounded), default=0),
            )
        found[node_id] = result
        return result

    for node_id in nodes:
        visit(node_id)
    return found


# -------------------------------------------------------------------- public API


def _tree_files(directory: Path) -> list[Path]:
    return sorted([*directory.glob("*.yaml"), *directory.glob("*.yml")])


def _read_all(
    directory: Path,
    locales: Path | LocaleMessages,
    municipality_codes: Sequence[str] | None,
    required: Collection[str],
) -> tuple[dict[str, Tree], list[DataError]]:
    if isinstance(locales, Path):
        messages = _Messages(message_variables(locales))
        locales_name = _display(locales, locales)
    else:
        messages, locales_name = _Messages(locales), "locales"
    codes = default_municipalities() if municipality_codes is None else tuple(municipality_codes)
    errors: list[DataError] = []
    for msg_id, variables in ENGINE_MESSAGES.items():
        missing = messages.missing_in(msg_id)
        if missing:
            errors.append(
                DataError(
                    locales_name,
                    0,
                    msg_id,
                    f"the dialog engine needs this message, missing in {'/'.join(missing)}",
                )
            )
        elif not messages.variables(msg_id) <= variables:
            errors.append(
                DataError(
                    locales_name,
                    0,
                    msg_id,
                    "uses a variable the engine does not pass; it passes "
                    + (", ".join(f"${v}" for v in sorted(variables)) or "none"),
                )
            )
    trees: dict[str, Tree] = {}
    files = _tree_files(directory) if directory.is_dir() else []
    if not files:
        errors.append(
            DataError(_display(directory, directory), 0, "-", "no dialog trees (*.yaml) here")
        )
    for path in files:
        name = _display(path, directory)
        try:
            document = read_yaml(path, name)
        except DataFileError as exc:
            errors.extend(_name_duplicate_nodes(exc.errors))
            continue
        reader = _Reader(document, messages, codes)
        tree = reader.tree()
        errors.extend(reader.errors)
        if tree is None:
            continue
        if tree.id in trees:
            errors.append(
                document.error(
                    ("id",), f"duplicate tree id '{tree.id}', also in {trees[tree.id].file}"
                )
            )
            continue
        trees[tree.id] = tree
    for tree_id in required:
        # A tree that failed to load is already reported; say it is needed only otherwise.
        if tree_id not in trees and not errors:
            errors.append(
                DataError(
                    _display(directory, directory),
                    0,
                    "-",
                    f"the bot needs a tree with id '{tree_id}'",
                )
            )
    return trees, sorted(errors)


def _name_duplicate_nodes(errors: Iterable[DataError]) -> list[DataError]:
    """A duplicate key right under ``nodes`` is a duplicate node id: say so."""
    return [
        replace(e, reason="duplicate node id")
        if e.reason == "duplicate key" and e.path.count(".") == 1 and e.path.startswith("nodes.")
        else e
        for e in errors
    ]


def validate_dialogs(
    directory: Path,
    locales: Path | LocaleMessages,
    municipality_codes: Sequence[str] | None = None,
    required: Collection[str] = (),
) -> list[DataError]:
    """Every problem in the trees under ``directory`` (``*.yaml``), for ``valo-bot check``.

    ``locales`` is the locales root (``locales/``) or its messages already parsed with
    ``bot.i18n.message_variables``. ``municipality_codes`` are the picker's choices at run
    time (the catalogue's municipalities; default: South-East Finland); each needs a name in
    every locale. ``required`` are tree ids the bot cannot run without.
    """
    return _read_all(directory, locales, municipality_codes, required)[1]


def load_dialogs(
    directory: Path,
    locales: Path | LocaleMessages,
    municipality_codes: Sequence[str] | None = None,
    required: Collection[str] = (),
) -> dict[str, Tree]:
    """The trees under ``directory`` by id; raises :class:`DataFileError` with every error."""
    trees, errors = _read_all(directory, locales, municipality_codes, required)
    if errors:
        raise DataFileError(errors)
    return trees
