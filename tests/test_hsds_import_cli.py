"""``valo-bot catalog import`` of HSDS 3.0 files as a new user writes them (issue 24): one
service record is auto-detected and imported with its facts, every record left out is
reported with its reason and counted, ``--need`` tags records whose classes map to no need,
and a mapping file translates another taxonomy's terms (a broken one is refused in one line).

The three runs are made once for the module, in this process (``main`` as the console script
calls it, with the bot's settings taken out of the environment): a new interpreter per run
costs seconds of start-up that prove nothing more here.
"""

from __future__ import annotations

import copy
import io
import json
import os
from collections.abc import Iterator
from contextlib import ExitStack, redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bot.__main__ import main
from bot.catalog.schema import Ages, Contacts, Service
from bot.catalog.store import load_services
from bot.db.engine import make_engine, make_sessionmaker
from tests.cli_run import CliResult, module_database, run_in_new_loop
from tests.conftest import REPO

SINGLE = REPO / "tests" / "data" / "hsds" / "single-service.json"
LEFT_OUT_SUMMARY = "record(s) left out (the reasons are in the warnings)"
MAP = """\
# The partner exports Open Eligibility terms; these are the ones that mean family services.
Open Eligibility:
  Parenting Education: [parenting-support, P3.7]
  "1102": mental-health
"""


def single_record() -> dict[str, Any]:
    record: dict[str, Any] = json.loads(SINGLE.read_text(encoding="utf-8"))
    return record


def variant(number: int, **changes: Any) -> dict[str, Any]:
    """The single record as another organisation's service: ids ``1111...`` for 1, its own
    phone (the catalogue refuses two files with one organisation, and suspects two services
    of one organisation with one phone of being duplicates), with ``changes``."""
    record = copy.deepcopy(single_record())
    n = str(number)
    record["id"] = f"{n * 8}-{n * 4}-4{n * 3}-8{n * 3}-{n * 12}"
    organization = f"{n * 8}-0000-4000-8000-{n * 12}"
    record["organization_id"] = record["organization"]["id"] = organization
    record["organization"]["name"] = f"Järjestö {n}"
    record["phones"][0]["number"] = f"05 234 567{n}"
    record.update(changes)
    return record


def ptv_class(code: str, name: str) -> list[dict[str, Any]]:
    """The single record's attributes with another PTV class (its taxonomy named the same)."""
    attributes = copy.deepcopy(single_record()["attributes"])
    attributes[0]["taxonomy_term"].update(code=code, name=name, description=name)
    return attributes


def open_eligibility(name: str) -> list[dict[str, Any]]:
    """One attribute with an Open Eligibility term, as such exports name it."""
    return [
        {
            "id": "5e0b1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d",
            "link_type": "service_type",
            "link_entity": "service",
            "taxonomy_term": {
                "id": "6f1c2d3e-4f5a-4b6c-9d7e-8f9a0b1c2d3e",
                "name": name,
                "description": name,
                "taxonomy": "Open Eligibility",
            },
        }
    ]


def write_json(path: Path, document: Any) -> Path:
    path.write_text(json.dumps(document, ensure_ascii=False, indent=2), encoding="utf-8")
    return path


def item_lines(records: list[dict[str, Any]]) -> list[int]:
    """The line each record of ``{"services": records}`` starts on, written by write_json."""
    lines, line = [], 3  # "{", '  "services": [', then the first record
    for record in records:
        lines.append(line)
        line += json.dumps(record, ensure_ascii=False, indent=2).count("\n") + 1
    return lines


NAMELESS = variant(1, name="")
NO_NEED = variant(2, attributes=ptv_class("P3.3", "Isyyden ja äitiyden vahvistaminen"))
UNMAPPED = variant(3, attributes=open_eligibility("Parenting Education"))
GOOD = variant(4)
LEFT_OUT_RECORDS = [NAMELESS, NO_NEED, UNMAPPED, GOOD]


@dataclass(frozen=True)
class Run:
    result: CliResult
    database_url: str
    paths: list[Path]


SETTINGS = ("VALO_", "BOT_", "DATABASE_", "REDIS_", "TELEGRAM_", "CATALOG_")


