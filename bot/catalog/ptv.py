"""Suomi.fi Finnish Service Catalogue (PTV) Open API v11 JSON -> catalogue entries.

Accepted documents: one Service, one ServiceChannel, a list of them, an API page
(``{pageNumber, pageCount, itemList: [...]}``) or a map ``{id: record}``; services and channels
may be mixed across documents. A service takes its locations, phones, e-mail, web pages and
ways of access from the channels linked to it (``serviceChannels`` on the service or
``services`` on the channel) that are in the same import.

Decisions:
- Ids: ``ptv-<first 8 hex of the PTV id>`` for services and locations, ``ptv-org-<8 hex>`` for
  organisations: short (service ids travel in callback data) and stable across imports. Two
  PTV ids sharing 8 hex digits in one import are an error rather than a silent overwrite.
- Need tags come from the service classes (``interchange.needs_for_classes``). A service whose
  classes map to none is not a family service: it is skipped with a warning, unless the caller
  passes ``default_needs`` (an operator importing an organisation they know serves families).
  This is decided first, so a record we leave out need not be valid in every other field (a
  municipality's whole dump should not fail on a flaw in its road-maintenance service). Class
  codes our vocabulary lacks are left out with a warning; a service with none we know is
  skipped.
- Access comes from the channels: a service location with regular, non-appointment hours is
  ``walk-in``; a phone channel or any phone number is ``call``; an e-service is
  ``apply-online``. A service none of whose channels say how to reach it is skipped with a
  warning (import its ServiceChannel records too) rather than guessed.
- Areas: ``Nationwide``/``NationwideExceptAlandIslands`` -> ``nationwide``; municipality areas
  -> their codes; other area types (provinces, wellbeing services counties...) -> expanded
  through ``bot/vocab/regions.json`` (or the municipalities the record lists). Codes that are
  not municipalities today are dropped with a warning; none left is an error.
- PTV has no Arabic (and often no English): texts fall back (``interchange.localized``) and the
  service lists the stand-in locales in ``untranslated``.
- Coordinates: PTV's ``latitude``/``longitude`` hold ETRS-TM35FIN (EPSG:3067) northing and
  easting; they are converted to WGS84 with pyproj. Values outside TM35FIN's range are an
  error (they are usually WGS84 degrees put in the wrong place).
- Opening hours: the regular weekly hours valid until further notice (``DaysOfTheWeek`` with
  ``validForNow``); time-limited periods and exceptions (holidays) are left out. Hours over
  midnight are split at midnight; closing at 24:00 is stored as 23:59.
- Sources: the record's public page on suomi.fi (kind ``register``, ``updated`` the record's
  ``modified`` date) plus the channels' web pages (kind ``organiser``: the organisation gives
  them for its service); ``checked`` is the record's ``modified`` date.
- Phones are stored in E.164 (``phones.normalize``); a number that is not valid is an error.
  A phone channel's regular hours (read as opening hours are) become the line's
  ``phone_hours``, or ``phone_always`` when it is always open. PTV has no chat channel type,
  so ``chat`` never comes from PTV.
- Organisations' ``domains`` are the hosts of the web pages their entries give; the
  catalogue's rules (``rules.service_problems``) are applied to every entry built, at its
  record's line.
- Source (for replacing earlier imports): ``ptv:<organisation id>`` of the responsible
  organisation, one part per organisation seen, even when all its services were skipped.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from typing import Any
from uuid import UUID

from pydantic import ValidationError
from pyproj import Transformer

from bot.catalog import phones, vocab
from bot.catalog.interchange import (
    Issues,
    LocalizedText,
    check_need_tags,
    is_uuid,
    localized,
    needs_for_classes,
    untranslated,
)
from bot.catalog.schema import (
    WEEKDAYS,
    Access,
    CatalogFile,
    Contacts,
    Cost,
    Day,
    Location,
    OpeningHours,
    Organization,
    Service,
    Source,
    Text,
    own_domain,
)
from bot.data_errors import DataFileError
from bot.json_source import JsonDocument, read_json_documents
from bot.yaml_source import PathKey

PTV_SERVICE_URL = "https://www.suomi.fi/palvelut/palvelu/{id}"

_NATIONWIDE_AREAS = frozenset({"Nationwide", "NationwideExceptAlandIslands", "WholeCountry"})
_CHARGE_TYPES: dict[str, Cost | None] = {
    "FreeOfCharge": "free",
    "Free": "free",
    "Chargeable": "fee",
    "Charged": "fee",
    "Other": None,
}
_ROLE_ORDER = ("Responsible", "Producer", "OtherResponsible")
_PUBLISHED = frozenset({"Published", "Modified"})  # Modified: published, with a newer draft
_DAYS: dict[str, Day] = {
    "monday": "mo",
    "tuesday": "tu",
    "wednesday": "we",
    "thursday": "th",
    "friday": "fr",
    "saturday": "sa",
    "sunday": "su",
}
_TIME = re.compile(r"^(\d{1,2}):(\d{2})(?::\d{2}(?:\.\d+)?)?$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$")
# A person's own address as Finnish public bodies write them (etunimi.sukunimi@...): a named
# contact person, never stored (issue #24). A shared box with a dot ("neuvola.kotka@") is
# left out too; the card keeps its phone and web page.
_PERSONAL_EMAIL = re.compile(r"^[^\W\d_]{2,}(?:-[^\W\d_]+)?\.[^\W\d_]{2,}(?:-[^\W\d_]+)?@")
_URL = re.compile(r"^https?://\S+$")
# ETRS-TM35FIN covers Finland with these northings and (extended zone) eastings, in metres.
_NORTHING = (6_500_000.0, 7_800_000.0)
_EASTING = (40_000.0, 800_000.0)


@dataclass(frozen=True)
class PtvImport:
    """What a PTV import produced: the catalogue, the warnings, and its parts by source."""

    catalog: CatalogFile
    warnings: list[str]
    # "ptv:<organisation id>" -> that organisation's organisations and services. An import
    # replaces, per key, the entries an earlier import of the same key brought.
    by_source: dict[str, CatalogFile] = field(default_factory=dict)
    left_out: int = 0  # records not imported, each with a warning saying why

    @property
    def source(self) -> str:
        """The one source of an import from a single organisation (see ``by_source``)."""
        if len(self.by_source) != 1:
            raise ValueError(
                f"this PTV import spans {len(self.by_source)} organisations; use by_source"
            )
        return next(iter(self.by_source))


@cache
def _wgs84() -> Transformer:
    return Transformer.from_crs("EPSG:3067", "EPSG:4326", always_xy=True)


def etrs_tm35fin_to_wgs84(easting: float, northing: float) -> tuple[float, float]:
    """ETRS-TM35FIN (EPSG:3067) easting/northing in metres -> WGS84 ``(lat, lon)`` degrees."""
    lon, lat = _wgs84().transform(easting, northing)
    # 7 decimals is about 1 cm: enough for a door, and stable output for diffs.
    return round(float(lat), 7), round(float(lon), 7)


@dataclass(frozen=True)
class _Record:
    document: JsonDocument
    path: PathKey
    data: dict[str, Any]
    ptv_id: str

    def at(self, *more: str | int) -> PathKey:
        return (*self.path, *more)


@dataclass(frozen=True)
class _Link:
    """A channel linked to a service, and the connection (it may carry its own hours)."""

    channel: _Record
    connection: dict[str, Any]
    connection_in: _Record  # the record holding the connection, for error paths
    connection_at: PathKey


def parse_ptv(
    documents: Sequence[tuple[str, Any]],
    *,
    default_needs: Sequence[str] = (),
    today: date | None = None,
) -> PtvImport:
    """Read PTV v11 Service and ServiceChannel JSON into catalogue entries.

    ``documents`` are ``(display name, JSON text or parsed JSON)``; give the text to get line
    numbers in errors. ``default_needs`` tag services whose PTV classes map to no need tag
    (otherwise they are skipped as not family services); ``today`` is the ``checked`` date of
    records without a ``modified`` date. Raises ``DataFileError`` listing every problem;
    nothing is returned half-imported.
    """
    defaults = check_need_tags(default_needs)
    checked_default = today or date.today()
    parsed, syntax_errors = read_json_documents(documents)
    issues = Issues(errors=list(syntax_errors))
    services: dict[str, _Record] = {}
    channels: dict[str, _Record] = {}
    for document in parsed:
        for record in _records(document, issues):
            is_channel = "serviceChannelType" in record.data or "serviceChannelNames" in record.data
            table = channels if is_channel else services
            first = table.get(record.ptv_id)
            if first is not None:
                issues.error(
                    record.document,
                    record.at("id"),
                    f"PTV record {record.ptv_id} appears twice (first at "
                    f"{first.document.file}:{first.document.line_of(first.path)})",
                )
                continue
            table[record.ptv_id] = record

    links = _links(services, channels, issues)
    names: dict[str, str | None] = {}  # PTV organisation id -> its name, when any record has it
    short_ids: dict[str, str] = {}  # our organisation id -> PTV organisation id
    by_source: dict[str, list[Service]] = {}
    built: list[Service] = []
    made: list[tuple[_Record, str, Service]] = []  # (its record, PTV organisation, entry)
    for ptv_id, record in services.items():
        result = _service(record, links.get(ptv_id, []), defaults, checked_default, issues)
        if result is None:
            continue
        owner, service = result
        if names.get(owner.ptv_org) is None:
            names[owner.ptv_org] = owner.name
        claimed = short_ids.setdefault(_organization_id(owner.ptv_org), owner.ptv_org)
        if claimed != owner.ptv_org:
            issues.error(
                record.document,
                record.at("organizations"),
                f"PTV organisations {claimed} and {owner.ptv_org} share the short id "
                f"{_organization_id(claimed)}",
            )
        part = by_source.setdefault(f"ptv:{owner.ptv_org}", [])
        if service is not None:
            part.append(service)
            built.append(service)
            made.append((record, owner.ptv_org, service))
    _check_unique_ids(services, issues)

    organizations: dict[str, Organization] = {}
    for ptv_org, name in names.items():
        label = name or f"PTV organization {ptv_org}"
        # The organisation's own domains: the hosts of the pages it gives for its services
        # in its own PTV entries.
        domains = {
            domain: None
            for _, org, service in made
            if org == ptv_org
            for source in service.sources
            if source.kind == "organiser" and (domain := own_domain(source.url))
        }
        organizations[ptv_org] = Organization(
            id=_organization_id(ptv_org),
            name=Text(fi=label, en=label, ar=label),
            domains=list(domains),
        )
    for record, ptv_org, service in made:
        issues.rule_problems(
            record.document, record.path, service, organizations[ptv_org], checked_default
        )
    if issues.errors:
        raise DataFileError(list(dict.fromkeys(issues.errors)))
    parts = {
        source: CatalogFile(
            organizations=[organizations[source.removeprefix("ptv:")]], services=services_of
        )
        for source, services_of in by_source.items()
    }
    used = {s.organization for s in built}
    catalog = CatalogFile(
        organizations=[o for o in organizations.values() if o.id in used], services=built
    )
    return PtvImport(catalog, list(dict.fromkeys(issues.warnings)), parts, issues.left_out)


def _records(document: JsonDocument, issues: Issues) -> list[_Record]:
    data = document.data
    items: list[tuple[PathKey, Any]]
    if isinstance(data, dict) and "itemList" in data:
        listed = data["itemList"] or []
        if not isinstance(listed, list):
            issues.error(document, ("itemList",), "must be a list of PTV records")
            return []
        items = [(("itemList", i), item) for i, item in enumerate(listed)]
    elif isinstance(data, list):
        items = [((i,), item) for i, item in enumerate(data)]
    elif isinstance(data, dict) and _is_record(data):
        items = [((), data)]
    elif isinstance(data, dict) and data and all(isinstance(v, dict) for v in data.values()):
        items = [((key,), item) for key, item in data.items()]
    else:
        issues.error(
            document,
            (),
            "not PTV v11 JSON: expected a Service or ServiceChannel record, a list or map of "
            "them, or an API page with itemList",
        )
        return []
    found: list[_Record] = []
    for path, item in items:
        if not isinstance(item, dict) or not _is_record(item):
            issues.error(
                document,
                path,
                "not a PTV Service (serviceNames) or ServiceChannel (serviceChannelNames) record",
            )
            continue
        ptv_id = item.get("id")
        if not is_uuid(ptv_id):
            issues.error(document, (*path, "id"), f"PTV id must be a UUID, got {ptv_id!r}")
            continue
        assert isinstance(ptv_id, str)
        found.append(_Record(document, path, item, ptv_id.strip().lower()))
    return found


def _is_record(data: dict[str, Any]) -> bool:
    return bool({"serviceNames", "serviceChannelNames", "serviceChannelType"} & data.keys())


def _links(
    services: dict[str, _Record], channels: dict[str, _Record], issues: Issues
) -> dict[str, list[_Link]]:
    """Service id -> its channels in the input (service side first, then channel side)."""
    links: dict[str, list[_Link]] = {}
    linked: set[str] = set()
    for ptv_id, record in services.items():
        for i, connection in _entries(record.data.get("serviceChannels")):
            channel_id = _str((connection.get("serviceChannel") or {}).get("id")).lower()
            if channel_id in channels:
                link = _Link(channels[channel_id], connection, record, ("serviceChannels", i))
                links.setdefault(ptv_id, []).append(link)
                linked.add(channel_id)
    for channel_id, channel in channels.items():
        for i, connection in _entries(channel.data.get("services")):
            service_id = _str((connection.get("service") or {}).get("id")).lower()
            if service_id not in services:
                continue
            linked.add(channel_id)
            known = links.setdefault(service_id, [])
            if all(link.channel is not channel for link in known):
                known.append(_Link(channel, connection, channel, ("services", i)))
        if channel_id not in linked:
            issues.leave_out(
                channel.document,
                channel.path,
                f"service channel {channel.ptv_id}",
                "none of its services is in this import (import the Service records too)",
            )
    return links


def _service(
    record: _Record,
    links: list[_Link],
    default_needs: list[str],
    today: date,
    issues: Issues,
) -> tuple[_Owner, Service | None] | None:
    """(owner, service or None when skipped); None when the record is unusable."""
    data = record.data
    errors_before = len(issues.errors)
    doc = record.document
    sid = f"ptv-{record.ptv_id.replace('-', '')[:8]}"

    owner = _responsible_organization(record, links, issues)
    if owner is None:
        return None

    status = data.get("publishingStatus")
    if status is not None and status not in _PUBLISHED:
        issues.leave_out(doc, record.path, sid, f"publishing status is {status}")
        return owner, None
    kind = data.get("type")
    if kind not in (None, "Service"):
        issues.leave_out(doc, record.path, sid, f"a {kind}, not a service")
        return owner, None

    # Family or not first: a record we leave out need not be perfect to be left out.
    names = _texts(record, "serviceNames", ("Name",), Issues(), required=False)
    label = f"{sid} ({names.text.fi})" if names else sid
    classes = _codes(record, "serviceClasses", vocab.service_classes().keys(), issues)
    needs = needs_for_classes(classes)
    if not classes:
        issues.leave_out(doc, record.path, label, "no PTV service class Valo knows")
        return owner, None
    if not needs and not default_needs:
        issues.leave_out(
            doc,
            record.path,
            label,
            f"its PTV classes ({', '.join(classes)}) map to no need tag, so "
            "it is not a family service",
        )
        return owner, None

    name = _texts(record, "serviceNames", ("Name",), issues, required=True)
    summary = _texts(record, "serviceDescriptions", ("Summary", "ShortDescription"), issues, True)
    description = _texts(record, "serviceDescriptions", ("Description",), issues, False)
    target_groups = _codes(record, "targetGroups", vocab.target_groups(), issues)
    life_events = _codes(record, "lifeEvents", vocab.life_events(), issues)
    municipalities = _areas(record, issues)
    languages = _languages(record, issues)
    cost = _cost(record, issues)
    checked = _modified(record, today, issues)

    locations: list[Location] = []
    access: set[Access] = set()
    contacts: dict[str, Any] = {}
    pages: list[str] = []
    for link in links:
        _channel(link, locations, access, contacts, pages, issues)
    if len(issues.errors) > errors_before or name is None or summary is None:
        return None

    fallbacks = set(name.fallbacks) | set(summary.fallbacks)
    fallbacks |= description.fallbacks if description else set()
    if any(t is not None and t.shortened for t in (name, summary, description)):
        issues.warn(doc, record.path, f"{label}: texts over 1200 characters were shortened")
    if not needs:
        needs = default_needs
        issues.warn(
            doc,
            record.path,
            f"{label}: no need tag from its PTV classes ({', '.join(classes)}); given the "
            f"default {', '.join(default_needs)}",
        )
    if not access:
        issues.leave_out(
            doc,
            record.path,
            label,
            "no channel in this import says how to reach it (import its "
            "ServiceChannel records too)",
        )
        return owner, None

    register = PTV_SERVICE_URL.format(id=record.ptv_id)
    # The suomi.fi page is the register entry, last updated when the record was modified; the
    # channels' web pages are the pages the organiser itself gives for the service.
    updated = checked.isoformat() if record.data.get("modified") else None  # else it is today
    sources = [Source(url=register, kind="register", updated=updated)]
    sources += [Source(url=url, kind="organiser") for url in pages if url != register]
    try:
        service = Service(
            id=sid,
            organization=_organization_id(owner.ptv_org),
            name=name.text,
            summary=summary.text,
            description=description.text if description else None,
            needs=needs,
            service_classes=classes,
            target_groups=target_groups,
            life_events=life_events,
            municipalities=municipalities,
            cost=cost,
            languages=languages,
            access=[a for a in vocab.ACCESS_METHODS if a in access],
            contacts=Contacts(**contacts),
            locations=locations,
            sources=sources,
            checked=checked,
            untranslated=untranslated(fallbacks),
            ptv_id=str(UUID(record.ptv_id)),  # PTV's own form, whatever the input's
        )
    except ValidationError as exc:
        issues.model_errors(doc, record.path, exc)
        return None
    return owner, service


@dataclass(frozen=True)
class _Owner:
    ptv_org: str  # lowercase UUID
    name: str | None


def _responsible_organization(record: _Record, links: list[_Link], issues: Issues) -> _Owner | None:
    """The organisation answering for the service: Responsible, else Producer, else other."""
    entries = [e for e in _list(record.data.get("organizations")) if e.get("organization")]
    entries.sort(
        key=lambda e: (
            _ROLE_ORDER.index(e["roleType"])
            if e.get("roleType") in _ROLE_ORDER
            else len(_ROLE_ORDER)
        )
    )
    for entry in entries:
        candidate = entry["organization"].get("id")
        if is_uuid(candidate):
            name = _plain_name(entry["organization"].get("name"))
            return _Owner(str(candidate).strip().lower(), name)
    for candidate in [record.data.get("organizationId")] + [
        link.channel.data.get("organizationId") for link in links
    ]:
        if is_uuid(candidate):
            return _Owner(str(candidate).strip().lower(), None)
    issues.error(
        record.document,
        record.at("organizations"),
        "no responsible organisation (organizations[].organization.id or organizationId)",
    )
    return None


def _organization_id(ptv_org: str) -> str:
    return f"ptv-org-{ptv_org.replace('-', '')[:8]}"


def _plain_name(name: Any) -> str | None:
    """An organisation name given as a string or as PTV's ``[{language, value}]``."""
    if isinstance(name, str) and name.strip():
        return name.strip()
    if isinstance(name, list):
        text = localized({_str(n.get("language")): n.get("value") for n in _list(name)})
        return text.text.fi if text else None
    return None


