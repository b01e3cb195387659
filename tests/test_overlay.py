"""The curated layer over PTV services: overlay files, the merge, review marking of PTV changes,
stale entries in ``valo-bot check``, and the "not translated" notice for what is not curated."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Sequence
from datetime import UTC, datetime, tzinfo
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.__main__ import main
from bot.catalog.cards import render_card
from bot.catalog.coverage import Coverage, CoverageFile, coverage_matrix
from bot.catalog.loader import SourcedFile
from bot.catalog.overlay import OverlayCuration, Overlays, load_overlays, stale_entries
from bot.catalog.ptv import parse_ptv
from bot.catalog.reviews import open_reviews, resolve_review
from bot.catalog.schema import Contacts, OpeningHours, Service, Text
from bot.catalog.store import import_files, load_services
from bot.data_errors import DataFileError
from bot.db.engine import write_transaction
from bot.db.models import CatalogReview
from bot.i18n import I18n
from tests.conftest import REPO
from tests.test_coverage import CATALOGUE
from tests.test_ptv import TODAY, all_samples

OVERLAYS = Path(__file__).parent / "data" / "ptv-overlays"
PTV_ID = "3668d250-cd80-45c4-abcc-9b2d3a2b3e42"  # the real sample "Nettilukio aikuisille"
SID = "ptv-3668d250"
NOW = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)


def ptv_version() -> Service:
    """The sample as the sync parses it (its classes map to no need tag: one is given)."""
    [service] = parse_ptv(
        all_samples(), default_needs=["early-education"], today=TODAY
    ).catalog.services
    return service


def curation(directory: Path = OVERLAYS) -> OverlayCuration:
    return OverlayCuration(load_overlays(directory), today=lambda: TODAY)


def write_overlay(directory: Path, text: str, name: str = "a.yaml") -> Path:
    directory.mkdir(exist_ok=True)
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


ENTRY = f"""\
services:
  {PTV_ID}:
