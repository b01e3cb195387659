"""Fluent bundles per locale, locale choice, and formatting helpers (dates, numbers).

Locales are validated with fluent.syntax before fluent.runtime sees them, because
fluent.runtime silently drops broken or duplicate messages and returns fallbacks for missing
variables. A broken locale is refused at load time with ``file:line: id: reason``.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from babel import Locale as BabelLocale
from babel import dates as babel_dates
from babel import lists as babel_lists
from babel import numbers as babel_numbers
from fluent.runtime import FluentBundle, FluentResource
from fluent.syntax import FluentParser, ast
from fluent.syntax.visitor import Visitor

from bot.bidi import isolate_ltr
from bot.config import SUPPORTED_LOCALES, Locale
from bot.data_errors import DataError, DataFileError
from bot.yaml_source import read_yaml

log = logging.getLogger(__name__)

# Right-to-left locales: texts there should start with a right-to-left word, and every
# left-to-right run in them is isolated (bot.bidi) when a message is formatted.
RTL_LOCALES = frozenset({"ar"})

# The CLDR list styles every supported locale has in Babel: "standard" ("a, b and c") and
# "or" ("a, b or c"). (Babel 2.19 has no "unit" pattern for Finnish.)
ListStyle = Literal["standard", "or"]

# Babel patterns for "weekday day.month. time" per locale, e.g. Finnish "ti 24.11. klo 18.00".
_DATETIME_PATTERNS: dict[str, str] = {
    "fi": "EEE d.M. 'klo' H.mm",
    "en": "EEE d MMM, HH:mm",
    "ar": "EEEE d/M، HH:mm",
}
_DATE_PATTERNS: dict[str, str] = {"fi": "EEE d.M.", "en": "EEE d MMM", "ar": "EEEE d/M"}
_TIME_PATTERNS: dict[str, str] = {"fi": "H.mm", "en": "HH:mm", "ar": "HH:mm"}
_BABEL_LOCALES: dict[str, str] = {"en": "en_GB"}


def locale_from_language_code(language_code: str | None) -> Locale | None:
    """Map a Telegram ``language_code`` (IETF tag such as ``ar-EG``) to a supported locale."""
    if not language_code:
        return None
    primary = language_code.replace("_", "-").split("-", 1)[0].lower()
    for locale in SUPPORTED_LOCALES:
        if primary == locale:
            return locale
    return None


@dataclass(frozen=True)
class _Entry:
    """One message or term as parsed, with where it stands."""

    file: str
    line: int
    variables: frozenset[str]
    references: frozenset[str]
    words: str = ""  # the message's own text, variables left out (for button widths)


class _ReferenceCollector(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.variables: set[str] = set()
        self.references: set[str] = set()

    def visit_VariableReference(self, node: ast.VariableReference) -> None:
        self.variables.add(node.id.name)

    def visit_MessageReference(self, node: ast.MessageReference) -> None:
        self.references.add(node.id.name)

    def visit_TermReference(self, node: ast.TermReference) -> None:
        self.references.add("-" + node.id.name)
        # Arguments passed to a term are its own scope; still walk them for our variables.
        self.generic_visit(node)


_LEADING_ID = re.compile(r"\s*(-?[A-Za-z][\w-]*)")


def _line_of(source: str, offset: int) -> int:
    return source.count("\n", 0, offset) + 1


def _display(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root.parent)) if root.parent != Path() else str(path)
    except ValueError:
        return str(path)


@dataclass
class _ParsedLocales:
    entries: dict[str, dict[str, _Entry]] = field(default_factory=dict)  # locale -> id -> entry
    sources: dict[str, list[str]] = field(default_factory=dict)  # locale -> ftl sources
    errors: list[DataError] = field(default_factory=list)


# Parsing is the dearest part of loading the texts (over half a second for the three locales,
# and every load parses them twice: checked, then for fluent.runtime). The trees are kept per
# file content, so loading the same texts again (`valo-bot demo --watch` after an edit, each
# app a test process builds) parses only what changed. Nothing changes a tree once parsed:
# the checks below only read it, and FluentBundle compiles its messages into its own objects.
@lru_cache(maxsize=256)
def _checked_tree(source: str) -> ast.Resource:
    """``source`` parsed with positions, for the checks and their ``file:line`` errors."""
    return FluentParser(with_spans=True).parse(source)


@lru_cache(maxsize=256)
def _runtime_tree(source: str) -> ast.Resource:
    """``source`` parsed as fluent.runtime reads it (FluentResource: no positions)."""
    return FluentResource(source)


def _parse_locales(root: Path) -> _ParsedLocales:
    parsed = _ParsedLocales()
    for locale in SUPPORTED_LOCALES:
        directory = root / locale
        parsed.entries[locale] = {}
        parsed.sources[locale] = []
        files = sorted(directory.glob("*.ftl")) if directory.is_dir() else []
        if not files:
            parsed.errors.append(
                DataError(_display(directory, root), 0, locale, "no .ftl files for this locale")
            )
            continue
        for path in files:
            name = _display(path, root)
            try:
                source = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                parsed.errors.append(DataError(name, 0, "-", f"cannot read: {exc}"))
                continue
            parsed.sources[locale].append(source)
            resource = _checked_tree(source)
            for item in resource.body:
                if isinstance(item, ast.Junk):
                    line = _line_of(source, item.span.start) if item.span else 0
                    reason = "; ".join(a.message or "" for a in item.annotations) or "syntax error"
                    ident_match = _LEADING_ID.match(item.content or "")
                    where = ident_match.group(1) if ident_match else "(syntax)"
                    parsed.errors.append(DataError(name, line, where, reason))
                    continue
                if not isinstance(item, ast.Message | ast.Term):
                    continue
                ident = ("-" if isinstance(item, ast.Term) else "") + item.id.name
                line = _line_of(source, item.span.start) if item.span else 0
                if ident in parsed.entries[locale]:
                    first = parsed.entries[locale][ident]
                    parsed.errors.append(
                        DataError(
                            name,
                            line,
                            ident,
                            f"duplicate id, first at {first.file}:{first.line}",
                        )
                    )
                    continue
                collector = _ReferenceCollector()
                collector.visit(item)
                parsed.entries[locale][ident] = _Entry(
                    name,
                    line,
                    frozenset(collector.variables),
                    frozenset(collector.references),
                    _own_words(item.value) if item.value is not None else "",
                )
    return parsed


def _cross_check(parsed: _ParsedLocales) -> list[DataError]:
    errors: list[DataError] = []
    locales = [loc for loc in SUPPORTED_LOCALES if parsed.entries.get(loc)]
    all_ids = sorted({i for loc in locales for i in parsed.entries[loc]})
    for ident in all_ids:
        present = [loc for loc in locales if ident in parsed.entries[loc]]
        missing = [loc for loc in locales if loc not in present]
        if missing:
            where = parsed.entries[present[0]][ident]
            errors.append(
                DataError(where.file, where.line, ident, f"missing in {'/'.join(missing)}")
            )
        for loc in present:
            entry = parsed.entries[loc][ident]
            for ref in sorted(entry.references):
                if ref not in parsed.entries[loc]:
                    errors.append(
                        DataError(entry.file, entry.line, ident, f"refers to unknown {ref}")
                    )
            others = [o for o in present if o != loc]
            for var in sorted(entry.variables):
                lacking = [o for o in others if var not in parsed.entries[o][ident].variables]
                if lacking:
                    errors.append(
                        DataError(
                            entry.file,
                            entry.line,
                            ident,
                            f"uses ${var}, {'/'.join(lacking)} "
                            f"{'does' if len(lacking) == 1 else 'do'} not",
                        )
                    )
    return errors


def validate_locales(root: Path) -> list[DataError]:
    """Check every locale under ``root`` (``root/<locale>/*.ftl``) without loading it, and
    the width of every button text ``root/buttons.yaml`` lists."""
    parsed = _parse_locales(root)
    return sorted(parsed.errors + _cross_check(parsed) + _check_buttons(root, parsed))


# ------------------------------------------------------------------ buttons

BUTTONS_FILE = "buttons.yaml"
# Characters that take no room of their own: variation selectors and the zero-width joiner
# (they shape an emoji), and bidi marks.
_ZERO_WIDTH = frozenset("\ufe0e\ufe0f\u200d\u200e\u200f\u2066\u2067\u2068\u2069")
_EMOJI_STYLE = "\ufe0f"  # after a symbol such as ⬅ or ✖: draw it as a (wide) emoji


def text_width(text: str) -> int:
    """How wide ``text`` is on a button, in characters as a reader counts them: combining
    marks (Arabic vowel signs, shadda) and joiners take no room; an emoji or another wide
    character counts as two, since it is about two letters wide on a phone."""
    width = 0
    for index, char in enumerate(text):
        if char in _ZERO_WIDTH or unicodedata.combining(char):
            continue
        wide = (
            unicodedata.east_asian_width(char) == "W" or text[index + 1 : index + 2] == _EMOJI_STYLE
        )
        width += 2 if wide else 1
    return width


def _own_words(pattern: ast.Pattern) -> str:
    """``pattern``'s text with variables and references left out; a select expression
    contributes its longest variant."""
    parts: list[str] = []
    for element in pattern.elements:
        if isinstance(element, ast.TextElement):
            parts.append(element.value)
            continue
        expression = element.expression
        if isinstance(expression, ast.StringLiteral | ast.NumberLiteral):
            parts.append(expression.value)
        elif isinstance(expression, ast.SelectExpression):
            variants = [_own_words(v.value) for v in expression.variants]
            parts.append(max(variants, key=text_width, default=""))
    return "".join(parts).strip()


@dataclass(frozen=True)
class ButtonLayout:
    """A message shown as a button: at most ``per_row`` buttons share its row, and
    ``reserve`` characters of the button are taken by what the code adds (a check mark)."""

    per_row: int
    reserve: int = 0
    line: int = 0  # in buttons.yaml


def read_button_layouts(root: Path) -> tuple[dict[int, int], dict[str, ButtonLayout]]:
    """``root/buttons.yaml``: the width limit per layout (buttons per row) and the layout of
    each message id shown on a button (``prefix-*`` for a family of ids). Raises
    DataFileError; a locales directory without the file has no buttons to check."""
    path = root / BUTTONS_FILE
    if not path.is_file():
        return {}, {}
    document = read_yaml(path, _display(path, root))
    data = document.data if isinstance(document.data, dict) else {}
    errors: list[DataError] = []
    limits: dict[int, int] = {}
    raw_limits = data.get("limits")
    if not isinstance(raw_limits, dict) or not raw_limits:
        errors.append(document.error(("limits",), "a map of buttons per row to a width"))
        raw_limits = {}
    for key, value in raw_limits.items():
        if not (str(key).isdigit() and str(value).isdigit() and int(key) > 0 and int(value) > 0):
            errors.append(document.error(("limits", key), "positive whole numbers expected"))
            continue
        limits[int(key)] = int(value)
    layouts: dict[str, ButtonLayout] = {}
    raw_buttons = data.get("buttons")
    if not isinstance(raw_buttons, dict) or not raw_buttons:
        errors.append(document.error(("buttons",), "a map of message ids to their layout"))
        raw_buttons = {}
    for ident, value in raw_buttons.items():
        spec = value if isinstance(value, dict) else {"per_row": value}
        per_row, reserve = str(spec.get("per_row", "")), str(spec.get("reserve", "0"))
        if set(spec) - {"per_row", "reserve"} or not (per_row.isdigit() and reserve.isdigit()):
            errors.append(
                document.error(("buttons", ident), "buttons per row, or {per_row: N, reserve: N}")
            )
        elif int(per_row) not in limits:
            errors.append(document.error(("buttons", ident), f"no limit for {per_row} per row"))
        else:
            line = document.line_of(("buttons", ident))
            layouts[str(ident)] = ButtonLayout(int(per_row), int(reserve), line)
    if errors:
        raise DataFileError(errors)
    return limits, layouts


def _button_ids(pattern: str, ids: list[str]) -> list[str]:
    if pattern.endswith("*"):
        return [i for i in ids if i.startswith(pattern[:-1])]
    return [pattern] if pattern in ids else []


def _check_buttons(root: Path, parsed: _ParsedLocales) -> list[DataError]:
    try:
        limits, layouts = read_button_layouts(root)
    except DataFileError as exc:
        return exc.errors
    errors: list[DataError] = []
    for pattern, layout in layouts.items():
        limit = limits[layout.per_row]
        found = False
        for locale in SUPPORTED_LOCALES:
            entries = parsed.entries.get(locale, {})
            for ident in _button_ids(pattern, sorted(entries)):
                found = True
                entry = entries[ident]
                width = text_width(entry.words) + layout.reserve
                if width > limit:
                    reason = (
                        f"button text is {width} characters; the limit for this layout is {limit}"
                    )
                    errors.append(DataError(entry.file, entry.line, ident, reason))
        if not found:
            path = root / BUTTONS_FILE
            errors.append(
                DataError(
                    _display(path, root), layout.line, pattern, "no such message in any locale"
                )
            )
    return errors


def message_variables(root: Path) -> dict[Locale, dict[str, frozenset[str]]]:
    """Every message id per locale under ``root``, with the variables it uses.

    For data files that name messages by id (dialog trees): they check that an id exists in
    every locale and needs no variable the caller will not pass. Terms are left out, since
    data files cannot show them. Broken files are skipped here; ``validate_locales`` reports
    them.
    """
    parsed = _parse_locales(root)
    return {
        locale: {
            ident: entry.variables
            for ident, entry in parsed.entries.get(locale, {}).items()
            if not ident.startswith("-")
        }
        for locale in SUPPORTED_LOCALES
    }


_CACHED_ARGUMENTS = (str, int)
_FORMATTED_KEPT = 4096  # formatted messages kept per locale


class Translator:
    """Formats messages and values for one locale."""

    def __init__(self, locale: Locale, bundle: FluentBundle, tz: tzinfo, *, strict: bool) -> None:
        self.locale: Locale = locale
        self._bundle = bundle
        self._tz = tz
        self._strict = strict
        # Formatted messages by id and arguments: the bundle never changes, so the same
        # arguments make the same text (e.g. "Question 2 of 5" on each dialog step: 20-70 us).
        self._formatted: dict[Hashable, str] = {}
        # Parsed once: Babel parses a locale given by name on every call (4x slower lists).
        # English is written British (locales/STYLE.md): no serial comma in lists.
        self._babel = BabelLocale.parse(_BABEL_LOCALES.get(locale, locale))

    @property
    def rtl(self) -> bool:
        return self.locale in RTL_LOCALES

    def has(self, msg_id: str) -> bool:
        return self._bundle.has_message(msg_id.split(".", 1)[0])

    def __call__(self, msg_id: str, /, **args: Any) -> str:
        """Render ``msg-id`` or ``msg-id.attribute`` with Fluent arguments.

        In a right-to-left locale every left-to-right run of the result (a phone number, a
        URL, a command, a Latin name, in the message or in an argument) is isolated.
        """
        key: Hashable | None = msg_id
        if args:  # texts and numbers; dates and the like are formatted every time
            cached = all(type(value) in _CACHED_ARGUMENTS for value in args.values())
            key = (msg_id, *args.items()) if cached else None
        if key is not None and (known := self._formatted.get(key)) is not None:
            return known
        ident, _, attribute = msg_id.partition(".")
        message = self._bundle.get_message(ident)
        pattern = message.attributes[attribute] if attribute else message.value
        if pattern is None:
            raise KeyError(f"{self.locale}:{msg_id} has no value")
        formatted, errors = self._bundle.format_pattern(pattern, args)
        text = self.isolate(str(formatted))
        if errors:
            if self._strict:
                raise ValueError(f"{self.locale}:{msg_id}: {errors}")
            log.warning("fluent errors in %s:%s: %s", self.locale, msg_id, errors)
        elif key is not None:
            if len(self._formatted) >= _FORMATTED_KEPT:
                self._formatted.clear()  # bounded: names and counts could vary without end
            self._formatted[key] = text
        return text

    def isolate(self, text: str) -> str:
        """``text`` made safe to show in this locale: in a right-to-left locale its
        left-to-right runs are isolated (bot.bidi); other locales get it unchanged. For text
        that does not come through a message: catalogue texts, what staff typed."""
        return isolate_ltr(text) if self.rtl else text

    def format_list(self, items: Sequence[str], style: ListStyle = "standard") -> str:
        """``items`` joined as this locale joins a list (CLDR through Babel): Finnish
        "a, b ja c", English "a, b and c", Arabic "a وb وc" (never a Latin comma)."""
        return self.isolate(babel_lists.format_list(list(items), style=style, locale=self._babel))

    def format_datetime(self, value: datetime) -> str:
        """Weekday, date and time in TIMEZONE, e.g. Finnish "ti 24.11. klo 18.00"."""
        return babel_dates.format_datetime(
            value.astimezone(self._tz), _DATETIME_PATTERNS[self.locale], locale=self.locale
        )

    def format_date(self, value: datetime) -> str:
        return babel_dates.format_datetime(
            value.astimezone(self._tz), _DATE_PATTERNS[self.locale], locale=self.locale
        )

    def format_clock(self, hhmm: str) -> str:
        """A catalogue clock time ("08:00", as the schema stores it) written as this locale
        writes times elsewhere: Finnish "8.00", English and Arabic "08:00"."""
        hour, _, minute = hhmm.partition(":")
        return f"{int(hour)}.{minute}" if self.locale == "fi" else f"{int(hour):02d}:{minute}"

    def format_time(self, value: datetime) -> str:
        return babel_dates.format_datetime(
            value.astimezone(self._tz), _TIME_PATTERNS[self.locale], locale=self.locale
        )

    def format_number(self, value: float) -> str:
        return babel_numbers.format_decimal(value, locale=self.locale)


class I18n:
    """All locales, validated and loaded once at start-up."""

    def __init__(self, bundles: Mapping[Locale, FluentBundle], tz: tzinfo, *, strict: bool) -> None:
        self._translators = {
            loc: Translator(loc, bundle, tz, strict=strict) for loc, bundle in bundles.items()
        }

    @classmethod
    def load(cls, root: Path, tz: tzinfo, *, strict: bool = False) -> I18n:
        """Validate and load ``root``; raise :class:`DataFileError` with every problem found."""
        parsed = _parse_locales(root)
        errors = parsed.errors + _cross_check(parsed) + _check_buttons(root, parsed)
        if errors:
            raise DataFileError(errors)
        bundles: dict[Locale, FluentBundle] = {}
        for locale in SUPPORTED_LOCALES:
            bundle = FluentBundle([locale], use_isolating=False)
            for source in parsed.sources[locale]:
                bundle.add_resource(_runtime_tree(source))
            bundles[locale] = bundle
        return cls(bundles, tz, strict=strict)

    def adopt(self, other: I18n) -> None:
        """Take ``other``'s texts in place (``valo-bot demo --watch``): the middlewares, the
        worker and the handlers all hold this object, so each sees the new texts at once."""
        self._translators = dict(other._translators)

    @property
    def locales(self) -> tuple[Locale, ...]:
        return tuple(self._translators)

    def __getitem__(self, locale: Locale) -> Translator:
        return self._translators[locale]

    def each(self, msg_id: str, **args: Any) -> dict[Locale, str]:
        """The message rendered in every locale (command lists, language buttons)."""
        return {loc: t(msg_id, **args) for loc, t in self._translators.items()}
