"""``services_catalog/coverage.yaml`` and ``valo-bot catalog coverage``: the matrix of core
services per municipality, its errors as ``file:line: path: reason``, gaps as warnings in
``valo-bot check``, and the README's copy of the table."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from bot.__main__ import main
from bot.catalog import schema
from bot.catalog.coverage import README_END, README_START, readme_section
from bot.catalog.loader import read_catalog
from tests.conftest import REPO

# The catalogue schema v2 (issue 20, branch h-schema) makes sources records and wants the
# organisers' web domains; the fixture is written the way the schema in use reads it, so this
# file passes before and after that lands.
V2 = hasattr(schema, "Source")
SOURCE = '{url: "https://example.fi/%s", kind: organiser}' if V2 else '"https://example.fi/%s"'
DOMAINS = '\n    domains: ["example.fi"]' if V2 else ""

CATALOGUE = """\
organizations:
  - id: org
    name: {fi: Järjestö, en: Organisation, ar: منظمة}DOMAINS
  - id: kela
    name: {fi: Kela, en: Kela, ar: كيلا}DOMAINS
services:
  - id: kotka-clinic
    organization: org
    name: {fi: Neuvola, en: Clinic, ar: عيادة}
    summary: {fi: Lyhyesti, en: In short, ar: باختصار}
    needs: [child-health]
    service_classes: ["P5.2"]
    target_groups: ["KR1.2"]
    municipalities: ["285", "075"]
    languages: [fi]
    access: [call]
    contacts: {phone: "+35852206100"}
    locations:
      - id: place
        name: {fi: Paikka, en: Place, ar: مكان}
        municipality: "285"
    sources: [SOURCE:neuvola]
    checked: "2026-06-01"
  - id: kela-benefit
    organization: kela
    name: {fi: Etuus, en: Benefit, ar: إعانة}
    summary: {fi: Lyhyesti, en: In short, ar: باختصار}
    needs: [money-benefits]
    service_classes: ["P3.2"]
    municipalities: [nationwide]
    languages: [fi]
    access: [apply-online]
    sources: [SOURCE:kela]
    checked: "2026-06-01"
  - id: county-advice
    organization: org
    name: {fi: Neuvonta, en: Advice, ar: استشارة}
    summary: {fi: Lyhyesti, en: In short, ar: باختصار}
    needs: [parenting-support]
    service_classes: ["P3.6"]
    municipalities: ["285", "075", "286"]
    languages: [fi]
    access: [call]
    contacts: {phone: "+35852206000"}
    sources: [SOURCE:neuvonta]
    checked: "2026-06-01"
"""
CATALOGUE = re.sub(r"SOURCE:(\w+)", lambda found: SOURCE % found[1], CATALOGUE).replace(
    "DOMAINS", DOMAINS
)

# Line numbers in the tests below refer to this file.
COVERAGE = """\
counties:
  - id: kymenlaakso
    name: Kymenlaakso
    municipalities: ["285", "075", "286"]
    advice: county-advice
types:
  - id: neuvola
    name: {fi: Neuvola, en: Child health clinic, ar: عيادة}
    rules:
      - {classes: [P5], needs: [child-health]}
    nationwide: false
  - id: kela
    name: {fi: Kela, en: Kela, ar: كيلا}
    rules:
      - {organizations: [kela]}
not_offered:
  - municipality: "286"
    type: neuvola
    source: "https://example.fi/no-clinic-here"
    alternative: kotka-clinic
    note: "internal: the town's clinic closed"
"""

TABLE = """\
Core family services by municipality, from the catalogue and services_catalog/coverage.yaml.

L: a card with a place in the municipality, R: a regional card (e.g. the wellbeing services \
county's), N: a nationwide card, –: not offered here (the table below gives the source and the \
nearest alternative), ?: NOT VERIFIED (nobody has checked yet; families can ask the county's \
advice line).

| Municipality | neuvola | kela |
|---|---|---|
| Kotka (285) | L | N |
| Hamina (075) | R | N |
| Kouvola (286) | – | N |

#### neuvola: Child health clinic

