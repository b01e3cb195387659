"""Coverage of the core family services: which card serves each municipality for each service
type, or why none does (``services_catalog/coverage.yaml``, ``valo-bot catalog coverage``).

The service types are data: each says which cards count for it (PTV service classes, need
tags, ways in, organisations, or explicit card ids). A cell (municipality x type) is
``served`` by the cards that qualify and serve the municipality (local, regional or
nationwide, as the matcher sees them); else ``not-offered`` when the file says so with a
source and the nearest alternative card; else ``not-verified``: a gap nobody has checked,
where the county's advice line is the place to ask. ``valo-bot check`` warns about gaps.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, StringConstraints, field_validator, model_validator

from bot.catalog import vocab
from bot.catalog.cards import municipality_name
from bot.catalog.loader import COVERAGE_FILE
from bot.catalog.matching import REACH_ORDER, CatalogIndex, Reach, contact_lines
from bot.catalog.schema import Access, Id, ServiceId, Strict, Text, _known, _municipality
from bot.catalog.schema import Service as CatalogService
from bot.data_errors import DataError, DataFileError
from bot.i18n import Translator
from bot.yaml_source import YamlDocument, format_path, parse_model, read_yaml

Url = Annotated[str, StringConstraints(pattern=r"^https?://\S+$")]
Status = Literal["served", "not-offered", "not-verified"]


class Rule(Strict):
    """Cards that count for a type: each field given must hold (any of its values)."""

    # PTV service classes; a class below one of these counts too.
    classes: list[str] = Field(default_factory=list)
    needs: list[str] = Field(default_factory=list)
    access: list[Access] = Field(default_factory=list)
    organizations: list[Id] = Field(default_factory=list)
    reachable: bool = False  # has a phone to call or a chat link

    @field_validator("classes")
    @classmethod
    def _known_classes(cls, values: list[str]) -> list[str]:
        return _known(values, vocab.service_classes(), "PTV service class(es)")

    @field_validator("needs")
    @classmethod
    def _known_needs(cls, values: list[str]) -> list[str]:
        return _known(values, vocab.NEED_TAGS, "need tag(s)")

    @model_validator(mode="after")
    def _says_something(self) -> Rule:
        if not (self.classes or self.needs or self.access or self.organizations):
            raise ValueError("a rule needs classes, needs, access or organizations")
        return self

    def admits(self, service: CatalogService) -> bool:
        if self.classes and not any(
            own == code or own.startswith(code + ".")
            for own in service.service_classes
            for code in self.classes
        ):
            return False
        if self.needs and not set(self.needs) & set(service.needs):
            return False
        if self.access and not set(self.access) & set(service.access):
            return False
        if self.organizations and service.organization not in self.organizations:
            return False
        return not self.reachable or any(contact_lines(service)[:2])


class ServiceType(Strict):
    """A core service every municipality's families must find."""

    id: Id
    name: Text
    rules: list[Rule] = Field(default_factory=list)
    cards: list[ServiceId] = Field(default_factory=list)  # count whatever the rules say
    exclude: list[ServiceId] = Field(default_factory=list)  # admitted by rules, not this
    nationwide: bool = True  # False: a nationwide card does not fill this (a local duty)

    @model_validator(mode="after")
    def _has_a_way_in(self) -> ServiceType:
        if not (self.rules or self.cards):
            raise ValueError("a service type needs rules or cards")
        return self

    def admits(self, service: CatalogService) -> bool:
        if service.id in self.cards:
            return True
        if service.id in self.exclude or (service.nationwide and not self.nationwide):
            return False
        return any(rule.admits(service) for rule in self.rules)


class County(Strict):
    id: Id
    name: str = Field(min_length=1)
    municipalities: list[str] = Field(min_length=1)
    advice: ServiceId | None = None  # the advice line families can ask where a cell is a gap

    @field_validator("municipalities")
    @classmethod
    def _known_municipalities(cls, values: list[str]) -> list[str]:
        for code in values:
            _municipality(code)
        return values


class NotOffered(Strict):
    """A service a municipality does not offer, the source that says so, and where to go."""

    municipality: str
    type: Id
    source: Url
    alternative: ServiceId
    note: str | None = None  # internal, never shown to families

    _check_municipality = field_validator("municipality")(_municipality)


class CoverageFile(Strict):
    counties: list[County] = Field(min_length=1)
    types: list[ServiceType] = Field(min_length=1)
    not_offered: list[NotOffered] = Field(default_factory=list)


