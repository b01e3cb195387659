"""PTV v11 import: the real samples, coordinates, texts, areas, hours, and every error kind."""

from __future__ import annotations

import copy
import json
import math
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from bot.catalog.ptv import PTV_SERVICE_URL, etrs_tm35fin_to_wgs84, parse_ptv
from bot.catalog.schema import Source
from bot.data_errors import DataFileError

SAMPLES = Path(__file__).parent / "data" / "ptv-samples"
TODAY = date(2026, 3, 1)

SERVICE_ID = "A1B2C3D4-0000-4000-8000-000000000001"  # upper case on purpose: ids come out lower
CHANNEL_ID = "c0ffee00-0000-4000-8000-000000000002"
PHONE_ID = "beef0000-0000-4000-8000-000000000003"
ORG_ID = "0dd0dd00-0000-4000-8000-000000000004"


def sample(name: str) -> tuple[str, str]:
    return name, (SAMPLES / name).read_text(encoding="utf-8")


def all_samples() -> list[tuple[str, str]]:
    return [sample(p.name) for p in sorted(SAMPLES.glob("*.json"))]


def inverse_tm35fin(easting: float, northing: float) -> tuple[float, float]:
    """ETRS-TM35FIN -> (lat, lon) by Snyder's inverse transverse Mercator series (USGS PP
    1395, p. 63), written out here so the test does not trust pyproj to check pyproj."""
    a, f, k0, lon0, false_easting = 6378137.0, 1 / 298.257222101, 0.9996, 27.0, 500000.0
    e2 = f * (2 - f)
    ep2 = e2 / (1 - e2)
    mu = northing / k0 / (a * (1 - e2 / 4 - 3 * e2**2 / 64 - 5 * e2**3 / 256))
    e1 = (1 - math.sqrt(1 - e2)) / (1 + math.sqrt(1 - e2))
    phi1 = (
        mu
        + (3 * e1 / 2 - 27 * e1**3 / 32) * math.sin(2 * mu)
        + (21 * e1**2 / 16 - 55 * e1**4 / 32) * math.sin(4 * mu)
        + (151 * e1**3 / 96) * math.sin(6 * mu)
        + (1097 * e1**4 / 512) * math.sin(8 * mu)
    )
    c1 = ep2 * math.cos(phi1) ** 2
    t1 = math.tan(phi1) ** 2
    n1 = a / math.sqrt(1 - e2 * math.sin(phi1) ** 2)
    r1 = a * (1 - e2) / (1 - e2 * math.sin(phi1) ** 2) ** 1.5
    d = (easting - false_easting) / (n1 * k0)
    lat = phi1 - (n1 * math.tan(phi1) / r1) * (
        d**2 / 2
        - (5 + 3 * t1 + 10 * c1 - 4 * c1**2 - 9 * ep2) * d**4 / 24
        + (61 + 90 * t1 + 298 * c1 + 45 * t1**2 - 252 * ep2 - 3 * c1**2) * d**6 / 720
    )
    lon = (
        d
        - (1 + 2 * t1 + c1) * d**3 / 6
        + (5 - 2 * c1 + 28 * t1 - 3 * c1**2 + 8 * ep2 + 24 * t1**2) * d**5 / 120
    ) / math.cos(phi1)
    return math.degrees(lat), lon0 + math.degrees(lon)


# ------------------------------------------------------------------------- the real samples