def run_cli(args: list[str], database_url: str) -> CliResult:
    """``valo-bot ARGS`` in this process, with only DATABASE_URL of the bot's settings."""
    out, err = io.StringIO(), io.StringIO()
    with pytest.MonkeyPatch.context() as patch:
        for key in [key for key in os.environ if key.startswith(SETTINGS)]:
            patch.delenv(key)
        patch.setenv("DATABASE_URL", database_url)
        patch.chdir(REPO)
        with redirect_stdout(out), redirect_stderr(err):
            code = main(args)
    return CliResult(code, out.getvalue(), err.getvalue())


@dataclass(frozen=True)
class Runs:
    plain: Run  # the single record and the left-out file, --format auto, no options
    options: Run  # --need and --taxonomy-map
    broken_map: Run
    broken_map_file: Path


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runs]:
    directory = tmp_path_factory.mktemp("hsds-cli")
    left_out = write_json(directory / "left-out.json", {"services": LEFT_OUT_RECORDS})
    need = write_json(directory / "need.json", [NO_NEED])
    mapped = write_json(
        directory / "mapped.json",
        [UNMAPPED, variant(5, attributes=open_eligibility("1102"))],
    )
    map_file = directory / "map.yaml"
    map_file.write_text(MAP, encoding="utf-8")
    broken = directory / "broken-map.yaml"
    broken.write_text(MAP.replace("[parenting-support, P3.7]", "[schooling]"), encoding="utf-8")

    with ExitStack() as stack:

        def start(name: str, paths: list[Path], *options: str, url: str | None = None) -> Run:
            url = url or stack.enter_context(module_database(directory / name))
            result = run_cli(["catalog", "import", *options, *map(str, paths)], url)
            return Run(result, url, paths)

        yield Runs(
            plain=start("plain", [SINGLE, left_out]),
            options=start(
                "options",
                [need, mapped],
                *("--need", "parenting-support", "--taxonomy-map", str(map_file)),
            ),
            # Refused before the database is opened: that this file stays absent proves it.
            broken_map=start(
                "broken",
                [mapped],
                *("--taxonomy-map", str(broken)),
                url=f"sqlite+aiosqlite:///{directory / 'never-created.db'}",
            ),
            broken_map_file=broken,
        )


def stored(run: Run) -> dict[str, Service]:
    async def load() -> dict[str, Service]:
        engine = make_engine(run.database_url)
        try:
            async with make_sessionmaker(engine)() as session:
                return {s.id: s for s in await load_services(session)}
        finally:
            await engine.dispose()

    return run_in_new_loop(load())


def warnings(result: CliResult) -> list[str]:
    return [line.removeprefix("warning: ") for line in result.stderr.splitlines()]


def test_one_hsds_service_record_is_detected_and_imported(runs: Runs) -> None:
    done = runs.plain.result
    assert done.returncode == 0, done.stdout + done.stderr
    services = stored(runs.plain)
    service = services["hsds-8b0c6a1e"]
    assert (service.name.fi, service.organization) == ("Karhulan neuvola", "hsds-org-0d6f3e2a")
    # The PTV class is read from its taxonomy_detail ("PTV service classes"), with its needs.
    assert service.service_classes == ["P5.2"]
    assert service.needs == ["pregnancy-baby", "child-health"]
    assert service.contacts == Contacts(
        phone="+35852345678",
        email="karhulan.neuvola@kotka.fi",
        url="https://www.kotka.fi/karhulan-neuvola",
    )
    assert service.languages == ["fi", "sv", "ar"]  # "ara" is ISO 639-2
    assert service.ages == Ages(min=0, max=6)
    assert service.access == ["walk-in", "call"]
    assert service.municipalities == ["285"]
    [place] = service.locations
    assert (place.name.fi, place.street, place.postal_code, place.city, place.municipality) == (
        "Karhulan terveysasema",
        "Karhulantie 36",
        "48600",
        "Kotka",
        "285",
    )
    # The service's own schedules are the hours at its place, which gives none of its own.
    assert [(h.days, h.opens, h.closes) for h in place.hours] == [
        (["mo", "tu", "we", "th"], "08:00", "15:30"),
        (["fr"], "08:00", "13:00"),
    ]


