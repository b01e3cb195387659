"""``valo-bot catalog sync ptv`` against a fake PTV Open API (tests/ptv_fake.py): full and
incremental syncs, paging, faults (429, 5xx, timeouts, malformed pages), all-or-nothing,
a bad record kept at its last good version, no version for no change, other sources left
alone, no named persons stored, and the curation hook."""

from __future__ import annotations

import io
import os
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import redirect_stderr, redirect_stdout
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.__main__ import main
from bot.catalog.loader import read_catalog
from bot.catalog.overlay import OverlayCuration, load_overlays
from bot.catalog.ptv_client import PtvClient, PtvClientOptions
from bot.catalog.ptv_sync import (
    Curation,
    PtvSyncError,
    SyncResult,
    SyncScope,
    load_state,
    slim_record,
    sync_ptv,
)
from bot.catalog.schema import Service
from bot.catalog.store import load_services
from bot.db.engine import make_engine, make_sessionmaker
from bot.db.models import CatalogReview, CatalogService, CatalogVersion
from bot.delivery.event_news import import_files, mirror_events
from tests.cli_run import CliResult, CliRun, cli_env, module_database, run_in_new_loop
from tests.conftest import REPO
from tests.ptv_fake import (
    HAMINA,
    KOTKA,
    FakePtv,
    make_channels,
    make_service,
    org_id,
    service_id,
    serving_in_thread,
)

SCOPE = SyncScope((KOTKA, HAMINA))
YAML = """\
organizations:
  - id: yaml-org
    name: {fi: Järjestö, en: Association, ar: جمعية}
    domains: [jarjesto.example.fi]
services:
  - id: yaml-perhekahvila
    organization: yaml-org
    name: {fi: Perhekahvila, en: Family café, ar: مقهى العائلات}
    summary: {fi: Tapaa muita perheitä., en: Meet other families., ar: قابل عائلات أخرى.}
    needs: [peer-support]
    service_classes: [P4.12]
    target_groups: [KR1.2]
    municipalities: ["285"]
    languages: [fi]
    access: [walk-in]
    contacts: {url: "https://jarjesto.example.fi"}
    locations:
      - id: yaml-kahvila
        name: {fi: Kahvila, en: Café, ar: مقهى}
        street: Kauppakatu 1
        postal_code: "48100"
        city: Kotka
        municipality: "285"
        lat: 60.466
        lon: 26.945
        hours: [{days: [we], opens: "10:00", closes: "12:00"}]
    sources: [{url: "https://jarjesto.example.fi/kahvila", kind: organiser}]
    checked: 2026-10-01
"""


class Waits:
    """The client's sleep: records the waits and returns at once (no real backoff)."""

    def __init__(self) -> None:
        self.seen: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.seen.append(seconds)


@pytest.fixture
async def fake() -> AsyncIterator[FakePtv]:
    async with FakePtv(page_size=2) as server:
        for n in range(1, 6):
            server.add(n, organization=1)
        for n in range(6, 8):
            server.add(n, organization=2, municipality=HAMINA)
        server.tick()  # the first sync runs after these were written
        yield server


def options(fake: FakePtv, **more: Any) -> PtvClientOptions:
    settings: dict[str, Any] = {"retries": 3, "backoff": 0.01, "request_timeout": 5.0}
    return PtvClientOptions(base_url=fake.url, time_budget=30, **{**settings, **more})


async def sync(
    sessions: async_sessionmaker[AsyncSession],
    fake: FakePtv,
    waits: Waits | None = None,
    *,
    curation: Curation | None = None,
    **more: Any,
) -> SyncResult:
    sleep = waits or Waits()
    return await sync_ptv(
        sessions,
        options(fake, **{k: v for k, v in more.items() if k in ("request_timeout",)}),
        SCOPE,
        mirror_events=mirror_events,
        now=fake.now,
        curation=curation,
        client_factory=lambda o: PtvClient(o, sleep=sleep),
        **{k: v for k, v in more.items() if k in ("full", "dry_run")},
    )