def test_the_three_samples_import_cleanly() -> None:
    result = parse_ptv(all_samples(), default_needs=["early-education"], today=TODAY)
    [service] = result.catalog.services
    assert service.id == "ptv-3668d250"
    assert service.organization == "ptv-org-df0c2f24"
    assert service.name.fi == "Nettilukio aikuisille"
    assert service.summary.fi == "Aikuislukio verkko-opintoina."
    assert service.service_classes == ["P6.10", "P6.8", "P6.13", "P6"]
    assert service.target_groups == ["KR1"]
    assert service.municipalities == ["nationwide"]
    assert service.cost == "free"
    assert service.languages == ["fi"]
    assert service.checked == date(2020, 4, 22)
    assert service.sources[0].url == PTV_SERVICE_URL.format(
        id="3668d250-cd80-45c4-abcc-9b2d3a2b3e42"
    )
    assert "http://www.nettilukio.fi" in [s.url for s in service.sources]
    # The Otava campus channel lists this service, so it becomes its location.
    [location] = service.locations
    assert location.id == "ptv-961f1a02"
    assert (location.street, location.postal_code, location.city, location.municipality) == (
        "Otavantie 2 B",
        "50670",
        "Otava",
        "491",
    )
    assert [(h.days, h.opens, h.closes) for h in location.hours] == [
        (["mo", "tu", "we", "th", "fr"], "08:00", "16:00")
    ]
    assert service.access == ["walk-in", "call"]
    assert service.contacts.phone == "+358447943552"
    assert service.contacts.email == "info@otavia.fi"
    assert [o.id for o in result.catalog.organizations] == ["ptv-org-df0c2f24"]
    assert result.catalog.organizations[0].name.fi == "Mikkelin kaupungin liikelaitos Otavia"
    # Liperi's service has no channel in the samples: left out, and the operator is told why.
    assert any(
        w.startswith("services_list.json:2: 6c00d407-d3fd-4c7e-a373-57be9f3b2cff: ")
        and "ptv-6c00d407 (Yksilöllistetty oppimäärä) skipped: no channel" in w
        for w in result.warnings
    )
    # The sample names Tohmajärvi with code 123, which is no municipality code (848 is).
    assert (
        "services_list.json:19: 6c00d407-d3fd-4c7e-a373-57be9f3b2cff.areas[0]: '123' "
        "(Tohmajärvi) is not a municipality code today; left out"
    ) in result.warnings


@pytest.mark.parametrize(
    "name", ["service_etalukio.json", "service_channel_otava.json", "services_list.json"]
)
def test_each_sample_alone_imports_without_errors(name: str) -> None:
    result = parse_ptv([sample(name)], today=TODAY)
    assert result.catalog.services == []  # upper secondary school is not a family service
    assert result.warnings


def test_services_that_are_not_family_services_are_skipped_with_a_reason() -> None:
    result = parse_ptv(all_samples(), today=TODAY)
    assert result.catalog.services == []
    assert (
        "service_etalukio.json:1: -: ptv-3668d250 (Nettilukio aikuisille) skipped: its PTV "
        "classes (P6.10, P6.8, P6.13, P6) map to no need tag, so it is not a family service"
    ) in result.warnings
    assert result.left_out == len([w for w in result.warnings if " skipped: " in w]) > 0
    # Both organisations seen still get their (empty) part, so a re-import clears them.
    assert set(result.by_source) == {
        "ptv:df0c2f24-d2bd-4ba7-bdcd-fcfc9f0d65a7",
        "ptv:a6e72986-0d23-4d4b-8619-b49fa0c5baa3",
    }
    assert all(part.services == [] for part in result.by_source.values())


def test_a_channel_without_its_services_is_skipped_with_a_warning() -> None:
    result = parse_ptv([sample("service_channel_otava.json")], today=TODAY)
    assert result.warnings == [
        "service_channel_otava.json:1: -: service channel 961f1a02-0eb7-4b5d-9721-6b9f2d14ec6f "
        "skipped: none of its services is in this import (import the Service records too)"
    ]


def test_unknown_default_need_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown need tag"):
        parse_ptv(all_samples(), default_needs=["schooling"])


# ---------------------------------------------------------------------------- coordinates