def _texts(
    record: _Record,
    key: str,
    types: tuple[str, ...],
    issues: Issues,
    required: bool,
) -> LocalizedText | None:
    entries = _list(record.data.get(key))
    values: dict[str, str | None] = {}
    for entry in entries:
        if entry.get("type") in types and entry.get("language") and entry.get("value"):
            values.setdefault(str(entry["language"]), str(entry["value"]))
    text = localized(values)
    if text is None and required:
        issues.error(
            record.document,
            record.at(key),
            f"no text of type {' or '.join(types)} in any language",
        )
    return text


def _codes(record: _Record, key: str, known: Any, issues: Issues) -> list[str]:
    """The ``code`` of each entry of ``key`` that our vocabulary knows; others are warned."""
    found: list[str] = []
    for i, entry in enumerate(_list(record.data.get(key))):
        code = _str(entry.get("code"))
        if code in known:
            if code not in found:
                found.append(code)
        elif code:
            issues.warn(
                record.document,
                record.at(key, i, "code"),
                f"PTV code {code} is not in Valo's vocabulary (bot/vocab); left out",
            )
    return found


def _areas(record: _Record, issues: Issues) -> list[str]:
    data = record.data
    doc = record.document
    area_type = data.get("areaType")
    if area_type in _NATIONWIDE_AREAS:
        return [vocab.NATIONWIDE]
    if area_type not in ("LimitedType", None):
        issues.error(doc, record.at("areaType"), f"unknown area type {area_type!r}")
        return []
    known = vocab.municipalities()
    regions = vocab.regions()
    codes: list[str] = []
    errors_before = len(issues.errors)
    for i, area in enumerate(_list(data.get("areas"))):
        kind, code = _str(area.get("type")), _str(area.get("code"))
        listed = [_str(m.get("code")) for m in _list(area.get("municipalities"))]
        named = {
            _str(m.get("code")): _plain_name(m.get("name"))
            for m in _list(area.get("municipalities"))
        }
        if kind == "Municipality":
            members = [c for c in listed if c] or ([code] if code else [])
        elif code in regions.get(kind, {}):
            members = list(regions[kind][code])
        elif listed:
            members = listed
        else:
            issues.error(
                doc,
                record.at("areas", i),
                f"area {kind} {code!r} is not in bot/vocab/regions.json and lists no "
                "municipalities",
            )
            continue
        for member in members:
            if member not in known:
                issues.warn(
                    doc,
                    record.at("areas", i),
                    f"{member!r}{f' ({named[member]})' if named.get(member) else ''} is not a "
                    "municipality code today; left out",
                )
            elif member not in codes:
                codes.append(member)
    if not codes and len(issues.errors) == errors_before:
        issues.error(
            doc, record.at("areas"), "no area Valo knows (no municipality, not nationwide)"
        )
    return codes