@dataclass(frozen=True)
class Coverage:
    """The coverage file, parsed, with its document for line numbers."""

    file: CoverageFile
    document: YamlDocument | None = None

    @property
    def municipalities(self) -> list[tuple[str, County]]:
        return [(code, county) for county in self.file.counties for code in county.municipalities]

    def line(self, *path: str | int) -> tuple[str, int]:
        if self.document is None:
            return COVERAGE_FILE, 0
        return self.document.file, self.document.line_of(path)

    def error(self, reason: str, *path: str | int) -> DataError:
        file, line = self.line(*path)
        return DataError(file, line, format_path(path), reason)


def read_coverage(path: Path, display: str | None = None) -> Coverage:
    """Parse and schema-check a coverage file, or raise DataFileError (``file:line: ...``)."""
    document = read_yaml(path, display)
    return Coverage(parse_model(document, CoverageFile), document)


def coverage_path(catalog_path: Path) -> Path | None:
    """The coverage file of a catalogue directory, if it has one."""
    path = catalog_path / COVERAGE_FILE
    return path if catalog_path.is_dir() and path.is_file() else None


@dataclass(frozen=True)
class CellCard:
    id: str
    reach: Reach


@dataclass(frozen=True)
class Cell:
    municipality: str
    type: str
    status: Status
    cards: tuple[CellCard, ...] = ()
    source: str | None = None  # not-offered: the page that says so
    alternative: str | None = None  # not-offered: the nearest card
    advice: str | None = None  # not-verified: the county's advice line card


def check_coverage(
    coverage: Coverage, services: Iterable[CatalogService]
) -> tuple[list[DataError], list[str]]:
    """Errors (unknown or duplicate ids and codes, cards that do not exist) and warnings
    (gaps, and "not offered" entries for cells a card now serves)."""
    known = {s.id: s for s in services}
    errors: list[DataError] = []
    data = coverage.file
    seen_types: set[str] = set()
    for i, kind in enumerate(data.types):
        if kind.id in seen_types:
            errors.append(coverage.error(f"duplicate type id {kind.id!r}", "types", i, "id"))
        seen_types.add(kind.id)
        for field_name in ("cards", "exclude"):
            for j, card in enumerate(getattr(kind, field_name)):
                if card not in known:
                    errors.append(
                        coverage.error(f"unknown card {card!r}", "types", i, field_name, j)
                    )
    seen_places: dict[str, str] = {}
    for i, county in enumerate(data.counties):
        for j, code in enumerate(county.municipalities):
            if code in seen_places:
                errors.append(
                    coverage.error(
                        f"municipality {code} is already in county {seen_places[code]!r}",
                        "counties",
                        i,
                        "municipalities",
                        j,
                    )
                )
            seen_places.setdefault(code, county.id)
        if county.advice is not None and county.advice not in known:
            errors.append(
                coverage.error(f"unknown card {county.advice!r}", "counties", i, "advice")
            )
    seen_cells: set[tuple[str, str]] = set()
    for i, entry in enumerate(data.not_offered):
        where = ("not_offered", i)
        if entry.municipality not in seen_places:
            errors.append(
                coverage.error(
                    f"municipality {entry.municipality} is in no county of this file",
                    *where,
                    "municipality",
                )
            )
        if entry.type not in seen_types:
            errors.append(coverage.error(f"unknown type {entry.type!r}", *where, "type"))
        if entry.alternative not in known:
            errors.append(
                coverage.error(f"unknown card {entry.alternative!r}", *where, "alternative")
            )
        if (entry.municipality, entry.type) in seen_cells:
            errors.append(
                coverage.error(f"a second entry for {entry.type!r} in {entry.municipality}", *where)
            )
        seen_cells.add((entry.municipality, entry.type))
    if errors:
        return errors, []
    return [], _warnings(coverage, coverage_matrix(coverage, known.values()))


def _warnings(coverage: Coverage, cells: list[Cell]) -> list[str]:
    warnings: list[str] = []
    types = coverage.file.types
    for i, kind in enumerate(types):
        gaps = [c.municipality for c in cells if c.type == kind.id and c.status == "not-verified"]
        if gaps:
            file, line = coverage.line("types", i, "id")
            warnings.append(
                f"{file}:{line}: types[{i}]: no card and no 'not offered' entry for "
                f"{kind.id!r} in {', '.join(gaps)} (shown as NOT VERIFIED)"
            )
    served = {(c.municipality, c.type) for c in cells if c.status == "served"}
    for i, entry in enumerate(coverage.file.not_offered):
        if (entry.municipality, entry.type) in served:
            file, line = coverage.line("not_offered", i)
            warnings.append(
                f"{file}:{line}: not_offered[{i}]: a card now serves {entry.type!r} in "
                f"{entry.municipality}; remove the entry if the card is right"
            )
    return warnings