def test_otava_campus_coordinates_are_converted_to_wgs84() -> None:
    result = parse_ptv(all_samples(), default_needs=["early-education"], today=TODAY)
    location = result.catalog.services[0].locations[0]
    assert location.lat is not None
    assert location.lon is not None
    # The channel gives northing 6834688 and easting 503879 (ETRS-TM35FIN).
    lat, lon = inverse_tm35fin(503879.0, 6834688.0)
    assert location.lat == pytest.approx(lat, abs=1e-6)
    assert location.lon == pytest.approx(lon, abs=1e-6)
    # Hand check on the map: Otavantie 2 B, Otava, Mikkeli is at about 61.645 N, 27.073 E.
    assert location.lat == pytest.approx(61.645, abs=0.005)
    assert location.lon == pytest.approx(27.073, abs=0.005)


def test_a_point_on_the_central_meridian() -> None:
    lat, lon = etrs_tm35fin_to_wgs84(500000.0, 6700000.0)
    assert lon == pytest.approx(27.0, abs=1e-9)  # easting 500 000 is the 27 E meridian
    assert lat == pytest.approx(inverse_tm35fin(500000.0, 6700000.0)[0], abs=1e-7)
    assert lat == pytest.approx(60.43628, abs=1e-5)


# --------------------------------------------------------------- a family service of ours


def family_service() -> dict[str, Any]:
    return {
        "id": SERVICE_ID,
        "type": "Service",
        "serviceNames": [
            {"language": "fi", "value": "Äitiys- ja lastenneuvola", "type": "Name"},
            {"language": "sv", "value": "Mödra- och barnrådgivning", "type": "Name"},
        ],
        "serviceDescriptions": [
            {"language": "fi", "value": "Neuvola seuraa lapsen kasvua.", "type": "Summary"},
            {"language": "fi", "value": None, "type": "Description"},
        ],
        "serviceChargeType": "FreeOfCharge",
        "areaType": "LimitedType",
        "areas": [
            {
                "type": "Municipality",
                "code": None,
                "municipalities": [{"code": "285"}, {"code": "075"}],
            }
        ],
        "languages": ["fi", "sv", "smn"],
        "serviceClasses": [{"code": "P5.2"}, {"code": "P99.9"}],
        "targetGroups": [{"code": "KR1.2"}],
        "lifeEvents": [{"code": "KE1"}],
        "serviceChannels": [{"serviceChannel": {"id": CHANNEL_ID}, "serviceHours": []}],
        "organizations": [
            {"organization": {"id": ORG_ID, "name": "Kotkan kaupunki"}, "roleType": "Producer"},
        ],
        "publishingStatus": "Published",
        "modified": "2025-09-30T10:00:00",
    }


def service_location() -> dict[str, Any]:
    return {
        "id": CHANNEL_ID,
        "serviceChannelType": "ServiceLocation",
        "organizationId": ORG_ID,
        "serviceChannelNames": [{"language": "fi", "value": "Kotkan perhekeskus", "type": "Name"}],
        "phoneNumbers": [
            {"type": "Fax", "prefixNumber": "+358", "number": "52345000"},
            {"type": "Phone", "prefixNumber": "+358", "number": "0523 45678"},
        ],
        "emails": [{"value": "neuvola@kotka.fi", "language": "fi"}],
        "webPages": [{"url": "https://www.kotka.fi/neuvola", "language": "fi"}],
        "addresses": [
            {"type": "Postal", "streetAddress": None},
            {
                "type": "Location",
                "streetAddress": {
                    "street": [{"value": "Kirkkokatu", "language": "fi"}],
                    "streetNumber": "2",
                    "postalCode": "48100",
                    "postOffice": [{"value": "KOTKA", "language": "fi"}],
                    "municipality": {"code": "285"},
                    "latitude": "6710000",
                    "longitude": "490000",
                },
            },
        ],
        "serviceHours": [
            {
                "serviceHourType": "DaysOfTheWeek",
                "validForNow": True,
                "isReservation": False,
                "openingHour": [
                    {"dayFrom": "Monday", "dayTo": "Thursday", "from": "08:00:00", "to": "16:00"},
                    {"dayFrom": "Friday", "dayTo": "", "from": "08:00:00", "to": "14:00:00"},
                ],
            },
            {
                "serviceHourType": "DaysOfTheWeek",
                "validForNow": False,
                "validTo": "2025-08-31T00:00:00",
                "openingHour": [{"dayFrom": "Saturday", "from": "10:00", "to": "12:00"}],
            },
            {"serviceHourType": "Exceptional", "isClosed": True, "openingHour": []},
        ],
        "services": [],
    }


