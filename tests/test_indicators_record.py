"""Recording anonymous indicator events: what the recorder writes, and what it never does."""

from __future__ import annotations

import logging
import random
import re
from datetime import UTC, datetime
from typing import Any, ClassVar

import pytest
from sqlalchemy import Date, DateTime, Time, delete, select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db import migrate
from bot.db.engine import make_engine, make_sessionmaker
from bot.db.models import IndicatorEvent
from bot.flow.loader import load_dialogs
from bot.flow.model import DONE, SKIP, default_municipalities
from bot.flow.runner import Runner
from bot.indicators import KINDS
from bot.indicators.record import IndicatorMiddleware, IndicatorRecorder
from tests.conftest import REPO

NEEDS = load_dialogs(REPO / "dialogs", REPO / "locales")["needs"]
NOW = datetime(2026, 11, 30, 23, 59, tzinfo=UTC)


def walk(recorder: IndicatorRecorder, source: str | None = None) -> None:
    """Kotka, a child of 3-5, "talk" and "finnish", languages skipped, then the results."""
    runner = Runner(NEEDS, default_municipalities(), recorder, random.Random(3))
    now = runner.start(source=source)
    for choice in ("285", "3-5", DONE, "talk", "finnish", DONE, SKIP):
        now = runner.press(now.state, now.step.press(choice))
    assert now.step.kind == "result"
    recorder.results(["svc-a", "svc-b"], ["integration-language"])


def test_a_dialog_is_recorded_as_ids_with_one_session() -> None:
    recorder = IndicatorRecorder(counted=True, locale="ar", now=NOW)
    walk(recorder, source="poster_kotka")
    rows = recorder.pending
    assert {r.kind for r in rows} <= set(KINDS)
    assert {r.month for r in rows} == {"2026-11"}
    assert {r.locale for r in rows} == {"ar"}
    sessions = {r.session for r in rows}
    assert len(sessions) == 1
    assert next(iter(sessions))
    started = rows[0]
    assert (started.kind, started.source, started.tree, started.node) == (
        "started",
        "poster_kotka",
        "needs",
        "where",
    )
    answered = [(r.node, r.items) for r in rows if r.kind == "answered"]
    assert answered == [("where", "285"), ("ages", "3-5"), ("help", "talk finnish")]
    assert [r.node for r in rows if r.kind == "skipped"] == ["languages"]
    help_row = next(r for r in rows if r.kind == "answered" and r.node == "help")
    assert set((help_row.needs or "").split()) == {"parenting-support", "integration-language"}
    shown = rows[-1]
    assert shown.kind == "results_shown"
    assert (shown.items, shown.gaps, shown.municipality) == (
        "svc-a svc-b",
        "integration-language",
        "285",
    )


def test_no_match_is_recorded_as_no_items() -> None:
    recorder = IndicatorRecorder(counted=True, locale="fi")
    walk(recorder)
    recorder.results([], [])
    shown = recorder.pending[-1]
    assert (shown.kind, shown.items, shown.gaps) == ("results_shown", "", "")


def test_a_family_that_opted_out_is_not_recorded_at_all() -> None:
    recorder = IndicatorRecorder(counted=False, locale="fi")
    walk(recorder, source="poster_kotka")
    recorder.action("card_flagged", "svc-a")
    recorder.action("subscribed", "285:art")
    assert recorder.pending == []


def test_actions_carry_the_item_and_no_session() -> None:
    recorder = IndicatorRecorder(counted=True, locale="en", now=NOW)
    recorder.action("reminder_set", "kotka-art-1")
    recorder.action("subscribed", "285:art")
    assert [(r.kind, r.items, r.session, r.month) for r in recorder.pending] == [
        ("reminder_set", "kotka-art-1", None, "2026-11"),
        ("subscribed", "285:art", None, "2026-11"),
    ]