async def stored(sessions: async_sessionmaker[AsyncSession]) -> dict[str, Service]:
    async with sessions() as session:
        return {s.id: s for s in await load_services(session)}


async def versions(sessions: async_sessionmaker[AsyncSession]) -> int:
    async with sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(CatalogVersion)) or 0)


async def sources(sessions: async_sessionmaker[AsyncSession]) -> dict[str, str]:
    async with sessions() as session:
        rows = await session.execute(select(CatalogService.id, CatalogService.source))
        return {row.id: row.source for row in rows}


def short(n: int) -> str:
    return f"ptv-{n:08x}"


async def test_a_full_sync_reads_every_page_and_keeps_other_sources(
    sessions: async_sessionmaker[AsyncSession], fake: FakePtv, tmp_path: Path
) -> None:
    (tmp_path / "jarjesto.yaml").write_text(YAML, encoding="utf-8")
    async with sessions() as session:
        await import_files(session, read_catalog([tmp_path]).files, origin="cli", digest="x")
    result = await sync(sessions, fake)

    assert result.report is not None
    assert result.full
    assert (result.report.added, result.report.removed) == (7, 0)
    owners = await sources(sessions)
    assert owners == {
        **{short(n): f"ptv:{org_id(1)}" for n in range(1, 6)},
        **{short(n): f"ptv:{org_id(2)}" for n in range(6, 8)},
        "yaml-perhekahvila": "yaml:jarjesto.yaml",
    }
    # Kotka's 5 services come 2 a page: all 3 pages were read.
    assert any("code/285?page=3" in r for r in fake.requests)
    service = (await stored(sessions))[short(1)]
    assert service.checked == fake.now.date()  # the sync date
    assert service.sources[0].kind == "register"
    assert service.sources[0].updated == "2020-04-22"  # PTV's modification date
    assert service.contacts.phone == "+358400000001"
    assert [loc.municipality for loc in service.locations] == [KOTKA]
    async with sessions() as session:
        state = await load_state(session, SCOPE)
    assert state is not None
    assert state.last_success == fake.now
    assert state.consecutive_failures == 0


async def test_an_incremental_sync_applies_changes_and_removals_only(
    sessions: async_sessionmaker[AsyncSession], fake: FakePtv
) -> None:
    await sync(sessions, fake)
    before = await stored(sessions)
    fake.tick()
    fake.put_service(make_service(2, name="Perheneuvola"))  # a changed service
    phone, _ = make_channels(3)
    phone["phoneNumbers"][0]["number"] = "401234567"  # only its channel changed
    fake.put_channel(phone)
    fake.remove(fake.services[f"{4:08x}-5e70-4000-8000-000000000001"]["id"])  # archived
    fake.add(9, organization=1)  # new
    fake.tick()
    fake.requests.clear()

    result = await sync(sessions, fake)

    assert not result.full
    assert result.since is not None
    assert result.report is not None
    assert (result.report.added, result.report.updated, result.report.removed) == (1, 2, 1)
    after = await stored(sessions)
    assert set(after) == set(before) - {short(4)} | {short(9)}
    assert after[short(2)].name.fi == "Perheneuvola"
    assert after[short(3)].contacts.phone == "+358401234567"
    assert after[short(1)] == before[short(1)]  # unchanged services stay as they were
    assert after[short(6)] == before[short(6)]
    # Only what changed was fetched: no municipality's whole list.
    assert not any("/Service/list/area/" in r for r in fake.requests)
    assert all("date=" in r or "/list?guids=" in r for r in fake.requests)


async def test_a_sync_that_changes_nothing_makes_no_version(
    sessions: async_sessionmaker[AsyncSession], fake: FakePtv
) -> None:
    await sync(sessions, fake)
    count = await versions(sessions)
    fake.tick(24 * 60)  # the next night: only the sync date moves
    again = await sync(sessions, fake, full=True)
    assert again.report is not None
    assert again.report.version is None
    assert again.report.unchanged == 7
    assert await versions(sessions) == count
    assert (await stored(sessions))[short(1)].checked == fake.now.date()
    fake.tick()
    incremental = await sync(sessions, fake)
    assert incremental.report is not None
    assert incremental.report.version is None
    assert await versions(sessions) == count


