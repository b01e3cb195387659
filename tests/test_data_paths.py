"""Commands work from any folder, and the previews (``match``, ``try``) never write.

Relative data paths resolve against the data home (VALO_HOME, else the current directory when
it holds the data, else the source checkout); ``check`` counts the files' services and those
the database holds from imports. The processes start with the module (see tests.cli_run).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot.__main__ import catalogue_backend
from bot.catalog.importers import read_sources
from bot.catalog.matching import Answers
from bot.config import Settings
from bot.db import migrate
from bot.db.engine import make_engine, make_sessionmaker
from bot.db.models import CatalogService, CatalogVersion
from bot.delivery.event_news import import_files, sync_catalog_path
from bot.i18n import I18n
from tests.cli_run import CliRun, cli_env, module_database, run_in_new_loop
from tests.conftest import REPO
from tests.real_catalogue import real_catalogue
from tests.test_catalog_import import catalogue_file

MATCH = ["match", "--municipality", "285", "--need", "early-education", "--limit", "200"]

# Four command processes start at once; on a busy machine they need longer than one alone.
RESULT_TIMEOUT_S = 240.0

Snapshot = tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]


def catalogue(directory: Path, org: str, service_id: str, title: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    text = catalogue_file(org, service_id, title=title)
    (directory / f"{org}.yaml").write_text(text, encoding="utf-8")
    return directory


def data_home(directory: Path) -> Path:
    """A VALO_HOME holding the repository's messages and dialogs (links) and a one-service
    catalogue (quicker to read than the real one), and nothing else."""
    directory.mkdir()
    for folder in ("locales", "dialogs"):
        (directory / folder).symlink_to(REPO / folder)
    catalogue(directory / "services_catalog", "org-home", "home-one", "Koti")
    return directory


def empty_folder(directory: Path) -> Path:
    directory.mkdir()
    return directory


async def snapshot(url: str) -> Snapshot:
    """What a write would change: the services (with source and time) and the versions."""
    engine = make_engine(url)
    try:
        async with make_sessionmaker(engine)() as session:
            services = await session.execute(
                select(
                    CatalogService.id, CatalogService.source, CatalogService.updated_at
                ).order_by(CatalogService.id)
            )
            versions = await session.execute(
                select(CatalogVersion.version, CatalogVersion.content_hash).order_by(
                    CatalogVersion.version
                )
            )
            return [tuple(r) for r in services], [tuple(r) for r in versions]
    finally:
        await engine.dispose()


async def prepare(url: str, imported: Path) -> Snapshot:
    """The real catalogue synced as the bot does on start, plus one service from an import."""
    engine = make_engine(url)
    try:
        await migrate.upgrade(engine)
        sessions = make_sessionmaker(engine)
        async with sessions() as session:
            await sync_catalog_path(session, REPO / "services_catalog")
        async with sessions() as session:
            files = read_sources([imported]).files
            await import_files(session, files, origin="cli", digest="imported")
    finally:
        await engine.dispose()
    return await snapshot(url)


@dataclass(frozen=True)
class Runs:
    database_url: str
    before: Snapshot
    other: Path
    check: CliRun
    match_other: CliRun
    fresh_home: Path
    fresh_cwd: Path
    fresh_match: CliRun
    report_home: Path
    report_cwd: Path
    report: CliRun


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runs]:
    directory = tmp_path_factory.mktemp("any-folder")
    imported = catalogue(directory / "imported", "org-imported", "imported-one", "Tuotu")
    other = catalogue(directory / "other", "org-other", "other-one", "Toinen")
    elsewhere = empty_folder(directory / "elsewhere")
    with module_database(directory) as url:
        before = run_in_new_loop(prepare(url, imported))
        fresh_home = data_home(directory / "fresh-home")
        fresh_cwd = empty_folder(directory / "fresh-cwd")
        report_home = data_home(directory / "report-home")
        report_cwd = empty_folder(directory / "report-cwd")
        started = [
            # No VALO_HOME, run from an empty folder: the source checkout's data is used.
            CliRun(["check"], cli_env(DATABASE_URL=url), directory / "o1", cwd=elsewhere),
            CliRun(
                MATCH,
                cli_env(DATABASE_URL=url, CATALOG_PATH=str(other)),
                directory / "o2",
                cwd=elsewhere,
            ),
            CliRun(MATCH, cli_env(VALO_HOME=str(fresh_home)), directory / "o3", cwd=fresh_cwd),
            CliRun(
                ["report", "--from", "2026-01", "--format", "csv"],
                cli_env(VALO_HOME=str(report_home)),
                directory / "o4",
                cwd=report_cwd,
            ),
        ]
        try:
            yield Runs(
                url,
                before,
                other,
                started[0],
                started[1],
                fresh_home,
                fresh_cwd,
                started[2],
                report_home,
                report_cwd,
                started[3],
            )
        finally:
            for run in started:
                run.stop()


def test_settings_resolve_relative_data_paths_against_valo_home(tmp_path: Path) -> None:
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        valo_home=tmp_path,
        database_url="sqlite+aiosqlite:///./data/valo.db",
    )
    assert settings.catalog_path == tmp_path / "services_catalog"
    assert settings.dialogs_path == tmp_path / "dialogs"
    assert settings.locales_path == tmp_path / "locales"
    assert settings.database_url == f"sqlite+aiosqlite:///{tmp_path}/data/valo.db"
    absolute = Settings(
        _env_file=None,  # type: ignore[call-arg]
        valo_home=tmp_path,
        catalog_path=REPO / "services_catalog",
        database_url="postgresql+asyncpg://valo@db/valo",
    )
    assert absolute.catalog_path == REPO / "services_catalog"
    assert absolute.database_url == "postgresql+asyncpg://valo@db/valo"


async def test_try_previews_another_catalogue_without_writing(
    runs: Runs, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", runs.database_url)
    monkeypatch.setenv("CATALOG_PATH", str(runs.other))
    t = I18n.load(REPO / "locales", Settings().tz)["en"]
    async with catalogue_backend() as backend:
        page = await backend.results.results(
            Answers(municipality="285", needs=("early-education",)), t, 0
        )
    assert page.total > 1  # the files' service and the database's others
    assert await snapshot(runs.database_url) == runs.before


async def test_try_creates_no_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    database = tmp_path / "data" / "valo.db"
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{database}")
    monkeypatch.setenv("CATALOG_PATH", str(catalogue(tmp_path / "c", "org", "one", "Yksi")))
    t = I18n.load(REPO / "locales", Settings().tz)["en"]
    async with catalogue_backend() as backend:
        page = await backend.results.results(
            Answers(municipality="285", needs=("early-education",)), t, 0
        )
    assert page.total > 0  # from the files, read into memory
    assert not (tmp_path / "data").exists()


def test_check_from_another_folder_counts_files_and_imports(runs: Runs) -> None:
    done = runs.check.result(RESULT_TIMEOUT_S)
    assert done.returncode == 0, done.stdout + done.stderr
    files = len(real_catalogue().services)
    assert done.stdout.splitlines() == [
        "valo-bot check: locales OK, dialogs OK, catalogue OK "
        f"({files} services in files; 1 in the database from imports), coverage OK, wording OK"
    ]
    assert asyncio.run(snapshot(runs.database_url)) == runs.before


def test_match_previews_another_catalogue_path_without_writing(runs: Runs) -> None:
    done = runs.match_other.result(RESULT_TIMEOUT_S)
    assert done.returncode == 0, done.stderr
    ids = {m["id"] for m in json.loads(done.stdout)["matches"]}
    assert {"other-one", "imported-one"} <= ids
    assert asyncio.run(snapshot(runs.database_url)) == runs.before


def test_match_on_a_fresh_home_creates_no_database(runs: Runs) -> None:
    done = runs.fresh_match.result(RESULT_TIMEOUT_S)
    assert done.returncode == 0, done.stderr
    assert [m["id"] for m in json.loads(done.stdout)["matches"]] == ["home-one"]
    assert not (runs.fresh_home / "data").exists()
    assert list(runs.fresh_cwd.iterdir()) == []


def test_report_from_another_folder_keeps_its_database_in_the_home(runs: Runs) -> None:
    done = runs.report.result(RESULT_TIMEOUT_S)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("period_from,")  # not a crash
    assert (runs.report_home / "data" / "valo.db").is_file()
    assert list(runs.report_cwd.iterdir()) == []
