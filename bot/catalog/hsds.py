"""Open Referral HSDS 3.0 JSON <-> catalogue entries, so catalogues move between Valo and
other Open Referral tools.

Export (``export_hsds``) writes one page of the HSDS API's service list (``total_items``,
``total_pages``, ``page_number``, ``size``, ``first_page``, ``last_page``, ``empty``,
``contents``), each service fully nested as in HSDS's ``/services/{id}`` response:

- ids are UUIDs, as HSDS 3.0 requires: version 5 UUIDs derived from our ids, so every export
  of the same catalogue has the same ids.
- ``name``/``description`` are the Finnish texts (``description`` = summary, a blank line, the
  longer description); ``organization`` nested (HSDS requires an organisation description and
  ours have none, so it repeats the name); ``status`` active/inactive; ``assured_date`` =
  ``checked``; ``minimum_age``/``maximum_age``; ``phones``, ``email``, ``url``;
  ``languages`` with ISO 639-1 ``code``; ``cost_options`` whose ``option`` is our cost
  (``free`` with ``amount`` 0, ``fee``, ``income-based``) plus a Finnish ``fees_description``;
  ``service_areas`` named after the municipalities (or "Koko Suomi").
- ``attributes`` link taxonomy terms: ``ptv-service-class``, ``ptv-target-group``,
  ``ptv-life-event`` (PTV codes with their labels and suomi.fi URIs) and ``valo-need``.
- ``service_at_locations`` with the nested ``location`` (``physical``; WGS84 ``latitude``/
  ``longitude``; one ``physical`` address, whose ``state_province`` holds the municipality:
  Finland has no states, and the municipality is the unit our catalogue uses; a postal code we
  do not know is an empty string, as HSDS requires the field) and the opening
  hours as ``schedules``: one per group of days, ``freq`` WEEKLY, ``byday`` MO,TU...,
  ``opens_at``/``closes_at`` in local time (Europe/Helsinki; said in ``notes``: HSDS's numeric
  UTC offset cannot follow daylight saving time).
- ``x_valo`` (HSDS allows additional properties) keeps what HSDS cannot say, so that
  ``parse_hsds(export_hsds(c))`` gives ``c`` back: on a service ``id``, ``name``, ``summary``,
  ``description`` (all three locales), ``municipalities`` (codes or ``nationwide``),
  ``expecting``, ``interpreter``, ``access``, ``events`` (HSDS 3.0 has no event object),
  ``sources`` (records with kind and date), ``untranslated``, ``contacts`` (the phone and chat
  hours and the chat link: an HSDS phone has no schedule and HSDS no chat), ``shelter``,
  ``notes`` and ``distinct_from``; on a location ``id``, ``name`` and the address fields as we
  hold them; on an organisation ``id``, ``name`` and ``domains``; at the top,
  ``organizations`` (all of them in catalogue order, including any without services).

Import (``import_hsds``) reads HSDS 3.0 service records: one service object, a list,
``{"services": [...]}`` or the paged ``{"contents": [...]}``. Our own exports come back
exactly. Foreign records (no ``x_valo``) import by these rules: texts are taken to be in
``text_locale`` and the other locales are listed as untranslated; the summary is the
description's first sentence (as HSDS suggests for short descriptions), or the name; PTV
classes, target groups and life events from ``attributes`` whose taxonomy is named in any
usual way (see ``_Reader._terms``), other taxonomies' terms through a mapping file
(``bot.catalog.taxonomy_map``); need tags from ``valo-need`` terms, else from the PTV classes
through ``NEED_TAGS`` and the mapped terms, else the caller's ``default_needs``;
municipalities from ``service_areas`` names, else from the locations; ages above our range
mean "no upper limit"; access is ``call`` when there is a phone and ``walk-in`` at a location
with opening hours; phones are stored in E.164 (a number without a country code is Finnish);
the sources are the service's and its organisation's web pages, kind ``organiser``, and the
organisation's domain is its website's host; the catalogue's per-card rules
(``rules.service_problems``) apply to every record, at its line; weekly schedules become
opening hours (times are read as local time, any UTC offset ignored: a weekly time cannot
carry daylight saving), the service's own schedules at each location that gives none, other
schedules are left out with a warning. A record without an id or a name, that is not a family
service (decided first, as for PTV: a record left out need not be perfect), or says no way to
reach it, is left out with its reason (``Issues.leave_out``: a warning, counted); a record
that cannot be read is an error, and then nothing is imported.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any, TypeVar

from babel import Locale as BabelLocale
from pydantic import BaseModel, ValidationError

from bot.catalog import phones, vocab
from bot.catalog.interchange import (
    TEXT_LIMIT,
    Issues,
    check_need_tags,
    localized,
    needs_for_classes,
    short_id,
    untranslated,
)
from bot.catalog.schema import (
    MAX_AGE,
    WEEKDAYS,
    Access,
    CatalogFile,
    Cost,
    Day,
    Event,
    Locale,
    Location,
    OpeningHours,
    Organization,
    Service,
    Text,
    own_domain,
)
from bot.catalog.taxonomy_map import TaxonomyMap, taxonomy_key
from bot.data_errors import DataFileError
from bot.json_source import JsonDocument, read_json_documents
from bot.yaml_source import PathKey

HSDS_VERSION = "3.0"
EXTENSION = "x_valo"
# Never change: the UUIDs of every exported record derive from it.
_NAMESPACE = uuid.UUID("52fee40d-4a42-44fa-b049-1d10d22b6887")

SERVICE_CLASS = "ptv-service-class"
TARGET_GROUP = "ptv-target-group"
LIFE_EVENT = "ptv-life-event"
NEED = "valo-need"
MAPPED_NEED = "mapped-need"  # need tags from other taxonomies' terms, through a mapping file
_TAXONOMIES: dict[str, tuple[str, str | None]] = {
    SERVICE_CLASS: (
        "Suomi.fi Finnish Service Catalogue (PTV) service classes",
        "http://uri.suomi.fi/codelist/ptv/ptvserclass2",
    ),
    TARGET_GROUP: (
        "Suomi.fi Finnish Service Catalogue (PTV) target groups",
        "http://uri.suomi.fi/codelist/ptv/ptvkohderyhmat",
    ),
    LIFE_EVENT: (
        "Suomi.fi Finnish Service Catalogue (PTV) life events",
        "http://uri.suomi.fi/codelist/ptv/ptvelti",
    ),
    NEED: ("Valo need tags: the needs a family can name in the Valo bot", None),
}
_VOCAB_FILES = {
    SERVICE_CLASS: "ServiceClasses.json",
    TARGET_GROUP: "TargetGroups.json",
    LIFE_EVENT: "LifeEvents.json",
}
_FEES_FI: dict[str, str] = {
    "free": "Maksuton.",
    "fee": "Maksullinen.",
    "income-based": "Maksu riippuu tuloista.",
}
_NATIONWIDE_NAME = "Koko Suomi"
_NATIONWIDE_NAMES = frozenset(
    {"koko suomi", "suomi", "finland", "hela finland", "nationwide", "valtakunnallinen"}
)
_ISO_639_3 = {"fin": "fi", "swe": "sv", "eng": "en", "ara": "ar", "rus": "ru", "est": "et"}
_BYDAY: dict[str, Day] = {d.upper(): d for d in WEEKDAYS}
_CLOCK = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)(?::[0-5]\d(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?$")
_SENTENCE = re.compile(r"^(.+?[.!?])(?:\s|$)")
_SERVICE_EXTENSION = frozenset(
    {
        "id",
        "name",
        "summary",
        "description",
        "municipalities",
        "interpreter",
        "access",
        "events",
        "sources",
        "untranslated",
        "contacts",
        "shelter",
        "notes",
        "distinct_from",
        "ptv_id",
    }
)


def _uuid(*parts: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, "/".join(parts)))


@cache
def _ptv_terms(taxonomy: str) -> dict[str, tuple[str, str, str]]:
    """PTV code -> (URI, Finnish label, English label) from the vocabulary we ship."""
    rows = json.loads((vocab.VOCAB_DIR / _VOCAB_FILES[taxonomy]).read_text(encoding="utf-8"))
    terms: dict[str, tuple[str, str, str]] = {}
    for row in rows:
        label = row.get("Label") or {}
        code = row["Notation"]
        terms[code] = (row.get("Id") or "", label.get("Fi") or code, label.get("En") or code)
    return terms


@cache
def _language_name(code: str) -> str:
    return str(BabelLocale("fi").languages.get(code, code))


# ---------------------------------------------------------------------------------- export


def export_hsds(catalog: CatalogFile) -> dict[str, Any]:
    """The catalogue as one page of HSDS 3.0 services, fully nested, with ``x_valo`` kept."""
    organizations = {o.id: o for o in catalog.organizations}
    contents = [_export_service(s, organizations.get(s.organization)) for s in catalog.services]
    return {
        "total_items": len(contents),
        "total_pages": 1,
        "page_number": 1,
        "size": len(contents),
        "first_page": True,
        "last_page": True,
        "empty": not contents,
        "contents": contents,
        EXTENSION: {
            "hsds_version": HSDS_VERSION,
            "organizations": [_dump(o) for o in catalog.organizations],
        },
    }


def _dump(model: BaseModel) -> Any:
    return model.model_dump(mode="json", exclude_none=True)


def _export_service(service: Service, organization: Organization | None) -> dict[str, Any]:
    sid = _uuid("service", service.id)
    description = service.summary.fi
    if service.description is not None:
        description += "\n\n" + service.description.fi
    record: dict[str, Any] = {
        "id": sid,
        "organization_id": _uuid("organization", service.organization),
        "name": service.name.fi,
        "description": description,
        "status": "active" if service.active else "inactive",
        "assured_date": service.checked.isoformat(),
    }
    if service.contacts.url:
        record["url"] = service.contacts.url
    if service.contacts.email:
        record["email"] = service.contacts.email
    if service.interpreter:
        record["interpretation_services"] = "Tulkki on saatavilla."
    if service.ages is not None:
        record["minimum_age"] = service.ages.min
        record["maximum_age"] = service.ages.max
    if service.cost is not None:
        record["fees_description"] = _FEES_FI[service.cost]
        option: dict[str, Any] = {
            "id": _uuid("cost_option", service.id),
            "option": service.cost,
            "currency": "EUR",
        }
        if service.cost == "free":
            option["amount"] = 0
        record["cost_options"] = [option]
    if service.contacts.phone:
        record["phones"] = [
            {"id": _uuid("phone", service.id), "number": service.contacts.phone, "type": "voice"}
        ]
    record["service_areas"] = [
        {
            "id": _uuid("service_area", service.id, code),
            "name": _NATIONWIDE_NAME if code == vocab.NATIONWIDE else vocab.official_name(code),
        }
        for code in service.municipalities
    ]
    record["languages"] = [
        {"id": _uuid("language", service.id, code), "name": _language_name(code), "code": code}
        for code in service.languages
    ]
    record["service_at_locations"] = [_export_location(service, loc) for loc in service.locations]
    if organization is not None:
        record["organization"] = {
            "id": _uuid("organization", organization.id),
            "name": organization.name.fi,
            "description": organization.name.fi,
            **({"website": organization.url} if organization.url else {}),
            EXTENSION: {
                "id": organization.id,
                "name": _dump(organization.name),
                "domains": list(organization.domains),
            },
        }
    record["attributes"] = [
        _attribute(sid, taxonomy, code)
        for taxonomy, codes in (
            (SERVICE_CLASS, service.service_classes),
            (TARGET_GROUP, service.target_groups),
            (LIFE_EVENT, service.life_events),
            (NEED, service.needs),
        )
        for code in codes
    ]
    record[EXTENSION] = {
        "id": service.id,
        "name": _dump(service.name),
        "summary": _dump(service.summary),
        "description": _dump(service.description) if service.description else None,
        "municipalities": list(service.municipalities),
        "expecting": service.ages.expecting if service.ages else False,
        "interpreter": service.interpreter,
        "access": list(service.access),
        "events": [_dump(e) for e in service.events],
        "sources": [_dump(s) for s in service.sources],
        "untranslated": list(service.untranslated),
        "contacts": _dump(
            service.contacts.model_copy(update={"phone": None, "email": None, "url": None})
        ),
        "shelter": service.shelter,
        "notes": service.notes,
        "distinct_from": [_dump(d) for d in service.distinct_from],
        "ptv_id": service.ptv_id,
    }
    return record


def _attribute(service_uuid: str, taxonomy: str, code: str) -> dict[str, Any]:
    if taxonomy == NEED:
        uri, name, description = "", code, f"Valo need tag {code}"
    else:
        uri, name, description = _ptv_terms(taxonomy).get(code, ("", code, code))
    term_id = _uuid("taxonomy_term", taxonomy, code)
    what, taxonomy_uri = _TAXONOMIES[taxonomy]
    term: dict[str, Any] = {
        "id": term_id,
        "code": code,
        "name": name,
        "description": description,
        "taxonomy": taxonomy,
        "taxonomy_detail": {
            "id": _uuid("taxonomy", taxonomy),
            "name": taxonomy,
            "description": what,
            **({"uri": taxonomy_uri} if taxonomy_uri else {}),
        },
        "language": "fi",
    }
    if uri:
        term["term_uri"] = uri
    return {
        "id": _uuid("attribute", service_uuid, taxonomy, code),
        "link_id": service_uuid,
        "link_entity": "service",
        "taxonomy_term_id": term_id,
        "taxonomy_term": term,
    }


def _export_location(service: Service, location: Location) -> dict[str, Any]:
    sal_id = _uuid("service_at_location", service.id, location.id)
    location_id = _uuid("location", service.id, location.id)
    place: dict[str, Any] = {
        "id": location_id,
        "location_type": "physical",
        "name": location.name.fi,
    }
    if location.lat is not None and location.lon is not None:
        place["latitude"] = location.lat
        place["longitude"] = location.lon
    if location.street:
        place["addresses"] = [
            {
                "id": _uuid("address", service.id, location.id),
                "location_id": location_id,
                "address_1": location.street,
                "city": location.city or vocab.official_name(location.municipality),
                "state_province": vocab.official_name(location.municipality),
                "postal_code": location.postal_code or "",
                "country": "FI",
                "address_type": "physical",
            }
        ]
    place[EXTENSION] = {
        "id": location.id,
        "name": _dump(location.name),
        "street": location.street,
        "postal_code": location.postal_code,
        "city": location.city,
        "municipality": location.municipality,
    }
    return {
        "id": sal_id,
        "service_id": _uuid("service", service.id),
        "location_id": location_id,
        "schedules": [
            {
                "id": _uuid("schedule", service.id, location.id, str(i)),
                "service_at_location_id": sal_id,
                "freq": "WEEKLY",
                "wkst": "MO",
                "byday": ",".join(day.upper() for day in hours.days),
                "opens_at": hours.opens,
                "closes_at": hours.closes,
                "notes": "Paikallista aikaa (Europe/Helsinki).",
            }
            for i, hours in enumerate(location.hours)
        ],
        "location": place,
    }


# ---------------------------------------------------------------------------------- import


@dataclass(frozen=True)
class HsdsImport:
    """What an HSDS import produced: the catalogue, the warnings (each record left out is one,
    with its reason) and how many records were left out."""

    catalog: CatalogFile
    warnings: list[str]
    left_out: int


def import_hsds(
    documents: Sequence[tuple[str, Any]],
    *,
    text_locale: Locale = "fi",
    today: date | None = None,
    default_needs: Sequence[str] = (),
    taxonomy_map: TaxonomyMap | None = None,
) -> HsdsImport:
    """Read HSDS 3.0 service records into catalogue entries.

    ``documents`` are ``(display name, JSON text or parsed JSON)``; give the text to get line
    numbers in errors. ``text_locale`` is the language of foreign records' texts (HSDS has no
    language tags; our own exports carry all three locales). ``today`` is ``checked`` for
    records with neither ``assured_date`` nor ``last_modified``. ``default_needs`` tag
    records whose PTV classes map to no need tag (else they are left out as not family
    services), as for PTV imports; ``taxonomy_map`` translates other taxonomies' terms. Raises
    ``DataFileError`` listing every problem; nothing is returned half-imported.
    """
    defaults = check_need_tags(default_needs)
    parsed, syntax_errors = read_json_documents(documents)
    issues = Issues(errors=list(syntax_errors))
    reader = _Reader(issues, text_locale, today or date.today(), defaults, taxonomy_map)
    for document in parsed:
        reader.read(document)
    if issues.errors:
        raise DataFileError(list(dict.fromkeys(issues.errors)))
    used = {s.organization for s in reader.services}
    organizations = [
        o for o in reader.organizations.values() if o.id in used or o.id in reader.declared
    ]
    catalog = CatalogFile(organizations=organizations, services=reader.services)
    return HsdsImport(catalog, list(dict.fromkeys(issues.warnings)), issues.left_out)


def parse_hsds(
    documents: Sequence[tuple[str, Any]],
    *,
    text_locale: Locale = "fi",
    today: date | None = None,
    warnings: list[str] | None = None,
) -> CatalogFile:
    """``import_hsds``'s catalogue; its warnings are added to ``warnings`` when a list is
    given."""
    imported = import_hsds(documents, text_locale=text_locale, today=today)
    if warnings is not None:
        warnings.extend(imported.warnings)
    return imported.catalog


_M = TypeVar("_M", bound=BaseModel)


@dataclass(frozen=True)
class _At:
    """Where a record sits in its document; ``at(...)`` extends the path."""

    document: JsonDocument
    path: PathKey

    def __call__(self, *more: str | int) -> PathKey:
        return (*self.path, *more)


class _Reader:
    """Reads documents one after another, collecting organisations and services."""

    def __init__(
        self,
        issues: Issues,
        text_locale: Locale,
        today: date,
        default_needs: list[str],
        taxonomy_map: TaxonomyMap | None,
    ) -> None:
        self.issues = issues
        self.text_locale = text_locale
        self.today = today
        self.default_needs = default_needs
        self.taxonomy_map = taxonomy_map
        self.organizations: dict[str, Organization] = {}
        self.declared: set[str] = set()  # listed in a top-level x_valo: kept even if unused
        self.services: list[Service] = []
        self.service_ids: dict[str, tuple[JsonDocument, PathKey]] = {}

    def read(self, document: JsonDocument) -> None:
        data = document.data
        items: list[tuple[PathKey, Any]]
        if isinstance(data, list):
            items = [((i,), item) for i, item in enumerate(data)]
        elif isinstance(data, dict) and isinstance(data.get("contents"), list):
            items = [(("contents", i), item) for i, item in enumerate(data["contents"])]
        elif isinstance(data, dict) and isinstance(data.get("services"), list):
            items = [(("services", i), item) for i, item in enumerate(data["services"])]
        elif isinstance(data, dict) and "name" in data and "id" in data:
            items = [((), data)]
        else:
            self.issues.error(
                document,
                (),
                "not HSDS 3.0 services: expected a service, a list of services, "
                '{"services": [...]} or a page {"contents": [...]}',
            )
            return
        if isinstance(data, dict) and items and items[0][0]:
            self._declared_organizations(document, data)
        for path, item in items:
            if isinstance(item, dict):
                self._service(_At(document, path), item)
            else:
                self.issues.error(document, path, "a service must be an object")

    def _declared_organizations(self, document: JsonDocument, data: dict[str, Any]) -> None:
        extension = data.get(EXTENSION)
        if not isinstance(extension, dict):
            return
        for i, raw in enumerate(extension.get("organizations") or []):
            found = self._model(Organization, raw, _At(document, (EXTENSION, "organizations", i)))
            if found is not None:
                self.organizations.setdefault(found.id, found)
                self.declared.add(found.id)

    def _model(self, model: type[_M], raw: Any, at: _At) -> _M | None:
        """``raw`` validated as ``model``; errors point at the offending field under ``at``."""
        try:
            return model.model_validate(raw)
        except ValidationError as exc:
            for error in exc.errors(include_url=False):
                where = [p for p in error["loc"] if isinstance(p, str | int)]
                reason = str(error["msg"]).removeprefix("Value error, ")
                if error["type"] == "extra_forbidden":
                    reason = "unknown field"
                self.issues.error(at.document, at(*where), reason)
            return None

    def _service(self, at: _At, record: dict[str, Any]) -> None:
        issues = self.issues
        document = at.document
        errors_before = len(issues.errors)
        extension = record.get(EXTENSION) or {}
        if not isinstance(extension, dict):
            issues.error(document, at(EXTENSION), "must be an object")
            return
        ours = bool(extension)
        raw_id = record.get("id")
        raw_name = record.get("name")
        given_id = raw_id.strip() if isinstance(raw_id, str) else ""
        given_name = raw_name.strip() if isinstance(raw_name, str) else ""
        if not given_id or not given_name:
            # Without an id or a name a record can be no card (HSDS requires both): it is
            # left out with the reason, and the dataset's other records still import.
            missing = [w for w, given in (("id", given_id), ("name", given_name)) if not given]
            issues.leave_out(
                document,
                at.path,
                f"{given_id or '(no id)'} ({given_name or 'no name'})",
                f"no {' and no '.join(missing)} (HSDS requires both)",
            )
            return
        raw_name = given_name
        sid = extension.get("id") if ours else short_id("hsds", given_id)
        if not isinstance(sid, str):
            issues.error(document, at(EXTENSION if ours else "id"), "no usable id")
            return
        label = f"{sid} ({raw_name})"
        terms, unread = self._terms(record, at)
        # Explicit valo-need terms win; else the classes' need tags and the mapped ones.
        wanted = {*needs_for_classes(terms[SERVICE_CLASS]), *terms[MAPPED_NEED]}
        needs = terms[NEED] or [tag for tag in vocab.NEED_TAGS if tag in wanted]
        # Family service or not first, as for PTV: a record we leave out need not be perfect
        # to be left out.
        if not terms[SERVICE_CLASS]:
            reason = _no_class_reason(unread, bool(terms[MAPPED_NEED]))
            issues.leave_out(document, at.path, label, reason)
            return
        if not needs and not self.default_needs:
            issues.leave_out(
                document,
                at.path,
                label,
                f"its PTV classes ({', '.join(terms[SERVICE_CLASS])}) map to no need tag, so it "
                "is not a family service (give --need TAG if it is one)",
            )
            return
        if not needs:
            needs = self.default_needs
            issues.warn(
                document,
                at.path,
                f"{label}: no need tag from its PTV classes ({', '.join(terms[SERVICE_CLASS])}); "
                f"given the default {', '.join(needs)}",
            )

        fallbacks: set[Locale] = set()
        name = self._text(extension, "name", raw_name, at, fallbacks)
        raw_description = record.get("description")
        plain = raw_description if isinstance(raw_description, str) else ""
        first = _first_sentence(plain) or raw_name
        summary = self._text(extension, "summary", first, at, fallbacks)
        rest = plain.strip() if plain.strip() != first else ""
        description = self._text(extension, "description", rest, at, fallbacks)

        organization = self._organization(record, at)
        areas = self._areas(record, at, extension)
        locations, phone_at_location = self._locations(record, at, areas, fallbacks)
        municipalities = areas or list(dict.fromkeys(loc.municipality for loc in locations))
        if not municipalities:
            issues.error(
                document,
                at("service_areas"),
                "no area Valo knows: name municipalities in service_areas or give locations",
            )
        ages, adults_only = self._ages(record, at, extension)
        languages = self._languages(record, at)
        phone = self._phone(record, at) or phone_at_location
        checked = self._checked(record, at)
        events = [
            event
            for i, raw in enumerate(extension.get("events") or [])
            if (event := self._model(Event, raw, _At(document, at(EXTENSION, "events", i))))
        ]
        status = record.get("status")
        if status not in ("active", "inactive", "defunct", "temporarily closed"):
            issues.error(
                document,
                at("status"),
                f"required: active, inactive, defunct or temporarily closed, not {status!r}",
            )
        if len(issues.errors) > errors_before or not (name and summary and organization):
            return

        access = extension.get("access") if ours else _access(locations, phone)
        # Our own cards may have no confirmed way in but the organiser's page (the schema's
        # rule); a foreign record needs a phone or a place with hours.
        reachable = bool(access) or (ours and isinstance(record.get("url"), str))
        if adults_only:
            issues.leave_out(document, at.path, label, "its minimum age is above our age range")
            return
        if not reachable:
            issues.leave_out(
                document, at.path, label, "it gives no phone and no location with opening hours"
            )
            return
        url = record.get("url") if isinstance(record.get("url"), str) else None
        sources = (
            extension.get("sources")
            if ours
            else [
                # The service's and its organisation's own pages, as HSDS gives them.
                {"url": u, "kind": "organiser"}
                for u in dict.fromkeys((url, organization.url))
                if u
            ]
        )
        if not sources:
            issues.error(document, at("url"), "no url: a catalogue entry needs a source")
            return
        if not languages:
            languages = [self.text_locale]
            issues.warn(document, at("languages"), f"{label}: no language; assumed {languages[0]}")
        if any(len(t) > TEXT_LIMIT for t in (raw_name, first, rest)) and not ours:
            issues.warn(document, at.path, f"{label}: texts over {TEXT_LIMIT} characters shortened")
        fields: dict[str, Any] = {
            "id": sid,
            "organization": organization.id,
            "name": name,
            "summary": summary,
            "description": description,
            "needs": needs,
            "service_classes": terms[SERVICE_CLASS],
            "target_groups": terms[TARGET_GROUP],
            "life_events": terms[LIFE_EVENT],
            "municipalities": municipalities,
            "ages": ages,
            "cost": _cost(record),
            "languages": languages,
            "interpreter": extension.get("interpreter") if ours else _interpreter(record),
            "access": access,
            "contacts": {
                **(_contacts_extension(extension) if ours else {}),
                "phone": phone,
                "email": record.get("email"),
                "url": url,
            },
            "locations": locations,
            "events": events,
            "sources": sources,
            "checked": checked,
            "active": status == "active",
            "untranslated": extension.get("untranslated", []) if ours else untranslated(fallbacks),
            "shelter": bool(extension.get("shelter")) if ours else False,
            "notes": extension.get("notes") if ours else None,
            "distinct_from": extension.get("distinct_from") or [] if ours else [],
            "ptv_id": extension.get("ptv_id") if ours else None,
        }
        try:
            service = Service.model_validate(fields)
        except ValidationError as exc:
            for error in exc.errors(include_url=False):
                loc = [p for p in error["loc"] if isinstance(p, str | int)]
                reason = str(error["msg"]).removeprefix("Value error, ")
                if ours and loc and loc[0] in _SERVICE_EXTENSION:
                    issues.error(document, at(EXTENSION, *loc), reason)
                else:
                    where = ".".join(str(p) for p in loc)
                    issues.error(document, at.path, f"{where}: {reason}" if where else reason)
            return
        if not issues.rule_problems(document, at.path, service, organization, self.today):
            return
        first_seen = self.service_ids.setdefault(service.id, (document, at.path))
        if first_seen != (document, at.path):
            other, other_path = first_seen
            issues.error(
                document,
                at("id"),
                f"service id {service.id} is used twice (first at "
                f"{other.file}:{other.line_of(other_path)})",
            )
            return
        self.organizations.setdefault(organization.id, organization)
        self.services.append(service)

    def _text(
        self,
        extension: dict[str, Any],
        key: str,
        plain: str,
        at: _At,
        fallbacks: set[Locale],
    ) -> Text | None:
        """Our three-locale text from ``x_valo``, else ``plain`` in ``text_locale``."""
        if key in extension:
            if extension[key] is None:
                return None
            return self._model(Text, extension[key], _At(at.document, at(EXTENSION, key)))
        text = localized({self.text_locale: plain})
        if text is None:
            return None
        fallbacks.update(text.fallbacks)
        return text.text

    def _terms(self, record: dict[str, Any], at: _At) -> tuple[dict[str, list[str]], list[str]]:
        """Codes by taxonomy (PTV classes, target groups, life events, need tags), in order,
        and the terms that gave no class, each with why (for the reason a record without a
        class is left out).

        A term's taxonomy is read from its ``taxonomy`` (a name, or an object like
        ``taxonomy_detail``) and ``taxonomy_detail`` (``name``, ``uri``, ``description``);
        else from the mapping file by those names; when the term names no taxonomy at all,
        from what it says of itself (its ``description``, ``term_uri``, the attribute's
        ``label``), and last from its code and name together being a PTV term's code and
        label. A code alone is never enough: ``P5.2`` means nothing until something says it
        is PTV's, and a term that names another taxonomy is never read as PTV's.
        """
        known: dict[str, Any] = {
            SERVICE_CLASS: vocab.service_classes(),
            TARGET_GROUP: vocab.target_groups(),
            LIFE_EVENT: vocab.life_events(),
            NEED: vocab.NEED_TAGS,
        }
        found: dict[str, list[str]] = {taxonomy: [] for taxonomy in (*known, MAPPED_NEED)}
        unread: list[str] = []

        def add(taxonomy: str, code: str) -> None:
            if code not in found[taxonomy]:
                found[taxonomy].append(code)

        for i, attribute in _entries(record.get("attributes")):
            term = attribute.get("taxonomy_term")
            if not isinstance(term, dict):
                continue
            code = _string(term.get("code")) or _string(term.get("name"))
            where = at("attributes", i, "taxonomy_term", "code")
            names, about = _taxonomy_naming(term)
            taxonomy = _ptv_taxonomy([*names, *about], code)
            mapped = None
            if taxonomy is None and self.taxonomy_map is not None:
                mapped = self.taxonomy_map.taxonomy(names)
            if taxonomy is None and mapped is None and not names:
                said = [_string(term.get(k)) for k in ("description", "term_uri")]
                said.append(_string(attribute.get("label")))
                taxonomy = _ptv_taxonomy(said, code) or _ptv_by_label(
                    code, _string(term.get("name"))
                )
            if mapped is not None:
                shown = names[0]
                target = mapped.get(taxonomy_key(code)) or mapped.get(
                    taxonomy_key(_string(term.get("name")))
                )
                if target is None:
                    self.issues.warn(
                        at.document,
                        where,
                        f"{shown} term {code!r} is not in the taxonomy map; left out",
                    )
                    unread.append(f"{shown} {code!r} (not in the taxonomy map)")
                    continue
                for need in target.needs:
                    add(MAPPED_NEED, need)
                for service_class in target.service_classes:
                    add(SERVICE_CLASS, service_class)
                continue
            if taxonomy is None:
                unread.append(
                    f"{names[0]} {code!r} (a taxonomy Valo does not read)"
                    if names
                    else f"{code!r} (names no taxonomy)"
                )
                continue
            if code in known[taxonomy]:
                add(taxonomy, code)
            else:
                unread.append(f"{taxonomy} {code!r} (not in Valo's vocabulary)")
                self.issues.warn(
                    at.document,
                    where,
                    f"{taxonomy} term {code!r} is not in Valo's vocabulary; left out",
                )
        return found, unread

    def _organization(self, record: dict[str, Any], at: _At) -> Organization | None:
        nested = record.get("organization")
        if isinstance(nested, dict):
            extension = nested.get(EXTENSION)
            where = _At(at.document, at("organization"))
            if isinstance(extension, dict):
                known = self.organizations.get(str(extension.get("id")))
                if known is not None:
                    return known
                raw: dict[str, Any] = dict(extension)
            else:
                oid = short_id(
                    "hsds-org", str(nested.get("id") or record.get("organization_id") or "")
                )
                label = nested.get("name") if isinstance(nested.get("name"), str) else None
                text = localized({self.text_locale: label or f"HSDS organization {oid}"})
                raw = {"id": oid, "name": text.text if text else None}
                if oid is not None and oid in self.organizations:
                    return self.organizations[oid]
            website = nested.get("website")
            if isinstance(website, str) and website.strip():
                raw["url"] = website.strip()
                if not isinstance(extension, dict):
                    # A foreign organisation's own pages are on its website's host.
                    raw["domains"] = [d for d in (own_domain(raw["url"]),) if d]
            return self._model(Organization, raw, where)
        raw_id = record.get("organization_id")
        oid = short_id("hsds-org", raw_id) if isinstance(raw_id, str) else None
        if oid is None:
            self.issues.error(
                at.document, at("organization"), "required: organization or organization_id"
            )
            return None
        if oid in self.organizations:
            return self.organizations[oid]
        label = f"HSDS organization {raw_id}"
        return Organization(id=oid, name=Text(fi=label, en=label, ar=label))

    def _areas(self, record: dict[str, Any], at: _At, extension: dict[str, Any]) -> list[str]:
        if "municipalities" in extension:
            codes = extension["municipalities"]
            return [str(c) for c in codes] if isinstance(codes, list) else []
        by_name = _municipalities_by_name()
        codes = []
        for i, area in _entries(record.get("service_areas")):
            label = area.get("name")
            key = label.strip().lower() if isinstance(label, str) else ""
            if key in _NATIONWIDE_NAMES:
                return [vocab.NATIONWIDE]
            if key in by_name:
                if by_name[key] not in codes:
                    codes.append(by_name[key])
            else:
                self.issues.warn(
                    at.document,
                    at("service_areas", i, "name"),
                    f"service area {label!r} is not a Finnish municipality; left out",
                )
        return codes

    def _locations(
        self, record: dict[str, Any], at: _At, areas: list[str], fallbacks: set[Locale]
    ) -> tuple[list[Location], str | None]:
        """The service's locations, and the first phone given at one of them."""
        locations: list[Location] = []
        phone: str | None = None
        for i, link in _entries(record.get("service_at_locations")):
            place = link.get("location")
            here = _At(at.document, at("service_at_locations", i, "location"))
            if not isinstance(place, dict):
                self.issues.warn(
                    at.document,
                    at("service_at_locations", i),
                    "left out: no nested location (only a location_id)",
                )
                continue
            extension = place.get(EXTENSION)
            raw: dict[str, Any]
            if isinstance(extension, dict):
                raw = dict(extension)
                where = _At(at.document, here(EXTENSION))
            else:
                raw = self._foreign_location(place, here, areas, fallbacks)
                where = here
                for phones in (link.get("phones"), place.get("phones")):
                    for j, entry in _entries(phones):
                        phone = phone or _phone_number(entry.get("number"))
                        if entry.get("number") and _phone_number(entry.get("number")) is None:
                            self.issues.warn(
                                at.document, here("phones", j), "not a phone number; left out"
                            )
            for key in ("latitude", "longitude"):
                value = place.get(key)
                if value is not None and (
                    isinstance(value, bool) or not isinstance(value, int | float)
                ):
                    self.issues.error(at.document, here(key), f"not a number: {value!r}")
                    value = None
                raw[key[:3]] = value
            # The hours at this place: its own, else (foreign records) the location's, else the
            # service's own schedules, which hold at every place that gives none.
            foreign = not isinstance(extension, dict)
            schedules_at = next(
                (
                    (value, path)
                    for value, path in (
                        (link.get("schedules"), at("service_at_locations", i, "schedules")),
                        (place.get("schedules") if foreign else None, here("schedules")),
                        (record.get("schedules") if foreign else None, at("schedules")),
                    )
                    if _list(value)
                ),
                (None, at("schedules")),
            )
            raw["hours"] = [
                hours
                for j, schedule in _entries(schedules_at[0])
                if (hours := self._hours(schedule, _At(at.document, (*schedules_at[1], j))))
            ]
            location = self._model(Location, raw, where)
            if location is not None:
                locations.append(location)
        if not locations and _list(record.get("schedules")) and not record.get(EXTENSION):
            self.issues.warn(
                at.document,
                at("schedules"),
                "schedules left out: the service has no location whose opening hours they are",
            )
        return locations, phone

    def _foreign_location(
        self, place: dict[str, Any], here: _At, areas: list[str], fallbacks: set[Locale]
    ) -> dict[str, Any]:
        addresses = _list(place.get("addresses"))
        address = next(
            (a for a in addresses if a.get("address_type") == "physical"),
            addresses[0] if addresses else {},
        )
        by_name = _municipalities_by_name()
        municipality = next(
            (
                by_name[value.strip().lower()]
                for value in (address.get(k) for k in ("state_province", "city", "region"))
                if isinstance(value, str) and value.strip().lower() in by_name
            ),
            areas[0] if len(areas) == 1 and areas[0] != vocab.NATIONWIDE else None,
        )
        if municipality is None:
            self.issues.error(
                here.document,
                here("addresses"),
                "cannot tell the municipality: no Finnish municipality named in the address",
            )
        postal_code = address.get("postal_code")
        postal_code = postal_code.strip() if isinstance(postal_code, str) else ""
        if postal_code and not re.fullmatch(r"\d{5}", postal_code):
            self.issues.warn(
                here.document, here("addresses"), "not a Finnish postal code; left out"
            )
            postal_code = ""
        label = next(
            (
                v
                for v in (place.get("name"), address.get("address_1"))
                if isinstance(v, str) and v.strip()
            ),
            municipality or "-",
        )
        text = localized({self.text_locale: label})
        if text is not None:
            fallbacks.update(text.fallbacks)
        short = short_id("loc", str(place.get("id") or label))
        return {
            "id": short,
            "name": text.text if text else None,
            "street": address.get("address_1") or None,
            "postal_code": postal_code or None,
            "city": address.get("city") or None,
            "municipality": municipality,
        }

    def _hours(self, schedule: dict[str, Any], at: _At) -> OpeningHours | None:
        """A weekly opening-hours schedule as OpeningHours; other schedules are warned."""

        def skip(why: str) -> None:
            self.issues.warn(at.document, at.path, f"schedule left out: {why}")

        if str(schedule.get("freq") or "").upper() != "WEEKLY":
            skip("only weekly opening hours are understood")
            return None
        if schedule.get("interval") not in (None, 1, "1"):
            skip("only every-week schedules are understood")
            return None
        valid_to = schedule.get("valid_to")
        if isinstance(valid_to, str) and valid_to[:10] < self.today.isoformat():
            skip(f"it ended on {valid_to}")
            return None
        byday = schedule.get("byday")
        days = [_BYDAY.get(part.strip().upper()) for part in str(byday or "").split(",")]
        opens = _clock(schedule.get("opens_at"))
        closes = _clock(schedule.get("closes_at"))
        if not byday or None in days or opens is None or closes is None:
            skip("it needs byday (MO,TU...), opens_at and closes_at")
            return None
        if closes == "00:00":
            closes = "23:59"  # open until midnight; the schema has no 24:00
        if opens >= closes:
            skip(f"it opens at {opens} and closes at {closes}")
            return None
        ordered = [d for d in WEEKDAYS if d in days]
        return OpeningHours(days=ordered, opens=opens, closes=closes)

    def _ages(
        self, record: dict[str, Any], at: _At, extension: dict[str, Any]
    ) -> tuple[dict[str, Any] | None, bool]:
        """The age range as Ages fields, and whether the service is only for adults."""
        low, high = record.get("minimum_age"), record.get("maximum_age")
        for key, value in (("minimum_age", low), ("maximum_age", high)):
            if value is not None and (
                isinstance(value, bool) or not isinstance(value, int | float)
            ):
                self.issues.error(at.document, at(key), f"not a number: {value!r}")
                return None, False
        if low is None and high is None:
            return None, False
        minimum = int(low or 0)
        if minimum > MAX_AGE:
            return None, True
        # Beyond our range means "no upper limit" for the children and young people we serve.
        maximum = MAX_AGE if high is None else min(int(high), MAX_AGE)
        return {
            "min": minimum,
            "max": maximum,
            "expecting": bool(extension.get("expecting")),
        }, False

    def _languages(self, record: dict[str, Any], at: _At) -> list[str]:
        found: list[str] = []
        for i, language in _entries(record.get("languages")):
            raw = language.get("code")
            code = raw.strip().lower() if isinstance(raw, str) else ""
            code = _ISO_639_3.get(code, code)
            if re.fullmatch(r"[a-z]{2}", code):
                if code not in found:
                    found.append(code)
            else:
                self.issues.warn(
                    at.document,
                    at("languages", i, "code"),
                    f"language {raw!r} is not an ISO 639-1 code Valo knows; left out",
                )
        return found

    def _phone(self, record: dict[str, Any], at: _At) -> str | None:
        for i, entry in _entries(record.get("phones")):
            number = _phone_number(entry.get("number"))
            if number is None:
                self.issues.error(
                    at.document,
                    at("phones", i, "number"),
                    f"not a phone number: {entry.get('number')!r}",
                )
                continue
            return number
        return None

    def _checked(self, record: dict[str, Any], at: _At) -> date:
        for key in ("assured_date", "last_modified"):
            value = record.get(key)
            if isinstance(value, str) and value.strip():
                try:
                    return date.fromisoformat(value.strip()[:10])
                except ValueError:
                    self.issues.error(at.document, at(key), f"not a date: {value!r}")
                    return self.today
        return self.today