async def test_429_waits_as_long_as_retry_after_says(
    sessions: async_sessionmaker[AsyncSession], fake: FakePtv
) -> None:
    fake.fail("code/285?page=2", status=429, retry_after="7")
    waits = Waits()
    result = await sync(sessions, fake, waits)
    assert result.report is not None
    assert result.report.added == 7
    assert waits.seen == [7.0]


async def test_5xx_is_retried_with_growing_waits_then_given_up(
    sessions: async_sessionmaker[AsyncSession], fake: FakePtv
) -> None:
    fake.fail("/ServiceChannel/list", status=503, times=2)
    waits = Waits()
    result = await sync(sessions, fake, waits)
    assert result.report is not None
    assert result.report.added == 7
    assert len(waits.seen) == 2
    assert 0.005 <= waits.seen[0] <= 0.01 < waits.seen[1] <= 0.02

    fake.tick()
    fake.put_service(make_service(1, name="Ei tule perille"))
    fake.fail("/Service/list?guids", status=502, times=99)
    with pytest.raises(PtvSyncError, match=r"HTTP 502, 4 attempts"):
        await sync(sessions, fake)
    assert (await stored(sessions))[short(1)].name.fi == "Neuvola 1"
    async with sessions() as session:
        state = await load_state(session, SCOPE)
    assert state is not None
    assert state.consecutive_failures == 1
    assert state.last_error is not None
    assert "HTTP 502" in state.last_error


async def test_a_slow_answer_times_out_and_is_asked_again(
    sessions: async_sessionmaker[AsyncSession], fake: FakePtv
) -> None:
    fake.fail("/ServiceChannel/list", kind="slow")
    waits = Waits()
    result = await sync(sessions, fake, waits, request_timeout=0.2)
    assert result.report is not None
    assert result.report.added == 7
    assert fake.blocked.is_set()
    assert len(waits.seen) == 1


async def test_a_malformed_page_applies_nothing(
    sessions: async_sessionmaker[AsyncSession], fake: FakePtv
) -> None:
    await sync(sessions, fake)
    before, count = await stored(sessions), await versions(sessions)
    fake.tick()
    fake.put_service(make_service(1, name="Uusi nimi"))
    fake.remove(fake.services[f"{5:08x}-5e70-4000-8000-000000000001"]["id"])
    fake.fail("/api/v11/Service?date=", kind="malformed")
    with pytest.raises(PtvSyncError, match="not valid JSON"):
        await sync(sessions, fake)
    assert await stored(sessions) == before
    assert await versions(sessions) == count


async def test_a_bad_record_keeps_its_last_good_version_and_the_rest_apply(
    sessions: async_sessionmaker[AsyncSession], fake: FakePtv
) -> None:
    await sync(sessions, fake)
    before = await stored(sessions)
    fake.tick()
    # Service 2 turns into a crisis service without a phone: the catalogue refuses it.
    fake.put_service(make_service(2, name="Kriisiapu", service_class="P5.5"))
    phone, _ = make_channels(2, phone=False)
    fake.put_channel(phone)
    fake.put_service(make_service(3, name="Perheneuvola"))
    fake.add(10, organization=1, service_class="P5.5", phone=False)  # new and bad: not added
    fake.tick()

    result = await sync(sessions, fake)

    after = await stored(sessions)
    assert after[short(2)] == before[short(2)]
    assert after[short(3)].name.fi == "Perheneuvola"
    assert short(10) not in after
    assert {line.split(" ")[0] for line in result.set_aside} == {short(2), short(10)}
    assert all("phone" in line for line in result.set_aside)
    assert "2 record(s) set aside" in str(result)