def test_every_record_left_out_is_reported_with_its_reason_and_counted(
    runs: Runs,
) -> None:
    done = runs.plain.result
    assert done.returncode == 0, done.stdout + done.stderr
    # Two sources: the single record's file and the left-out file (whose last record imports).
    assert done.stdout == (
        "imported 2 source(s): added 2, updated 0, unchanged 0, removed 0 (catalogue version 1)"
        f"; 3 {LEFT_OUT_SUMMARY}\n"
    )
    file = runs.plain.paths[1]
    nameless, no_need, unmapped, _good = item_lines(LEFT_OUT_RECORDS)
    reported = warnings(done)
    assert (
        f"{file}:{nameless}: services[0]: {NAMELESS['id']} (no name) skipped: no name "
        "(HSDS requires both)"
    ) in reported
    assert (
        f"{file}:{no_need}: services[1]: hsds-22222222 (Karhulan neuvola) skipped: its PTV "
        "classes (P3.3) map to no need tag, so it is not a family service (give --need TAG if "
        "it is one)"
    ) in reported
    assert (
        f"{file}:{unmapped}: services[2]: hsds-33333333 (Karhulan neuvola) skipped: no PTV "
        "service class Valo knows; its terms: Open Eligibility 'Parenting Education' (a "
        "taxonomy Valo does not read) (name the PTV classes' taxonomy ptv-service-class, or map "
        "other taxonomies' terms with --taxonomy-map)"
    ) in reported
    assert len([w for w in reported if " skipped: " in w]) == 3, reported
    assert sorted(stored(runs.plain)) == ["hsds-44444444", "hsds-8b0c6a1e"]


def test_need_tags_a_record_whose_classes_map_to_none(runs: Runs) -> None:
    done = runs.options.result
    assert done.returncode == 0, done.stdout + done.stderr
    assert any(
        "hsds-22222222 (Karhulan neuvola): no need tag from its PTV classes (P3.3); given the "
        "default parenting-support" in w
        for w in warnings(done)
    ), done.stderr
    service = (stored(runs.options))["hsds-22222222"]
    assert (service.service_classes, service.needs) == (["P3.3"], ["parenting-support"])


def test_a_mapping_file_translates_another_taxonomy(runs: Runs) -> None:
    done = runs.options.result
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith("imported 2 source(s): added 2,")
    assert done.stdout.endswith(f"; 1 {LEFT_OUT_SUMMARY}\n")
    services = stored(runs.options)
    assert sorted(services) == ["hsds-22222222", "hsds-33333333"]
    assert services["hsds-33333333"].service_classes == ["P3.7"]
    assert services["hsds-33333333"].needs == ["parenting-support"]
    # "1102" maps to a need tag only, and an entry needs a PTV class too.
    assert any(
        "hsds-55555555 (Karhulan neuvola) skipped: no PTV service class Valo knows; its terms "
        "map to need tags only" in w
        for w in warnings(done)
    ), done.stderr


def test_a_broken_mapping_file_is_refused_in_one_line(runs: Runs) -> None:
    done = runs.broken_map.result
    assert done.returncode == 1, done.stdout + done.stderr
    [line] = done.stdout.splitlines()
    assert line.startswith(
        f"{runs.broken_map_file}:3: Open Eligibility.Parenting Education[0]: 'schooling' is "
        "neither a need tag (pregnancy-baby, "
    ), line
    assert line.endswith(") nor a PTV service class code")
    assert "nothing was imported" in done.stderr
    assert "Traceback" not in done.stderr
    assert not Path(runs.broken_map.database_url.removeprefix("sqlite+aiosqlite:///")).exists()


def test_an_unknown_need_tag_is_refused_in_one_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    database = tmp_path / "never-created.db"
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{database}")
    code = main(["catalog", "import", "--need", "schooling", str(SINGLE)])
    out, err = capsys.readouterr()
    assert (code, out) == (2, "")
    assert err.startswith(
        "valo-bot catalog import: unknown need tag 'schooling'; known: pregnancy-baby,"
    )
    assert len(err.splitlines()) == 1
    assert not database.exists()
