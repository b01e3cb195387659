"""The curated layer over PTV-synced services (``services_catalog/overlays/*.yaml``).

PTV (the Suomi.fi service catalogue) is the truth for a service's facts; what only Valo has is
kept in overlay files keyed by the full PTV service id and merged into each synced service
before it is imported (``OverlayCuration.apply``, called by the PTV sync through its
``Curation`` protocol). The format is in ``services_catalog/overlays/README.md``.

Merge rules:
- ``needs`` replaces the need tags derived from PTV's service classes (list them all).
- ``family: hide`` leaves the service out of the catalogue (PTV lists it, families need not).
- ``name``/``summary``/``description`` give texts per locale (``ar``, ``en``, and ``fi`` for a
  plain-language Finnish one); each replaces PTV's text in that locale only. A locale leaves
  the service's ``untranslated`` list when the overlay gives it for every text the card has
  (name, summary and its description), so a card half in Finnish keeps its notice.
- ``notes`` become the card's internal ``notes`` (the schema's name: for staff and editors,
  never shown to families).
- ``events`` are added to the service's events, the same records as in the YAML catalogue
  (their ``location`` names one of the synced service's locations, ``ptv-<8 hex>``).
- PTV's facts (phones, hours, addresses, ways in, areas, sources) are never overridden.
- A merged card must still pass the schema and the catalogue's rules (``rules.py``); when it
  does not, the entry is reported and the PTV version is used without it, so one broken
  entry cannot block a sync.
- ``reviewed_against``: the date of the PTV version (its ``modified`` date, the suomi.fi
  source's ``updated``) the curated texts were written or last checked against; required with
  texts. ``valo-bot check`` warns when the catalogue holds a newer PTV version.

``record_changes`` marks curated texts for review when PTV changes what they depend on
(``bot/catalog/reviews.py``).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError, field_validator, model_validator
from sqlalchemy.ext.asyncio import AsyncSession

from bot.catalog import reviews, rules, vocab
from bot.catalog.interchange import LOCALES, localized
from bot.catalog.schema import (
    PTV_ID_PATTERN,
    Event,
    Locale,
    NonEmpty,
    PageDate,
    Service,
    Strict,
    Text,
    _known,
    page_date_start,
)
from bot.data_errors import DataError, DataFileError
from bot.yaml_source import YamlDocument, format_path, parse_model, read_yaml

log = logging.getLogger(__name__)

OVERLAYS_DIR = "overlays"
PTV_ID = re.compile(PTV_ID_PATTERN)
_REGISTER_URL = re.compile(r"^https://www\.suomi\.fi/palvelut/palvelu/([0-9a-f-]{36})$")
TEXT_FIELDS: tuple[Literal["name", "summary", "description"], ...] = (
    "name",
    "summary",
    "description",
)


class CuratedText(Strict):
    """A curated text in the locales it is given in (at least one)."""

    fi: NonEmpty | None = None  # a plain-language Finnish text instead of PTV's
    en: NonEmpty | None = None
    ar: NonEmpty | None = None

    @model_validator(mode="after")
    def _some_locale(self) -> CuratedText:
        if not self.given():
            raise ValueError("give the text in at least one of fi, en, ar")
        return self

    def given(self) -> dict[Locale, str]:
        return {loc: v for loc in LOCALES if (v := getattr(self, loc)) is not None}


class OverlayEntry(Strict):
    """What Valo adds to one PTV service."""

    needs: list[str] | None = Field(default=None, min_length=1)
    family: Literal["show", "hide"] = "show"
    name: CuratedText | None = None
    summary: CuratedText | None = None
    description: CuratedText | None = None
    notes: NonEmpty | None = None
    events: list[Event] = Field(default_factory=list)
    reviewed_against: PageDate | None = None

    @field_validator("needs")
    @classmethod
    def _known_needs(cls, values: list[str] | None) -> list[str] | None:
        return None if values is None else _known(values, vocab.NEED_TAGS, "need tag(s)")

    @model_validator(mode="after")
    def _texts_say_their_basis(self) -> OverlayEntry:
        if self.has_texts and self.reviewed_against is None:
            raise ValueError(
                "curated texts need reviewed_against: the date of the PTV version they were "
                "checked against (its modified date on suomi.fi)"
            )
        return self

    @property
    def has_texts(self) -> bool:
        return any(getattr(self, f) is not None for f in TEXT_FIELDS)

    def overrides(self, locale: Locale) -> set[str]:
        """The text fields whose ``locale`` text this entry replaces."""
        return {
            f for f in TEXT_FIELDS if (t := getattr(self, f)) is not None and locale in t.given()
        }


class OverlayFile(Strict):
    """One overlay file: entries keyed by the full PTV service id (lower-case UUID)."""

    services: dict[str, OverlayEntry] = Field(default_factory=dict)


@dataclass(frozen=True)
class PlacedEntry:
    """An overlay entry and where it is written, for ``file:line: path`` messages."""

    ptv_id: str
    entry: OverlayEntry
    document: YamlDocument | None = None

    def where(self, *more: str | int) -> tuple[str, int, str]:
        path: tuple[str | int, ...] = ("services", self.ptv_id, *more)
        if self.document is None:
            return "overlay", 0, format_path(path)
        return self.document.file, self.document.line_of(path), format_path(path)

    def message(self, reason: str, *more: str | int) -> str:
        file, line, path = self.where(*more)
        return f"{file}:{line}: {path}: {reason}"


@dataclass(frozen=True)
class Overlays:
    """Every overlay entry, by PTV service id."""

    entries: dict[str, PlacedEntry] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.entries)

    def documents(self) -> list[YamlDocument]:
        """The files the entries were read from, each once, in file order."""
        found = {p.document.file: p.document for p in self.entries.values() if p.document}
        return [found[name] for name in sorted(found)]


def overlays_path(catalog_path: Path) -> Path:
    """Where a catalogue's overlays live: ``<CATALOG_PATH>/overlays``."""
    return catalog_path / OVERLAYS_DIR