def _first_sentence(text: str) -> str:
    """The first sentence of the first line of ``text``: HSDS's advice for a short
    description ("the first full sentence, or first line-break")."""
    line = text.strip().split("\n", 1)[0].strip()
    match = _SENTENCE.match(line)
    return match.group(1) if match else line


def _no_class_reason(unread: list[str], mapped_needs: bool) -> str:
    """Why a record has no PTV service class, naming the terms we could not read."""
    if mapped_needs and not unread:
        return (
            "no PTV service class Valo knows; its terms map to need tags only (map one of "
            "them to a PTV service class too)"
        )
    if not unread:
        return "no PTV service class Valo knows (it has no taxonomy term)"
    shown = "; ".join(unread[:3]) + (f"; {len(unread) - 3} more" if len(unread) > 3 else "")
    return (
        f"no PTV service class Valo knows; its terms: {shown} (name the PTV classes' taxonomy "
        "ptv-service-class, or map other taxonomies' terms with --taxonomy-map)"
    )


def _access(locations: list[Location], phone: str | None) -> list[Access]:
    """How to reach a foreign service, from facts only: open hours at a place, a phone."""
    found: list[Access] = []
    if any(loc.hours for loc in locations):
        found.append("walk-in")
    if phone:
        found.append("call")
    return found