def page(*records: dict[str, Any]) -> str:
    return json.dumps({"pageNumber": 1, "pageCount": 1, "itemList": list(records)}, indent=2)


FIRST_RECORD_LINE = 5  # "{", "pageNumber", "pageCount", "itemList": [, then the first record


def test_a_family_service_with_its_location() -> None:
    result = parse_ptv([("kotka.json", page(family_service(), service_location()))], today=TODAY)
    [service] = result.catalog.services
    assert service.id == "ptv-a1b2c3d4"
    assert service.needs == ["pregnancy-baby", "child-health"]
    assert service.service_classes == ["P5.2"]  # P99.9 is no class of ours: warned, left out
    assert any("itemList[0].serviceClasses[1].code: PTV code P99.9" in w for w in result.warnings)
    assert service.target_groups == ["KR1.2"]
    assert service.life_events == ["KE1"]
    assert service.municipalities == ["285", "075"]
    assert service.languages == ["fi", "sv"]  # "smn" is no ISO 639-1 code: warned
    assert service.access == ["walk-in", "call"]
    assert service.contacts.phone == "+35852345678"  # fax skipped, trunk zero dropped
    assert service.contacts.email == "neuvola@kotka.fi"
    assert service.contacts.url == "https://www.kotka.fi/neuvola"
    assert service.sources == [
        Source(
            url=PTV_SERVICE_URL.format(id=SERVICE_ID.lower()),
            kind="register",
            updated=date(2025, 9, 30),
        ),
        Source(url="https://www.kotka.fi/neuvola", kind="organiser"),
    ]
    assert service.checked == date(2025, 9, 30)
    assert service.description is None
    [location] = service.locations
    assert (location.street, location.city, location.municipality) == (
        "Kirkkokatu 2",
        "Kotka",
        "285",
    )
    # The summer period (valid until a date) and the exceptional closure are left out.
    assert [(h.days, h.opens, h.closes) for h in location.hours] == [
        (["mo", "tu", "we", "th"], "08:00", "16:00"),
        (["fr"], "08:00", "14:00"),
    ]
    assert result.by_source == {f"ptv:{ORG_ID}": result.catalog}
    assert result.source == f"ptv:{ORG_ID}"
    assert result.catalog.organizations[0].id == "ptv-org-0dd0dd00"


def test_missing_arabic_and_english_fall_back_and_are_flagged() -> None:
    result = parse_ptv([("kotka.json", page(family_service(), service_location()))], today=TODAY)
    service = result.catalog.services[0]
    assert service.untranslated == ["en", "ar"]
    assert service.name.en == service.name.ar == "Äitiys- ja lastenneuvola"

    record = family_service()
    record["serviceNames"].append(
        {"language": "en", "value": "Maternity and child health clinic", "type": "Name"}
    )
    record["serviceDescriptions"].append(
        {"language": "en", "value": "The clinic follows growth.", "type": "Summary"}
    )
    result = parse_ptv([("kotka.json", page(record, service_location()))], today=TODAY)
    service = result.catalog.services[0]
    assert service.untranslated == ["ar"]  # Arabic falls back to English first
    assert service.name.ar == "Maternity and child health clinic"
    assert service.summary.ar == "The clinic follows growth."


@pytest.mark.parametrize(
    ("areas", "expected"),
    [
        ([{"type": "Province", "code": "08"}], ["285", "075", "286", "624", "935", "489"]),
        (
            [{"type": "WellbeingServiceCounty", "code": "etela-karjala"}],
            ["405", "153", "441", "416", "739", "831", "689", "700", "580"],
        ),
        (
            [
                {"type": "Municipality", "municipalities": [{"code": "405"}]},
                {"type": "HospitalRegions", "code": "99", "municipalities": [{"code": "153"}]},
            ],
            ["405", "153"],
        ),
    ],
)
def test_areas_expand_to_municipalities(areas: list[dict[str, Any]], expected: list[str]) -> None:
    record = family_service()
    record["areas"] = areas
    result = parse_ptv([("a.json", page(record, service_location()))], today=TODAY)
    assert result.catalog.services[0].municipalities == expected


