"""The catalogue in the database: all-or-nothing imports, same-source replacement, start-up
sync, replicas reloading on a new version, flags, and ``valo-bot catalog import``."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.catalog import store
from bot.catalog.importers import read_sources
from bot.catalog.loader import LoadedCatalog, parse_files
from bot.catalog.store import (
    FLAG_REASONS,
    LiveCatalog,
    flag_card,
    load_organizations,
    load_services,
    open_flags,
    resolve_flags,
)
from bot.data_errors import DataFileError
from bot.db import migrate
from bot.db.engine import make_engine, make_sessionmaker
from bot.db.models import CardFlagMark, CatalogOrganization, CatalogService, CatalogVersion
from bot.delivery.event_news import import_files, sync_catalog_path
from tests.cli_run import CliRun, cli_env, module_database, run_in_new_loop
from tests.conftest import REPO
from tests.real_catalogue import real_catalogue as read_real_catalogue

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)

ORGANIZATION = """\
organizations:
  - id: {org}
    name: {{fi: Järjestö, en: Organisation, ar: منظمة}}
    domains: [example.fi]
"""
SERVICE = """\
  - id: {id}
    organization: {org}
    name: {{fi: "{title}", en: "{title}", ar: خدمة}}
    summary: {{fi: Lyhyesti, en: In short, ar: باختصار}}
    needs: [early-education]
    service_classes: ["P3.4"]
    municipalities: ["285"]
    languages: [fi]
    access: [walk-in]
    sources: [{{url: "https://example.fi/palvelu", kind: organiser}}]
    checked: "2026-06-01"
"""


def catalogue_file(org: str, *service_ids: str, title: str = "Palvelu", define: bool = True) -> str:
    """A valid file with services ``service_ids`` of ``org`` (defined here unless ``define``)."""
    head = ORGANIZATION.format(org=org) if define else ""
    body = "".join(SERVICE.format(id=i, org=org, title=title) for i in service_ids)
    return head + "services:\n" + body


def write(directory: Path, name: str, text: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


async def counts(sessions: async_sessionmaker[AsyncSession]) -> tuple[int, int, int | None]:
    """(services, organisations, newest version) in the database."""
    async with sessions() as session:
        services = await session.scalar(select(func.count()).select_from(CatalogService))
        organizations = await session.scalar(select(func.count()).select_from(CatalogOrganization))
        version = await session.scalar(select(func.max(CatalogVersion.version)))
    return int(services or 0), int(organizations or 0), version


async def service_ids(sessions: async_sessionmaker[AsyncSession]) -> dict[str, str]:
    """Service id -> source, as stored."""
    async with sessions() as session:
        rows = await session.execute(select(CatalogService.id, CatalogService.source))
        return {service_id: source for service_id, source in rows}  # noqa: C416


async def import_paths(
    sessions: async_sessionmaker[AsyncSession], *paths: Path
) -> store.ImportReport:
    """``paths`` read as ``valo-bot catalog import`` reads them, then imported."""
    files = read_sources(list(paths)).files
    async with sessions() as session:
        return await import_files(session, files, origin="test", digest="test", now=NOW)


@pytest.fixture
def real_catalogue() -> LoadedCatalog:
    return read_real_catalogue()


async def test_import_of_the_real_catalogue(
    sessions: async_sessionmaker[AsyncSession], real_catalogue: LoadedCatalog
) -> None:
    async with sessions() as session:
        report = await import_files(
            session, real_catalogue.files, origin="test", digest=real_catalogue.content_hash
        )
    total = len(real_catalogue.services)
    assert total >= 80
    assert (report.added, report.updated, report.unchanged, report.removed) == (total, 0, 0, 0)
    assert report.version == 1
    assert str(report) == f"added {total}, updated 0, unchanged 0, removed 0 (catalogue version 1)"
    assert await counts(sessions) == (total, len(real_catalogue.organizations), 1)
    async with sessions() as session:
        # What comes back is exactly what was imported, and each row remembers its file.
        assert await load_services(session) == real_catalogue.services
        assert await load_organizations(session) == real_catalogue.organizations
    assert await service_ids(sessions) == real_catalogue.source_of()


EVERY_NEW_FIELD = """\
organizations:
  - id: org
    name: {fi: Järjestö, en: Organisation, ar: منظمة}
    url: https://www.example.fi
    domains: [example.fi]