def coverage_matrix(coverage: Coverage, services: Iterable[CatalogService]) -> list[Cell]:
    """Every cell, municipalities in the file's order, then types in the file's order."""
    index = CatalogIndex(services)
    not_offered = {(e.municipality, e.type): e for e in coverage.file.not_offered}
    cells: list[Cell] = []
    for code, county in coverage.municipalities:
        serving = [s for s in index.services.values() if s.nationwide or code in s.municipalities]
        for kind in coverage.file.types:
            cards = sorted(
                (CellCard(s.id, index.reach(s, code)) for s in serving if kind.admits(s)),
                key=lambda c: (REACH_ORDER[c.reach], c.id),
            )
            entry = not_offered.get((code, kind.id))
            if cards:
                cells.append(Cell(code, kind.id, "served", tuple(cards)))
            elif entry is not None:
                cells.append(
                    Cell(
                        code,
                        kind.id,
                        "not-offered",
                        source=entry.source,
                        alternative=entry.alternative,
                    )
                )
            else:
                cells.append(Cell(code, kind.id, "not-verified", advice=county.advice))
    return cells


_REACH_MARK: dict[Reach, str] = {"local": "L", "regional": "R", "nationwide": "N"}
_STATUS_MARK: dict[Status, str] = {"not-offered": "–", "not-verified": "?", "served": ""}


def render_markdown(coverage: Coverage, cells: list[Cell], t: Translator) -> str:
    """The matrix and, per type, each municipality's cards or why there is none."""
    types = coverage.file.types
    by_cell = {(c.municipality, c.type): c for c in cells}
    places = [code for code, _ in coverage.municipalities]

    def place(code: str) -> str:
        return f"{municipality_name(code, t)} ({code})"

    lines = [t("coverage-intro"), "", t("coverage-legend"), ""]
    lines.append("| " + " | ".join([t("coverage-municipality"), *(k.id for k in types)]) + " |")
    lines.append("|" + "---|" * (len(types) + 1))
    for code in places:
        marks = []
        for kind in types:
            cell = by_cell[(code, kind.id)]
            if cell.status == "served":
                marks.append(
                    "".join(sorted({_REACH_MARK[c.reach] for c in cell.cards}, key="LRN".index))
                )
            else:
                marks.append(_STATUS_MARK[cell.status])
        lines.append("| " + " | ".join([place(code), *marks]) + " |")
    for kind in types:
        lines += ["", f"#### {kind.id}: {kind.name.get(t.locale)}", ""]
        lines.append(f"| {t('coverage-municipality')} | {t('coverage-cards')} |")
        lines.append("|---|---|")
        for code in places:
            lines.append(f"| {place(code)} | {_describe(by_cell[(code, kind.id)], t)} |")
    return "\n".join(lines) + "\n"


def _describe(cell: Cell, t: Translator) -> str:
    if cell.status == "served":
        return ", ".join(f"`{c.id}` ({t(f'coverage-reach-{c.reach}')})" for c in cell.cards)
    if cell.status == "not-offered":
        return t(
            "coverage-not-offered", source=cell.source or "", alternative=cell.alternative or ""
        )
    if cell.advice is not None:
        return t("coverage-not-verified", advice=cell.advice)
    return t("coverage-not-verified-no-advice")


def render_json(coverage: Coverage, cells: list[Cell], t: Translator) -> str:
    data = {
        "types": [{"id": k.id, "name": k.name.get(t.locale)} for k in coverage.file.types],
        "municipalities": [
            {"code": code, "name": municipality_name(code, t), "county": county.id}
            for code, county in coverage.municipalities
        ],
        "cells": [
            {
                "municipality": c.municipality,
                "type": c.type,
                "status": c.status,
                "cards": [{"id": card.id, "reach": card.reach} for card in c.cards],
                "source": c.source,
                "alternative": c.alternative,
                "advice": c.advice,
            }
            for c in cells
        ],
    }
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


README_START = (
    "<!-- coverage:start (generated by `valo-bot catalog coverage --readme README.md`) -->"
)
README_END = "<!-- coverage:end -->"


def readme_section(text: str) -> str | None:
    """The generated coverage table inside a README's text, or None without the markers."""
    start, end = text.find(README_START), text.find(README_END)
    if start < 0 or end < start:
        return None
    return text[start + len(README_START) : end].strip("\n") + "\n"


def with_readme_section(text: str, table: str) -> str:
    """``text`` with the generated table between the markers replaced by ``table``."""
    start, end = text.find(README_START), text.find(README_END)
    if start < 0 or end < start:
        raise DataFileError([DataError("README", 0, "-", f"no {README_START!r} marker")])
    return text[: start + len(README_START)] + "\n" + table + text[end:]