"""

# ------------------------------------------------------------------------------ the merge


def test_overlay_adds_needs_texts_notes_and_events_and_keeps_ptv_facts() -> None:
    ptv = ptv_version()
    [merged] = curation().apply([ptv])
    assert merged.needs == ["integration-language"]
    assert merged.name.ar == "الثانوية للبالغين عبر الإنترنت"
    assert merged.name.en == "Online upper secondary school for adults"
    assert merged.name.fi == ptv.name.fi == "Nettilukio aikuisille"
    assert merged.summary.ar == "دراسة الثانوية للبالغين عبر الإنترنت."
    assert merged.summary.en == ptv.summary.en  # not curated: PTV's (Finnish) stand-in
    assert merged.description is not None
    assert merged.description.ar.startswith("يمكنك دراسة")
    # Arabic is curated for every text the card has; English only for the name.
    assert ptv.untranslated == ["en", "ar"]
    assert merged.untranslated == ["en"]
    assert merged.notes == "Arabic texts translated from the PTV record of 2020-04-22."
    [event] = merged.events
    assert (event.id, event.location, event.start) == (
        "nettilukio-test-evening",
        "ptv-961f1a02",
        "2027-01-14T18:00",
    )
    # PTV's facts are never overridden.
    for fact in ("contacts", "locations", "access", "sources", "municipalities", "checked"):
        assert getattr(merged, fact) == getattr(ptv, fact), fact
    assert merged.ptv_id == PTV_ID


def test_hide_leaves_the_service_out_and_others_pass_unchanged(tmp_path: Path) -> None:
    write_overlay(tmp_path / "o", ENTRY + "    family: hide\n")
    ptv = ptv_version()
    elsewhere = "0" * 8 + PTV_ID[8:]
    register = ptv.sources[0].model_copy(
        update={"url": ptv.sources[0].url.replace(PTV_ID, elsewhere)}
    )
    other = ptv.model_copy(
        update={"id": "ptv-00000000", "ptv_id": elsewhere, "sources": [register]}
    )
    assert curation(tmp_path / "o").apply([ptv, other]) == [other]


def test_a_plain_language_finnish_text_replaces_ptvs_finnish(tmp_path: Path) -> None:
    write_overlay(
        tmp_path / "o",
        ENTRY + "    summary: {fi: Voit käydä lukion netissä.}\n"
        "    reviewed_against: '2020-04-22'\n",
    )
    [merged] = curation(tmp_path / "o").apply([ptv_version()])
    assert merged.summary.fi == "Voit käydä lukion netissä."
    assert merged.untranslated == ["en", "ar"]  # nothing curated in en or ar


def test_a_curated_text_ptv_lacks_falls_back_like_imported_texts(tmp_path: Path) -> None:
    write_overlay(
        tmp_path / "o",
        ENTRY + "    description: {en: Study online., ar: ادرس عبر الإنترنت.}\n"
        "    reviewed_against: '2020-04-22'\n",
    )
    without = ptv_version().model_copy(update={"description": None})
    [merged] = curation(tmp_path / "o").apply([without])
    assert merged.description == Text(
        fi="Study online.", en="Study online.", ar="ادرس عبر الإنترنت."
    )
    # Finnish is a stand-in now; English and Arabic still are for the name and summary.
    assert merged.untranslated == ["fi", "en", "ar"]


def test_a_card_stored_before_ptv_id_is_matched_by_its_suomi_fi_page() -> None:
    stored = ptv_version().model_copy(update={"ptv_id": None})
    [merged] = curation().apply([stored])
    assert merged.needs == ["integration-language"]


@pytest.mark.parametrize(
    ("entry", "line", "reason"),
    [
        # A crisis card must say when its phone answers (rules.py, rule 2).
        (
            "    needs: [crisis-urgent]\n",
            3,
            "contacts: a crisis-urgent card says when its line answers",
        ),
        (
            "    events:\n      - id: ev\n        kinds: [other]\n"
            "        title: {fi: A, en: A, ar: أ}\n        location: nowhere\n"
            "        start: '2027-01-01T10:00'\n",
            3,
            "event 'ev' refers to unknown location 'nowhere'",
        ),
    ],
)
def test_an_entry_that_breaks_the_rules_is_reported_and_ptv_is_used(
    tmp_path: Path, entry: str, line: int, reason: str
) -> None:
    path = write_overlay(tmp_path / "o", ENTRY + entry)
    ptv = ptv_version()
    applied = curation(tmp_path / "o")
    assert applied.apply([ptv]) == [ptv]
    [problem] = applied.problems
    assert problem.startswith(
        f"{path}:{line}: services.{PTV_ID}: not applied, {SID} keeps PTV's version: "
    ), problem
    assert reason in problem


# ------------------------------------------------------------------ errors in overlay files


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            ENTRY + "    needs: [knitting]\n",
            ":3: services.{id}.needs: unknown need tag(s) knitting",
        ),
        (ENTRY + "    family: maybe\n", ":3: services.{id}.family: Input should be 'show'"),
        (ENTRY + "    colour: red\n", ":3: services.{id}.colour: unknown field"),
        (
            ENTRY + "    name: {ar: اسم}\n",
            ":3: services.{id}: curated texts need reviewed_against",
        ),
        (ENTRY + "    name: {}\n    reviewed_against: '2020'\n", ":3: services.{id}.name: give"),
        (
            "services:\n  3668D250-CD80-45C4-ABCC-9B2D3A2B3E42: {family: hide}\n",
            ":2: services.3668D250-CD80-45C4-ABCC-9B2D3A2B3E42: not a PTV service id",
        ),
        (ENTRY + "    family: hide\n  " + PTV_ID + ": {}\n", ":4: services.{id}: duplicate key"),
        ("services: [a]\n", ":1: services: Input should be a valid dictionary"),
    ],
)
def test_bad_overlay_files_are_refused_with_file_line_path_reason(
    tmp_path: Path, text: str, expected: str
) -> None:
    path = write_overlay(tmp_path / "o", text)
    with pytest.raises(DataFileError) as caught:
        load_overlays(tmp_path / "o")
    assert str(caught.value.errors[0]).startswith(f"{path}{expected.format(id=PTV_ID)}"), (
        caught.value.errors
    )


def test_one_ptv_id_in_two_files_and_event_ids_twice_are_errors(tmp_path: Path) -> None:
    shutil.copytree(OVERLAYS, tmp_path / "o")
    second = (OVERLAYS / "nettilukio.yaml").read_text(encoding="utf-8")
    write_overlay(tmp_path / "o", second, "z.yaml")
    with pytest.raises(DataFileError) as caught:
        load_overlays(tmp_path / "o")
    assert [str(e) for e in caught.value.errors] == [
        f"{tmp_path / 'o' / 'z.yaml'}:6: services.{PTV_ID}: PTV id also in "
        f"{tmp_path / 'o' / 'nettilukio.yaml'}:6"
    ]
    event = "      - id: e1\n        kinds: [other]\n        title: {fi: A, en: A, ar: أ}\n"
    event += "        start: '2027-01-01T10:00'\n"
    other = "0" * 8 + PTV_ID[8:]
    write_overlay(
        tmp_path / "p",
        f"services:\n  {PTV_ID}:\n    events:\n{event}  {other}:\n    events:\n{event}",
    )
    with pytest.raises(DataFileError) as caught:
        load_overlays(tmp_path / "p")
    assert [str(e) for e in caught.value.errors] == [
        f"{tmp_path / 'p' / 'a.yaml'}:10: services.{other}.events[0].id: duplicate event id "
        f"'e1', also in {tmp_path / 'p' / 'a.yaml'}:4"
    ]


def test_no_overlay_directory_is_no_overlays(tmp_path: Path) -> None:
    assert len(load_overlays(tmp_path / "missing")) == 0


def test_the_shipped_overlay_directory_loads() -> None:
    assert isinstance(load_overlays(REPO / "services_catalog" / "overlays"), Overlays)


# ------------------------------------------------------------------- stale entries, check


def test_stale_entries_and_older_reviews_are_reported_one_line_each(tmp_path: Path) -> None:
    other = "0" * 8 + PTV_ID[8:]
    path = write_overlay(tmp_path / "o", f"services:\n  {other}: {{family: hide}}\n")
    shutil.copy(OVERLAYS / "nettilukio.yaml", tmp_path / "o" / "nettilukio.yaml")
    overlays = load_overlays(tmp_path / "o")
    newer = ptv_version()
    newer = newer.model_copy(
        update={"sources": [newer.sources[0].model_copy(update={"updated": "2021-01-05"})]}
    )
    assert stale_entries(overlays, [newer]) == [
        f"{path}:2: services.{other}: no PTV service with this id in the catalogue (files and "
        "database): remove the entry, or check the id",
        f"{tmp_path / 'o' / 'nettilukio.yaml'}:25: services.{PTV_ID}.reviewed_against: PTV "
        f"changed {SID} on 2021-01-05, after the curated texts were reviewed against "
        "2020-04-22: check them and update the date",
    ]
    assert stale_entries(overlays, [ptv_version()]) == [stale_entries(overlays, [])[0]]


async def no_events(
    session: AsyncSession,
    services: Sequence[tuple[str, Service]],
    sources: set[str],
    tz: tzinfo,
    now: datetime,
) -> None:
    """Events are not what these tests are about (the catalogue is handed the mirror)."""


async def store(sessions: async_sessionmaker[AsyncSession], services: list[Service]) -> None:
    """What the sync's import does with the curated services (``store.import_files``)."""
    parsed = parse_ptv(all_samples(), default_needs=["early-education"], today=TODAY)
    [(source, part)] = [(k, v) for k, v in parsed.by_source.items() if v.services]
    files = [SourcedFile(source, part.model_copy(update={"services": services}))]
    async with sessions() as session:
        await import_files(session, files, origin="test", digest="x", mirror_events=no_events)