async def test_named_persons_in_ptv_data_are_not_stored(
    sessions: async_sessionmaker[AsyncSession], fake: FakePtv
) -> None:
    phone, location = make_channels(1)
    phone["phoneNumbers"][0]["additionalInformation"] = "Terveydenhoitaja Maija Mallikas"
    phone["serviceChannelDescriptions"] = [
        {"language": "fi", "value": "Soita Maija Mallikkaalle.", "type": "Summary"}
    ]
    location["addresses"][0]["additionalInformation"] = [
        {"language": "fi", "value": "Kysy Maija Mallikasta"}
    ]
    location["emails"] = [{"value": "maija.mallikas@kotka.fi", "language": "fi"}]
    fake.put_channel(phone)
    fake.put_channel(location)
    service = make_service(1)
    service["serviceChannels"][0]["contactDetails"] = {"phoneNumbers": []}
    service["serviceChannels"][0]["description"] = [
        {"language": "fi", "value": "Yhteyshenkilö Maija Mallikas", "type": "Description"}
    ]
    fake.put_service(service)
    await sync(sessions, fake)
    async with sessions() as session:
        documents = (await session.execute(select(CatalogService.document))).scalars().all()
    assert documents
    assert "Mallika" not in str(documents)
    assert "mallikas" not in str(documents)


async def test_curation_sees_the_before_and_after_inside_the_import(
    sessions: async_sessionmaker[AsyncSession], fake: FakePtv
) -> None:
    calls: list[tuple[set[str], set[str]]] = []

    class Hide:
        def apply(self, services: list[Service]) -> list[Service]:
            return [s for s in services if s.id != short(5)]

        async def record_changes(
            self,
            session: AsyncSession,
            before: dict[str, Service],
            after: dict[str, Service],
            now: datetime,
        ) -> None:
            assert session.in_transaction()
            calls.append((set(before), set(after)))

    await sync(sessions, fake, curation=Hide())
    assert short(5) not in await stored(sessions)
    fake.tick()
    fake.put_service(make_service(1, name="Perheneuvola"))
    fake.tick()
    await sync(sessions, fake, curation=Hide())
    assert calls[0] == (set(), {short(n) for n in (1, 2, 3, 4, 6, 7)})
    # The incremental sync touched organisation 1 only.
    assert calls[1] == ({short(n) for n in (1, 2, 3, 4)},) * 2


async def test_a_dry_run_writes_nothing(
    sessions: async_sessionmaker[AsyncSession], fake: FakePtv
) -> None:
    result = await sync(sessions, fake, dry_run=True)
    assert result.report is None
    assert result.would_change == (7, 0, 0)
    assert await stored(sessions) == {}
    async with sessions() as session:
        assert await load_state(session, SCOPE) is None


def test_the_scope_defaults_to_the_regions_15_municipalities() -> None:
    scope = SyncScope.of((), ())
    assert len(scope.municipalities) == 15
    assert KOTKA in scope.municipalities
    assert SyncScope.of((KOTKA,), ()).key != scope.key


# ---------------------------------------------------------------------------- command line

SETTINGS = ("VALO_", "BOT_", "DATABASE_", "REDIS_", "TELEGRAM_", "CATALOG_", "PTV_")


def run_cli(args: list[str], **env: str) -> CliResult:
    """``valo-bot ARGS`` in this process with only ``env`` of the bot's settings."""
    out, err = io.StringIO(), io.StringIO()
    with pytest.MonkeyPatch.context() as patch:
        for key in [key for key in os.environ if key.startswith(SETTINGS)]:
            patch.delenv(key)
        for key, value in env.items():
            patch.setenv(key, value)
        patch.chdir(REPO)
        with redirect_stdout(out), redirect_stderr(err):
            try:
                code = main(args)
            except SystemExit as exc:  # a refused setting ends as the console script does
                code = int(exc.code or 0)
    return CliResult(code, out.getvalue(), err.getvalue())


def cli_settings(fake: FakePtv, database_url: str) -> dict[str, str]:
    return {
        "DATABASE_URL": database_url,
        "PTV_API_BASE": fake.url,
        "PTV_SYNC_MUNICIPALITIES": f"{KOTKA}, {HAMINA}",
        "PTV_SYNC_RETRIES": "1",
        "PTV_SYNC_BACKOFF": "0",
    }


def stored_now(database_url: str) -> dict[str, Service]:
    async def load() -> dict[str, Service]:
        engine = make_engine(database_url)
        try:
            return await stored(make_sessionmaker(engine))
        finally:
            await engine.dispose()

    return run_in_new_loop(load())


