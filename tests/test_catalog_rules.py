"""The catalogue's trust rules (bot/catalog/rules.py): one bad file per rule, each failing
with ``file:line: path: reason``; the HSDS importer applies them too; and the list of the
real catalogue's known violations is exact, so it only shrinks."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from bot.catalog import rules
from bot.catalog.hsds import export_hsds, parse_hsds
from bot.catalog.loader import cross_check, parse_files
from bot.catalog.schema import CatalogFile
from bot.data_errors import DataFileError
from tests.conftest import REPO

TODAY = date(2026, 12, 1)

# Line numbers in the expectations refer to this file; appended fields start at line 18.
BASE = """\
organizations:
  - id: org
    name: {fi: Järjestö, en: Organisation, ar: منظمة}
    domains: [example.fi]
services:
  - id: svc
    organization: org
    name: {fi: Palvelu, en: Service, ar: خدمة}
    summary: {fi: Lyhyesti, en: In short, ar: باختصار}
    needs: [early-education]
    service_classes: ["P3.4"]
    municipalities: ["285"]
    languages: [fi]
    access: [walk-in]
    sources:
      - {url: "https://www.example.fi/palvelu", kind: organiser, updated: "2026-05-01"}
    checked: "2026-06-01"
"""
SECOND = """\
  - id: svc-two
    organization: org
    name: {fi: Toinen, en: Second, ar: ثانية}
    summary: {fi: Lyhyesti, en: In short, ar: باختصار}
    needs: [early-education]
    service_classes: ["P3.4"]
    municipalities: ["285"]
    languages: [fi]
    access: [call]
    contacts: {phone: "+35852206000"}
    sources: [{url: "https://www.example.fi/toinen", kind: organiser, updated: "2026-05-01"}]
    checked: "2026-06-01"
"""
SHELTER_PLACE = """\
    locations:
      - id: place
        name: {fi: Turvakoti, en: Shelter, ar: دار إيواء}
        street: "Salainen katu 1"
        municipality: "285"