services:
  - id: line
    organization: org
    name: {fi: Linja, en: Line, ar: خط}
    summary: {fi: Lyhyesti, en: In short, ar: باختصار}
    needs: [crisis-urgent]
    service_classes: ["P3.4"]
    municipalities: ["285"]
    languages: [fi]
    access: [call, chat]
    shelter: true
    contacts:
      phone: "+35880005005"
      phone_always: true
      chat: https://www.example.fi/chat
      chat_hours: [{days: [mo, fr], opens: "18:00", closes: "22:00"}]
    sources:
      - {url: "https://www.example.fi/linja", kind: organiser, updated: "2026-05-02"}
      - {url: "https://news.example.com/x", kind: news, note: "names the organiser"}
    checked: "2026-06-01"
    notes: Chat hours not confirmed.
    distinct_from: [{id: other-line, reason: "Another town's line."}]
  - id: other-line
    organization: org
    name: {fi: Toinen, en: Other, ar: آخر}
    summary: {fi: Lyhyesti, en: In short, ar: باختصار}
    needs: [crisis-urgent]
    service_classes: ["P3.4"]
    municipalities: ["285"]
    languages: [fi]
    access: [call]
    contacts: {phone: "+35880005005", phone_always: true}
    sources: [{url: "https://www.example.fi/toinen", kind: organiser}]
    checked: "2026-06-01"
"""


async def test_every_schema_field_survives_the_database(
    sessions: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    """Services are stored as their model's JSON: sources as records, phone and chat hours,
    notes, distinct_from and the shelter mark come back exactly."""
    path = write(tmp_path, "all.yaml", EVERY_NEW_FIELD)
    [parsed] = parse_files([path])
    await import_paths(sessions, path)
    async with sessions() as session:
        assert await load_services(session) == sorted(parsed.catalog.services, key=lambda s: s.id)
        assert await load_organizations(session) == {"org": parsed.catalog.organizations[0]}
    line = parsed.catalog.services[0]
    assert line.contacts.chat_hours[0].days == ["mo", "fr"]
    assert line.shelter
    assert line.sources[0].updated is not None
    assert line.distinct_from[0].id == "other-line"


async def test_reimporting_unchanged_content_writes_no_new_version(
    sessions: async_sessionmaker[AsyncSession], real_catalogue: LoadedCatalog
) -> None:
    for _ in range(2):
        async with sessions() as session:
            report = await import_files(session, real_catalogue.files, origin="test", digest="d")
    total = len(real_catalogue.services)
    assert (report.added, report.updated, report.unchanged, report.removed) == (0, 0, total, 0)
    assert report.version is None
    assert str(report).endswith("(no change)")
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(CatalogVersion)) == 1


async def test_a_changed_service_is_updated_under_a_new_version(
    sessions: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    path = write(tmp_path, "a.yaml", catalogue_file("org", "one", "two"))
    await import_paths(sessions, path)
    write(tmp_path, "a.yaml", catalogue_file("org", "one", "two", title="Uusi nimi"))
    report = await import_paths(sessions, path)
    assert (report.added, report.updated, report.unchanged, report.removed) == (0, 2, 0, 0)
    assert report.version == 2
    async with sessions() as session:
        assert {s.name.fi for s in await load_services(session)} == {"Uusi nimi"}


async def test_a_broken_second_file_leaves_the_database_untouched(
    sessions: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    a = write(tmp_path, "a.yaml", catalogue_file("org", "one"))
    await import_paths(sessions, a)
    before = await counts(sessions)
    write(tmp_path, "a.yaml", catalogue_file("org", "one", "two"))
    b = write(tmp_path, "b.yaml", catalogue_file("org-b", "three") + "    colour: red\n")
    with pytest.raises(DataFileError) as caught:
        await import_paths(sessions, a, b)
    assert [str(e) for e in caught.value.errors] == [f"{b}:17: services[0].colour: unknown field"]
    assert await counts(sessions) == before
    assert await service_ids(sessions) == {"one": "yaml:a.yaml"}


async def test_an_import_breaking_a_catalogue_rule_writes_nothing(
    sessions: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    """Every import applies the catalogue's rules: here a source on another host typed as
    the organiser's, checked against the domains of the organisation already stored."""
    a = write(tmp_path, "a.yaml", catalogue_file("org", "one"))
    await import_paths(sessions, a)
    before = await counts(sessions)
    text = catalogue_file("org", "two", define=False).replace(
        "https://example.fi/palvelu", "https://news.example.com/x"
    )
    b = write(tmp_path, "b.yaml", text)
    with pytest.raises(DataFileError) as caught:
        await import_paths(sessions, b)
    assert [str(e) for e in caught.value.errors] == [
        f"{b}:11: services[0].sources[0].kind: news.example.com is not one of org's domains "
        "(example.fi): a page there is news, register or other, not organiser"
    ]
    assert await counts(sessions) == before