def _languages(record: _Record, issues: Issues) -> list[str]:
    found: list[str] = []
    for i, value in enumerate(record.data.get("languages") or []):
        code = _str(value).lower()
        if re.fullmatch(r"[a-z]{2}", code):
            if code not in found:
                found.append(code)
        else:
            issues.warn(
                record.document,
                record.at("languages", i),
                f"language {value!r} is not an ISO 639-1 code; left out",
            )
    if not found:
        issues.error(record.document, record.at("languages"), "no language given")
    return found


def _cost(record: _Record, issues: Issues) -> Cost | None:
    charge = record.data.get("serviceChargeType")
    if charge in (None, ""):
        return None
    if charge not in _CHARGE_TYPES:
        issues.error(
            record.document,
            record.at("serviceChargeType"),
            f"unknown charge type {charge!r} (expected one of {', '.join(_CHARGE_TYPES)})",
        )
        return None
    return _CHARGE_TYPES[charge]


def _modified(record: _Record, today: date, issues: Issues) -> date:
    modified = record.data.get("modified")
    if not modified:
        return today
    try:
        return date.fromisoformat(str(modified)[:10])
    except ValueError:
        issues.error(record.document, record.at("modified"), f"not a date: {modified!r}")
        return today


def _channel(
    link: _Link,
    locations: list[Location],
    access: set[Access],
    contacts: dict[str, Any],
    pages: list[str],
    issues: Issues,
) -> None:
    """Fold one linked channel into the service's locations, access, contacts and pages."""
    channel = link.channel
    data = channel.data
    kind = data.get("serviceChannelType")
    phone = _first_phone(channel, issues)
    if phone:
        if "phone" not in contacts:
            contacts["phone"] = phone
            if kind == "Phone":  # a phone channel's service hours are when the line answers
                hours, _ = _hours(channel, channel.path, data, issues)
                if hours == _AROUND_THE_CLOCK:
                    contacts["phone_always"] = True
                elif hours:
                    contacts["phone_hours"] = hours
        access.add("call")
    for i, entry in enumerate(_list(data.get("emails"))):
        email = _str(entry.get("value")).strip()
        if not _EMAIL.match(email):
            issues.error(
                channel.document, channel.at("emails", i, "value"), "not an e-mail address"
            )
        elif _PERSONAL_EMAIL.match(email):
            issues.warn(
                channel.document,
                channel.at("emails", i, "value"),
                "left out: reads as a person's own address (given.family@); not stored",
            )
        else:
            contacts.setdefault("email", email)
    for i, entry in enumerate(_list(data.get("webPages"))):
        url = _str(entry.get("url")).strip()
        if not _URL.match(url):
            issues.error(channel.document, channel.at("webPages", i, "url"), "not a web address")
        elif url not in pages:
            pages.append(url)
            contacts.setdefault("url", url)
    if kind == "EChannel":
        access.add("apply-online")
    if kind == "ServiceLocation":
        location, walk_in = _location(link, issues)
        if location is not None:
            locations.append(location)
        if walk_in:
            access.add("walk-in")


