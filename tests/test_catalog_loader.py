"""Catalogue files: every kind of schema and cross-file error as ``file:line: path: reason``,
the YAML 1.2 traps, staleness warnings, ``valo-bot check`` and the committed JSON Schema."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest

from bot.catalog import vocab
from bot.catalog.loader import cross_check, parse_files, read_catalog
from bot.catalog.schema import catalog_json_schema
from bot.data_errors import DataFileError
from tests.cli_run import CliRun, cli_env
from tests.conftest import REPO
from tests.real_catalogue import real_catalogue

# A minimal valid file; the line numbers in the expectations below refer to it (appended
# fields start at line 16; the organisation is a flow mapping so that its domains keep them).
VALID = """\
organizations:
  - {id: org, domains: [example.fi],
     name: {fi: Järjestö, en: Organisation, ar: منظمة}}
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
    sources: [{url: "https://example.fi/palvelu", kind: organiser, updated: "2026-05-01"}]
    checked: "2026-06-01"
"""

LOCATION = """\
    locations:
      - id: place
        name: {fi: Paikka, en: Place, ar: مكان}
        municipality: "285"
"""
EVENT = """\
    events:
      - id: ev
        kinds: [art]
        title: {fi: Taide, en: Art, ar: فن}
        start: "2026-01-05T10:00"