async def test_check_reports_an_overlay_entry_no_service_matches(
    sessions: async_sessionmaker[AsyncSession],
    database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    catalogue = tmp_path / "catalogue"
    catalogue.mkdir()
    (catalogue / "services.yaml").write_text(CATALOGUE, encoding="utf-8")
    other = "0" * 8 + PTV_ID[8:]
    write_overlay(catalogue / "overlays", f"services:\n  {other}: {{family: hide}}\n")
    shutil.copy(OVERLAYS / "nettilukio.yaml", catalogue / "overlays" / "nettilukio.yaml")
    await store(sessions, curation().apply([ptv_version()]))  # the synced service, in the DB
    monkeypatch.setenv("CATALOG_PATH", str(catalogue))
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.chdir(tmp_path)
    # ``check`` runs its own event loop (asyncio.run), so not on this test's.
    assert await asyncio.to_thread(main, ["check"]) == 0
    out, err = capsys.readouterr()
    assert "overlays OK (2 entries)" in out
    stale = [line for line in err.splitlines() if "overlays" in line]
    assert stale == [
        f"warning: catalogue/overlays/a.yaml:2: services.{other}: no PTV service with this id "
        "in the catalogue (files and database): remove the entry, or check the id"
    ]
    # An overlay event may not take the id of a catalogue file's event.
    (catalogue / "services.yaml").write_text(
        CATALOGUE.replace(
            '    checked: "2026-06-01"\n  - id: kela-benefit',
            '    checked: "2026-06-01"\n    events:\n      - id: nettilukio-test-evening\n'
            "        kinds: [other]\n        title: {fi: A, en: A, ar: أ}\n"
            "        start: '2027-01-01T10:00'\n  - id: kela-benefit",
        ),
        encoding="utf-8",
    )
    assert await asyncio.to_thread(main, ["check"]) == 1
    assert capsys.readouterr().out == (
        f"catalogue/overlays/nettilukio.yaml:16: services.{PTV_ID}.events[0].id: event id "
        "'nettilukio-test-evening' is already used by kotka-clinic\n"
    )
    (catalogue / "services.yaml").write_text(CATALOGUE, encoding="utf-8")
    # A broken overlay file fails the check with its line.
    write_overlay(catalogue / "overlays", "services:\n  nope: {}\n")
    assert await asyncio.to_thread(main, ["check"]) == 1
    assert "catalogue/overlays/a.yaml:2: services.nope: not a PTV service id" in (
        capsys.readouterr().out
    )
    # Curated texts follow the catalogue's wording rules (here: Arabic punctuation).
    (catalogue / "overlays" / "nettilukio.yaml").unlink()
    write_overlay(
        catalogue / "overlays",
        ENTRY + "    name: {ar: 'الثانوية, للبالغين'}\n    reviewed_against: '2020-04-22'\n",
    )
    assert await asyncio.to_thread(main, ["check"]) == 1
    out = capsys.readouterr().out
    assert out == (
        f'catalogue/overlays/a.yaml:3: services.{PTV_ID}.name: uses "," in Arabic prose; '
        "Arabic has ،\n"
    )


# ------------------------------------------------------------------------- review marking


def changed(service: Service, **facts: object) -> Service:
    """The PTV version with some facts changed, as a later sync would parse it."""
    update: dict[str, object] = {}
    if "phone" in facts:
        update["contacts"] = Contacts(**{**service.contacts.model_dump(), "phone": facts["phone"]})
    if "name" in facts:
        update["name"] = Text(fi=str(facts["name"]), en=str(facts["name"]), ar=str(facts["name"]))
    if "hours" in facts:
        [location] = service.locations
        hours = [OpeningHours(days=["mo", "tu"], opens="09:00", closes="15:00")]
        update["locations"] = [location.model_copy(update={"hours": hours})]
    return service.model_copy(update=update)


async def sync(
    sessions: async_sessionmaker[AsyncSession], applied: OverlayCuration, ptv: list[Service]
) -> None:
    """One sync: merge, then store and record the changes in one write transaction."""
    after = {s.id: s for s in applied.apply(ptv)}
    async with sessions() as session:
        before = {s.id: s for s in await load_services(session) if s.id in after}
    await store(sessions, list(after.values()))
    async with sessions() as session, write_transaction(session):
        await applied.record_changes(session, before, after, NOW)


async def reviews(sessions: async_sessionmaker[AsyncSession]) -> list[tuple[str, str, str, str]]:
    async with sessions() as session:
        return [
            (r.service_id, r.field, r.old_value, r.new_value) for r in await open_reviews(session)
        ]


async def test_a_changed_phone_name_and_hours_mark_the_curated_texts_for_review(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    applied = curation()
    ptv = ptv_version()
    await sync(sessions, applied, [ptv])
    await sync(sessions, applied, [ptv])  # nothing changed: nothing to review
    assert await reviews(sessions) == []

    new = changed(ptv, phone="+358401234567", name="Nettilukio", hours=True)
    await sync(sessions, applied, [new])
    assert await reviews(sessions) == [
        (SID, "name", "Nettilukio aikuisille", "Nettilukio"),
        (SID, "phone", "044 794 3552", "040 123 4567"),
        (
            SID,
            "hours",
            "Otavan Opisto / Otavia: mo-fr 08:00-16:00",
            "Otavan Opisto / Otavia: mo-tu 09:00-15:00",
        ),
    ]
    async with sessions() as session:
        # Families see PTV's facts at once; the curated Arabic stays.
        [stored] = await load_services(session)
    assert stored.contacts.phone == "+358401234567"
    assert stored.name.ar == "الثانوية للبالغين عبر الإنترنت"


async def test_no_review_without_curated_texts_or_for_a_text_curated_in_finnish(
    sessions: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    # Needs only: no curated text depends on PTV's, so a changed phone is just the new fact.
    write_overlay(tmp_path / "o", ENTRY + "    needs: [integration-language]\n")
    applied = curation(tmp_path / "o")
    ptv = ptv_version()
    await sync(sessions, applied, [ptv])
    await sync(sessions, applied, [changed(ptv, phone="+358401234567")])
    assert await reviews(sessions) == []

    # A curated Finnish name replaces PTV's in the card; PTV's own is what is compared.
    write_overlay(
        tmp_path / "f",
        ENTRY + "    name: {fi: Lukio netissä, ar: الثانوية عبر الإنترنت}\n"
        "    reviewed_against: '2020-04-22'\n",
    )
    applied = curation(tmp_path / "f")
    now_stored = changed(ptv, phone="+358401234567")
    await sync(sessions, applied, [now_stored])
    await sync(sessions, applied, [now_stored])
    assert await reviews(sessions) == []
    await sync(sessions, applied, [changed(now_stored, name="Nettilukio")])
    assert await reviews(sessions) == [(SID, "name", "Nettilukio aikuisille", "Nettilukio")]


async def test_the_first_sync_with_an_overlay_compares_with_the_stored_card(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    ptv = ptv_version()
    await sync(sessions, OverlayCuration(Overlays()), [ptv])  # stored before the overlay
    await sync(sessions, curation(), [changed(ptv, phone="+358401234567")])
    assert await reviews(sessions) == [(SID, "phone", "044 794 3552", "040 123 4567")]


async def test_a_change_waiting_for_review_is_one_row_and_resolves_once(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    applied = curation()
    ptv = ptv_version()
    await sync(sessions, applied, [ptv])
    await sync(sessions, applied, [changed(ptv, phone="+358401234567")])
    await sync(sessions, applied, [changed(ptv, phone="+358407654321")])
    assert await reviews(sessions) == [(SID, "phone", "044 794 3552", "040 765 4321")]
    async with sessions() as session:
        [review] = await open_reviews(session)
        assert await resolve_review(session, review.id, NOW)
        assert not await resolve_review(session, review.id, NOW)
        resolved = await session.scalar(select(CatalogReview.resolved_at))
    assert resolved == NOW
    assert await reviews(sessions) == []


# ------------------------------------------------------- not translated: card and coverage


@pytest.fixture(scope="module")
def i18n() -> I18n:
    from zoneinfo import ZoneInfo

    return I18n.load(REPO / "locales", ZoneInfo("Europe/Helsinki"), strict=True)


def test_without_curated_arabic_the_card_shows_finnish_with_the_notice(i18n: I18n) -> None:
    t = i18n["ar"]
    notice = t("card-untranslated")
    plain = render_card(ptv_version(), t, NOW)
    assert notice in plain
    assert "Nettilukio aikuisille" in plain
    [curated] = curation().apply([ptv_version()])
    card = render_card(curated, t, NOW)
    assert notice not in card
    assert "الثانوية للبالغين عبر الإنترنت" in card
    # English is curated for the name only: the English card keeps the notice.
    assert i18n["en"]("card-untranslated") in render_card(curated, i18n["en"], NOW)


def test_the_coverage_matrix_counts_an_untranslated_service() -> None:
    coverage = Coverage(
        CoverageFile.model_validate(
            {
                "counties": [{"id": "k", "name": "K", "municipalities": ["285"]}],
                "types": [
                    {
                        "id": "school",
                        "name": {"fi": "Lukio", "en": "School", "ar": "مدرسة"},
                        "rules": [{"needs": ["early-education"]}],
                    }
                ],
            }
        )
    )
    service = ptv_version()
    assert "ar" in service.untranslated
    [cell] = coverage_matrix(coverage, [service])
    assert (cell.status, [c.id for c in cell.cards]) == ("served", [SID])


async def test_a_card_the_import_kept_at_its_last_good_version_is_not_compared(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    applied = curation()
    ptv = ptv_version()
    await sync(sessions, applied, [ptv])
    async with sessions() as session:
        [stored] = await load_services(session)
    # The new PTV record broke a rule, so the import kept the stored card: no review of a
    # phone families never saw.
    applied.apply([changed(ptv, phone="+358401234567")])
    async with sessions() as session, write_transaction(session):
        await applied.record_changes(session, {SID: stored}, {SID: stored}, NOW)
    assert await reviews(sessions) == []


async def test_a_value_changed_back_before_review_needs_no_review(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    applied = curation()
    ptv = ptv_version()
    await sync(sessions, applied, [ptv])
    await sync(sessions, applied, [changed(ptv, phone="+358401234567")])
    assert len(await reviews(sessions)) == 1
    await sync(sessions, applied, [ptv])
    assert await reviews(sessions) == []