def _first_phone(channel: _Record, issues: Issues) -> str | None:
    for i, entry in enumerate(_list(channel.data.get("phoneNumbers"))):
        if entry.get("type") not in (None, "Phone"):
            continue  # SMS and fax lines are not how families reach a service
        number = _str(entry.get("number")).strip()
        prefix = _str(entry.get("prefixNumber")).strip()
        if prefix and not entry.get("isFinnishServiceNumber"):
            number = prefix + (number[1:] if number.startswith("0") else number)
        stored = phones.normalize(number)
        if stored is None:
            issues.error(
                channel.document,
                channel.at("phoneNumbers", i, "number"),
                f"not a phone number: {number!r}",
            )
            continue
        return stored
    return None


def _location(link: _Link, issues: Issues) -> tuple[Location | None, bool]:
    """The channel as a Location, and whether its regular hours need no appointment."""
    channel = link.channel
    doc = channel.document
    errors_before = len(issues.errors)
    name = _texts(channel, "serviceChannelNames", ("Name",), issues, required=True)
    index, address = next(
        (
            (i, a)
            for i, a in enumerate(_list(channel.data.get("addresses")))
            if a.get("type") in ("Location", "Visiting") and a.get("streetAddress")
        ),
        (-1, None),
    )
    if address is None:
        issues.error(doc, channel.at("addresses"), "no visiting address with a street address")
        return None, False
    here: PathKey = channel.at("addresses", index, "streetAddress")
    street_address = address["streetAddress"]
    street = localized(
        {_str(s.get("language")): s.get("value") for s in _list(street_address.get("street"))}
    )
    number = _str(street_address.get("streetNumber")).strip()
    postal_code = _str(street_address.get("postalCode")).strip() or None
    if postal_code is not None and not re.fullmatch(r"\d{5}", postal_code):
        issues.error(doc, (*here, "postalCode"), f"not a Finnish postal code: {postal_code!r}")
    office = localized(
        {_str(p.get("language")): p.get("value") for p in _list(street_address.get("postOffice"))}
    )
    city = office.text.fi if office else None
    if city and city.isupper():  # PTV writes post offices in capitals: "OTAVA" -> "Otava"
        city = city.title()
    municipality = _str((street_address.get("municipality") or {}).get("code"))
    if municipality not in vocab.municipalities():
        issues.error(
            doc, (*here, "municipality", "code"), f"unknown municipality code {municipality!r}"
        )
    lat, lon = _coordinates(channel, here, street_address, issues)
    if _list(link.connection.get("serviceHours")):  # hours for this service at this place
        hours, walk_in = _hours(link.connection_in, link.connection_at, link.connection, issues)
    else:
        hours, walk_in = _hours(channel, channel.path, channel.data, issues)
    if len(issues.errors) > errors_before or name is None:
        return None, False
    try:
        location = Location(
            id=f"ptv-{channel.ptv_id.replace('-', '')[:8]}",
            name=name.text,
            street=" ".join(p for p in (street.text.fi if street else "", number) if p) or None,
            postal_code=postal_code,
            city=city,
            municipality=municipality,
            lat=lat,
            lon=lon,
            hours=hours,
        )
    except ValidationError as exc:
        issues.model_errors(doc, channel.path, exc)
        return None, False
    return location, walk_in