"""
FORMAT = re.compile(r"^[^:\n]+:\d+: \S+: .+$")


def write(directory: Path, name: str, text: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


def errors_of(tmp_path: Path, *texts: str) -> list[str]:
    """Load ``texts`` as cat/a.yaml, cat/b.yaml...; the errors, as printed."""
    for i, text in enumerate(texts):
        write(tmp_path / "cat", f"{'abc'[i]}.yaml", text)
    with pytest.raises(DataFileError) as caught:
        read_catalog([tmp_path / "cat"], root=tmp_path)
    return [str(e) for e in caught.value.errors]


def test_the_minimal_file_is_valid(tmp_path: Path) -> None:
    """The base of every error case below loads cleanly, so each error is the one we caused."""
    write(tmp_path / "cat", "a.yaml", VALID)
    catalog = read_catalog([tmp_path / "cat"], root=tmp_path)
    assert [s.id for s in catalog.services] == ["svc"]
    assert list(catalog.organizations) == ["org"]
    assert catalog.source_of() == {"svc": "yaml:a.yaml"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            VALID + "    colour: red\n",
            "cat/a.yaml:16: services[0].colour: unknown field",
            id="unknown-field",
        ),
        pytest.param(
            VALID.replace('    checked: "2026-06-01"\n', ""),
            "cat/a.yaml:5: services[0].checked: required field is missing",
            id="missing-field",
        ),
        pytest.param(
            VALID.replace("    access: [walk-in]\n", ""),
            "cat/a.yaml:5: services[0]: no way in: give `access` (call, walk-in, ...) or, where "
            "none is confirmed, the organiser's page as `contacts.url`",
            id="no-way-in",
        ),
        pytest.param(
            VALID + "    interpreter: maybe\n",
            "cat/a.yaml:16: services[0].interpreter: "
            "Input should be a valid boolean, unable to interpret input",
            id="wrong-type",
        ),
        pytest.param(
            VALID + "    cost: gratis\n",
            "cat/a.yaml:16: services[0].cost: Input should be 'free', 'fee' or 'income-based'",
            id="not-a-choice",
        ),
        pytest.param(
            VALID + "    ages: {min: 7, max: 3}\n",
            "cat/a.yaml:16: services[0].ages: min (7) must be <= max (3)",
            id="ages-min-over-max",
        ),
        pytest.param(
            VALID + "    ages: {min: 0, max: 40}\n",
            "cat/a.yaml:16: services[0].ages.max: Input should be less than or equal to 25",
            id="ages-out-of-range",
        ),
        pytest.param(
            VALID.replace("[early-education]", "[early-education, flying]"),
            "cat/a.yaml:9: services[0].needs: unknown need tag(s) flying",
            id="unknown-need",
        ),
        pytest.param(
            VALID.replace('["P3.4"]', '["P3.4", "P99.9"]'),
            "cat/a.yaml:10: services[0].service_classes: unknown PTV service class(es) P99.9",
            id="unknown-ptv-class",
        ),
        pytest.param(
            VALID + '    target_groups: ["KR99"]\n',
            "cat/a.yaml:16: services[0].target_groups: unknown PTV target group(s) KR99",
            id="unknown-target-group",
        ),
        pytest.param(
            VALID + '    life_events: ["KE99"]\n',
            "cat/a.yaml:16: services[0].life_events: unknown PTV life event(s) KE99",
            id="unknown-life-event",
        ),
        pytest.param(
            VALID.replace('["285"]', '["999"]'),
            "cat/a.yaml:11: services[0].municipalities: unknown municipality code '999'",
            id="unknown-municipality",
        ),
        pytest.param(
            VALID + LOCATION.replace('"285"', '"999"'),
            "cat/a.yaml:19: services[0].locations[0].municipality: unknown municipality code '999'",
            id="unknown-location-municipality",
        ),
        pytest.param(
            VALID.replace('["285"]', '[nationwide, "285"]'),
            "cat/a.yaml:11: services[0].municipalities: "
            "'nationwide' cannot be combined with municipality codes",
            id="nationwide-with-codes",
        ),
        pytest.param(
            VALID + '    contacts: {phone: "call us"}\n',
            "cat/a.yaml:16: services[0].contacts.phone: 'call us' is not a valid phone number "
            "in E.164 form (+358...) or a short service number such as 112 or 116111",
            id="bad-phone",
        ),
        pytest.param(
            VALID + '    contacts: {phone: "05 220 6000"}\n',
            "cat/a.yaml:16: services[0].contacts.phone: '05 220 6000' is not a valid phone "
            "number in E.164 form (+358...) or a short service number such as 112 or 116111 "
            "(write '+35852206000')",
            id="phone-not-e164",
        ),
        pytest.param(
            VALID + "    contacts:\n      url: www.example.fi\n",
            "cat/a.yaml:17: services[0].contacts.url: String should match pattern '^https?://\\S+$'",
            id="bad-url",
        ),
        pytest.param(
            VALID + LOCATION + "        hours:\n          - days: [mo]\n"
            "            opens: 25:00\n            closes: 12:00\n",
            "cat/a.yaml:22: services[0].locations[0].hours[0].opens: "
            "String should match pattern '^([01]\\d|2[0-3]):[0-5]\\d$'",
            id="bad-time",
        ),
        pytest.param(
            VALID + LOCATION + "        hours:\n          - days: [mo]\n"
            "            opens: 16:00\n            closes: 09:00\n",
            "cat/a.yaml:21: services[0].locations[0].hours[0]: "
            "opens (16:00) must be before closes (09:00)",
            id="hours-reversed",
        ),
        pytest.param(
            VALID + EVENT + '        rrule: "FREQ=SOMETIMES"\n',
            "cat/a.yaml:21: services[0].events[0].rrule: invalid rrule: invalid 'FREQ': SOMETIMES",
            id="bad-rrule",
        ),
        pytest.param(
            VALID + EVENT + '        rrule: "BYDAY=MO"\n',
            "cat/a.yaml:21: services[0].events[0].rrule: rrule must start with FREQ=",
            id="rrule-without-freq",
        ),
        pytest.param(
            VALID + EVENT.replace("2026-01-05", "2026-02-30"),
            "cat/a.yaml:20: services[0].events[0].start: day is out of range for month",
            id="impossible-date",
        ),
        pytest.param(
            # A model-level check: pydantic places it on the service, so the line is the
            # service's first line and the message names the event and the location.
            VALID + EVENT + "        location: nowhere\n",
            "cat/a.yaml:5: services[0]: event 'ev' refers to unknown location 'nowhere'",
            id="event-unknown-location",
        ),
        pytest.param(
            VALID.replace("organization: org", "organization: nobody"),
            "cat/a.yaml:6: services[0].organization: unknown organization 'nobody'",
            id="unknown-organisation",
        ),
        pytest.param(
            VALID + "    cost: free\n    cost: fee\n",
            "cat/a.yaml:17: services[0].cost: duplicate key",
            id="duplicate-key",
        ),
        pytest.param(
            VALID + "    cost: free: yes\n",
            "cat/a.yaml:16: -: YAML syntax: mapping values are not allowed here",
            id="yaml-syntax",
        ),
    ],
)
def test_each_error_names_file_line_path_and_reason(
    tmp_path: Path, text: str, expected: str
) -> None:
    assert errors_of(tmp_path, text) == [expected]


def test_duplicate_ids_across_files_name_both_places(tmp_path: Path) -> None:
    second = VALID.replace("id: org,", "id: org-b,").replace(
        "organization: org", "organization: org-b"
    )
    assert errors_of(tmp_path, VALID, second) == [
        "cat/b.yaml:5: services[0].id: duplicate service id 'svc', also in cat/a.yaml:5"
    ]


def test_duplicate_organisation_and_event_ids_across_files(tmp_path: Path) -> None:
    second = VALID.replace("id: svc", "id: svc-b") + EVENT
    assert errors_of(tmp_path, VALID + EVENT, second) == [
        "cat/b.yaml:2: organizations[0].id: duplicate organization id 'org', also in cat/a.yaml:2",
        "cat/b.yaml:17: services[0].events[0].id: duplicate event id 'ev', also in cat/a.yaml:17",
    ]


def test_a_service_may_use_an_organisation_from_another_file(tmp_path: Path) -> None:
    second = "services:\n" + VALID.split("services:\n", 1)[1].replace("id: svc", "id: svc-b")
    write(tmp_path / "cat", "a.yaml", VALID)
    write(tmp_path / "cat", "b.yaml", second)
    catalog = read_catalog([tmp_path / "cat"], root=tmp_path)
    assert catalog.source_of() == {"svc": "yaml:a.yaml", "svc-b": "yaml:b.yaml"}


def test_every_error_of_every_file_is_reported_at_once(tmp_path: Path) -> None:
    broken = VALID.replace("  - id: svc\n", "  - id: svc\n    colour: red\n    cost: gratis\n")
    assert errors_of(tmp_path, broken, "services: [\n") == [
        "cat/a.yaml:6: services[0].colour: unknown field",
        "cat/a.yaml:7: services[0].cost: Input should be 'free', 'fee' or 'income-based'",
        "cat/b.yaml:2: -: YAML syntax: expected the node content, but found '<stream end>'",
    ]


def test_an_empty_directory_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "cat").mkdir()
    with pytest.raises(DataFileError) as caught:
        read_catalog([tmp_path / "cat"])
    assert [str(e) for e in caught.value.errors] == ["-:0: -: no catalogue files found"]


def test_yaml_1_2_traps_stay_the_strings_written(tmp_path: Path) -> None:
    """YAML 1.1 would read 075 as octal 61, 10:00 as 600 (base 60) and ``no`` as false."""
    text = (
        VALID.replace('["285"]', "[075]").replace("languages: [fi]", "languages: [fi, no]")
        + "    locations:\n"
        "      - id: hamina-place\n"
        "        name: {fi: Paikka, en: Place, ar: مكان}\n"
        "        municipality: 075\n"
        "        postal_code: 04400\n"
        "        hours:\n"
        "          - days: [mo, fr]\n"
        "            opens: 10:00\n"
        "            closes: 16:00\n"
    )
    write(tmp_path / "cat", "a.yaml", text)
    service = read_catalog([tmp_path / "cat"], root=tmp_path).services[0]
    assert service.municipalities == ["075"]
    assert vocab.municipalities()["075"].name_fi == "Hamina"
    assert service.languages == ["fi", "no"]
    location = service.locations[0]
    assert (location.municipality, location.postal_code) == ("075", "04400")
    assert (location.hours[0].opens, location.hours[0].closes) == ("10:00", "16:00")
    assert service.checked == date(2026, 6, 1)


def test_facts_checked_over_a_year_ago_give_a_warning(tmp_path: Path) -> None:
    write(tmp_path / "cat", "a.yaml", VALID.replace('"2026-06-01"', "2020-01-31"))
    catalog = read_catalog([tmp_path / "cat"], root=tmp_path)
    assert [s.id for s in catalog.services] == ["svc"]  # a warning, not an error
    assert catalog.warnings == [
        "cat/a.yaml:15: services[0].checked: facts last checked 2020-01-31, over a year ago"
    ]


def test_staleness_starts_after_365_days(tmp_path: Path) -> None:
    write(tmp_path / "cat", "a.yaml", VALID)
    files = parse_files([tmp_path / "cat"], root=tmp_path)
    checked = date(2026, 6, 1)
    assert cross_check(files, today=checked + timedelta(days=365)) == ([], [])
    errors, warnings = cross_check(files, today=checked + timedelta(days=366))
    assert errors == []
    assert warnings == [
        "cat/a.yaml:15: services[0].checked: facts last checked 2026-06-01, over a year ago"
    ]


def test_the_real_catalogue_is_valid() -> None:
    catalog = real_catalogue()
    # Issue 20: sources without a recent date are stale, and the cards still being corrected
    # break rules as warnings (bot/catalog/rules.py KNOWN_VIOLATIONS); nothing else.
    assert [
        w for w in catalog.warnings if "stale:" not in w and "(known, being fixed" not in w
    ] == []
    assert len(catalog.services) >= 80
    served = {m for s in catalog.services for m in s.municipalities} - {vocab.NATIONWIDE}
    assert len(served) >= 8


def test_committed_json_schema_is_what_the_models_generate() -> None:
    """Regenerate with ``valo-bot catalog schema`` when this fails."""
    committed = (REPO / "services_catalog" / "schema.json").read_text(encoding="utf-8")
    generated = json.dumps(catalog_json_schema(), ensure_ascii=False, indent=2) + "\n"
    assert json.loads(committed) == catalog_json_schema()
    assert committed == generated


@pytest.fixture(scope="module", autouse=True)
def check_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[CliRun, Path]]:
    """``valo-bot check`` on a broken catalogue, started with the module (see tests.cli_run)."""
    catalog = tmp_path_factory.mktemp("broken")
    write(catalog, "a.yaml", VALID + "    colour: red\n")
    write(catalog, "b.yaml", VALID.replace("svc", "svc-b").replace('["285"]', "[075, 999]"))
    output = tmp_path_factory.mktemp("check-output")
    run = CliRun(["check"], cli_env(CATALOG_PATH=str(catalog)), output)
    yield run, catalog
    run.stop()


def test_valo_bot_check_prints_every_error_and_exits_1(check_run: tuple[CliRun, Path]) -> None:
    run, catalog = check_run
    done = run.result()
    assert done.returncode == 1, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert all(FORMAT.match(line) for line in lines), lines
    assert [line for line in lines if line.startswith(str(catalog))] == [
        f"{catalog / 'a.yaml'}:16: services[0].colour: unknown field",
        f"{catalog / 'b.yaml'}:11: services[0].municipalities: unknown municipality code '999'",
    ]
    assert "error(s)" in done.stderr
