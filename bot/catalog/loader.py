"""Loading and validating the YAML catalogue (``services_catalog/*.yaml``).

Every file is validated against the schema and then across files (unique ids, organisation
references). Any error refuses the whole catalogue: nothing is half-imported.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from bot.catalog import rules
from bot.catalog.schema import CatalogFile, Organization, Service
from bot.data_errors import DataError, DataFileError
from bot.yaml_source import YamlDocument, format_path, parse_model, read_yaml

STALE_AFTER = timedelta(days=365)
# In the catalogue directory but not a catalogue file: the coverage matrix's definition
# (bot/catalog/coverage.py), validated by its own loader.
COVERAGE_FILE = "coverage.yaml"


@dataclass(frozen=True)
class SourcedFile:
    """One parsed catalogue file and the source its entries belong to."""

    source: str  # e.g. "yaml:kotka.yaml"; an import replaces only its own source's entries
    catalog: CatalogFile
    document: YamlDocument | None = None  # for line numbers in cross-file errors


@dataclass
class LoadedCatalog:
    """A whole catalogue, validated: organisations, services and where each came from."""

    files: list[SourcedFile]
    content_hash: str
    warnings: list[str] = field(default_factory=list)

    @property
    def organizations(self) -> dict[str, Organization]:
        return {o.id: o for f in self.files for o in f.catalog.organizations}

    @property
    def services(self) -> list[Service]:
        return sorted((s for f in self.files for s in f.catalog.services), key=lambda s: s.id)

    def source_of(self) -> dict[str, str]:
        return {s.id: f.source for f in self.files for s in f.catalog.services}


def catalog_files(paths: Iterable[Path]) -> list[Path]:
    """The YAML files named, or found directly in the directories named, sorted."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(
                sorted(
                    p
                    for p in path.iterdir()
                    if p.suffix in {".yaml", ".yml"} and p.name != COVERAGE_FILE
                )
            )
        else:
            found.append(path)
    return found


def content_hash(files: Sequence[Path]) -> str:
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.name.encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


def cross_check(
    files: Sequence[SourcedFile],
    *,
    known_organizations: Iterable[str] = (),
    stored_organizations: Mapping[str, Organization] | None = None,
    known_services: Iterable[str] = (),
    today: date | None = None,
) -> tuple[list[DataError], list[str]]:
    """Errors across files (duplicate ids, unknown organisations), the catalogue's rules
    (``bot/catalog/rules.py``) and staleness warnings.

    ``known_organizations`` are defined elsewhere (already in the database);
    ``stored_organizations`` are those of them whose records are at hand (for their domains),
    ``known_services`` the ids of services stored elsewhere (``distinct_from`` may name them).
    """
    errors: list[DataError] = []
    warnings: list[str] = []
    seen: dict[tuple[str, str], str] = {}
    organizations = {o.id for f in files for o in f.catalog.organizations}
    organizations.update(known_organizations)
    today = today or date.today()

    def where(f: SourcedFile, path: tuple[str | int, ...]) -> tuple[str, int]:
        if f.document is None:
            return f.source, 0
        return f.document.file, f.document.line_of(path)

    def claim(kind: str, ident: str, f: SourcedFile, path: tuple[str | int, ...]) -> None:
        file, line = where(f, path)
        key = (kind, ident)
        if key in seen:
            errors.append(
                DataError(
                    file,
                    line,
                    format_path(path),
                    f"duplicate {kind} id {ident!r}, also in {seen[key]}",
                )
            )
        else:
            seen[key] = f"{file}:{line}"

    def report(f: SourcedFile, i: int, service: Service, problem: rules.Problem) -> None:
        path = ("services", i, *problem.path)
        file, line = where(f, path)
        known = rules.is_known_violation(service.id, problem)
        if problem.severity == "warning" or known:
            note = " (known, being fixed: issue 20)" if known else ""
            warnings.append(f"{file}:{line}: {format_path(path)}: {problem.reason}{note}")
        else:
            errors.append(DataError(file, line, format_path(path), problem.reason))

    for f in files:
        for i, org in enumerate(f.catalog.organizations):
            claim("organization", org.id, f, ("organizations", i, "id"))
        for i, service in enumerate(f.catalog.services):
            claim("service", service.id, f, ("services", i, "id"))
            if service.organization not in organizations:
                file, line = where(f, ("services", i, "organization"))
                errors.append(
                    DataError(
                        file,
                        line,
                        f"services[{i}].organization",
                        f"unknown organization {service.organization!r}",
                    )
                )
            for j, event in enumerate(service.events):
                claim("event", event.id, f, ("services", i, "events", j, "id"))
            if today - service.checked > STALE_AFTER:
                file, line = where(f, ("services", i, "checked"))
                warnings.append(
                    f"{file}:{line}: services[{i}].checked: facts last checked "
                    f"{service.checked.isoformat()}, over a year ago"
                )
    by_id = rules.organizations_by_id(
        (o for f in files for o in f.catalog.organizations), stored_organizations
    )
    placed: list[rules.Placed] = []
    for n, f in enumerate(files):
        for i, service in enumerate(f.catalog.services):
            placed.append(rules.Placed(service, (n, i)))
            found = rules.service_problems(service, by_id.get(service.organization), today)
            for problem in found:
                report(f, i, service, problem)
    for p, problem in rules.duplicate_problems(placed, known_services):
        n, i = p.where
        report(files[n], i, p.service, problem)
    return errors, warnings


def parse_files(paths: Iterable[Path], root: Path | None = None) -> list[SourcedFile]:
    """Parse and schema-check YAML catalogue files; raise DataFileError listing every error."""
    files = catalog_files(paths)
    if not files:
        raise DataFileError([DataError("-", 0, "-", "no catalogue files found")])
    errors: list[DataError] = []
    parsed: list[SourcedFile] = []
    for path in files:
        try:
            document = read_yaml(path, _display(path, root))
            catalog = parse_model(document, CatalogFile)
        except DataFileError as exc:
            errors.extend(exc.errors)
            continue
        parsed.append(SourcedFile(f"yaml:{path.name}", catalog, document))
    if errors:
        raise DataFileError(errors)
    return parsed


def read_catalog(paths: Iterable[Path], root: Path | None = None) -> LoadedCatalog:
    """Read a complete catalogue (every reference resolved within it), or raise."""
    paths = list(paths)
    parsed = parse_files(paths, root)
    errors, warnings = cross_check(parsed)
    if errors:
        raise DataFileError(errors)
    return LoadedCatalog(parsed, content_hash(catalog_files(paths)), warnings)


def _display(path: Path, root: Path | None) -> str:
    base = root or Path.cwd()
    try:
        return str(path.resolve().relative_to(base.resolve()))
    except ValueError:
        return str(path)