def _cost(record: dict[str, Any]) -> Cost | None:
    for option in _list(record.get("cost_options")):
        label = option.get("option")
        if label in vocab.COSTS:
            cost: Cost = label
            return cost
        amount = option.get("amount")
        if isinstance(amount, int | float) and not isinstance(amount, bool):
            return "free" if amount == 0 else "fee"
    return None


def _interpreter(record: dict[str, Any]) -> bool | None:
    value = record.get("interpretation_services")
    return True if isinstance(value, str) and value.strip() else None


def _phone_number(value: Any) -> str | None:
    """A phone number as we store it (E.164, or a short service number); HSDS examples wrap
    numbers in quotes, so strip them. A number without a country code is Finnish."""
    if not isinstance(value, str):
        return None
    return phones.normalize(value.strip().strip('"').strip())


def _contacts_extension(extension: dict[str, Any]) -> dict[str, Any]:
    """Phone and chat hours and the chat link, which HSDS has no field for, from ``x_valo``."""
    contacts = extension.get("contacts")
    if not isinstance(contacts, dict):
        return {}
    return {k: v for k, v in contacts.items() if k not in ("phone", "email", "url")}


def _string(value: Any) -> str:
    """A text field's value; a whole number (a code written as 1102) as its digits."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value.strip() if isinstance(value, str) else ""


def _taxonomy_naming(term: dict[str, Any]) -> tuple[list[str], list[str]]:
    """The names a term gives its taxonomy (``taxonomy`` as a name or an object,
    ``taxonomy_detail``'s name and URI: what a mapping file is matched against), and what it
    says about the taxonomy besides (the object's description)."""
    names: list[str] = []
    about: list[str] = []
    for detail in (term.get("taxonomy"), term.get("taxonomy_detail")):
        if isinstance(detail, str):
            names.append(detail.strip())
        elif isinstance(detail, dict):
            names += [_string(detail.get("name")), _string(detail.get("uri"))]
            about.append(_string(detail.get("description")))
    return [n for n in names if n], [a for a in about if a]


_OUR_TAXONOMIES = {taxonomy_key(t): t for t in (SERVICE_CLASS, TARGET_GROUP, LIFE_EVENT, NEED)}
# (taxonomy, words that name it alone, words that name it beside a mention of PTV). The
# Finnish words for target group and life event are everyday words, so they need PTV too.
_TAXONOMY_WORDS: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    (SERVICE_CLASS, ("ptvserclass", "palveluluok", "tjänsteklass"), ("service class",)),
    (TARGET_GROUP, ("ptvkohderyhm",), ("target group", "kohderyhm", "målgrupp")),
    (LIFE_EVENT, ("ptvelti",), ("life event", "elämäntilan", "livssituation")),
)
_MENTIONS_PTV = re.compile(r"\b(ptv|suomi fi|palvelutietovaran\w*|finnish service catalogue)\b")


def _ptv_taxonomy(texts: Sequence[str], code: str) -> str | None:
    """The taxonomy of ours the first of ``texts`` that names one names: our own names,
    suomi.fi code list URIs, "PTV service classes", "Palveluluokat"... "PTV" alone names the
    PTV list that has ``code`` (the three lists share no code)."""
    for text in texts:
        key = taxonomy_key(text)
        if key in _OUR_TAXONOMIES:
            return _OUR_TAXONOMIES[key]
        ptv = bool(_MENTIONS_PTV.search(key))
        for taxonomy, alone, beside in _TAXONOMY_WORDS:
            if any(w in key for w in alone) or (ptv and any(w in key for w in beside)):
                return taxonomy
        if ptv:
            for taxonomy, codes in (
                (SERVICE_CLASS, vocab.service_classes()),
                (TARGET_GROUP, vocab.target_groups()),
                (LIFE_EVENT, vocab.life_events()),
            ):
                if code in codes:
                    return taxonomy
    return None


def _ptv_by_label(code: str, name: str) -> str | None:
    """The PTV list in which ``code`` is the code of a term labelled ``name`` (Finnish or
    English), if one is: a code and its own label together are PTV's term, not a guess."""
    key = taxonomy_key(name)
    for taxonomy in (SERVICE_CLASS, TARGET_GROUP, LIFE_EVENT):
        entry = _ptv_terms(taxonomy).get(code)
        if key and entry and key in {taxonomy_key(entry[1]), taxonomy_key(entry[2])}:
            return taxonomy
    return None


def _clock(value: Any) -> str | None:
    match = _CLOCK.match(value.strip()) if isinstance(value, str) else None
    return f"{match.group(1)}:{match.group(2)}" if match else None


@cache
def _municipalities_by_name() -> dict[str, str]:
    names: dict[str, str] = {}
    for code, municipality in vocab.municipalities().items():
        names.setdefault(municipality.name_fi.lower(), code)
        names.setdefault(municipality.name_sv.lower(), code)
    return names


def _list(value: Any) -> list[dict[str, Any]]:
    return [entry for _, entry in _entries(value)]


def _entries(value: Any) -> list[tuple[int, dict[str, Any]]]:
    if not isinstance(value, list):
        return []
    return [(i, entry) for i, entry in enumerate(value) if isinstance(entry, dict)]