@pytest.mark.parametrize("area_type", ["Nationwide", "NationwideExceptAlandIslands"])
def test_nationwide_areas(area_type: str) -> None:
    record = family_service()
    record["areaType"] = area_type
    result = parse_ptv([("a.json", page(record, service_location()))], today=TODAY)
    assert result.catalog.services[0].municipalities == ["nationwide"]


def test_hours_over_midnight_always_open_and_by_appointment() -> None:
    channel = service_location()
    channel["serviceHours"] = [
        {
            "serviceHourType": "DaysOfTheWeek",
            "validForNow": True,
            "isReservation": True,
            "openingHour": [
                {"dayFrom": "Friday", "dayTo": "Saturday", "from": "20:00", "to": "02:00"}
            ],
        }
    ]
    result = parse_ptv([("a.json", page(family_service(), channel))], today=TODAY)
    service = result.catalog.services[0]
    assert [(h.days, h.opens, h.closes) for h in service.locations[0].hours] == [
        (["fr", "sa"], "20:00", "23:59"),
        (["sa", "su"], "00:00", "02:00"),
    ]
    assert service.access == ["call"]  # by appointment: not walk-in

    channel["serviceHours"] = [
        {"serviceHourType": "DaysOfTheWeek", "validForNow": True, "isAlwaysOpen": True}
    ]
    result = parse_ptv([("a.json", page(family_service(), channel))], today=TODAY)
    [hours] = result.catalog.services[0].locations[0].hours
    assert (len(hours.days), hours.opens, hours.closes) == (7, "00:00", "23:59")


def test_hours_given_on_the_connection_win_over_the_channel_hours() -> None:
    record = family_service()
    record["serviceChannels"][0]["serviceHours"] = [
        {
            "serviceHourType": "DaysOfTheWeek",
            "validForNow": True,
            "openingHour": [{"dayFrom": "Wednesday", "from": "12:00", "to": "15:00"}],
        }
    ]
    result = parse_ptv([("a.json", page(record, service_location()))], today=TODAY)
    hours = result.catalog.services[0].locations[0].hours
    assert [(h.days, h.opens, h.closes) for h in hours] == [(["we"], "12:00", "15:00")]


def test_channel_side_links_phone_and_e_services_give_access() -> None:
    record = family_service()
    record["serviceChannels"] = []
    phone = {
        "id": PHONE_ID,
        "serviceChannelType": "Phone",
        "serviceChannelNames": [{"language": "fi", "value": "Neuvolan puhelin", "type": "Name"}],
        "phoneNumbers": [
            {"type": "Phone", "number": "0800 123 456", "isFinnishServiceNumber": True}
        ],
        "services": [{"service": {"id": SERVICE_ID.lower()}}],
    }
    eservice = {
        "id": "e5e5e5e5-0000-4000-8000-000000000005",
        "serviceChannelType": "EChannel",
        "serviceChannelNames": [{"language": "fi", "value": "Ajanvaraus", "type": "Name"}],
        "webPages": [{"url": "https://asiointi.example.fi", "language": "fi"}],
        "services": [{"service": {"id": SERVICE_ID}}],
    }
    result = parse_ptv([("a.json", page(record, phone, eservice))], today=TODAY)
    service = result.catalog.services[0]
    assert service.access == ["call", "apply-online"]
    assert service.contacts.phone == "+358800123456"
    assert service.locations == []


def _phone_channel(hours: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "id": PHONE_ID,
        "serviceChannelType": "Phone",
        "serviceChannelNames": [{"language": "fi", "value": "Neuvolan puhelin", "type": "Name"}],
        "phoneNumbers": [{"type": "Phone", "number": "05 234 5678"}],
        "serviceHours": hours,
        "services": [{"service": {"id": SERVICE_ID.lower()}}],
    }


