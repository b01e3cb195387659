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

from dateutil.rrule import rrulestr
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from bot.catalog import vocab

Id = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=64)]
# Service ids travel in callback data (64 bytes with the action prefix), so they stay short.
ServiceId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=40)]
NonEmpty = Annotated[str, StringConstraints(min_length=1, max_length=1200, strip_whitespace=True)]
HHMM = Annotated[str, StringConstraints(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")]
LocalDateTime = Annotated[str, StringConstraints(pattern=r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$")]
LanguageCode = Annotated[str, StringConstraints(pattern=r"^[a-z]{2}$")]
Day = Literal["mo", "tu", "we", "th", "fr", "sa", "su"]
Cost = Literal["free", "fee", "income-based"]
Access = Literal["walk-in", "call", "book-online", "apply-online", "referral"]
EventKind = Literal["art", "open-ecec", "family-cafe", "other"]
Locale = Literal["fi", "en", "ar"]

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
    """A service's own lines and addresses, never the names of individual employees."""

    phone: Annotated[str, StringConstraints(pattern=r"^\+?[0-9 ()-]{3,25}$")] | None = None
    email: Annotated[str, StringConstraints(pattern=r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$")] | None = None
    url: Annotated[str, StringConstraints(pattern=r"^https?://\S+$")] | None = None


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


class Organization(Strict):
    id: Id
    name: Text
    url: Annotated[str, StringConstraints(pattern=r"^https?://\S+$")] | None = None


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
    access: list[Access] = Field(min_length=1)
    contacts: Contacts = Contacts()
    locations: list[Location] = []
    events: list[Event] = []
    sources: list[Annotated[str, StringConstraints(pattern=r"^https?://\S+$")]] = Field(
        min_length=1
    )
    checked: date
    active: bool = True
    untranslated: list[Locale] = []  # locales whose texts are a fallback (e.g. PTV has no ar)

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