def _coordinates(
    channel: _Record, here: PathKey, street_address: dict[str, Any], issues: Issues
) -> tuple[float | None, float | None]:
    raw_north, raw_east = street_address.get("latitude"), street_address.get("longitude")
    if raw_north in (None, "", "0") or raw_east in (None, "", "0"):
        return None, None
    values: dict[str, float] = {}
    for key, raw, (low, high), what in (
        ("latitude", raw_north, _NORTHING, "northing"),
        ("longitude", raw_east, _EASTING, "easting"),
    ):
        try:
            value = float(str(raw).replace(",", "."))
        except ValueError:
            issues.error(channel.document, (*here, key), f"not a number: {raw!r}")
            continue
        if not low <= value <= high:
            issues.error(
                channel.document,
                (*here, key),
                f"{raw} is not an ETRS-TM35FIN {what} ({low:,.0f}-{high:,.0f} m); PTV gives "
                "EPSG:3067 metres here, not WGS84 degrees",
            )
            continue
        values[key] = value
    if len(values) != 2:
        return None, None
    return etrs_tm35fin_to_wgs84(values["longitude"], values["latitude"])


_AROUND_THE_CLOCK = [OpeningHours(days=list(WEEKDAYS), opens="00:00", closes="23:59")]


def _hours(
    record: _Record, holder_at: PathKey, holder: dict[str, Any], issues: Issues
) -> tuple[list[OpeningHours], bool]:
    """Regular weekly hours valid until further notice, grouped by time; and walk-in-ness.

    ``holder`` (at ``holder_at`` in ``record``) is the channel or a service-channel connection.
    """
    spans: dict[tuple[str, str], set[Day]] = {}
    walk_in = False
    for i, entry in _entries(holder.get("serviceHours")):
        if entry.get("serviceHourType") not in ("DaysOfTheWeek", "Standard"):
            continue
        if entry.get("validForNow") is False and entry.get("validTo"):
            continue
        if entry.get("isClosed"):
            continue
        if not entry.get("isReservation"):
            walk_in = True
        if entry.get("isAlwaysOpen"):
            spans.setdefault(("00:00", "23:59"), set()).update(WEEKDAYS)
            continue
        for j, opening in _entries(entry.get("openingHour")):
            where: PathKey = (*holder_at, "serviceHours", i, "openingHour", j)
            days = _day_range(opening, record, where, issues)
            opens = _clock(opening.get("from"), record, (*where, "from"), issues)
            closes = _clock(opening.get("to"), record, (*where, "to"), issues)
            if days is None or opens is None or closes is None:
                continue
            if closes == "00:00":
                closes = "23:59"  # open until midnight; the schema has no 24:00
            if opens < closes:
                spans.setdefault((opens, closes), set()).update(days)
            elif opens == closes:
                issues.error(record.document, where, f"opens and closes at {opens}")
            else:  # over midnight: the evening on these days, the small hours on the next
                spans.setdefault((opens, "23:59"), set()).update(days)
                following = {WEEKDAYS[(WEEKDAYS.index(d) + 1) % 7] for d in days}
                spans.setdefault(("00:00", closes), set()).update(following)
    hours = [
        OpeningHours(days=[d for d in WEEKDAYS if d in days], opens=opens, closes=closes)
        for (opens, closes), days in spans.items()
    ]
    return hours, walk_in and bool(hours)