def test_a_phone_channels_hours_are_the_lines_hours() -> None:
    record = family_service()
    record["serviceChannels"] = []
    weekdays = {
        "serviceHourType": "DaysOfTheWeek",
        "validForNow": True,
        "openingHour": [{"dayFrom": "Monday", "dayTo": "Friday", "from": "09:00", "to": "15:00"}],
    }
    result = parse_ptv([("a.json", page(record, _phone_channel([weekdays])))], today=TODAY)
    contacts = result.catalog.services[0].contacts
    assert contacts.phone == "+35852345678"
    assert [(h.days, h.opens, h.closes) for h in contacts.phone_hours] == [
        (["mo", "tu", "we", "th", "fr"], "09:00", "15:00")
    ]
    assert not contacts.phone_always
    always = {"serviceHourType": "DaysOfTheWeek", "validForNow": True, "isAlwaysOpen": True}
    result = parse_ptv([("a.json", page(record, _phone_channel([always])))], today=TODAY)
    contacts = result.catalog.services[0].contacts
    assert contacts.phone_always
    assert contacts.phone_hours == []


def test_the_catalogue_rules_apply_to_ptv_entries_at_their_record() -> None:
    """Rule 6: a pregnancy service (class P5.2) must target families; this one targets
    adults and gives no ages, so the import fails at the service record's line."""
    record = family_service()
    record["targetGroups"] = [{"code": "KR1"}]
    text = page(record, service_location())
    with pytest.raises(DataFileError) as caught:
        parse_ptv([("a.json", text)], today=TODAY)
    assert [str(e) for e in caught.value.errors] == [
        f"a.json:{FIRST_RECORD_LINE}: itemList[0]: target_groups: tagged pregnancy-baby, "
        "child-health, so the card must target families: add target group KR1.2 or an ages "
        "range for children"
    ]


def test_parsed_json_works_without_line_numbers() -> None:
    document = json.loads(page(family_service(), service_location()))
    document["itemList"][0]["areaType"] = "Moon"
    with pytest.raises(DataFileError) as caught:
        parse_ptv([("parsed.json", document)], today=TODAY)
    assert [str(e) for e in caught.value.errors] == [
        "parsed.json:0: itemList[0].areaType: unknown area type 'Moon'"
    ]


def test_a_json_map_and_a_bare_list_are_accepted() -> None:
    by_id = {SERVICE_ID: family_service(), CHANNEL_ID: service_location()}
    as_list = [family_service(), service_location()]
    for document in (by_id, as_list):
        result = parse_ptv([("a.json", json.dumps(document))], today=TODAY)
        assert [s.id for s in result.catalog.services] == ["ptv-a1b2c3d4"]


# --------------------------------------------------------------------------------- errors

Mutation = Callable[[dict[str, Any], dict[str, Any]], None]


def _set(path: tuple[str | int, ...], value: Any, record: int = 0) -> Mutation:
    def mutate(service: dict[str, Any], channel: dict[str, Any]) -> None:
        target: Any = (service, channel)[record]
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return mutate


def _no_organisation(service: dict[str, Any], channel: dict[str, Any]) -> None:
    service["organizations"] = []
    del channel["organizationId"]  # a channel's organisation is the last resort


def _not_a_record(service: dict[str, Any], channel: dict[str, Any]) -> None:
    channel.clear()