@pytest.fixture
def served(tmp_path: Path) -> Iterator[FakePtv]:
    # The command line syncs at the real time: the fake's clock starts a day before it.
    fake = FakePtv(page_size=2, now=datetime.now(UTC) - timedelta(days=1))
    for n in range(1, 4):
        fake.add(n, organization=1)
    fake.add(4, organization=2, municipality=HAMINA)
    fake.tick()
    with serving_in_thread(fake):
        yield fake


def test_cli_sync_prints_one_summary_line_and_then_finds_no_change(
    served: FakePtv, tmp_path: Path
) -> None:
    with module_database(tmp_path) as url:
        first = run_cli(["catalog", "sync", "ptv"], **cli_settings(served, url))
        assert first.returncode == 0, first.stderr
        assert first.stdout == (
            "synced PTV (full): 4 service(s), 8 channel(s) fetched; added 4, updated 0, "
            "unchanged 0, removed 0 (catalogue version 1)\n"
        )
        served.tick()
        again = run_cli(["catalog", "sync", "ptv"], **cli_settings(served, url))
        assert again.returncode == 0, again.stderr
        assert again.stdout.startswith("synced PTV (changes since ")
        assert again.stdout.endswith("removed 0 (no change)\n")
        dry = run_cli(
            ["catalog", "sync", "ptv", "--full", "--dry-run"], **cli_settings(served, url)
        )
        assert dry.stdout.endswith("dry run: would add 0, update 0, remove 0\n")
        assert set(stored_now(url)) == {short(n) for n in range(1, 5)}


def test_cli_sync_failure_is_one_line_and_exit_1(served: FakePtv, tmp_path: Path) -> None:
    served.fail("/Service/list/area/", status=503, times=99)
    with module_database(tmp_path) as url:
        failed = run_cli(["catalog", "sync", "ptv"], **cli_settings(served, url))
        assert failed.returncode == 1
        assert failed.stdout == ""
        assert failed.stderr.count("\n") == 1
        assert failed.stderr.startswith("valo-bot catalog sync ptv: fetch failed: /api/v11/")
        assert failed.stderr.endswith("HTTP 503, 2 attempts; nothing was changed\n")
        assert stored_now(url) == {}


def test_cli_sync_refuses_a_broken_overlay_file_and_changes_nothing(
    served: FakePtv, tmp_path: Path
) -> None:
    (tmp_path / "catalogue" / "overlays").mkdir(parents=True)
    (tmp_path / "catalogue" / "overlays" / "broken.yaml").write_text("services: [1]\n")
    with module_database(tmp_path) as url:
        settings = {**cli_settings(served, url), "CATALOG_PATH": str(tmp_path / "catalogue")}
        refused = run_cli(["catalog", "sync", "ptv"], **settings)
        assert refused.returncode == 1
        # As `catalog import` and `check` print them: one line per error, then the outcome.
        [error] = refused.stdout.splitlines()
        assert error.startswith(str(tmp_path / "catalogue" / "overlays" / "broken.yaml") + ":1:")
        assert refused.stderr == "valo-bot catalog sync ptv: nothing was changed\n"
        assert served.requests == []  # refused before anything was fetched


def test_cli_sync_refuses_a_bad_setting_in_one_line(served: FakePtv, tmp_path: Path) -> None:
    settings = {**cli_settings(served, "sqlite+aiosqlite:///" + str(tmp_path / "no.db"))}
    settings["PTV_SYNC_MUNICIPALITIES"] = "285,kotka"
    refused = run_cli(["catalog", "sync", "ptv"], **settings)
    assert refused.returncode == 2
    assert refused.stderr == (
        "valo-bot: setting PTV_SYNC_MUNICIPALITIES: 'kotka' is not a municipality code "
        "(three digits, e.g. 285)\n"
    )
    assert not (tmp_path / "no.db").exists()


