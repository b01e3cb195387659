"""``catalog import``: read YAML, HSDS 3.0 JSON or PTV v11 JSON files into catalogue sources.

Reading is separate from writing: every file is parsed and validated first, and only a
complete, error-free set reaches the database (bot.catalog.store.import_files).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from bot.catalog.loader import SourcedFile, catalog_files, parse_files
from bot.data_errors import DataError, DataFileError
from bot.json_source import MAX_JSON_BYTES
from bot.yaml_source import read_capped

Format = Literal["auto", "yaml", "hsds", "ptv"]


@dataclass
class ImportSources:
    files: list[SourcedFile]
    warnings: list[str] = field(default_factory=list)
    left_out: int = 0  # records not imported; each has a warning saying why


_PTV_FIELDS = frozenset({"serviceNames", "serviceChannelNames", "serviceChannelType"})
# Fields of an HSDS 3.0 service that tell one apart from other JSON with an id and a name.
_HSDS_SERVICE_FIELDS = frozenset(
    {
        "organization",
        "organization_id",
        "service_at_locations",
        "service_areas",
        "attributes",
        "phones",
        "languages",
        "schedules",
        "status",
        "assured_date",
        "x_valo",
    }
)


def _is_hsds_service(record: Any) -> bool:
    return (
        isinstance(record, dict)
        and ("name" in record or "x_valo" in record)
        and bool(_HSDS_SERVICE_FIELDS & record.keys())
    )


def detect_format(path: Path, document: Any) -> Literal["hsds", "ptv"] | None:
    """Tell PTV v11 from HSDS 3.0 JSON by their characteristic fields: a whole document
    (PTV's list or map, HSDS's list, ``{"services": [...]}`` or page) or one record."""
    if isinstance(document, dict) and _PTV_FIELDS & document.keys():
        return "ptv"  # one PTV record (a channel record also lists its "services")
    if _is_hsds_service(document):
        return "hsds"  # one HSDS service
    records: list[Any]
    if isinstance(document, dict) and isinstance(document.get("itemList"), list):
        records = document["itemList"]
    elif isinstance(document, dict) and any(
        isinstance(document.get(k), list) for k in ("services", "contents")
    ):
        return "hsds"
    elif isinstance(document, list):
        records = document
    elif isinstance(document, dict):
        records = list(document.values())  # PTV's map of records by id
    else:
        return None
    for record in records:
        if isinstance(record, dict):
            if _PTV_FIELDS & record.keys():
                return "ptv"
            if _is_hsds_service(record):
                return "hsds"
    return None


def _read_json(path: Path) -> tuple[str, Any]:
    """The file's text (the importers find line numbers in it) and its parsed JSON."""
    text = read_capped(path, MAX_JSON_BYTES, str(path))
    try:
        return text, json.loads(text)
    except json.JSONDecodeError as exc:
        reason = f"invalid JSON: {exc.msg}"
        raise DataFileError([DataError(str(path), exc.lineno, "-", reason)]) from None
    except RecursionError:
        reason = "invalid JSON: nested too deeply"
        raise DataFileError([DataError(str(path), 0, "-", reason)]) from None


def read_sources(
    paths: Sequence[Path],
    fmt: Format = "auto",
    default_needs: Sequence[str] = (),
    taxonomy_map: Path | None = None,
) -> ImportSources:
    """Parse every file; raise DataFileError listing all errors (nothing is half-read).

    ``default_needs``: need tags for PTV and HSDS services whose classes map to none (the
    operator vouches that they serve families); without them such services are left out with
    a warning. ``taxonomy_map``: a mapping file (``bot.catalog.taxonomy_map``) for other
    taxonomies' terms in HSDS records.
    """
    files = catalog_files(paths) if fmt in {"auto", "yaml"} else list(paths)
    yaml_files = (
        [p for p in files if p.suffix in {".yaml", ".yml"}]
        if fmt != "hsds" and fmt != "ptv"
        else []
    )
    json_files = [p for p in files if p not in yaml_files]
    errors: list[DataError] = []
    result = ImportSources([])
    terms_map = None
    if taxonomy_map is not None:
        from bot.catalog.taxonomy_map import read_taxonomy_map

        try:
            terms_map = read_taxonomy_map(taxonomy_map)
        except DataFileError as exc:
            errors.extend(exc.errors)
    if yaml_files:
        try:
            result.files.extend(parse_files(yaml_files))
        except DataFileError as exc:
            errors.extend(exc.errors)
    ptv_documents: list[tuple[str, str]] = []
    hsds_documents: list[tuple[str, str]] = []
    for path in json_files:
        try:
            text, document = _read_json(path)
        except DataFileError as exc:
            errors.extend(exc.errors)
            continue
        kind = fmt if fmt in {"hsds", "ptv"} else detect_format(path, document)
        if kind == "ptv":
            ptv_documents.append((str(path), text))
        elif kind == "hsds":
            hsds_documents.append((str(path), text))
        else:
            errors.append(
                DataError(
                    str(path),
                    1,
                    "-",
                    "not a YAML catalogue, HSDS 3.0 or PTV v11 JSON; name the format with --format",
                )
            )
    if ptv_documents:
        from bot.catalog.ptv import parse_ptv

        try:
            imported = parse_ptv(ptv_documents, default_needs=default_needs)
            # One source per PTV organisation: re-importing one replaces only its services.
            result.files.extend(SourcedFile(src, part) for src, part in imported.by_source.items())
            result.warnings.extend(imported.warnings)
            result.left_out += imported.left_out
        except DataFileError as exc:
            errors.extend(exc.errors)
    for name, document in hsds_documents:
        from bot.catalog.hsds import import_hsds

        try:
            hsds = import_hsds(
                [(name, document)], default_needs=default_needs, taxonomy_map=terms_map
            )
            result.files.append(SourcedFile(f"hsds:{Path(name).name}", hsds.catalog))
            result.warnings.extend(hsds.warnings)
            result.left_out += hsds.left_out
        except DataFileError as exc:
            errors.extend(exc.errors)
    if errors:
        raise DataFileError(errors)
    return result