STREET = ("addresses", 1, "streetAddress")
Marker = str | tuple[str, int] | None
CASES: list[tuple[str, Mutation, Marker, str, str]] = [
    # (case, mutation, text on the error's line (or with a line offset; None: the channel
    # record's own line), path, reason)
    ("bad id", _set(("id",), "abc"), '"abc"', "itemList[0].id", "PTV id must be a UUID, got 'abc'"),
    (
        "no name",
        _set(("serviceNames",), []),
        '"serviceNames": []',
        "itemList[0].serviceNames",
        "no text of type Name in any language",
    ),
    (
        "no summary",
        _set(("serviceDescriptions",), None),
        '"serviceDescriptions": null',
        "itemList[0].serviceDescriptions",
        "no text of type Summary or ShortDescription in any language",
    ),
    (
        "unknown area type",
        _set(("areaType",), "Moon"),
        '"Moon"',
        "itemList[0].areaType",
        "unknown area type 'Moon'",
    ),
    (
        "unknown region",
        _set(("areas",), [{"type": "HospitalRegions", "code": "99"}]),
        ('"HospitalRegions"', -1),  # the area object starts on the line before
        "itemList[0].areas[0]",
        "area HospitalRegions '99' is not in bot/vocab/regions.json and lists no municipalities",
    ),
    (
        "no municipality left",
        _set(("areas", 0, "municipalities"), [{"code": "123"}]),
        '"areas": [',
        "itemList[0].areas",
        "no area Valo knows (no municipality, not nationwide)",
    ),
    (
        "no language",
        _set(("languages",), []),
        '"languages": []',
        "itemList[0].languages",
        "no language given",
    ),
    (
        "unknown charge type",
        _set(("serviceChargeType",), "Expensive"),
        '"Expensive"',
        "itemList[0].serviceChargeType",
        "unknown charge type 'Expensive' (expected one of FreeOfCharge, Free, Chargeable, "
        "Charged, Other)",
    ),
    (
        "bad modified date",
        _set(("modified",), "yesterday"),
        '"yesterday"',
        "itemList[0].modified",
        "not a date: 'yesterday'",
    ),
    (
        "no organisation",
        _no_organisation,
        '"organizations": []',
        "itemList[0].organizations",
        "no responsible organisation (organizations[].organization.id or organizationId)",
    ),
    (
        "wgs84 degrees in the PTV coordinate fields",
        _set((*STREET, "latitude"), "60.466", record=1),
        '"60.466"',
        "itemList[1].addresses[1].streetAddress.latitude",
        "60.466 is not an ETRS-TM35FIN northing (6,500,000-7,800,000 m); PTV gives EPSG:3067 "
        "metres here, not WGS84 degrees",
    ),
    (
        "coordinate not a number",
        _set((*STREET, "longitude"), "east", record=1),
        '"east"',
        "itemList[1].addresses[1].streetAddress.longitude",
        "not a number: 'east'",
    ),
    (
        "bad postal code",
        _set((*STREET, "postalCode"), "481", record=1),
        '"481"',
        "itemList[1].addresses[1].streetAddress.postalCode",
        "not a Finnish postal code: '481'",
    ),
    (
        "unknown address municipality",
        _set((*STREET, "municipality", "code"), "999", record=1),
        '"999"',
        "itemList[1].addresses[1].streetAddress.municipality.code",
        "unknown municipality code '999'",
    ),
    (
        "no visiting address",
        _set(("addresses",), [], record=1),
        '"addresses": []',
        "itemList[1].addresses",
        "no visiting address with a street address",
    ),
    (
        "bad phone",
        _set(("phoneNumbers", 1, "number"), "call us!", record=1),
        '"call us!"',
        "itemList[1].phoneNumbers[1].number",
        "not a phone number: '+358call us!'",
    ),
    (
        "bad e-mail",
        _set(("emails", 0, "value"), "neuvola at kotka", record=1),
        '"neuvola at kotka"',
        "itemList[1].emails[0].value",
        "not an e-mail address",
    ),
    (
        "bad web page",
        _set(("webPages", 0, "url"), "www.kotka.fi", record=1),
        '"www.kotka.fi"',
        "itemList[1].webPages[0].url",
        "not a web address",
    ),
    (
        "bad weekday",
        _set(("serviceHours", 0, "openingHour", 1, "dayFrom"), "Fryday", record=1),
        '"Fryday"',
        "itemList[1].serviceHours[0].openingHour[1].dayFrom",
        "not a weekday: 'Fryday'",
    ),
    (
        "bad time",
        _set(("serviceHours", 0, "openingHour", 1, "to"), "25:00", record=1),
        '"25:00"',
        "itemList[1].serviceHours[0].openingHour[1].to",
        "not a time of day: '25:00'",
    ),
    (
        "not a record",
        _not_a_record,
        None,
        "itemList[1]",
        "not a PTV Service (serviceNames) or ServiceChannel (serviceChannelNames) record",
    ),
]