def _day_range(
    opening: dict[str, Any], channel: _Record, where: PathKey, issues: Issues
) -> list[Day] | None:
    first = _DAYS.get(_str(opening.get("dayFrom")).lower())
    if first is None:
        issues.error(
            channel.document, (*where, "dayFrom"), f"not a weekday: {opening.get('dayFrom')!r}"
        )
        return None
    last_name = _str(opening.get("dayTo")).lower()
    if not last_name:
        return [first]
    last = _DAYS.get(last_name)
    if last is None:
        issues.error(
            channel.document, (*where, "dayTo"), f"not a weekday: {opening.get('dayTo')!r}"
        )
        return None
    start, end = WEEKDAYS.index(first), WEEKDAYS.index(last)
    return [WEEKDAYS[(start + k) % 7] for k in range((end - start) % 7 + 1)]


def _clock(value: Any, channel: _Record, where: PathKey, issues: Issues) -> str | None:
    match = _TIME.match(_str(value).strip())
    if match is None or int(match.group(1)) > 24 or int(match.group(2)) > 59:
        issues.error(channel.document, where, f"not a time of day: {value!r}")
        return None
    hour, minute = int(match.group(1)), match.group(2)
    if hour == 24:
        return "00:00" if minute == "00" else None
    return f"{hour:02d}:{minute}"


def _check_unique_ids(services: dict[str, _Record], issues: Issues) -> None:
    """Two PTV ids with the same first 8 hex digits would collide in our short ids."""
    seen: dict[str, str] = {}
    for ptv_id, record in services.items():
        sid = f"ptv-{ptv_id.replace('-', '')[:8]}"
        if sid in seen and seen[sid] != ptv_id:
            issues.error(
                record.document,
                record.at("id"),
                f"PTV ids {seen[sid]} and {ptv_id} share the short id {sid}",
            )
        seen.setdefault(sid, ptv_id)


def _list(value: Any) -> list[dict[str, Any]]:
    """The dict entries of a JSON list (PTV uses null for empty lists)."""
    return [entry for _, entry in _entries(value)]


def _entries(value: Any) -> list[tuple[int, dict[str, Any]]]:
    """The dict entries of a JSON list with their indexes."""
    if not isinstance(value, list):
        return []
    return [(i, entry) for i, entry in enumerate(value) if isinstance(entry, dict)]


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""
