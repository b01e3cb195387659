"""Work on the event loop that must not grow with the data: the ledger's expiry scans (run by
every sweep, on the loop's own thread on SQLite) and the ``/stats`` report (built off the
loop)."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db import migrate
from bot.db.engine import make_engine, make_sessionmaker, write_transaction
from bot.db.models import Delivery
from bot.delivery.ledger import EXPIRE_BATCH, DeliveryLedger, State
from tests.app_support import in_process_settings

NOW = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)
OVERDUE, LEASE_GONE, HEALTHY = 1_200, 1_100, 3_000


async def fill_ledger(sessions: async_sessionmaker[AsyncSession]) -> None:
    """Pending rows past their expiry, rows sending under an expired lease (half of them
    attempted), and many pending and sending rows that are fine."""
    rows: list[dict[str, Any]] = []

    def row(n: int, state: State, **values: Any) -> dict[str, Any]:
        return {
            "user_id": n,
            "kind": "reminder",
            "ref": f"reminder:{n}",
            "dedup_key": f"test:{n}",
            "payload": {},
            "due_at": NOW - timedelta(hours=2),
            "expires_at": None,
            "state": state.value,
            "attempts": 0,
            "updated_at": NOW - timedelta(hours=2),
            "worker": None,
            "lease_until": None,
            "attempted_at": None,
            **values,
        }

    n = iter(range(1, 10**6))
    for _ in range(OVERDUE):
        rows.append(row(next(n), State.PENDING, expires_at=NOW - timedelta(minutes=5)))
    for i in range(LEASE_GONE):
        attempted = NOW - timedelta(minutes=3) if i % 2 else None
        rows.append(
            row(
                next(n),
                State.SENDING,
                worker="gone",
                lease_until=NOW - timedelta(minutes=1),
                attempted_at=attempted,
            )
        )
    for i in range(HEALTHY):
        rows.append(row(next(n), State.PENDING, expires_at=NOW + timedelta(days=i % 5 + 1)))
        rows.append(
            row(next(n), State.SENDING, worker="alive", lease_until=NOW + timedelta(minutes=1))
        )
    async with sessions() as session, write_transaction(session):
        await session.execute(insert(Delivery), rows)


async def test_expiry_changes_at_most_a_batch_per_statement_and_finishes(
    sessions: async_sessionmaker[AsyncSession], monkeypatch: pytest.MonkeyPatch
) -> None:
    await fill_ledger(sessions)
    ledger = DeliveryLedger(sessions)
    sizes: list[int] = []
    alone = ledger._alone

    async def counted(statement: Any, params: dict[str, Any] | None = None) -> Sequence[Any]:
        rows = await alone(statement, params)
        sizes.append(len(rows))
        return rows  # type: ignore[no-any-return]

    monkeypatch.setattr(ledger, "_alone", counted)
    assert await ledger.expire(NOW) == (LEASE_GONE // 2, OVERDUE)
    assert max(sizes) <= EXPIRE_BATCH
    assert sum(sizes) == OVERDUE + LEASE_GONE
    async with sessions() as session:
        states = dict(
            (
                await session.execute(select(Delivery.state, func.count()).group_by(Delivery.state))
            ).all()
        )
    assert states == {
        "missed": OVERDUE,
        "unknown": LEASE_GONE // 2,
        "pending": HEALTHY + LEASE_GONE // 2,
        "sending": HEALTHY,
    }
    assert await ledger.expire(NOW) == (0, 0)  # nothing left: one empty statement per step


async def test_expiry_reads_only_the_rows_it_changes_through_an_index(tmp_path: Path) -> None:
    """On SQLite (a file of its own, whatever this run's backend): every statement ``expire``
    runs finds its rows by a range of an index on (state, lease_until) or (state,
    expires_at), not by reading every pending or sending row."""
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'plans.db'}")
    statements: list[tuple[str, Any]] = []

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_args: Any) -> None:
        if statement.startswith("UPDATE deliveries"):
            statements.append((statement, parameters))

    try:
        await migrate.upgrade(engine)
        sessions = make_sessionmaker(engine)
        await fill_ledger(sessions)
        event.listen(engine.sync_engine, "before_cursor_execute", record)
        await DeliveryLedger(sessions).expire(NOW)
        event.remove(engine.sync_engine, "before_cursor_execute", record)
        assert statements
        async with engine.connect() as connection:
            for statement, parameters in statements:
                plan = " | ".join(
                    row[-1]
                    for row in (
                        await connection.exec_driver_sql(
                            f"EXPLAIN QUERY PLAN {statement}", parameters
                        )
                    ).all()
                )
                assert "SCAN deliveries" not in plan, plan
                assert (
                    "ix_deliveries_state_lease_until (state=? AND lease_until" in plan
                    or "ix_deliveries_state_expires_at (state=? AND expires_at" in plan
                ), plan
    finally:
        await engine.dispose()


async def test_stats_builds_the_report_off_the_event_loop(
    database_url: str,
    redis_url: str | None,
    sessions: async_sessionmaker[AsyncSession],  # the database comes migrated
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``/stats`` through the real dispatcher: the report (seconds of CPU for a year of
    events) is built on another thread, while the loop's thread goes on serving updates."""
    from aiogram.types import Update

    from bot.app import build_app, prepare_database
    from bot.emulator.telegram import FakeTelegram
    from bot.handlers import stats

    built_on: list[threading.Thread] = []
    real = stats.build_report

    async def recording(*args: Any, **kwargs: Any) -> Any:
        built_on.append(threading.current_thread())
        return await real(*args, **kwargs)

    monkeypatch.setattr(stats, "build_report", recording)
    staff = 900001
    async with FakeTelegram() as fake:
        app = build_app(
            in_process_settings(fake, database_url, redis_url, tmp_path, staff_ids=str(staff))
        )
        try:
            await prepare_database(app)
            fake.user(staff, language_code="en").has_written = True
            update = Update.model_validate(
                {
                    "update_id": 1,
                    "message": {
                        "message_id": 1,
                        "date": 0,
                        "chat": {"id": staff, "type": "private"},
                        "from": {"id": staff, "is_bot": False, "first_name": "S"},
                        "text": "/stats",
                        "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
                    },
                }
            )
            await app.dispatcher.feed_update(app.bot, update)
            summary, document = fake.messages(staff)
        finally:
            await app.close()
    assert (summary.text or "").startswith("📊 Valo: ")
    assert document.method == "sendDocument"
    assert built_on
    assert threading.current_thread() not in built_on