| Municipality | Cards, or why there is none |
|---|---|
| Kotka (285) | `kotka-clinic` (local) |
| Hamina (075) | `kotka-clinic` (regional) |
| Kouvola (286) | not offered here (https://example.fi/no-clinic-here); nearest: `kotka-clinic` |

#### kela: Kela

| Municipality | Cards, or why there is none |
|---|---|
| Kotka (285) | `kela-benefit` (nationwide) |
| Hamina (075) | `kela-benefit` (nationwide) |
| Kouvola (286) | `kela-benefit` (nationwide) |
"""

FORMAT = re.compile(r"^[^:\n]+:\d+: \S+: .+$")


@pytest.fixture
def catalogue(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "catalogue"
    directory.mkdir()
    (directory / "services.yaml").write_text(CATALOGUE, encoding="utf-8")
    (directory / "coverage.yaml").write_text(COVERAGE, encoding="utf-8")
    monkeypatch.setenv("CATALOG_PATH", str(directory))
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'unused.db'}")
    return directory


def test_the_coverage_file_is_not_read_as_a_catalogue_file(catalogue: Path) -> None:
    assert [s.id for s in read_catalog([catalogue]).services] == [
        "county-advice",
        "kela-benefit",
        "kotka-clinic",
    ]


def test_the_command_prints_the_matrix(catalogue: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["catalog", "coverage"]) == 0
    assert capsys.readouterr().out == TABLE


def test_a_gap_is_not_verified_and_names_the_county_advice_line(
    catalogue: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (catalogue / "coverage.yaml").write_text(COVERAGE.split("not_offered:")[0], encoding="utf-8")
    assert main(["catalog", "coverage", "--format", "json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert [m["code"] for m in printed["municipalities"]] == ["285", "075", "286"]
    assert [t["id"] for t in printed["types"]] == ["neuvola", "kela"]
    cells = {(c["municipality"], c["type"]): c for c in printed["cells"]}
    assert cells[("286", "neuvola")] == {
        "municipality": "286",
        "type": "neuvola",
        "status": "not-verified",
        "cards": [],
        "source": None,
        "alternative": None,
        "advice": "county-advice",
    }
    assert cells[("075", "neuvola")]["cards"] == [{"id": "kotka-clinic", "reach": "regional"}]
    assert cells[("286", "kela")]["status"] == "served"
    # `check` passes, and warns about the gap with the type's line.
    assert main(["check"]) == 0
    captured = capsys.readouterr()
    assert "coverage OK" in captured.out
    assert (
        f"warning: {catalogue / 'coverage.yaml'}:7: types[0]: no card and no 'not offered' "
        "entry for 'neuvola' in 286 (shown as NOT VERIFIED)"
    ) in captured.err.splitlines()
    markdown = main(["catalog", "coverage", "--lang", "ar"])
    assert markdown == 0
    assert "لم يتم التحقق" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            ("classes: [P5]", "classes: [P99]"),
            ":10: types[0].rules[0].classes: unknown PTV service class(es) P99",
        ),
        (
            ("alternative: kotka-clinic", "alternative: nowhere"),
            ":20: not_offered[0].alternative: unknown card 'nowhere'",
        ),
        (
            ("type: neuvola", "type: dentist"),
            ":18: not_offered[0].type: unknown type 'dentist'",
        ),
        (
            ('municipality: "286"', 'municipality: "405"'),
            ":17: not_offered[0].municipality: municipality 405 is in no county of this file",
        ),
        (("  - id: kela\n", "  - id: neuvola\n"), ":12: types[1].id: duplicate type id 'neuvola'"),
        (
            ("advice: county-advice", "advice: gone"),
            ":5: counties[0].advice: unknown card 'gone'",
        ),
        (
            ("      - {organizations: [kela]}\n", "      - {}\n"),
            ":15: types[1].rules[0]: a rule needs classes, needs, access or",
        ),
        (("    source: ", "    sauce: "), ":19: not_offered[0].sauce: "),
    ],
)
def test_a_bad_coverage_file_fails_check_with_file_and_line(
    catalogue: Path,
    capsys: pytest.CaptureFixture[str],
    change: tuple[str, str],
    expected: str,
) -> None:
    old, new = change
    assert old in COVERAGE
    (catalogue / "coverage.yaml").write_text(COVERAGE.replace(old, new), encoding="utf-8")
    assert main(["check"]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert all(FORMAT.match(line) for line in lines), lines
    assert any(line.startswith(f"{catalogue / 'coverage.yaml'}{expected}") for line in lines), lines
    # The command refuses too, with the same errors.
    assert main(["catalog", "coverage"]) == 1
    assert capsys.readouterr().out.splitlines() == lines


def test_without_a_coverage_file_the_command_says_so(
    catalogue: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (catalogue / "coverage.yaml").unlink()
    assert main(["catalog", "coverage"]) == 2
    assert "no coverage.yaml in" in capsys.readouterr().err
    assert main(["check"]) == 0  # a catalogue without one is still a catalogue


def test_readme_option_rewrites_only_the_generated_section(
    catalogue: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    readme = tmp_path / "README.md"
    readme.write_text(f"# Title\n\n{README_START}\nold table\n{README_END}\n\nAfter.\n")
    assert main(["catalog", "coverage", "--readme", str(readme)]) == 0
    text = readme.read_text(encoding="utf-8")
    assert text == f"# Title\n\n{README_START}\n{TABLE}{README_END}\n\nAfter.\n"
    assert readme_section(text) == TABLE
    readme.write_text("# No markers\n")
    assert main(["catalog", "coverage", "--readme", str(readme)]) == 1
    assert "no '<!-- coverage:start" in capsys.readouterr().out


def test_the_readme_table_is_the_commands_output(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CATALOG_PATH", str(REPO / "services_catalog"))
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'unused.db'}")
    monkeypatch.chdir(REPO)
    assert main(["catalog", "coverage"]) == 0
    output = capsys.readouterr().out
    copy = readme_section((REPO / "README.md").read_text(encoding="utf-8"))
    assert copy is not None, "README.md has no coverage section markers"
    assert copy == output, (
        "README.md's coverage table is stale: run `valo-bot catalog coverage --readme README.md`"
    )