async def test_an_error_found_against_the_database_writes_nothing(
    sessions: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    """b.yaml is valid alone, but its organisation is neither in the batch nor stored."""
    a = write(tmp_path, "a.yaml", catalogue_file("org", "one"))
    await import_paths(sessions, a)
    before = await counts(sessions)
    write(tmp_path, "a.yaml", catalogue_file("org", "two"))
    b = write(tmp_path, "b.yaml", catalogue_file("ghost", "three", define=False))
    files = parse_files([a, b], root=tmp_path)  # schema-valid: only the database knows better
    async with sessions() as session:
        with pytest.raises(DataFileError) as caught:
            await import_files(session, files, origin="test", digest="x")
    assert [str(e) for e in caught.value.errors] == [
        "b.yaml:3: services[0].organization: unknown organization 'ghost'"
    ]
    assert await counts(sessions) == before
    assert await service_ids(sessions) == {"one": "yaml:a.yaml"}


async def test_an_organisation_already_stored_may_be_referenced(
    sessions: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    await import_paths(sessions, write(tmp_path, "a.yaml", catalogue_file("org", "one")))
    report = await import_paths(
        sessions, write(tmp_path, "b.yaml", catalogue_file("org", "two", define=False))
    )
    assert (report.added, report.removed) == (1, 0)
    assert await service_ids(sessions) == {"one": "yaml:a.yaml", "two": "yaml:b.yaml"}


async def test_a_failure_while_writing_rolls_everything_back(
    sessions: async_sessionmaker[AsyncSession],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The deletes and first inserts of an import are undone when a later row fails."""
    a = write(tmp_path, "a.yaml", catalogue_file("org", "old", "kept"))
    await import_paths(sessions, a)
    before = await counts(sessions)
    write(tmp_path, "a.yaml", catalogue_file("org", "kept", "new-1", "new-2", title="Muutettu"))
    rows = store._service_row
    written: list[str] = []

    def failing_row(*args: object) -> CatalogService:
        written.append(str(args[1].id))  # type: ignore[attr-defined]
        if len(written) == 3:
            raise RuntimeError("disk full")
        return rows(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(store, "_service_row", failing_row)
    with pytest.raises(RuntimeError, match="disk full"):
        await import_paths(sessions, a)
    assert len(written) == 3  # the old service was deleted and two rows written before
    assert await counts(sessions) == before
    async with sessions() as session:
        assert {s.id: s.name.fi for s in await load_services(session)} == {
            "kept": "Palvelu",
            "old": "Palvelu",
        }


async def test_an_id_owned_by_another_source_refuses_the_whole_import(
    sessions: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    await import_paths(sessions, write(tmp_path / "first", "a.yaml", catalogue_file("org", "x")))
    before = await counts(sessions)
    c = write(tmp_path, "c.yaml", catalogue_file("org-c", "fresh"))
    b = write(tmp_path, "b.yaml", catalogue_file("org-b", "y", "x"))
    with pytest.raises(DataFileError) as caught:
        await import_paths(sessions, b, c)
    assert [str(e) for e in caught.value.errors] == [
        f"{b}:17: services[1].id: id already belongs to yaml:a.yaml; rename it or import that too"
    ]
    assert await counts(sessions) == before
    assert await service_ids(sessions) == {"x": "yaml:a.yaml"}


async def test_reimporting_a_file_replaces_only_its_own_services(
    sessions: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    a = write(tmp_path, "a.yaml", catalogue_file("org-a", "a-1", "a-2"))
    b = write(tmp_path, "b.yaml", catalogue_file("org-b", "b-1"))
    await import_paths(sessions, a, b)
    async with sessions() as session:
        b_before = await session.scalar(select(CatalogService).where(CatalogService.id == "b-1"))
    write(tmp_path, "a.yaml", catalogue_file("org-a", "a-2", "a-3"))
    report = await import_paths(sessions, a)
    assert (report.added, report.updated, report.unchanged, report.removed) == (1, 0, 1, 1)
    assert await service_ids(sessions) == {
        "a-2": "yaml:a.yaml",
        "a-3": "yaml:a.yaml",
        "b-1": "yaml:b.yaml",
    }
    async with sessions() as session:
        b_after = await session.scalar(select(CatalogService).where(CatalogService.id == "b-1"))
    assert b_before is not None
    assert b_after is not None
    assert (b_after.document, b_after.updated_at) == (b_before.document, b_before.updated_at)

    # A file emptied of services removes them, and its organisation, but nothing of b.yaml.
    write(tmp_path, "a.yaml", "services: []\n")
    report = await import_paths(sessions, a)
    assert report.removed == 2
    assert await service_ids(sessions) == {"b-1": "yaml:b.yaml"}
    async with sessions() as session:
        assert list(await load_organizations(session)) == ["org-b"]


async def test_sync_imports_only_when_the_content_changed(
    sessions: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    catalog = tmp_path / "catalog"
    write(catalog, "a.yaml", catalogue_file("org", "one"))
    async with sessions() as session:
        first = await sync_catalog_path(session, catalog)
    assert first is not None
    assert (first.added, first.version) == (1, 1)
    async with sessions() as session:
        assert await sync_catalog_path(session, catalog) is None  # same hash: not even read

    write(catalog, "b.yaml", catalogue_file("org-b", "two"))
    async with sessions() as session:
        second = await sync_catalog_path(session, catalog)
    assert second is not None
    assert (second.added, second.unchanged, second.version) == (1, 1, 2)
    assert await counts(sessions) == (2, 2, 2)

    write(catalog, "b.yaml", "services: [\n")  # a broken catalogue refuses the start
    async with sessions() as session:
        with pytest.raises(DataFileError):
            await sync_catalog_path(session, catalog)
    assert await counts(sessions) == (2, 2, 2)


async def test_a_ptv_import_that_skips_every_record_writes_no_version(
    sessions: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    await import_paths(sessions, write(tmp_path, "a.yaml", catalogue_file("org", "one")))
    before = await counts(sessions)
    # Upper secondary school only: not a family service, so every record is skipped.
    sample = REPO / "tests" / "data" / "ptv-samples" / "service_etalukio.json"
    files = read_sources([sample], "ptv")
    assert files.warnings
    assert files.left_out == len([w for w in files.warnings if " skipped: " in w]) > 0
    assert all(not f.catalog.services for f in files.files)
    for digest in ("first", "second"):
        async with sessions() as session:
            report = await import_files(session, files.files, origin="cli", digest=digest)
        assert report.version is None
        assert str(report).endswith("(no change)")
    services, _organizations, version = await counts(sessions)
    assert (services, version) == (before[0], before[2])  # its organisation is noted, that's all


async def test_a_sync_of_changed_files_with_unchanged_services_keeps_the_version(
    sessions: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    catalog = tmp_path / "catalog"
    write(catalog, "a.yaml", catalogue_file("org", "one"))
    async with sessions() as session:
        assert (await sync_catalog_path(session, catalog)) is not None
    write(catalog, "a.yaml", "# a comment, nothing else\n" + catalogue_file("org", "one"))
    async with sessions() as session:
        report = await sync_catalog_path(session, catalog)
    assert report is not None
    assert report.version is None  # read again, but no new version
    async with sessions() as session:
        assert await sync_catalog_path(session, catalog) is None  # the new digest is known
    assert (await counts(sessions))[2] == 1


async def test_sync_without_catalogue_files_keeps_the_database(
    sessions: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    async with sessions() as session:
        assert await sync_catalog_path(session, tmp_path / "missing") is None
    assert await counts(sessions) == (0, 0, None)


async def test_live_catalogue_reloads_when_a_new_version_row_appears(
    sessions: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    a = write(tmp_path, "a.yaml", catalogue_file("org", "one"))
    await import_paths(sessions, a)
    now = [100.0]
    live = LiveCatalog(check_every=5.0, clock=lambda: now[0])
    async with sessions() as session:
        index = await live.get(session)
    assert (index.version, sorted(index.services)) == (1, ["one"])

    write(tmp_path, "a.yaml", catalogue_file("org", "one", "two"))
    await import_paths(sessions, a)  # another replica imports version 2
    now[0] += 4.9
    async with sessions() as session:
        assert await live.get(session) is index  # not checked again yet
    now[0] += 0.1
    async with sessions() as session:
        reloaded = await live.get(session)
    assert (reloaded.version, sorted(reloaded.services)) == (2, ["one", "two"])

    now[0] += 60.0
    async with sessions() as session:
        assert await live.get(session) is reloaded  # checked, but no new version: kept


async def test_flags_are_counted_per_service_and_reason_until_resolved(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    before = datetime.now(UTC)
    async with sessions() as session:
        for user_id, (service_id, reason) in enumerate(
            [
                ("svc-b", "hours"),
                ("svc-a", "closed"),
                ("svc-a", "closed"),
                ("svc-a", "closed"),
                ("svc-b", "phone"),
                ("svc-b", "phone"),
                ("svc-c", "other"),
            ]
        ):
            assert await flag_card(session, service_id, reason, user_id, datetime.now(UTC))
        with pytest.raises(ValueError, match="unknown flag reason 'rude'"):
            await flag_card(session, "svc-a", "rude", 99, datetime.now(UTC))
        flags = await open_flags(session)
    after = datetime.now(UTC)
    assert [(s, r, n) for s, r, n, _ in flags] == [
        ("svc-a", "closed", 3),
        ("svc-b", "phone", 2),
        ("svc-b", "hours", 1),
        ("svc-c", "other", 1),
    ]
    for *_, latest in flags:
        assert before <= latest <= after

    async with sessions() as session:
        assert await resolve_flags(session, "svc-b") == 3
        assert await resolve_flags(session, "svc-b") == 0
        assert [(s, r, n) for s, r, n, _ in await open_flags(session)] == [
            ("svc-a", "closed", 3),
            ("svc-c", "other", 1),
        ]
        # A new report after resolving is open (from someone who has not flagged it yet).
        assert await flag_card(session, "svc-b", "hours", 7, datetime.now(UTC))
        assert ("svc-b", "hours", 1) in [(s, r, n) for s, r, n, _ in await open_flags(session)]


async def test_one_person_counts_once_per_card_and_month(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    """Pressing "something wrong?" over and over, with every reason, makes one flag; the
    next month counts again; the marks of past months go."""
    november, december = datetime(2026, 11, 30, 21, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC)
    async with sessions() as session:
        counted = [
            await flag_card(session, "svc-a", reason, 1, november)
            for reason in (*FLAG_REASONS, *FLAG_REASONS)
        ]
        assert counted == [True] + [False] * (2 * len(FLAG_REASONS) - 1)
        assert await flag_card(session, "svc-b", "phone", 1, november)  # another card
        assert await flag_card(session, "svc-a", "phone", 2, november)  # another person
        assert await flag_card(session, "svc-a", "phone", 1, december)  # the next month
        assert not await flag_card(session, "svc-a", "hours", 1, december)
        assert [(s, r, n) for s, r, n, _ in await open_flags(session)] == [
            ("svc-a", "phone", 2),
            ("svc-a", "closed", 1),
            ("svc-b", "phone", 1),
        ]
        marks = (await session.execute(select(CardFlagMark.user_id, CardFlagMark.month))).all()
    assert sorted(marks) == [(1, "2026-12"), (2, "2026-11")]  # 1's November marks went


@dataclass(frozen=True)
class ImportRun:
    run: CliRun
    database_url: str
    bad: Path


@pytest.fixture(scope="module", autouse=True)
def import_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ImportRun]:
    """``valo-bot catalog import good.yaml bad.yaml`` on a database holding one service,
    started with the module (see tests.cli_run)."""
    directory = tmp_path_factory.mktemp("cli-import")
    first = write(directory / "first", "a.yaml", catalogue_file("org", "x"))
    good = write(directory, "good.yaml", catalogue_file("org-g", "good"))
    bad = write(directory, "bad.yaml", catalogue_file("org-b", "bad").replace('"285"', '"999"'))

    async def prepare(url: str) -> None:
        engine = make_engine(url)
        try:
            await migrate.upgrade(engine)
            await import_paths(make_sessionmaker(engine), first)
        finally:
            await engine.dispose()

    with module_database(directory) as url:
        run_in_new_loop(prepare(url))
        run = CliRun(
            ["catalog", "import", str(good), str(bad)],
            cli_env(DATABASE_URL=url),
            directory / "output",
        )
        yield ImportRun(run, url, bad)
        run.stop()


async def test_cli_import_of_a_broken_file_exits_1_and_writes_nothing(
    import_run: ImportRun,
) -> None:
    done = await asyncio.to_thread(import_run.run.result)
    assert done.returncode == 1, done.stdout + done.stderr
    assert done.stdout.splitlines() == [
        f"{import_run.bad}:12: services[0].municipalities: unknown municipality code '999'"
    ]
    assert "nothing was imported" in done.stderr
    engine = make_engine(import_run.database_url)
    try:
        sessions = make_sessionmaker(engine)
        assert await counts(sessions) == (1, 1, 1)
        assert await service_ids(sessions) == {"x": "yaml:a.yaml"}
    finally:
        await engine.dispose()
