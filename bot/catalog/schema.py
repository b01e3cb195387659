"""The catalogue schema, modelled on Open Referral HSDS 3.0 and coded with PTV vocabularies.

These pydantic models are the one definition of a catalogue entry: YAML files, PTV and HSDS
imports and the database all go through them, and ``services_catalog/schema.json`` is
generated from them (``valo-bot catalog schema``).
"""

from __future__ import annotations

import re
from collections.abc import Collection
from datetime import UTC, date, datetime
from typing import Annotated, Literal
from urllib.parse import urlsplit

from dateutil.rrule import rrulestr
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from bot.catalog import phones, vocab

Id = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=64)]
# Service ids travel in callback data (64 bytes with the action prefix), so they stay short.
ServiceId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=40)]
NonEmpty = Annotated[str, StringConstraints(min_length=1, max_length=1200, strip_whitespace=True)]
HHMM = Annotated[str, StringConstraints(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")]
LocalDateTime = Annotated[str, StringConstraints(pattern=r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$")]
LanguageCode = Annotated[str, StringConstraints(pattern=r"^[a-z]{2}$")]
Day = Literal["mo", "tu", "we", "th", "fr", "sa", "su"]
Cost = Literal["free", "fee", "income-based"]
Access = Literal["walk-in", "call", "chat", "book-online", "apply-online", "referral"]
EventKind = Literal["art", "open-ecec", "family-cafe", "other"]
Locale = Literal["fi", "en", "ar"]
Url = Annotated[str, StringConstraints(pattern=r"^https?://\S+$")]
# A web host of an organisation's own pages; its subdomains count as its own too.
Domain = Annotated[str, StringConstraints(pattern=r"^([a-z0-9-]+\.)+[a-z]{2,}$", max_length=253)]
# A PTV (Suomi.fi service catalogue) id: a UUID, lower case with dashes, as PTV writes it.
PTV_ID_PATTERN = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
PtvId = Annotated[str, StringConstraints(pattern=PTV_ID_PATTERN)]


def _page_date(value: object) -> object:
    """A page's own date as precise as the page gives it: "2023", "2023-10" or "2023-10-11"
    (many pages show only a month or a year; writing a full date would invent a day)."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        page_date_start(value)  # raises ValueError for "2023-13" or "2023-02-30"
    return value


def page_date_start(value: str) -> date:
    """The earliest day a page dated ``value`` can be from: what staleness is measured by."""
    match = re.fullmatch(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?", value)
    if match is None:
        raise ValueError(f"{value!r} is not a date: use YYYY-MM-DD, YYYY-MM or YYYY")
    year, month, day = match.groups()
    try:
        return date(int(year), int(month or 1), int(day or 1))
    except ValueError as err:
        raise ValueError(f"{value!r} is not a date: {err}") from None


# The date a page says it was published or last updated, to the precision it gives.
PageDate = Annotated[
    str,
    StringConstraints(pattern=r"^\d{4}(-\d{2}(-\d{2})?)?$"),
    BeforeValidator(_page_date),
]
# organiser: the organiser's own page; register: a public register (suomi.fi/PTV, Kela's
# benefit pages for Kela's facts...); news: a press or news article, or any page on a host
# that is not the organiser's; other: anything else (say what in the source's note).
SourceKind = Literal["organiser", "register", "news", "other"]

# Youth services reach young adults (e.g. therapy guarantee under 23).
MAX_AGE = 25

WEEKDAYS: tuple[Day, ...] = ("mo", "tu", "we", "th", "fr", "sa", "su")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(Strict):
    """A text in every locale we speak."""

    fi: NonEmpty
    en: NonEmpty
    ar: NonEmpty

    def get(self, locale: str) -> str:
        value: str = getattr(self, locale, self.en)
        return value


class Ages(Strict):
    """Children's ages in whole years the service is for; ``expecting`` for pregnancy."""

    min: int = Field(default=0, ge=0, le=MAX_AGE)
    max: int = Field(default=17, ge=0, le=MAX_AGE)
    expecting: bool = False

    @model_validator(mode="after")
    def _ordered(self) -> Ages:
        if self.min > self.max:
            raise ValueError(f"min ({self.min}) must be <= max ({self.max})")
        return self


class OpeningHours(Strict):
    days: list[Day] = Field(min_length=1)
    opens: HHMM
    closes: HHMM

    @model_validator(mode="after")
    def _ordered(self) -> OpeningHours:
        if self.opens >= self.closes:
            raise ValueError(f"opens ({self.opens}) must be before closes ({self.closes})")
        return self


class Contacts(Strict):
    """A service's own lines and addresses, never the names of individual employees.

    ``phone`` is stored in E.164 (``+35852206000``), or as dialled for the short national
    service numbers (``112``, ``116111``); cards show it as dialled in Finland
    (``bot/catalog/phones.py``). ``phone_hours``/``chat_hours`` are when the line or chat
    answers; ``phone_always``/``chat_always`` say it answers around the clock.
    """

    phone: str | None = None
    phone_hours: list[OpeningHours] = []
    phone_always: bool = False
    chat: Url | None = None
    chat_hours: list[OpeningHours] = []
    chat_always: bool = False
    email: Annotated[str, StringConstraints(pattern=r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$")] | None = None
    url: Url | None = None

    @field_validator("phone")
    @classmethod
    def _stored_phone(cls, value: str | None) -> str | None:
        if value is not None and not phones.is_stored_form(value):
            suggestion = phones.normalize(value)
            hint = f" (write {suggestion!r})" if suggestion and suggestion != value else ""
            raise ValueError(
                f"{value!r} is not a valid phone number in E.164 form (+358...) or a short "
                f"service number such as 112 or 116111{hint}"
            )
        return value

    @model_validator(mode="after")
    def _hours_belong_to_lines(self) -> Contacts:
        for line, hours, always in (
            ("phone", self.phone_hours, self.phone_always),
            ("chat", self.chat_hours, self.chat_always),
        ):
            if (hours or always) and getattr(self, line) is None:
                raise ValueError(f"{line} hours are given but there is no {line}")
            if hours and always:
                raise ValueError(f"give {line}_hours or {line}_always, not both")
        return self

    @property
    def phone_display(self) -> str | None:
        """The phone as it is dialled in Finland, for cards."""
        return phones.display(self.phone) if self.phone is not None else None


class Source(Strict):
    """Where a card's facts come from: the page, what kind of page, and how recent it is."""

    url: Url
    kind: SourceKind
    updated: PageDate | None = None  # when the page says it was published or last updated
    note: NonEmpty | None = None  # internal, never shown to families


class DistinctFrom(Strict):
    """Another card that looks like a duplicate of this one (same organiser and phone or
    URL, overlapping area) but is not, and why."""

    id: ServiceId
    reason: NonEmpty


def _known(values: list[str], known: Collection[str], what: str) -> list[str]:
    unknown = [v for v in values if v not in known]
    if unknown:
        raise ValueError(f"unknown {what} {', '.join(unknown)}")
    return values


def _municipality(code: str) -> str:
    if code not in vocab.municipalities():
        raise ValueError(f"unknown municipality code {code!r}")
    return code


class Location(Strict):
    id: Id
    name: Text
    street: NonEmpty | None = None
    postal_code: Annotated[str, StringConstraints(pattern=r"^\d{5}$")] | None = None
    city: NonEmpty | None = None
    municipality: str
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)
    hours: list[OpeningHours] = []

    _check_municipality = field_validator("municipality")(_municipality)

    @model_validator(mode="after")
    def _both_coordinates(self) -> Location:
        if (self.lat is None) != (self.lon is None):
            raise ValueError("give both lat and lon, or neither")
        return self


class Event(Strict):
    """A one-off or recurring (RRULE) event of a service, in local time of TIMEZONE."""

    id: Id
    kinds: list[EventKind] = Field(min_length=1)
    title: Text
    description: Text | None = None
    location: Id | None = None
    start: LocalDateTime
    end: LocalDateTime | None = None
    rrule: str | None = None
    ages: Ages | None = None
    cost: Cost | None = None
    cancelled: bool = False

    @field_validator("start", "end")
    @classmethod
    def _real_time(cls, value: str | None) -> str | None:
        if value is not None:
            datetime.fromisoformat(value)
        return value

    @field_validator("rrule")
    @classmethod
    def _valid_rrule(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if not re.match(r"^FREQ=", value):
            raise ValueError("rrule must start with FREQ=")
        # One line of NAME=value parts: a line break would put lines of its own (an EXDATE, a
        # second RRULE) into families' calendar files, and dateutil accepts some of them.
        if not re.fullmatch(r"[A-Za-z0-9=;,+-]+", value):
            raise ValueError(
                "rrule must be one line of NAME=value parts (letters, digits, = ; , + -)"
            )
        try:
            rrulestr(value, dtstart=datetime(2026, 1, 1, tzinfo=UTC))
        except (ValueError, TypeError) as exc:
            raise ValueError(f"invalid rrule: {exc}") from None
        return value

    @model_validator(mode="after")
    def _ordered(self) -> Event:
        if self.end is not None and self.end <= self.start:
            raise ValueError(f"end ({self.end}) must be after start ({self.start})")
        return self


def host_of(url: str) -> str:
    """The lower-case host of ``url`` ("" if it has none)."""
    return (urlsplit(url).hostname or "").lower()


def own_domain(url: str) -> str | None:
    """The domain an organisation's website ``url`` puts its own pages on (``www.`` off)."""
    host = host_of(url)
    return host.removeprefix("www.") or None


def on_domains(url: str, domains: Collection[str]) -> bool:
    """Whether ``url`` is on one of ``domains`` or a subdomain of one."""
    host = host_of(url)
    return any(host == d or host.endswith("." + d) for d in domains)


class Organization(Strict):
    id: Id
    name: Text
    url: Url | None = None
    domains: list[Domain] = []  # hosts of the organisation's own pages (subdomains included)


class Service(Strict):
    """One service: what it is, for whom, where, how to get it, and where the facts come from."""

    id: ServiceId
    organization: Id
    name: Text
    summary: Text
    description: Text | None = None
    needs: list[str] = Field(min_length=1)
    service_classes: list[str] = Field(min_length=1)
    target_groups: list[str] = []
    life_events: list[str] = []
    municipalities: list[str] = Field(min_length=1)
    ages: Ages | None = None
    cost: Cost | None = None
    languages: list[LanguageCode] = Field(min_length=1)
    interpreter: bool | None = None
    # How a family gets the service. Empty when no way in is confirmed (e.g. no booking number
    # in reach): the card then points to the organiser's page, which it must have.
    access: list[Access] = []
    contacts: Contacts = Contacts()
    locations: list[Location] = []
    events: list[Event] = []
    sources: list[Source] = Field(min_length=1)
    checked: date  # the date the facts were confirmed against the sources
    active: bool = True
    untranslated: list[Locale] = []  # locales whose texts are a fallback (e.g. PTV has no ar)
    # A shelter (turvakoti): its address is secret, so its locations carry no street address
    # or coordinates, only the municipality it serves.
    shelter: bool = False
    notes: NonEmpty | None = None  # internal ("hours not confirmed"), never shown to families
    distinct_from: list[DistinctFrom] = []
    # The full PTV service id of a card that comes from PTV: the curated layer
    # (services_catalog/overlays/, bot/catalog/overlay.py) is keyed by it.
    ptv_id: PtvId | None = None

    @field_validator("needs")
    @classmethod
    def _known_needs(cls, values: list[str]) -> list[str]:
        return _known(values, vocab.NEED_TAGS, "need tag(s)")

    @field_validator("service_classes")
    @classmethod
    def _known_classes(cls, values: list[str]) -> list[str]:
        return _known(values, vocab.service_classes(), "PTV service class(es)")

    @field_validator("target_groups")
    @classmethod
    def _known_groups(cls, values: list[str]) -> list[str]:
        return _known(values, vocab.target_groups(), "PTV target group(s)")

    @field_validator("life_events")
    @classmethod
    def _known_events(cls, values: list[str]) -> list[str]:
        return _known(values, vocab.life_events(), "PTV life event(s)")

    @field_validator("municipalities")
    @classmethod
    def _known_municipalities(cls, values: list[str]) -> list[str]:
        if vocab.NATIONWIDE in values:
            if len(values) > 1:
                raise ValueError("'nationwide' cannot be combined with municipality codes")
            return values
        for code in values:
            _municipality(code)
        return values

    @model_validator(mode="after")
    def _internal_references(self) -> Service:
        location_ids = [loc.id for loc in self.locations]
        if len(set(location_ids)) != len(location_ids):
            raise ValueError("location ids must be unique within a service")
        for event in self.events:
            if event.location is not None and event.location not in location_ids:
                raise ValueError(
                    f"event {event.id!r} refers to unknown location {event.location!r}"
                )
        return self

    @model_validator(mode="after")
    def _a_way_in(self) -> Service:
        if not self.access and self.contacts.url is None:
            raise ValueError(
                "no way in: give `access` (call, walk-in, ...) or, where none is confirmed, the "
                "organiser's page as `contacts.url`"
            )
        return self

    @property
    def nationwide(self) -> bool:
        return self.municipalities == [vocab.NATIONWIDE]


class CatalogFile(Strict):
    """One file of ``services_catalog/``: organizations and their services."""

    organizations: list[Organization] = []
    services: list[Service] = []


def catalog_json_schema() -> dict[str, object]:
    """The JSON Schema of one catalogue file, for editors and other tools."""
    schema = CatalogFile.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "Valo service catalogue file"
    schema["description"] = (
        "One file of services_catalog/: organizations and their services, modelled on Open "
        "Referral HSDS 3.0 and coded with the Finnish PTV vocabularies. Generated from "
        "bot/catalog/schema.py by `valo-bot catalog schema`; do not edit by hand."
    )
    return schema
