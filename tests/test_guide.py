"""The professional's guide (issue #25): path tokens and expiry, a step's "why" and first-step
lines, the guide tree beside the families' tree, and the professional's invite and removal."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.catalog.matching import Answers, CatalogIndex
from bot.db.engine import write_transaction
from bot.db.models import IndicatorEvent, ServicePath, StaffInvite, User
from bot.db.staff import (
    PROFESSIONAL_ROLE,
    Redeemed,
    clear_stale_staff,
    create_invite,
    professionals,
    redeem_invite,
    revoke_professional,
    staff_members,
)
from bot.emulator.telegram import parse_html
from bot.flow import load_dialogs, validate_dialogs
from bot.flow.model import FAMILY, PROFESSIONAL
from bot.flow.runner import DialogState, PathEntry
from bot.guide.paths import (
    GUIDE_DIALOG,
    build_steps,
    family_locale,
    has_sensitive,
    is_path_payload,
    new_token,
    open_path,
    path_link,
    purge_expired_paths,
    save_path,
)
from bot.guide.render import PathStep, first_step, is_sensitive, render_step
from bot.handlers.guide import _preview
from bot.handlers.start import deep_link_source
from bot.i18n import I18n
from bot.indicators.assemble import build_report
from bot.indicators.formats import Format, render
from bot.indicators.period import MonthRange
from bot.indicators.record import IndicatorRecorder
from bot.indicators.report import OTHER
from bot.roles import Role, is_professional
from tests.conftest import REPO
from tests.delivery_support import add_users
from tests.test_matching import make_service

NOW = datetime(2027, 3, 1, 10, 0, tzinfo=UTC)
TZ = ZoneInfo("Europe/Helsinki")
STAFF, PRO = 900, 701
TELEGRAM_PAYLOAD = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


@pytest.fixture(scope="module")
def i18n() -> I18n:
    return I18n.load(REPO / "locales", TZ, strict=True)


def hours(days: list[str], opens: str, closes: str) -> dict[str, Any]:
    return {"days": days, "opens": opens, "closes": closes}


WEEKDAYS = ["mo", "tu", "we", "th", "fr"]

# ------------------------------------------------------------------ tokens and storage


def test_a_token_is_128_random_bits_and_fits_a_start_payload() -> None:
    tokens = {new_token() for _ in range(50)}
    assert len(tokens) == 50
    for token in tokens:
        assert len(token) >= 22  # 16 bytes in URL-safe base64
        payload = "p_" + token
        assert TELEGRAM_PAYLOAD.match(payload)
        assert is_path_payload(payload)
        assert path_link("valo_bot", token) == f"https://t.me/valo_bot?start={payload}"
    # The /start handler takes paths first: left to the source counter, it would count one.
    assert deep_link_source("p_" + new_token()) is not None
    assert not is_path_payload("poster_kotka")


async def test_a_path_is_stored_under_its_hash_opens_many_times_then_expires(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    steps = [PathStep(make_service("a")), PathStep(make_service("b"))]
    async with sessions() as session:
        token = await save_path(
            session, "ar", "285", steps, include_sensitive=False, now=NOW, days=30
        )
        row = (await session.execute(select(ServicePath))).scalar_one()
        assert token not in str(row.__dict__)  # only the hash is stored
        assert row.steps == [{"service": "a"}, {"service": "b"}]  # no answers, no need tags
        for _ in range(3):  # several devices, or the same one again
            opened = await open_path(session, f"p_{token}", NOW + timedelta(days=29))
            assert opened is not None
            assert (opened.locale, opened.municipality) == ("ar", "285")
        assert await open_path(session, f"p_{token}", NOW + timedelta(days=30)) is None
        assert await open_path(session, "p_" + new_token(), NOW) is None
        assert await open_path(session, f"p_{token}!", NOW) is None
        # The retention job deletes what expired, and only that.
        other = await save_path(
            session, "fi", None, steps, include_sensitive=True, now=NOW, days=60
        )
        assert await purge_expired_paths(session, NOW + timedelta(days=30)) == 1
        assert await open_path(session, f"p_{other}", NOW + timedelta(days=31)) is not None


async def test_services_gone_from_the_catalogue_are_skipped(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    steps = [PathStep(make_service("a")), PathStep(make_service("b"))]
    async with sessions() as session:
        token = await save_path(
            session, "fi", None, steps, include_sensitive=False, now=NOW, days=1
        )
        opened = await open_path(session, f"p_{token}", NOW)
    assert opened is not None
    kept, gone = opened.resolve({"b": make_service("b")})
    assert [s.service.id for s in kept] == ["b"]
    assert gone == 1


# ------------------------------------------------------------------ a step's lines


def test_the_first_step_comes_from_the_way_in_and_its_hours(i18n: I18n) -> None:
    en, fi = i18n["en"], i18n["fi"]
    phone = {"phone": "+35852206000", "phone_hours": [hours(WEEKDAYS, "09:00", "12:00")]}
    call = make_service("call", access=["call"], contacts=phone)
    assert first_step(call, en) == "First step: call them on weekdays 09:00–12:00."
    assert first_step(call, fi) == "Ensimmäinen askel: soita arkisin klo 9.00–12.00."
    always = make_service(
        "always", access=["call"], contacts={"phone": "112", "phone_always": True}
    )
    assert first_step(always, en) == "First step: call them, any time of day or night."
    place = {
        "id": "p",
        "name": {"fi": "Paikka", "en": "Place", "ar": "مكان"},
        "municipality": "285",
        "hours": [hours(["tu"], "09:00", "11:00"), hours(["th"], "13:00", "15:00")],
    }
    walk = make_service("walk", access=["walk-in", "call"], locations=[place])
    assert first_step(walk, en) == (
        "First step: walk in on Tuesdays 09:00–11:00, on Thursdays 13:00–15:00."
    )
    assert first_step(walk, fi) == (
        "Ensimmäinen askel: mene paikan päälle tiistaisin klo 9.00–11.00, torstaisin klo "
        "13.00–15.00."
    )
    # Two spans on the same days and another day: the groups apart by a comma, so the "and"
    # is read inside a group.
    place["hours"] = [
        hours(WEEKDAYS[:5], "09:00", "12:00"),
        hours(WEEKDAYS[:5], "13:00", "15:00"),
        hours(["sa"], "10:00", "14:00"),
    ]
    split_day = make_service("split", access=["walk-in"], locations=[place])
    assert first_step(split_day, fi) == (
        "Ensimmäinen askel: mene paikan päälle arkisin klo 9.00–12.00 ja 13.00–15.00, "
        "lauantaisin klo 10.00–14.00."
    )
    # The first way has no hours but a later one has: the step with hours (on paper it is
    # the only place the week's hours appear).
    place["hours"] = [hours(["tu"], "09:00", "11:00")]
    untimed_call = make_service(
        "moona", access=["call", "walk-in"], contacts={"phone": "+35852206000"}, locations=[place]
    )
    assert first_step(untimed_call, en) == "First step: walk in on Tuesdays 09:00–11:00."
    no_hours = make_service("plain", access=["call", "walk-in"], contacts={"phone": "+35852206000"})
    assert first_step(no_hours, en) == en("guide-first-call")
    online = make_service("online", access=["apply-online"])
    assert first_step(online, en) == "First step: apply online."
    assert "اتصل" in first_step(call, i18n["ar"])


def test_a_step_says_what_the_service_helps_with_never_what_the_family_said(
    i18n: I18n,
) -> None:
    phone = {"phone": "+35852206000"}
    service = make_service("s", needs=["early-education", "peer-support"], contacts=phone)
    step = PathStep(service)
    for locale in ("fi", "en", "ar"):
        text = render_step(step, i18n[locale], NOW.astimezone(TZ))
        parse_html(text)  # valid Telegram HTML, which the printable page reuses
        lines = text.replace("\u2066", "").replace("\u2069", "").split("\n")  # bidi marks
        assert service.name.get(locale) in lines[0]
        # Every need the service serves, whatever the family asked about: the line is the
        # same for every family, so a card found at home tells nothing of their answers.
        assert i18n[locale]("need-early-education") in lines[1]
        assert i18n[locale]("need-peer-support") in lines[1]
        assert i18n[locale]("guide-first-call") in lines[2]
    english = render_step(step, i18n["en"], NOW.astimezone(TZ))
    assert "Helps with:" in english
    assert "you said" not in english.lower()
    assert "Why this fits you" not in english  # no match reasons: those speak of the answers


def test_violence_and_shelter_services_are_the_sensitive_ones() -> None:
    helpline = make_service(
        "line", needs=["crisis-urgent", "relationship-separation"], service_classes=["P5.2"]
    )
    daycare = make_service("daycare")
    emergency = make_service("emergency", needs=["crisis-urgent"], service_classes=["P5.2"])
    assert is_sensitive(helpline)
    assert not is_sensitive(daycare)
    assert not is_sensitive(emergency)  # 112 and the crisis lines stay on paper
    assert has_sensitive([PathStep(daycare), PathStep(helpline)])
    assert not has_sensitive([PathStep(daycare)])


def test_the_print_question_comes_only_with_violence_or_shelter_services(i18n: I18n) -> None:
    t = i18n["en"]
    dialog = DialogState("guide", 1, "results", "tok123")
    daycare = PathStep(make_service("daycare"))
    helpline = PathStep(make_service("line", needs=["crisis-urgent", "relationship-separation"]))
    plain, plain_keys = _preview([daycare], dialog, "ar", t)
    asked, asked_keys = _preview([daycare, helpline], dialog, "ar", t)
    assert t("guide-sensitive-ask") not in plain
    assert t("guide-sensitive-ask") in asked
    assert "Service path in Arabic" in plain
    data = [[b.callback_data for b in row] for row in asked_keys.inline_keyboard]
    assert data[:2] == [["gd:tok123:y"], ["gd:tok123:n"]]
    first_row = plain_keys.inline_keyboard[0]
    assert [b.callback_data for b in first_row] == ["gd:tok123:n"]


def test_a_path_is_the_matchers_ranking() -> None:
    index = CatalogIndex(
        [
            make_service("ecec"),
            make_service("peers", needs=["peer-support"]),
            make_service("both", needs=["peer-support", "early-education"]),
        ]
    )
    answers = Answers(municipality="285", needs=("early-education", "peer-support"))
    steps = build_steps(index, answers)
    assert [s.service.id for s in steps] == [m.service.id for m in index.match(answers)]


# ------------------------------------------------------------------ the guide tree


def test_the_guide_asks_the_familys_language_then_the_families_own_questions() -> None:
    trees = load_dialogs(REPO / "dialogs", REPO / "locales")
    guide, needs = trees[GUIDE_DIALOG], trees["needs"]
    assert (guide.audience, needs.audience) == (PROFESSIONAL, FAMILY)
    first = guide.node(guide.start)
    assert [c.id for c in first.choices] == ["fi", "en", "ar"]
    assert {r.goto for c in first.choices for r in c.routes} == {needs.start}
    # Node for node the families' questions, texts and all (the result's heading aside).
    for node_id, node in needs.nodes.items():
        ours = guide.node(node_id)
        if node.kind == "result":
            continue
        assert replace(ours, line=0) == replace(node, line=0), node_id
    chosen = DialogState("guide", 1, "where", "abcdef", (PathEntry("family-lang", ("ar",)),))
    assert family_locale(chosen) == "ar"
    assert family_locale(replace(chosen, path=())) is None


def test_an_unknown_audience_is_refused(tmp_path: Path) -> None:
    text = (
        (REPO / "dialogs" / "needs.yaml")
        .read_text()
        .replace("start: where", "start: where\naudience: staff")
    )
    (tmp_path / "needs.yaml").write_text(text)
    errors = validate_dialogs(tmp_path, REPO / "locales")
    assert [str(e).rpartition("/")[2] for e in errors] == [
        "needs.yaml:11: audience: unknown audience 'staff'; use one of family, professional"
    ]


# ------------------------------------------------------------------ the role


async def test_a_professionals_invite_grants_the_role_not_staff_rights(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    await add_users(sessions, {STAFF: "fi", PRO: "fi", 702: "en"}, NOW)
    async with sessions() as session:
        async with write_transaction(session):
            await session.execute(update(User).where(User.user_id == STAFF).values(staff=True))
        invite = await create_invite(session, STAFF, "Maria", NOW, PROFESSIONAL_ROLE)
        joined = await redeem_invite(session, f"staff-{invite.token}", PRO, NOW)
        assert (joined.outcome, joined.role) == (Redeemed.JOINED, PROFESSIONAL_ROLE)
        assert await is_professional(session, PRO)
        assert await is_professional(session, STAFF)  # staff may guide families too
        assert not await is_professional(session, 702)
        assert [m.user_id for m in await staff_members(session, frozenset())] == [STAFF]
        assert [(p.user_id, p.label) for p in await professionals(session)] == [(PRO, "Maria")]
        # The start-up sweep of stale staff rights never turns a professional into staff.
        assert await clear_stale_staff(session, frozenset()) == [STAFF]
        second = await create_invite(session, STAFF, None, NOW, PROFESSIONAL_ROLE)
        assert (await redeem_invite(session, f"staff-{second.token}", PRO, NOW)).outcome is (
            Redeemed.ALREADY_PROFESSIONAL
        )
        assert await revoke_professional(session, PRO)
        assert not await is_professional(session, PRO)
        assert not await revoke_professional(session, PRO)
        roles = (await session.execute(select(StaffInvite.role))).scalars().all()
    assert sorted(roles) == ["professional", "professional"]
    assert Role.PROFESSIONAL.value == PROFESSIONAL_ROLE


# ------------------------------------------------------------------ indicators


async def test_paths_are_counted_by_month_and_municipality_and_small_ones_hidden(
    sessions: async_sessionmaker[AsyncSession], i18n: I18n
) -> None:
    """Created and opened paths reach the report through the recorder, anonymous; the path
    rows of actions-by-month are the column totals of paths-by-municipality; a place with
    fewer than five is folded into "other" and its small figures are hidden."""
    march = IndicatorRecorder(counted=True, locale="fi", now=datetime(2027, 3, 15, tzinfo=UTC))
    for place, created, opened in (("285", 6, 7), ("286", 5, 5)):
        for _ in range(created):
            march.path("path_created", place, ["kotka-open-ecec", "mll-line"])
        for _ in range(opened):
            march.path("path_opened", place, ["kotka-open-ecec"])
    april = IndicatorRecorder(counted=True, locale="fi", now=datetime(2027, 4, 15, tzinfo=UTC))
    for _ in range(2):
        april.path("path_created", "075", ["kotka-open-ecec"])
    opted_out = IndicatorRecorder(counted=False, locale="fi")
    opted_out.path("path_created", "285", ["kotka-open-ecec"])
    assert opted_out.pending == []
    async with sessions() as session:
        await march.flush(session)
        await april.flush(session)
        rows = (await session.execute(select(IndicatorEvent))).scalars().all()
        report = await build_report(session, MonthRange.parse("2027-03", "2027-03"))
        small = await build_report(session, MonthRange.parse("2027-04", "2027-04"))
        kotka = await build_report(session, MonthRange.parse("2027-03", "2027-03"), "285")
    assert {(r.kind, r.municipality, r.session) for r in rows} == {
        ("path_created", "285", None),
        ("path_opened", "285", None),
        ("path_created", "286", None),
        ("path_opened", "286", None),
        ("path_created", "075", None),
    }
    figures = report.table("paths-by-municipality").by_position
    assert figures["285", "path_created"].value == 6
    assert figures["285", "path_opened"].value == 7
    assert figures["286", "path_opened"].value == 5
    actions = report.table("actions-by-month").by_position
    for kind, total in (("path_created", 11), ("path_opened", 12)):
        assert figures[None, kind].value == actions[kind, None].value == total
    services = report.table("services-on-paths").by_position
    assert services["kotka-open-ecec", "paths"].value == 11
    assert services["mll-line", "paths"].value == 11
    few = small.table("paths-by-municipality")
    assert few.rows.ids == (OTHER,)  # a row named "Hamina" would tell someone there did
    assert not few.by_position[OTHER, "path_created"].shown
    # Municipality reports leave paths out, as they leave out actions-by-month.
    assert "paths-by-municipality" not in {t.id for t in kotka.tables()}
    # The HTML and CSV reports carry the section, in every language.
    for locale in ("fi", "en", "ar"):
        t = i18n[locale]
        page = render(report, Format.HTML, t, date(2027, 5, 2))
        assert t("report-section-paths") in page
        assert t("report-table-paths-by-municipality") in page
    rows = list(csv.reader(io.StringIO(render(report, Format.CSV, i18n["en"], date(2027, 5, 2)))))
    cells = [cell for row in rows for cell in row]
    assert "paths-by-municipality" in cells  # CSV names tables by id, rows by label
    assert "Service path opened" in cells
