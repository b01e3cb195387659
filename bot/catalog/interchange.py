"""Rules shared by the PTV and HSDS importers, so both treat foreign data the same way.

- Texts: our entries need fi, en and ar. A missing locale falls back (fi <- en, sv; en <- fi,
  sv; ar <- en, fi, sv) and is listed in ``Service.untranslated``, so cards and staff can tell
  a real translation from a stand-in.
- Texts longer than the schema allows are cut at a sentence end and marked with an ellipsis;
  the importer warns, because a card cannot show them whole anyway.
- Need tags come from PTV service classes through ``vocab.NEED_TAGS`` (exact codes only: a
  main class such as ``P19`` does not pull in its subclasses, or "national defence" would be a
  crisis service).
- Problems are ``DataError``s (the import fails); records we deliberately leave out are
  warnings in the same ``file:line: path: reason`` shape (``Issues.leave_out``, which also
  counts them for the import's summary line).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from pydantic import ValidationError

from bot.catalog import rules, vocab
from bot.catalog.schema import Locale, Organization, Service, Text
from bot.data_errors import DataError
from bot.json_source import JsonDocument
from bot.yaml_source import format_path

LOCALES: tuple[Locale, ...] = ("fi", "en", "ar")
TEXT_LIMIT = 1200  # the schema's NonEmpty max_length
_FALLBACKS: dict[Locale, tuple[str, ...]] = {
    "fi": ("fi", "en", "sv"),
    "en": ("en", "fi", "sv"),
    "ar": ("ar", "en", "fi", "sv"),
}
_UUID = re.compile(r"^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")


@dataclass(frozen=True)
class LocalizedText:
    """A text for every locale, the locales that are stand-ins, and whether it was cut."""

    text: Text
    fallbacks: frozenset[Locale]
    shortened: bool


def localized(values: Mapping[str, str | None]) -> LocalizedText | None:
    """Language code -> text (blank ones ignored) as a ``Text``; None when all are blank."""
    given = {
        lang.lower(): value.strip() for lang, value in values.items() if value and value.strip()
    }
    if not given:
        return None
    chosen: dict[str, str] = {}
    fallbacks: set[Locale] = set()
    for locale, order in _FALLBACKS.items():
        source = next((lang for lang in order if lang in given), None)
        if source is None:  # only other languages (e.g. Sami): better than nothing
            source = next(iter(given))
        chosen[locale] = given[source]
        if source != locale:
            fallbacks.add(locale)
    shortened = any(len(v) > TEXT_LIMIT for v in chosen.values())
    text = Text(**{locale: fit_text(value) for locale, value in chosen.items()})
    return LocalizedText(text, frozenset(fallbacks), shortened)


def fit_text(value: str, limit: int = TEXT_LIMIT) -> str:
    """``value`` cut to ``limit`` characters at the last sentence end that fits, plus "…"."""
    value = value.strip()
    if len(value) <= limit:
        return value
    head = value[: limit - 1]
    ends = [m.start() for m in _SENTENCE_END.finditer(head)]
    cut = ends[-1] if ends and ends[-1] > limit // 2 else head.rfind(" ")
    return head[: cut if cut > 0 else limit - 1].rstrip() + "…"


def untranslated(fallbacks: Iterable[Locale]) -> list[Locale]:
    """The locales in ``fallbacks`` in our fixed locale order."""
    found = set(fallbacks)
    return [locale for locale in LOCALES if locale in found]


def needs_for_classes(service_classes: Iterable[str]) -> list[str]:
    """The need tags whose PTV classes include one of ``service_classes``, in tag order."""
    wanted = set(service_classes)
    return [tag for tag, codes in vocab.NEED_TAGS.items() if wanted.intersection(codes)]


def check_need_tags(tags: Sequence[str]) -> list[str]:
    """``tags`` when every one is a known need tag; ValueError naming the unknown ones."""
    unknown = [tag for tag in tags if tag not in vocab.NEED_TAGS]
    if unknown:
        raise ValueError(f"unknown need tag(s): {', '.join(unknown)}")
    return list(tags)


def short_id(prefix: str, raw: str, limit: int = 40) -> str | None:
    """A stable id of ours for a foreign id: ``<prefix>-<first 8 hex>`` for UUIDs, else a
    slug of it; None when nothing usable is left."""
    value = raw.strip().lower()
    if _UUID.match(value):
        return f"{prefix}-{value.replace('-', '')[:8]}"
    slug = re.sub(r"[^a-z0-9]+", "-", value).strip("-")
    if not slug:
        return None
    return f"{prefix}-{slug}"[:limit].rstrip("-")


def is_uuid(value: object) -> bool:
    """Whether ``value`` is a UUID string (any case, dashes optional)."""
    return isinstance(value, str) and bool(_UUID.match(value.strip().lower()))


@dataclass
class Issues:
    """Errors and warnings collected while importing, each pointing into a document."""

    errors: list[DataError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    left_out: int = 0  # records deliberately not imported, each with a warning saying why

    def error(self, document: JsonDocument, path: Sequence[str | int], reason: str) -> None:
        self.errors.append(document.error(path, reason))

    def warn(self, document: JsonDocument, path: Sequence[str | int], reason: str) -> None:
        self.warnings.append(str(document.error(path, reason)))

    def leave_out(
        self, document: JsonDocument, path: Sequence[str | int], label: str, reason: str
    ) -> None:
        """A record we do not import, and why: a warning, and counted for the summary."""
        self.left_out += 1
        self.warn(document, path, f"{label} skipped: {reason}")

    def rule_problems(
        self,
        document: JsonDocument,
        path: Sequence[str | int],
        service: Service,
        organization: Organization | None,
        today: date,
    ) -> bool:
        """The catalogue's per-card rules (``rules.service_problems``) for an entry built
        from the record at ``path``: errors, with the card's field in the reason. Staleness is
        left to the whole catalogue's check. True when the entry breaks none."""
        ok = True
        for problem in rules.service_problems(service, organization, today):
            if problem.severity == "warning":
                continue
            reason = f"{format_path(problem.path)}: {problem.reason}"
            if rules.is_known_violation(service.id, problem):
                self.warn(document, path, f"{reason} (known, being fixed: issue 20)")
            else:
                self.error(document, path, reason)
                ok = False
        return ok

    def model_errors(
        self, document: JsonDocument, path: Sequence[str | int], exc: ValidationError
    ) -> None:
        """A schema refusal of an entry we built: the record's path, the field in the reason."""
        for error in exc.errors(include_url=False):
            where = ".".join(str(p) for p in error["loc"] if isinstance(p, str | int))
            reason = str(error["msg"]).removeprefix("Value error, ")
            self.error(document, path, f"{where}: {reason}" if where else reason)