"""


def check(tmp_path: Path, text: str) -> tuple[list[str], list[str]]:
    """``text`` as cat/a.yaml through the checker: (errors, warnings) as printed."""
    path = tmp_path / "cat" / "a.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    try:
        files = parse_files([path], root=tmp_path)
    except DataFileError as exc:  # the schema's own checks (rule 3: phones)
        return [str(e) for e in exc.errors], []
    errors, warnings = cross_check(files, today=TODAY)
    return [str(e) for e in errors], warnings


def errors_of(tmp_path: Path, text: str) -> list[str]:
    return check(tmp_path, text)[0]


def test_the_base_file_breaks_no_rule(tmp_path: Path) -> None:
    assert check(tmp_path, BASE) == ([], [])
    assert check(tmp_path, BASE + SECOND) == ([], [])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            BASE.replace("access: [walk-in]", "access: [walk-in, call]"),
            "cat/a.yaml:14: services[0].access: access includes call but the card has no "
            "contacts.phone",
            id="1-call-without-phone",
        ),
        pytest.param(
            BASE.replace("access: [walk-in]", "access: [chat]"),
            "cat/a.yaml:14: services[0].access: access includes chat but the card has no "
            "contacts.chat link",
            id="1-chat-without-link",
        ),
        pytest.param(
            BASE.replace("needs: [early-education]", "needs: [crisis-urgent]"),
            "cat/a.yaml:6: services[0].contacts: a crisis-urgent card needs a phone or a chat "
            "link (contacts.phone or contacts.chat)",
            id="2-crisis-without-line",
        ),
        pytest.param(
            BASE.replace("needs: [early-education]", "needs: [crisis-urgent]")
            + '    contacts: {phone: "+35880005005"}\n',
            "cat/a.yaml:18: services[0].contacts: a crisis-urgent card says when its line "
            "answers: give phone_hours or phone_always (or chat_hours or chat_always)",
            id="2-crisis-without-hours",
        ),
        pytest.param(
            BASE + '    contacts: {phone: "+3585"}\n',
            "cat/a.yaml:18: services[0].contacts.phone: '+3585' is not a valid phone number in "
            "E.164 form (+358...) or a short service number such as 112 or 116111",
            id="3-invalid-phone",
        ),
        pytest.param(
            BASE.replace("https://www.example.fi/palvelu", "https://news.example.com/x"),
            "cat/a.yaml:16: services[0].sources[0].kind: news.example.com is not one of org's "
            "domains (example.fi): a page there is news, register or other, not organiser",
            id="4-organiser-on-a-foreign-host",
        ),
        pytest.param(
            BASE.replace("https://www.example.fi/palvelu", "https://news.example.com/x").replace(
                "kind: organiser", "kind: news"
            ),
            "cat/a.yaml:16: services[0].sources: only news sources: news is never a card's only "
            "source; cite the organiser's own page",
            id="4-only-news",
        ),
        pytest.param(
            BASE.replace("kind: organiser", "kind: other"),
            "cat/a.yaml:16: services[0].sources: no source of kind organiser: cite the "
            "organiser's own page (or its suomi.fi entry)",
            id="4-no-organiser-source",
        ),
        pytest.param(
            BASE.replace(
                '    checked: "2026-06-01"\n',
                '      - {url: "https://blog.example.com/x", kind: register}\n'
                '    checked: "2026-06-01"\n',
            ),
            "cat/a.yaml:17: services[0].sources[1].kind: blog.example.com is not a register's "
            "host (suomi.fi, kela.fi, finlex.fi) nor org's own: say news or other",
            id="4-register-on-a-blog",
        ),
        pytest.param(
            BASE.replace("access: [walk-in]", "access: [walk-in, call]").replace(
                "    sources:\n", '    contacts: {phone: "+35852206000"}\n    sources:\n'
            )
            + SECOND,
            "cat/a.yaml:19: services[1].id: suspected duplicate of 'svc': same organisation, "
            "same phone (+35852206000) and overlapping area; merge them, or declare "
            "distinct_from with a reason",
            id="5-duplicate-phone",
        ),
        pytest.param(
            BASE + "    distinct_from: [{id: nothing, reason: Another town.}]\n",
            "cat/a.yaml:18: services[0].distinct_from[0].id: unknown service 'nothing'",
            id="5-unknown-distinct-from",
        ),
        pytest.param(
            BASE.replace("needs: [early-education]", "needs: [pregnancy-baby]"),
            "cat/a.yaml:6: services[0].target_groups: tagged pregnancy-baby, so the card must "
            "target families: add target group KR1.2 or an ages range for children",
            id="6-pregnancy-not-for-families",
        ),
        pytest.param(
            BASE.replace("access: [walk-in]", "access: [call]")
            + '    shelter: true\n    contacts: {phone: "+35880005005", phone_always: true}\n'
            + SHELTER_PLACE,
            "cat/a.yaml:23: services[0].locations[0].street: a shelter's address is secret: no "
            "street address, postal code or coordinates",
            id="7-shelter-address",
        ),
        pytest.param(
            BASE.replace("access: [walk-in]", "access: [walk-in, call]")
            + '    shelter: true\n    contacts: {phone: "+35880005005", phone_always: true}\n',
            "cat/a.yaml:14: services[0].access: a shelter is reached by phone first, not walk-in",
            id="7-shelter-walk-in",
        ),
        pytest.param(
            BASE.replace("access: [walk-in]", "access: [call]")
            + '    shelter: true\n    contacts: {phone: "+35852206000"}\n',
            "cat/a.yaml:19: services[0].contacts: a shelter needs a phone that answers around "
            "the clock (phone and phone_always: true; Nollalinja 080 005 005 where its own is "
            "not public)",
            id="7-shelter-without-24h-phone",
        ),
    ],
)
def test_each_rule_fails_a_bad_file(tmp_path: Path, text: str, expected: str) -> None:
    assert errors_of(tmp_path, text) == [expected]


def test_a_source_on_the_organisers_subdomain_is_its_own(tmp_path: Path) -> None:
    text = BASE.replace("https://www.example.fi/palvelu", "https://mfiles.example.fi/x")
    assert check(tmp_path, text) == ([], [])


def test_a_suomi_fi_entry_stands_for_the_organisers_page(tmp_path: Path) -> None:
    text = BASE.replace("https://www.example.fi/palvelu", "https://www.suomi.fi/palvelut/x")
    assert check(tmp_path, text.replace("kind: organiser", "kind: register")) == ([], [])


def test_sources_none_of_them_recent_are_a_stale_warning(tmp_path: Path) -> None:
    assert check(tmp_path, BASE.replace("2026-05-01", "2023-12-02")) == ([], [])
    errors, warnings = check(tmp_path, BASE.replace("2026-05-01", "2023-11-30"))
    assert errors == []
    assert warnings == [
        "cat/a.yaml:16: services[0].sources: stale: no source published or updated in the "
        "last three years (the newest is from 2023-11-30)"
    ]
    errors, warnings = check(tmp_path, BASE.replace(', updated: "2026-05-01"', ""))
    assert (errors, warnings) == (
        [],
        [
            "cat/a.yaml:16: services[0].sources: stale: no source published or updated in "
            "the last three years (none is dated)"
        ],
    )


def test_a_page_that_gives_only_a_month_or_a_year_counts_from_its_first_day(
    tmp_path: Path,
) -> None:
    # Many pages show only "10/2023" or "2024": the source says so instead of inventing a day.
    assert check(tmp_path, BASE.replace("2026-05-01", "2024")) == ([], [])
    assert check(tmp_path, BASE.replace("2026-05-01", "2023-12")) == ([], [])
    _, warnings = check(tmp_path, BASE.replace("2026-05-01", "2023-11"))
    assert warnings == [
        "cat/a.yaml:16: services[0].sources: stale: no source published or updated in the "
        "last three years (the newest is from 2023-11)"
    ]
    _, warnings = check(tmp_path, BASE.replace("2026-05-01", "2023"))
    assert warnings[0].endswith("(the newest is from 2023)")


@pytest.mark.parametrize("bad", ["2023-13", "2023-02-30", "23-10", "10/2023"])
def test_a_page_date_that_is_no_date_is_refused(tmp_path: Path, bad: str) -> None:
    errors, _ = check(tmp_path, BASE.replace("2026-05-01", bad))
    assert len(errors) == 1
    assert errors[0].startswith("cat/a.yaml:16: services[0].sources[0].updated: ")


def test_duplicates_declared_distinct_on_either_card_pass(tmp_path: Path) -> None:
    duplicate = BASE.replace("access: [walk-in]", "access: [walk-in, call]").replace(
        "    sources:\n", '    contacts: {phone: "+35852206000"}\n    sources:\n'
    )
    declared = '    distinct_from: [{id: svc-two, reason: "One is for babies, one for teens."}]\n'
    assert errors_of(tmp_path, duplicate + SECOND) != []
    assert check(tmp_path, duplicate + declared + SECOND) == ([], [])
    other_way = SECOND + "    distinct_from: [{id: svc, reason: One is for babies.}]\n"
    assert check(tmp_path, duplicate + other_way) == ([], [])
    # Another area: not a duplicate.
    elsewhere = SECOND.replace('municipalities: ["285"]', 'municipalities: ["075"]')
    assert check(tmp_path, duplicate + elsewhere) == ([], [])


def test_two_ptv_records_sharing_a_switchboard_are_not_duplicates(tmp_path: Path) -> None:
    """A municipality gives many services one number: PTV's ids tell them apart. One card of
    PTV and one written by hand stay under the rule."""
    duplicate = BASE.replace("access: [walk-in]", "access: [walk-in, call]").replace(
        "    sources:\n", '    contacts: {phone: "+35852206000"}\n    sources:\n'
    )
    first = "    ptv_id: 3668d250-cd80-45c4-abcc-9b2d3a2b3e42\n"
    second = "    ptv_id: 961f1a02-0000-4000-8000-000000000001\n"
    assert check(tmp_path, duplicate + first + SECOND + second) == ([], [])
    assert errors_of(tmp_path, duplicate + first + SECOND) != []
    assert errors_of(tmp_path, duplicate + first + SECOND + first) != []


def test_families_are_targeted_by_group_or_ages(tmp_path: Path) -> None:
    pregnancy = BASE.replace("needs: [early-education]", "needs: [pregnancy-baby]")
    assert check(tmp_path, pregnancy + '    target_groups: ["KR1.2"]\n') == ([], [])
    assert check(tmp_path, pregnancy + "    ages: {min: 0, max: 1, expecting: true}\n") == (
        [],
        [],
    )


def test_the_hsds_import_applies_the_rules_at_the_record(tmp_path: Path) -> None:
    """Rule 2 on an HSDS import: a crisis card whose line has no hours is refused."""
    text = BASE.replace("needs: [early-education]", "needs: [crisis-urgent]").replace(
        "access: [walk-in]", "access: [call]"
    )
    [parsed] = parse_files([_write(tmp_path, text + '    contacts: {phone: "112"}\n')])
    exported = export_hsds(parsed.catalog)
    with pytest.raises(DataFileError) as caught:
        parse_hsds([("e.json", exported)], today=TODAY)
    assert [str(e) for e in caught.value.errors] == [
        "e.json:0: contents[0]: contacts: a crisis-urgent card says when its line answers: "
        "give phone_hours or phone_always (or chat_hours or chat_always)"
    ]
    fixed = parsed.catalog.services[0].model_copy(
        update={
            "contacts": parsed.catalog.services[0].contacts.model_copy(
                update={"phone_always": True}
            )
        }
    )
    catalog = CatalogFile(organizations=parsed.catalog.organizations, services=[fixed])
    assert parse_hsds([("e.json", export_hsds(catalog))], today=TODAY) == catalog


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "h" / "a.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_the_known_violations_are_exactly_the_real_catalogues() -> None:
    """While issue 20's cards are being corrected, their violations are warnings. An entry
    that no longer breaks its rule must leave rules.KNOWN_VIOLATIONS (the list only shrinks);
    a violation not on it is an error (the real catalogue would not load)."""
    files = parse_files([REPO / "services_catalog"], root=REPO)
    organizations = rules.organizations_by_id(o for f in files for o in f.catalog.organizations)
    found: set[tuple[str, int]] = set()
    placed = []
    for n, f in enumerate(files):
        for i, service in enumerate(f.catalog.services):
            placed.append(rules.Placed(service, (n, i)))
            for problem in rules.service_problems(
                service, organizations.get(service.organization), date.today()
            ):
                if problem.severity == "error":
                    found.add((service.id, problem.rule))
    found |= {(p.service.id, problem.rule) for p, problem in rules.duplicate_problems(placed)}
    assert sorted(rules.KNOWN_VIOLATIONS - found) == [], "fixed: remove from KNOWN_VIOLATIONS"
    assert sorted(found - rules.KNOWN_VIOLATIONS) == []