async def test_flush_writes_everything_in_one_go(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    recorder = IndicatorRecorder(counted=True, locale="fi")
    walk(recorder)
    expected = [(r.kind, r.node, r.items) for r in recorder.pending]
    async with sessions() as session:
        assert await recorder.flush(session) == len(expected)
        assert recorder.pending == []
        assert await recorder.flush(session) == 0
    async with sessions() as session:
        rows = (await session.scalars(select(IndicatorEvent))).all()
    # In no particular order: see test_rows_cannot_be_put_back_in_the_order_they_were_written.
    assert sorted((r.kind, r.node or "", r.items or "") for r in rows) == sorted(
        (kind, node or "", items or "") for kind, node, items in expected
    )


ROWS = 30  # 30! orders: one matching the order of writing by chance never happens


async def _ids_and_order(session: AsyncSession, physical: str | None) -> list[tuple[str, str]]:
    """(id, items) of every row, in the order the storage keeps them (``physical``)."""
    order = f" ORDER BY {physical}" if physical else ""
    rows = await session.execute(text(f"SELECT id, items FROM indicator_events{order}"))
    return [(str(row.id), str(row.items)) for row in rows]


async def test_rows_cannot_be_put_back_in_the_order_they_were_written(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    """Neither the ids nor, within an update, the storage's own order tell which row came
    first: a sequence could be lined up with timestamped rows (last_seen, updated_at)."""
    written = [f"svc-{n:02}" for n in range(ROWS)]
    async with sessions() as session:
        for item in written:  # one update each: one transaction each
            recorder = IndicatorRecorder(counted=True, locale="fi", now=NOW)
            recorder.action("card_location", item)
            await recorder.flush(session)
        by_id = sorted(await _ids_and_order(session, None))
        assert all(re.fullmatch(r"[0-9a-f]{32}", row_id) for row_id, _ in by_id)
        assert sorted(item for _, item in by_id) == written
        assert [item for _, item in by_id] != written

        await session.execute(delete(IndicatorEvent))
        await session.commit()
        recorder = IndicatorRecorder(counted=True, locale="fi", now=NOW)
        for item in written:  # one update's events: one transaction
            recorder.action("card_location", item)
        await recorder.flush(session)
        if session.get_bind().dialect.name == "sqlite":
            # No rowid behind the ids: SQLite keeps the rows in id order.
            with pytest.raises(OperationalError, match="rowid"):
                await _ids_and_order(session, "rowid")
        else:  # PostgreSQL's heap keeps insertion order: the rows went in shuffled
            stored = [item for _, item in await _ids_and_order(session, "ctid")]
            assert sorted(stored) == written
            assert stored != written


def test_no_indicator_column_keeps_a_time_finer_than_the_month() -> None:
    table = IndicatorEvent.__table__
    assert [c.name for c in table.c if isinstance(c.type, (DateTime, Date, Time))] == []
    assert IndicatorRecorder(counted=True, locale="fi", now=NOW)._row("x").month == "2026-11"


async def test_the_migration_gives_existing_rows_random_ids_in_random_order(
    database_url: str,
) -> None:
    engine = make_engine(database_url)
    try:
        await migrate.upgrade(engine, "0006")
        async with engine.begin() as conn:
            for n in range(ROWS):
                await conn.execute(
                    text(
                        "INSERT INTO indicator_events (id, month, kind, items) "
                        "VALUES (:id, '2026-11', 'card_location', :items)"
                    ),
                    {"id": n + 1, "items": f"svc-{n:02}"},
                )
        await migrate.upgrade(engine)
        async with make_sessionmaker(engine)() as session:
            by_id = sorted(await _ids_and_order(session, None))
            postgres = engine.dialect.name == "postgresql"
            stored = await _ids_and_order(session, "ctid") if postgres else by_id
        assert all(re.fullmatch(r"[0-9a-f]{32}", row_id) for row_id, _ in by_id)
        written = [f"svc-{n:02}" for n in range(ROWS)]
        assert sorted(item for _, item in by_id) == written
        assert [item for _, item in by_id] != written
        assert [item for _, item in stored] != written
        await migrate.downgrade(engine, "0006")  # and back, on this backend too
        await migrate.upgrade(engine)
    finally:
        await engine.dispose()


class _User:
    def __init__(self, counted: bool) -> None:
        self.counted = counted


class _Choice:
    locale = "en"


async def test_the_middleware_writes_after_the_handler_and_a_failed_write_is_dropped(
    sessions: async_sessionmaker[AsyncSession], caplog: pytest.LogCaptureFixture
) -> None:
    middleware = IndicatorMiddleware()

    async def handler(event: Any, data: dict[str, Any]) -> str:
        assert data["flow_observer"] is data["indicators"]
        data["indicators"].action("event_opened", "e1")
        return "replied"

    async with sessions() as session:
        data: dict[str, Any] = {"user": _User(True), "locale_choice": _Choice(), "session": session}
        assert await middleware(handler, object(), data) == "replied"
        counted = (await session.scalars(select(IndicatorEvent.items))).all()
    assert counted == ["e1"]

    async with sessions() as session:
        data = {"user": _User(False), "locale_choice": _Choice(), "session": session}
        assert await middleware(handler, object(), data) == "replied"
        assert (await session.scalars(select(IndicatorEvent.items))).all() == ["e1"]

    class Broken:
        info: ClassVar[dict[str, Any]] = {}

        def in_transaction(self) -> bool:
            raise ConnectionError("database went away")

    caplog.set_level(logging.WARNING, "bot.indicators.record")
    data = {"user": _User(True), "locale_choice": _Choice(), "session": Broken()}
    assert await middleware(handler, object(), data) == "replied"
    assert "indicator events not written: ConnectionError" in caplog.text