@pytest.mark.parametrize(
    ("mutate", "marker", "path", "reason"),
    [pytest.param(m, k, p, r, id=case) for case, m, k, p, r in CASES],
)
def test_each_kind_of_ptv_error(mutate: Mutation, marker: Marker, path: str, reason: str) -> None:
    service, channel = family_service(), service_location()
    mutate(service, channel)
    text = page(service, channel)
    if marker is None:  # the channel record itself: the line after the whole service record
        line = FIRST_RECORD_LINE + len(json.dumps(service, indent=2).splitlines())
    else:
        needle, offset = marker if isinstance(marker, tuple) else (marker, 0)
        assert text.count(needle) == 1, needle
        line = text[: text.index(needle)].count("\n") + 1 + offset
    with pytest.raises(DataFileError) as caught:
        parse_ptv([("kotka.json", text)], today=TODAY)
    assert [str(e) for e in caught.value.errors] == [f"kotka.json:{line}: {path}: {reason}"]


def test_records_we_leave_out_need_not_be_perfect() -> None:
    service = family_service()
    service["serviceClasses"] = [{"code": "P99.9"}]
    service["serviceChargeType"] = "Expensive"  # would be an error in a record we keep
    result = parse_ptv([("a.json", page(service, service_location()))], today=TODAY)
    assert result.catalog.services == []
    assert (
        f"a.json:{FIRST_RECORD_LINE}: itemList[0]: ptv-a1b2c3d4 (Äitiys- ja lastenneuvola) "
        "skipped: no PTV service class Valo knows"
    ) in result.warnings


def test_invalid_json_and_a_foreign_document() -> None:
    with pytest.raises(DataFileError) as caught:
        parse_ptv([("broken.json", '{\n  "itemList": [\n}'), ("other.json", '{"hello": 1}')])
    assert [str(e) for e in caught.value.errors] == [
        "broken.json:3: -: invalid JSON: Expecting value",
        "other.json:1: -: not PTV v11 JSON: expected a Service or ServiceChannel record, a list "
        "or map of them, or an API page with itemList",
    ]


def test_a_record_twice_and_colliding_short_ids_are_errors() -> None:
    twin = copy.deepcopy(family_service())
    text = page(family_service(), service_location(), twin)
    with pytest.raises(DataFileError) as caught:
        parse_ptv([("a.json", text)], today=TODAY)
    [error] = caught.value.errors
    assert error.path == "itemList[2].id"
    assert error.reason == (
        f"PTV record {SERVICE_ID.lower()} appears twice (first at a.json:{FIRST_RECORD_LINE})"
    )

    cousin = family_service()
    cousin["id"] = "a1b2c3d4-ffff-4000-8000-000000000009"  # same first 8 hex digits
    with pytest.raises(DataFileError) as caught:
        parse_ptv([("a.json", page(family_service(), service_location(), cousin))], today=TODAY)
    assert [e.reason for e in caught.value.errors] == [
        f"PTV ids {SERVICE_ID.lower()} and {cousin['id']} share the short id ptv-a1b2c3d4"
    ]


def test_every_error_is_reported_not_just_the_first() -> None:
    service, channel = family_service(), service_location()
    service["areaType"] = "Moon"
    channel["emails"][0]["value"] = "nope"
    with pytest.raises(DataFileError) as caught:
        parse_ptv([("a.json", page(service, channel))], today=TODAY)
    assert {e.path for e in caught.value.errors} == {
        "itemList[0].areaType",
        "itemList[1].emails[0].value",
    }