def load_overlays(directory: Path, display: Callable[[Path], str] = str) -> Overlays:
    """Read every ``*.yaml`` of ``directory`` (none, or no directory: no overlays); raise
    DataFileError with every problem (``file:line: path: reason``)."""
    if not directory.is_dir():
        return Overlays()
    errors: list[DataError] = []
    entries: dict[str, PlacedEntry] = {}
    event_ids: dict[str, str] = {}
    for path in sorted(p for p in directory.iterdir() if p.suffix in {".yaml", ".yml"}):
        try:
            document = read_yaml(path, display(path))
            parsed = parse_model(document, OverlayFile)
        except DataFileError as exc:
            errors.extend(exc.errors)
            continue
        for ptv_id, entry in parsed.services.items():
            placed = PlacedEntry(ptv_id, entry, document)
            if not PTV_ID.match(ptv_id):
                errors.append(
                    document.error(
                        ("services", ptv_id),
                        "not a PTV service id: write the full UUID in lower case "
                        "(0a1b2c3d-0000-4000-8000-000000000000)",
                    )
                )
                continue
            first = entries.get(ptv_id)
            if first is not None:
                file, line, _ = first.where()
                errors.append(document.error(("services", ptv_id), f"PTV id also in {file}:{line}"))
                continue
            for j, event in enumerate(entry.events):
                here = f"{document.file}:{document.line_of(('services', ptv_id, 'events', j))}"
                if event.id in event_ids:
                    errors.append(
                        document.error(
                            ("services", ptv_id, "events", j, "id"),
                            f"duplicate event id {event.id!r}, also in {event_ids[event.id]}",
                        )
                    )
                event_ids.setdefault(event.id, here)
            entries[ptv_id] = placed
    if errors:
        raise DataFileError(errors)
    return Overlays(entries)


def ptv_id_of(service: Service) -> str | None:
    """The full PTV id of a synced service: its ``ptv_id``, or (cards stored before it
    existed) the id in its suomi.fi register source."""
    if service.ptv_id is not None:
        return service.ptv_id
    for source in service.sources:
        match = _REGISTER_URL.match(source.url)
        if match and source.kind == "register":
            return match.group(1)
    return None


def merge(service: Service, entry: OverlayEntry) -> Service:
    """``service`` with ``entry`` on top (the module's rules); raises ValidationError when the
    result breaks the schema."""
    data: dict[str, Any] = service.model_dump()
    if entry.needs is not None:
        data["needs"] = list(entry.needs)
    stand_ins: set[Locale] = set()  # locales some text of the merged card is a stand-in in
    for name in TEXT_FIELDS:
        curated = getattr(entry, name)
        if curated is None:
            continue
        base: Text | None = getattr(service, name)
        given = curated.given()
        if base is None:  # PTV has none (often no description): the curated one, with the
            # importers' fallbacks for the locales it is not given in
            text = localized(dict(given))
            assert text is not None  # CuratedText has at least one locale
            data[name] = text.text.model_dump()
            stand_ins.update(text.fallbacks)
        else:
            data[name] = {**base.model_dump(), **given}
    has_description = data.get("description") is not None
    for locale in service.untranslated:
        covered = entry.overrides(locale)
        needed = {"name", "summary"} | ({"description"} if has_description else set())
        if not needed <= covered:
            stand_ins.add(locale)
    data["untranslated"] = [loc for loc in LOCALES if loc in stand_ins]
    if entry.notes is not None:
        data["notes"] = entry.notes if service.notes is None else f"{service.notes}\n{entry.notes}"
    if entry.events:
        data["events"] = [*data["events"], *(e.model_dump() for e in entry.events)]
    return Service.model_validate(data)