def test_a_sync_killed_mid_fetch_leaves_the_catalogue_as_it_was(
    served: FakePtv, tmp_path: Path
) -> None:
    with module_database(tmp_path) as url:
        settings = cli_settings(served, url)
        assert run_cli(["catalog", "sync", "ptv"], **settings).returncode == 0
        before = stored_now(url)
        served.now = datetime.now(UTC)
        served.put_service(make_service(1, name="Perheneuvola"))
        served.remove(make_service(2)["id"])
        served.tick()
        served.fail("/ServiceChannel/list", kind="block")  # the channels never come
        run = CliRun(["catalog", "sync", "ptv"], cli_env(**settings), tmp_path / "killed")
        try:
            deadline = time.monotonic() + 60
            while not served.blocked.is_set():
                if time.monotonic() > deadline or run.exited():
                    pytest.fail(f"the sync never asked for the channels: {run.result(5)}")
                served.blocked.wait(0.05)
        finally:
            run.stop()  # SIGKILL
        assert stored_now(url) == before
        # Nothing was left half-done (no lock, no state): the next sync applies the change.
        after = run_cli(["catalog", "sync", "ptv"], **settings)
        assert after.returncode == 0, after.stderr
        assert "added 0, updated 1, unchanged 1, removed 1" in after.stdout


def test_records_keep_only_what_the_importer_reads() -> None:
    """Memory (a channel's ontology terms alone are ~12 kB) and privacy: a phone line's
    free-text note, which may name a person, is dropped as the page arrives."""
    phone, location = make_channels(1)
    phone["phoneNumbers"][0]["additionalInformation"] = "Terveydenhoitaja Maija Mallikas"
    slim = slim_record(phone)
    assert "ontologyTerms" not in slim
    assert slim["phoneNumbers"] == [
        {
            "type": "Phone",
            "prefixNumber": "+358",
            "isFinnishServiceNumber": False,
            "number": "400000001",
        }
    ]
    assert slim_record(location)["addresses"] == location["addresses"]
    service = slim_record(make_service(1))
    assert service["serviceClasses"] == [{"code": "P5.2"}]
    assert set(service) <= set(make_service(1))


async def test_the_overlays_curate_a_sync_and_a_changed_phone_is_marked_for_review(
    sessions: async_sessionmaker[AsyncSession], fake: FakePtv, tmp_path: Path
) -> None:
    """The real curated layer (bot.catalog.overlay) through the sync: a hidden service is
    not imported, a curated Arabic text replaces the stand-in, and when PTV changes the phone
    that text was checked against, staff get it to review while families see the new number."""
    overlays = tmp_path / "overlays"
    overlays.mkdir()
    (overlays / "curated.yaml").write_text(
        f"""services:
  {service_id(2)}:
    family: hide
  {service_id(1)}:
    name: {{ar: عيادة الأسرة ١}}
    summary: {{ar: خدمة للعائلات.}}
    description: {{ar: تساعد هذه الخدمة العائلات.}}
    reviewed_against: "{fake.now.date().isoformat()}"
""",
        encoding="utf-8",
    )
    curation = OverlayCuration(load_overlays(overlays))
    await sync(sessions, fake, curation=curation)
    services = await stored(sessions)
    assert short(2) not in services
    assert services[short(1)].name.get("ar") == "عيادة الأسرة ١"
    assert "ar" not in services[short(1)].untranslated
    assert "ar" in services[short(3)].untranslated  # not curated: the stand-in, said so

    fake.tick()
    [phone] = [c for c in make_channels(1) if c["serviceChannelType"] == "Phone"]
    phone["phoneNumbers"][0]["number"] = "401234567"
    fake.put_channel(phone)
    fake.tick()
    # A new curation per run, as the CLI and the nightly job read the overlays each time.
    await sync(sessions, fake, curation=OverlayCuration(load_overlays(overlays)))
    assert (await stored(sessions))[short(1)].contacts.phone == "+358401234567"
    async with sessions() as session:
        reviews = (await session.execute(select(CatalogReview))).scalars().all()
    assert [(r.service_id, r.field, r.resolved_at) for r in reviews] == [(short(1), "phone", None)]
    assert "40 123 4567" in reviews[0].new_value
