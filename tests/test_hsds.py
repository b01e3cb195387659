"""HSDS 3.0 export and import: lossless round trip, required fields, foreign records, errors."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from bot.catalog.hsds import export_hsds, import_hsds, parse_hsds
from bot.catalog.importers import detect_format, read_sources
from bot.catalog.schema import (
    Ages,
    CatalogFile,
    Contacts,
    DistinctFrom,
    Event,
    Location,
    OpeningHours,
    Organization,
    Service,
    Source,
    Text,
)
from bot.catalog.taxonomy_map import TermTarget, read_taxonomy_map
from bot.data_errors import DataFileError

TODAY = date(2026, 3, 1)
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def text(fi: str, en: str | None = None, ar: str | None = None) -> Text:
    return Text(fi=fi, en=en or f"{fi} (en)", ar=ar or f"{fi} (عربي)")


def full_catalog() -> CatalogFile:
    """A catalogue that uses every field of the schema at least once."""
    centre = Location(
        id="kotka-family-centre",
        name=text("Kotkan perhekeskus", "Kotka family centre", "مركز الأسرة في كوتكا"),
        street="Kirkkokatu 2",
        postal_code="48100",
        city="Kotka",
        municipality="285",
        lat=60.4664123,
        lon=26.9458321,
        hours=[
            OpeningHours(days=["mo", "tu", "we", "th"], opens="08:00", closes="16:00"),
            OpeningHours(days=["fr"], opens="08:00", closes="14:00"),
            OpeningHours(days=["sa", "su"], opens="00:00", closes="23:59"),
        ],
    )
    cafe = Location(id="hamina-cafe", name=text("Perhekahvila"), municipality="075")
    clinic = Service(
        id="kotka-neuvola",
        organization="kotka",
        name=text("Neuvola", "Child health clinic", "عيادة نيوفولا"),
        summary=text("Neuvola seuraa lapsen kasvua.", "The clinic follows growth.", "تتابع"),
        description=text("Pidempi kuvaus.\n\nToinen kappale.", "Longer text.", "نص أطول"),
        needs=["pregnancy-baby", "child-health"],
        service_classes=["P5.2", "P3.2"],
        target_groups=["KR1.2", "KR1"],
        life_events=["KE1", "KE1.1"],
        municipalities=["285", "075"],
        ages=Ages(min=0, max=6, expecting=True),
        cost="free",
        languages=["fi", "sv", "ar"],
        interpreter=True,
        access=["walk-in", "call", "book-online"],
        contacts=Contacts(
            phone="+35852345678",
            phone_hours=[OpeningHours(days=["mo", "tu"], opens="09:00", closes="11:00")],
            chat="https://www.kotka.fi/chat",
            chat_always=True,
            email="neuvola@kotka.fi",
            url="https://www.kotka.fi/neuvola",
        ),
        locations=[centre, cafe],
        events=[
            Event(
                id="kotka-baby-cafe",
                kinds=["family-cafe", "other"],
                title=text("Vauvakahvila", "Baby café", "مقهى الرضع"),
                description=text("Tule juttelemaan.", "Come and talk.", "تعال"),
                location="kotka-family-centre",
                start="2026-03-03T10:00",
                end="2026-03-03T12:00",
                rrule="FREQ=WEEKLY;BYDAY=TU;COUNT=12",
                ages=Ages(min=0, max=1),
                cost="free",
            ),
            Event(
                id="kotka-open-day",
                kinds=["open-ecec"],
                title=text("Avoimet ovet"),
                start="2026-04-15T09:00",
                cancelled=True,
            ),
        ],
        sources=[
            Source(url="https://www.kotka.fi/neuvola", kind="organiser", updated=date(2025, 9, 1)),
            Source(url="https://www.suomi.fi/palvelut/palvelu/x", kind="register", note="PTV"),
        ],
        checked=date(2026, 1, 15),
        untranslated=["ar"],
        notes="Phone hours not confirmed.",
        distinct_from=[DistinctFrom(id="hamina-club", reason="Another town's club.")],
    )
    helpline = Service(
        id="mll-helpline",
        organization="mll",
        name=text("Vanhempainpuhelin"),
        summary=text("Tukea vanhemmille puhelimessa."),
        needs=["parenting-support"],
        service_classes=["P3.7"],
        municipalities=["nationwide"],
        cost="fee",
        languages=["fi"],
        interpreter=False,
        access=["call"],
        contacts=Contacts(phone="+35880092277", phone_always=True),
        sources=[Source(url="https://www.mll.fi/", kind="organiser")],
        shelter=True,
        checked=date(2025, 12, 1),
        active=False,
    )
    club = Service(
        id="hamina-club",
        organization="kotka",
        name=text("Perhekerho"),
        summary=text("Kerho perheille."),
        needs=["peer-support"],
        service_classes=["P4.12"],
        municipalities=["075"],
        ages=Ages(),
        cost="income-based",
        languages=["fi"],
        access=["walk-in"],
        locations=[cafe],
        sources=[
            Source(url="https://www.hamina.fi/", kind="organiser"),
            Source(url="https://yle.fi/x", kind="news", updated=date(2024, 1, 2)),
        ],
        checked=date(2026, 2, 1),
    )
    return CatalogFile(
        organizations=[
            Organization(id="mll", name=text("MLL"), url="https://www.mll.fi/", domains=["mll.fi"]),
            Organization(
                id="kotka",
                name=text("Kotkan kaupunki", "City of Kotka", "مدينة"),
                domains=["kotka.fi", "hamina.fi"],
            ),
            Organization(id="unused-org", name=text("Ei palveluja")),
        ],
        services=[clinic, helpline, club],
    )


# ------------------------------------------------------------------------------ round trip


def test_round_trip_is_lossless() -> None:
    catalog = full_catalog()
    exported = export_hsds(catalog)
    assert parse_hsds([("export.json", exported)]) == catalog
    # ... also through JSON text, as the CLI writes and reads it.
    as_text = json.dumps(exported, ensure_ascii=False, indent=2)
    assert parse_hsds([("export.json", as_text)]) == catalog


def test_export_is_deterministic() -> None:
    assert export_hsds(full_catalog()) == export_hsds(full_catalog())


def test_the_shipped_catalogue_survives_a_round_trip() -> None:
    from bot.catalog.loader import read_catalog

    loaded = read_catalog([Path(__file__).resolve().parent.parent / "services_catalog"])
    catalog = CatalogFile(
        organizations=[o for f in loaded.files for o in f.catalog.organizations],
        services=[s for f in loaded.files for s in f.catalog.services],
    )
    assert parse_hsds([("export.json", json.dumps(export_hsds(catalog)))]) == catalog


def test_standard_fields_carry_what_hsds_can_say() -> None:
    exported = export_hsds(full_catalog())
    clinic = exported["contents"][0]
    assert clinic["name"] == "Neuvola"
    assert clinic["description"] == (
        "Neuvola seuraa lapsen kasvua.\n\nPidempi kuvaus.\n\nToinen kappale."
    )
    assert (clinic["minimum_age"], clinic["maximum_age"]) == (0, 6)
    assert clinic["cost_options"][0]["option"] == "free"
    assert clinic["cost_options"][0]["amount"] == 0
    assert [lang["code"] for lang in clinic["languages"]] == ["fi", "sv", "ar"]
    assert clinic["phones"][0]["number"] == "+35852345678"
    assert clinic["assured_date"] == "2026-01-15"
    assert clinic["organization"]["name"] == "Kotkan kaupunki"
    assert [a["name"] for a in clinic["service_areas"]] == ["Kotka", "Hamina"]
    terms = [
        (a["taxonomy_term"]["taxonomy"], a["taxonomy_term"]["code"]) for a in clinic["attributes"]
    ]
    assert terms == [
        ("ptv-service-class", "P5.2"),
        ("ptv-service-class", "P3.2"),
        ("ptv-target-group", "KR1.2"),
        ("ptv-target-group", "KR1"),
        ("ptv-life-event", "KE1"),
        ("ptv-life-event", "KE1.1"),
        ("valo-need", "pregnancy-baby"),
        ("valo-need", "child-health"),
    ]
    assert clinic["attributes"][0]["taxonomy_term"]["name"] == "Neuvolapalvelut"
    assert clinic["attributes"][0]["taxonomy_term"]["term_uri"] == (
        "http://uri.suomi.fi/codelist/ptv/ptvserclass2/code/P5.2"
    )
    centre = clinic["service_at_locations"][0]
    assert [
        (s["freq"], s["byday"], s["opens_at"], s["closes_at"]) for s in centre["schedules"]
    ] == [
        ("WEEKLY", "MO,TU,WE,TH", "08:00", "16:00"),
        ("WEEKLY", "FR", "08:00", "14:00"),
        ("WEEKLY", "SA,SU", "00:00", "23:59"),
    ]
    place = centre["location"]
    assert (place["latitude"], place["longitude"]) == (60.4664123, 26.9458321)
    assert place["addresses"][0]["address_1"] == "Kirkkokatu 2"
    assert place["addresses"][0]["state_province"] == "Kotka"
    # HSDS 3.0 has no events: they travel in the extension only.
    assert [e["id"] for e in clinic["x_valo"]["events"]] == ["kotka-baby-cafe", "kotka-open-day"]
    assert "events" not in {k for k in clinic if k != "x_valo"}
    assert exported["contents"][1]["status"] == "inactive"
    assert exported["contents"][1]["service_areas"][0]["name"] == "Koko Suomi"


# ------------------------------------------------------------- HSDS 3.0 required fields

# The HSDS 3.0 JSON schemas (openreferral/specification, schema/*.json): each object's
# "required" list, plus "tabular_required" where links between objects are needed.
REQUIRED: dict[str, set[str]] = {
    "service": {"id", "name", "status"},
    "organization": {"id", "name", "description"},
    "service_at_location": {"id", "service_id", "location_id"},
    "location": {"id", "location_type"},
    "address": {
        "id",
        "address_1",
        "city",
        "state_province",
        "postal_code",
        "country",
        "address_type",
    },
    "phone": {"id", "number"},
    "schedule": {"id"},
    "service_area": {"id"},
    "language": {"id"},
    "cost_option": {"id"},
    "attribute": {"id", "link_id", "taxonomy_term_id", "link_entity"},
    "taxonomy_term": {"id", "name", "description"},
    "taxonomy": {"id", "name", "description"},
}
ENUMS: dict[tuple[str, str], set[str]] = {
    ("service", "status"): {"active", "inactive", "defunct", "temporarily closed"},
    ("location", "location_type"): {"physical", "postal", "virtual"},
    ("address", "address_type"): {"physical", "postal", "virtual"},
    ("schedule", "freq"): {"WEEKLY", "MONTHLY"},
    ("schedule", "wkst"): {"MO", "TU", "WE", "TH", "FR", "SA", "SU"},
}
PAGE_FIELDS = {
    "total_items": int,
    "total_pages": int,
    "page_number": int,
    "size": int,
    "first_page": bool,
    "last_page": bool,
    "empty": bool,
}


def check(kind: str, record: dict[str, Any], where: str, problems: list[str]) -> None:
    for name in sorted(REQUIRED[kind] - record.keys()):
        problems.append(f"{where}: {kind} lacks {name}")
    for (enum_kind, name), allowed in ENUMS.items():
        if enum_kind == kind and name in record and record[name] not in allowed:
            problems.append(f"{where}.{name}: {record[name]!r} not in {sorted(allowed)}")
    for name, value in record.items():
        if (name == "id" or name.endswith("_id")) and not UUID.match(str(value)):
            problems.append(f"{where}.{name}: {value!r} is not a UUID (HSDS 3.0 ids are)")


def test_export_has_every_field_hsds_3_0_requires() -> None:
    exported = export_hsds(full_catalog())
    problems: list[str] = []
    for name, wanted in PAGE_FIELDS.items():
        if not isinstance(exported.get(name), wanted):
            problems.append(f"page: {name} missing or not {wanted.__name__}")
    assert exported["total_items"] == len(exported["contents"]) == 3
    for i, service in enumerate(exported["contents"]):
        here = f"contents[{i}]"
        check("service", service, here, problems)
        check("organization", service["organization"], f"{here}.organization", problems)
        for kind, key in (
            ("phone", "phones"),
            ("service_area", "service_areas"),
            ("language", "languages"),
            ("cost_option", "cost_options"),
            ("attribute", "attributes"),
        ):
            for j, item in enumerate(service.get(key, [])):
                check(kind, item, f"{here}.{key}[{j}]", problems)
        for j, attribute in enumerate(service["attributes"]):
            term = attribute["taxonomy_term"]
            check("taxonomy_term", term, f"{here}.attributes[{j}].taxonomy_term", problems)
            check("taxonomy", term["taxonomy_detail"], f"{here}.attributes[{j}]...", problems)
            assert attribute["taxonomy_term_id"] == term["id"]
        for j, link in enumerate(service["service_at_locations"]):
            at = f"{here}.service_at_locations[{j}]"
            check("service_at_location", link, at, problems)
            check("location", link["location"], f"{at}.location", problems)
            assert link["location_id"] == link["location"]["id"]
            assert link["service_id"] == service["id"]
            for k, address in enumerate(link["location"].get("addresses", [])):
                check("address", address, f"{at}.location.addresses[{k}]", problems)
            for k, schedule in enumerate(link["schedules"]):
                check("schedule", schedule, f"{at}.schedules[{k}]", problems)
                assert re.fullmatch(
                    r"(MO|TU|WE|TH|FR|SA|SU)(,(MO|TU|WE|TH|FR|SA|SU))*", schedule["byday"]
                )
                assert re.fullmatch(r"\d\d:\d\d", schedule["opens_at"])
    assert problems == []


# ---------------------------------------------------------------------- foreign records


def foreign_service() -> dict[str, Any]:
    """A record as another Open Referral tool might publish it: no x_valo."""
    return {
        "id": "3F9A7C21-5B1E-4C8D-9E2F-1A2B3C4D5E6F",
        "name": "Perheneuvola",
        "description": "Neuvomme kasvatuksessa. Soita ja varaa aika.\nToinen rivi.",
        "url": "https://www.kotka.fi/perheneuvola",
        "email": "perheneuvola@kotka.fi",
        "status": "active",
        "minimum_age": 0,
        "maximum_age": 100,
        "last_modified": "2025-11-02T08:30:00.000Z",
        "interpretation_services": "Interpreters on request",
        "phones": [{"id": "p1", "number": '"+358 5 234 1111"'}],
        "languages": [{"id": "l1", "code": "fin"}, {"id": "l2", "code": "ar"}],
        "cost_options": [{"id": "c1", "amount": 0, "currency": "EUR"}],
        "service_areas": [{"id": "a1", "name": "Kotka"}, {"id": "a2", "name": "Atlantis"}],
        "organization": {
            "id": "0F0F0F0F-1111-4222-8333-444455556666",
            "name": "Kotkan kaupunki",
            "description": "Kaupunki",
            "website": "https://www.kotka.fi",
        },
        "attributes": [
            {
                "id": "t1",
                "taxonomy_term": {
                    "id": "x",
                    "code": "P3.7",
                    "name": "x",
                    "taxonomy": "PTV-Service-Class",
                },
            },
            {
                "id": "t2",
                "taxonomy_term": {
                    "id": "y",
                    "code": "BD-1800",
                    "name": "Counseling",
                    "taxonomy": "AIRS",
                },
            },
        ],
        "service_at_locations": [
            {
                "id": "sal1",
                "schedules": [
                    {
                        "id": "s1",
                        "freq": "WEEKLY",
                        "byday": "MO,WE",
                        "opens_at": "09:00:00+02:00",
                        "closes_at": "15:00",
                    },
                    {
                        "id": "s2",
                        "freq": "MONTHLY",
                        "byday": "1FR",
                        "opens_at": "10:00",
                        "closes_at": "12:00",
                    },
                ],
                "location": {
                    "id": "loc-1",
                    "location_type": "physical",
                    "name": "Perheneuvolan toimipiste",
                    "latitude": 60.47,
                    "longitude": 26.94,
                    "addresses": [
                        {
                            "id": "ad1",
                            "address_1": "Keskuskatu 1",
                            "city": "Kotka",
                            "state_province": "Kymenlaakso",
                            "postal_code": "48100",
                            "country": "FI",
                            "address_type": "physical",
                        }
                    ],
                },
            }
        ],
    }


def test_a_foreign_hsds_record_imports() -> None:
    warnings: list[str] = []
    catalog = parse_hsds([("foreign.json", [foreign_service()])], today=TODAY, warnings=warnings)
    [service] = catalog.services
    assert service.id == "hsds-3f9a7c21"
    assert service.organization == "hsds-org-0f0f0f0f"
    assert service.name == Text(fi="Perheneuvola", en="Perheneuvola", ar="Perheneuvola")
    assert service.untranslated == ["en", "ar"]
    assert service.summary.fi == "Neuvomme kasvatuksessa."  # the first sentence
    assert service.description is not None
    assert service.description.fi.startswith("Neuvomme kasvatuksessa. Soita")
    assert service.needs == ["parenting-support"]  # from the PTV class P3.7
    assert service.service_classes == ["P3.7"]
    assert service.municipalities == ["285"]
    assert service.ages == Ages(min=0, max=25)  # 100 is beyond our range: no upper limit
    assert service.cost == "free"
    assert service.languages == ["fi", "ar"]
    assert service.interpreter is True
    assert service.access == ["walk-in", "call"]
    assert service.contacts == Contacts(
        phone="+35852341111",
        email="perheneuvola@kotka.fi",
        url="https://www.kotka.fi/perheneuvola",
    )
    assert service.sources == [
        Source(url="https://www.kotka.fi/perheneuvola", kind="organiser"),
        Source(url="https://www.kotka.fi", kind="organiser"),
    ]
    assert service.checked == date(2025, 11, 2)
    [location] = service.locations
    assert (location.id, location.street, location.postal_code, location.municipality) == (
        "loc-loc-1",
        "Keskuskatu 1",
        "48100",
        "285",
    )
    assert (location.lat, location.lon) == (60.47, 26.94)
    assert [(h.days, h.opens, h.closes) for h in location.hours] == [
        (["mo", "we"], "09:00", "15:00")
    ]
    assert catalog.organizations[0].url == "https://www.kotka.fi"
    assert any("service_areas[1].name: service area 'Atlantis'" in w for w in warnings)
    assert any("schedules[1]: schedule left out: only weekly" in w for w in warnings)


def test_foreign_records_in_every_container_shape() -> None:
    for document in (
        [foreign_service()],
        {"services": [foreign_service()]},
        {"total_items": 1, "contents": [foreign_service()]},
        foreign_service(),
    ):
        catalog = parse_hsds([("f.json", document)], today=TODAY)
        assert [s.id for s in catalog.services] == ["hsds-3f9a7c21"]


def test_foreign_texts_in_english_and_need_tags_from_valo_terms() -> None:
    record = foreign_service()
    record["attributes"].append(
        {"id": "t3", "taxonomy_term": {"id": "z", "code": "mental-health", "taxonomy": "valo-need"}}
    )
    catalog = parse_hsds([("f.json", [record])], text_locale="en", today=TODAY)
    service = catalog.services[0]
    assert service.needs == ["mental-health"]  # an explicit need tag wins over the PTV class
    assert service.untranslated == ["fi", "ar"]


def test_foreign_records_that_are_not_for_families_are_skipped() -> None:
    adults = foreign_service()
    adults["minimum_age"] = 30
    no_class = foreign_service()
    no_class["id"] = "another"
    no_class["attributes"] = []
    warnings: list[str] = []
    catalog = parse_hsds(
        [("f.json", json.dumps([adults, no_class], indent=2))], today=TODAY, warnings=warnings
    )
    assert catalog.services == []
    assert (
        "f.json:2: [0]: hsds-3f9a7c21 (Perheneuvola) skipped: its minimum age is above our "
        "age range"
    ) in warnings
    assert any(
        w.startswith("f.json:")
        and "hsds-another (Perheneuvola) skipped: no PTV service class Valo knows" in w
        for w in warnings
    )


# ---------------------------------------------------------------------------------- errors


def test_hsds_errors_name_file_line_path_and_reason() -> None:
    record = foreign_service()
    del record["status"]
    record["phones"][0]["number"] = "ring ring"
    text_ = json.dumps([record], indent=2)
    with pytest.raises(DataFileError) as caught:
        parse_hsds([("f.json", text_)], today=TODAY)
    phone_line = text_[: text_.index('"ring ring"')].count("\n") + 1
    assert [str(e) for e in caught.value.errors] == [
        "f.json:2: [0].status: required: active, inactive, defunct or temporarily closed, not None",
        f"f.json:{phone_line}: [0].phones[0].number: not a phone number: 'ring ring'",
    ]


def test_errors_inside_our_extension_point_into_it() -> None:
    exported = export_hsds(full_catalog())
    exported["contents"][0]["x_valo"]["events"][0]["rrule"] = "WEEKLY"
    text_ = json.dumps(exported, indent=2)
    with pytest.raises(DataFileError) as caught:
        parse_hsds([("export.json", text_)])
    line = text_[: text_.index('"rrule": "WEEKLY"')].count("\n") + 1
    assert [str(e) for e in caught.value.errors] == [
        f"export.json:{line}: contents[0].x_valo.events[0].rrule: rrule must start with FREQ="
    ]


def test_not_hsds_and_broken_json() -> None:
    with pytest.raises(DataFileError) as caught:
        parse_hsds([("a.json", '{"hello": "world"}'), ("b.json", "[\n  {,\n]")])
    assert [str(e) for e in caught.value.errors] == [
        "a.json:1: -: not HSDS 3.0 services: expected a service, a list of services, "
        '{"services": [...]} or a page {"contents": [...]}',
        "b.json:2: -: invalid JSON: Expecting property name enclosed in double quotes",
    ]


def test_a_service_id_twice_is_an_error() -> None:
    record = foreign_service()
    with pytest.raises(DataFileError) as caught:
        parse_hsds([("f.json", [record, record])], today=TODAY)
    assert [str(e) for e in caught.value.errors] == [
        "f.json:0: [1].id: service id hsds-3f9a7c21 is used twice (first at f.json:0)"
    ]


# ------------------------------------------------- a new user's records (issue 24)

SINGLE = Path(__file__).parent / "data" / "hsds" / "single-service.json"


def single_record() -> dict[str, Any]:
    record: dict[str, Any] = json.loads(SINGLE.read_text(encoding="utf-8"))
    return record


def test_a_single_service_object_is_detected_as_hsds() -> None:
    assert detect_format(SINGLE, single_record()) == "hsds"
    imported = read_sources([SINGLE])
    [source] = imported.files
    assert [s.id for s in source.catalog.services] == ["hsds-8b0c6a1e"]
    assert imported.left_out == 0


def test_other_json_with_an_id_and_a_name_is_not_taken_for_hsds() -> None:
    assert detect_format(SINGLE, {"id": "1", "name": "x", "price": 3}) is None


def with_term(term: dict[str, Any], label: str | None = None) -> dict[str, Any]:
    record = single_record()
    attribute: dict[str, Any] = {"id": "a1", "link_type": "service_type", "taxonomy_term": term}
    if label is not None:
        attribute["label"] = label
    record["attributes"] = [attribute]
    return record


@pytest.mark.parametrize(
    ("term", "label"),
    [
        ({"code": "P5.2", "name": "N", "taxonomy": "ptv-service-class"}, None),
        ({"code": "P5.2", "name": "N", "taxonomy": "Palveluluokat"}, None),
        ({"code": "P5.2", "name": "N", "taxonomy": "PTV"}, None),
        ({"code": "P5.2", "name": "N", "taxonomy": {"name": "PTV service classes"}}, None),
        ({"code": "P5.2", "name": "N", "taxonomy_detail": {"name": "PTV service classes"}}, None),
        (
            {
                "code": "P5.2",
                "name": "N",
                "taxonomy_detail": {"uri": "http://uri.suomi.fi/codelist/ptv/ptvserclass2"},
            },
            None,
        ),
        (
            {
                "code": "P5.2",
                "name": "N",
                "taxonomy_detail": {"id": "t1", "description": "Suomi.fi-palveluluokitus"},
            },
            None,
        ),
        ({"code": "P5.2", "name": "N", "description": "PTV service class"}, None),
        ({"code": "P5.2", "name": "N", "description": "PTV-palveluluokka"}, None),
        (
            {
                "code": "P5.2",
                "name": "N",
                "term_uri": "http://uri.suomi.fi/codelist/ptv/ptvserclass2/code/P5.2",
            },
            None,
        ),
        ({"code": "P5.2", "name": "N"}, "PTV service class"),
        ({"code": "P5.2", "name": "Health clinic services"}, None),  # its PTV label
    ],
)
def test_ptv_classes_are_read_however_their_taxonomy_is_named(
    term: dict[str, Any], label: str | None
) -> None:
    catalog = parse_hsds([("f.json", with_term(term, label))], today=TODAY)
    [service] = catalog.services
    assert service.service_classes == ["P5.2"]


@pytest.mark.parametrize(
    ("term", "why"),
    [
        ({"code": "P5.2", "name": "Food pantry"}, "'P5.2' (names no taxonomy)"),
        (
            {"code": "P5.2", "name": "Neuvolapalvelut", "taxonomy": "Open Eligibility"},
            "Open Eligibility 'P5.2' (a taxonomy Valo does not read)",
        ),
        (
            {"code": "P5.2", "name": "N", "taxonomy": "Open Eligibility", "description": "PTV"},
            "Open Eligibility 'P5.2' (a taxonomy Valo does not read)",
        ),
        (  # an everyday word
            {"code": "P5.2", "name": "N", "taxonomy": "Kohderyhmät"},
            "Kohderyhmät 'P5.2' (a taxonomy Valo does not read)",
        ),
        (  # not a class there
            {"code": "P5.2", "name": "N", "taxonomy": "PTV target groups"},
            "ptv-target-group 'P5.2' (not in Valo's vocabulary)",
        ),
    ],
)
def test_a_code_is_never_guessed_to_be_a_ptv_class(term: dict[str, Any], why: str) -> None:
    warnings: list[str] = []
    catalog = parse_hsds([("f.json", with_term(term))], today=TODAY, warnings=warnings)
    assert catalog.services == []
    assert any(
        f"skipped: no PTV service class Valo knows; its terms: {why} (name" in w for w in warnings
    ), warnings


def test_a_service_level_schedule_without_a_location_is_reported() -> None:
    record = single_record()
    del record["service_at_locations"]
    record["service_areas"] = [{"id": "sa1", "name": "Kotka"}]
    warnings: list[str] = []
    [service] = parse_hsds([("f.json", record)], today=TODAY, warnings=warnings).services
    assert service.locations == []
    assert service.access == ["call"]
    assert (
        "f.json:0: schedules: schedules left out: the service has no location whose opening "
        "hours they are"
    ) in warnings


def map_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "map.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_taxonomy_map_is_read(tmp_path: Path) -> None:
    found = read_taxonomy_map(
        map_file(tmp_path, "Open  Eligibility:\n  Parenting-Education: [parenting-support, P3.7]\n")
    )
    terms = found.taxonomy(["x", "open eligibility"])
    assert terms == {"parenting education": TermTarget(("parenting-support",), ("P3.7",))}


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("[a, b]\n", "map.yaml:1: -: expected a map: taxonomy name -> term code or name"),
        ("OE: [a]\n", "map.yaml:1: OE: expected a map: term code or name -> need tag(s)"),
        ("OE:\n  a: []\n", "map.yaml:2: OE.a: expected a need tag or PTV service class"),
        ("OE:\n  a: P99.9\n", "map.yaml:2: OE.a: 'P99.9' is neither a need tag"),
        ("OE:\n  a: [{b: c}]\n", "map.yaml:2: OE.a[0]: {'b': 'c'} is neither a need tag"),
        ("OE:\n  a: P3.7\n  A: P3.7\n", "map.yaml:3: OE.A: this term is mapped twice"),
        ("OE:\n  a: P3.7\noe:\n  a: P3.7\n", "map.yaml:4: oe: this taxonomy is mapped twice"),
    ],
)
def test_a_broken_taxonomy_map_is_refused_with_file_line_path(
    tmp_path: Path, text: str, error: str
) -> None:
    with pytest.raises(DataFileError) as caught:
        read_taxonomy_map(map_file(tmp_path, text))
    [found] = caught.value.errors
    assert str(found).removeprefix(f"{tmp_path}/").startswith(error), str(found)


def test_mapped_terms_match_by_code_or_name_and_add_to_the_classes_needs(tmp_path: Path) -> None:
    terms_map = read_taxonomy_map(
        map_file(tmp_path, "open-eligibility:\n  '1102': P3.7\n  Counseling: mental-health\n")
    )
    record = single_record()  # P5.2: pregnancy-baby, child-health
    record["attributes"] += [
        {"id": "a2", "taxonomy_term": {"code": 1102, "name": "x", "taxonomy": "Open Eligibility"}},
        {"id": "a3", "taxonomy_term": {"name": "COUNSELING", "taxonomy": "Open Eligibility"}},
    ]
    imported = import_hsds([("f.json", record)], today=TODAY, taxonomy_map=terms_map)
    [service] = imported.catalog.services
    assert service.service_classes == ["P5.2", "P3.7"]
    assert service.needs == ["pregnancy-baby", "child-health", "parenting-support", "mental-health"]
    assert imported.left_out == 0