class OverlayCuration:
    """The curated layer as the PTV sync uses it (its ``Curation`` protocol): ``apply`` before
    the import, ``record_changes`` inside its write transaction."""

    def __init__(self, overlays: Overlays, today: Callable[[], date] = date.today) -> None:
        self.overlays = overlays
        self._today = today
        # Entries not applied, ``file:line: path: reason``, each once (a sync may call apply
        # once per organisation; the list is bounded by the overlay entries).
        self.problems: list[str] = []
        # Per service with curated texts, from the latest apply that saw it: PTV's own version
        # and the merged one (a card the import kept at its last good version is not compared).
        self._ptv: dict[str, Service] = {}
        self._merged: dict[str, Service] = {}

    @classmethod
    def for_catalog(cls, catalog_path: Path) -> OverlayCuration:
        """The curation of the catalogue at ``catalog_path`` (its ``overlays/``); raises
        DataFileError when an overlay file is broken."""
        return cls(load_overlays(overlays_path(catalog_path)))

    def entry_for(self, service: Service) -> PlacedEntry | None:
        ptv_id = ptv_id_of(service)
        return self.overlays.entries.get(ptv_id) if ptv_id is not None else None

    def apply(self, services: list[Service]) -> list[Service]:
        """The services with their overlay entries merged; hidden ones left out."""
        today = self._today()
        result: list[Service] = []
        for service in services:
            placed = self.entry_for(service)
            if placed is None:
                result.append(service)
                continue
            if placed.entry.family == "hide":
                continue
            merged = self._merged_or_report(service, placed, today)
            if merged is None:
                result.append(service)
                continue
            if placed.entry.has_texts:
                self._ptv[service.id], self._merged[service.id] = service, merged
            else:
                self._ptv.pop(service.id, None)
                self._merged.pop(service.id, None)
            result.append(merged)
        return result

    def _merged_or_report(
        self, service: Service, placed: PlacedEntry, today: date
    ) -> Service | None:
        try:
            merged = merge(service, placed.entry)
        except ValidationError as exc:
            for error in exc.errors(include_url=False):
                where = ".".join(str(p) for p in error["loc"])
                reason = str(error["msg"]).removeprefix("Value error, ")
                self._report(placed, f"{where}: {reason}" if where else reason, service)
            return None
        before = set(rules.service_problems(service, None, today))
        new = [
            p
            for p in rules.service_problems(merged, None, today)
            if p.severity == "error" and p not in before
        ]
        for problem in new:
            self._report(placed, f"{format_path(problem.path)}: {problem.reason}", service)
        return None if new else merged

    def _report(self, placed: PlacedEntry, reason: str, service: Service) -> None:
        message = placed.message(f"not applied, {service.id} keeps PTV's version: {reason}")
        if message not in self.problems:
            self.problems.append(message)
            log.warning("overlay: %s", message)

    async def record_changes(
        self,
        session: AsyncSession,
        before: dict[str, Service],
        after: dict[str, Service],
        now: datetime,
    ) -> None:
        """Mark curated texts for review where PTV changed a field they depend on."""
        current: dict[str, dict[str, str]] = {}
        stored: dict[str, dict[str, str]] = {}
        for service_id, new in after.items():
            ptv = self._ptv.get(service_id)
            if ptv is None or self._merged.get(service_id) != new:
                continue  # no curated texts, or the import kept the card's last good version
            current[service_id] = reviews.watched_values(ptv)
            old = before.get(service_id)
            placed = self.entry_for(new)
            if old is not None and placed is not None:
                # The stored card holds PTV's Finnish text except where the overlay gives fi.
                stored[service_id] = reviews.without(
                    reviews.watched_values(old), placed.entry.overrides("fi")
                )
        await reviews.note_changes(session, current, stored, now)


def stale_entries(overlays: Overlays, services: Iterable[Service]) -> list[str]:
    """Warnings, one line each: entries matching no service among ``services``, and entries
    whose texts were reviewed against an older PTV version than the one in the catalogue."""
    by_ptv = {pid: s for s in services if (pid := ptv_id_of(s)) is not None}
    found: list[str] = []
    for ptv_id, placed in sorted(overlays.entries.items()):
        service = by_ptv.get(ptv_id)
        if service is None:
            found.append(
                placed.message(
                    "no PTV service with this id in the catalogue (files and database): "
                    "remove the entry, or check the id"
                )
            )
            continue
        reviewed = placed.entry.reviewed_against
        modified = _register_updated(service)
        if (
            reviewed is not None
            and modified is not None
            and page_date_start(modified) > page_date_start(reviewed)
        ):
            found.append(
                placed.message(
                    f"PTV changed {service.id} on {modified}, after the curated texts were "
                    f"reviewed against {reviewed}: check them and update the date",
                    "reviewed_against",
                )
            )
    return found


def _register_updated(service: Service) -> str | None:
    return next((s.updated for s in service.sources if s.kind == "register" and s.updated), None)


def event_id_clashes(overlays: Overlays, file_services: Iterable[Service]) -> list[DataError]:
    """Overlay events whose id a catalogue file's event already has: event ids are unique
    across the whole catalogue (the database keys events by id)."""
    taken = {event.id: service.id for service in file_services for event in service.events}
    errors: list[DataError] = []
    for _, placed in sorted(overlays.entries.items()):
        for j, event in enumerate(placed.entry.events):
            if event.id in taken:
                file, line, path = placed.where("events", j, "id")
                reason = f"event id {event.id!r} is already used by {taken[event.id]}"
                errors.append(DataError(file, line, path, reason))
    return errors
