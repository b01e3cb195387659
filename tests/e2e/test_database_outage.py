"""A database outage in the middle of a broadcast: a TCP proxy owned by the test sits between
``valo-bot worker`` and PostgreSQL and cuts every connection for a few seconds, while one send
is in flight at the fake Bot API server. The worker retries with backoff and finishes: every
reachable family receives the broadcast exactly once, and the ledger and the staff report agree
with what the fake server saw.

PostgreSQL only: SQLite has no connection to cut. The test is defined only on the PostgreSQL
run, because a skip would fail the SQLite run in CI (``CI=true`` turns skips into failures).
"""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy.engine import make_url

from bot.db.engine import make_engine, make_sessionmaker
from bot.delivery.broadcasts import AudienceKind, BroadcastDraft, create_broadcast
from bot.delivery.ledger import FINAL_STATES, State
from bot.emulator.telegram import FakeTelegram
from tests.conftest import PG_URL
from tests.delivery_support import add_users, register_chats
from tests.e2e.conftest import BotProcess
from tests.e2e.tcp_proxy import TcpProxy
from tests.e2e.test_broadcast import STAFF, prepare, report_counts, wait_report
from tests.e2e.test_delivery_crash import wait_for_db

FAMILIES = {8401 + n: "en" for n in range(12)}
HELD = 8404  # this family's message is in flight at the fake server when the database goes
BLOCKED = 8406  # this family has blocked the bot (403): not reachable
TEXT = "Perhekahvila on auki torstaina."
OUTAGE = 3.0  # seconds the database stays unreachable, counted from the cut


async def _database_outage_mid_broadcast(
    fake: FakeTelegram, bot_env: dict[str, str], database_url: str, tmp_path: Path
) -> None:
    await prepare(bot_env, database_url, tmp_path, FAMILIES)
    register_chats(fake, {**FAMILIES, STAFF: "en"})
    engine = make_engine(database_url)  # the test's own connection, not through the proxy
    sessions = make_sessionmaker(engine)
    await add_users(sessions, {STAFF: "en"}, datetime.now(UTC) - timedelta(days=1))
    url = make_url(database_url)
    assert url.host is not None
    assert url.port is not None
    worker: BotProcess | None = None
    try:
        async with TcpProxy(url.host, url.port) as proxy:
            bot_env.update(
                DATABASE_URL=url.set(host="127.0.0.1", port=proxy.port).render_as_string(
                    hide_password=False
                ),
                SWEEP_INTERVAL="0.2",
                WORKER_LEASE_SECONDS="10",  # longer than the outage: the lease is kept
                BROADCAST_RATE="5",  # slow enough that the cut lands mid-broadcast
                PER_CHAT_INTERVAL="0",
            )
            worker = BotProcess(bot_env, tmp_path / "worker.log", role="worker")
            held_fault = fake.hold("sendMessage", chat_id=HELD)
            fake.fail_403(chat_id=BLOCKED, methods="sendMessage")
            async with sessions() as session:
                draft = BroadcastDraft(texts={"fi": TEXT}, audience=AudienceKind.ALL)
                now = datetime.now(UTC)
                broadcast = await create_broadcast(session, draft, STAFF, now, now)
            await worker.start()

            # One send is in flight when the database goes away (Telegram has stored the
            # message); its outcome must still be recorded once the database is back.
            held = await fake.held_event(held_fault, timeout=60.0)
            loop = asyncio.get_running_loop()
            cut_at = loop.time()
            proxy.cut()
            held.release()
            # Woken by each connection the worker tries while the database is away, until it
            # has kept trying for OUTAGE seconds.
            while loop.time() - cut_at < OUTAGE:
                await proxy.wait_refused(proxy.refused + 1, timeout=30.0)
            refused = proxy.refused
            proxy.restore()
            assert worker.proc is not None
            assert worker.proc.returncode is None, worker.log()

            report = await wait_report(fake, broadcast.id, timeout=60.0)
            rows = await wait_for_db(
                sessions, lambda rows: all(r.state in FINAL_STATES for r in rows), 10.0, worker
            )
            reachable = set(FAMILIES) - {BLOCKED}
            assert sorted((r.user_id, r.state) for r in rows) == sorted(
                [(chat, State.SENT.value) for chat in reachable] + [(BLOCKED, State.BLOCKED.value)]
            ), [(r.user_id, r.state, r.detail) for r in rows]
            for chat in FAMILIES:
                calls = [c for c in fake.calls("sendMessage") if int(c.params["chat_id"]) == chat]
                assert len(calls) == 1, (chat, [c.status for c in calls])  # nobody twice
                received = [m.text for m in fake.messages(chat)]
                assert received == ([] if chat == BLOCKED else [TEXT]), (chat, received)
            assert report_counts(report) == {
                "sent": len(reachable),
                "blocked": 1,
                "failed": 0,
                "unknown": 0,
            }
            assert f"Recipients: {len(FAMILIES)}" in report

            log = worker.log()
            assert "database unreachable" in log, log
            assert "Traceback" not in log, log
            # Backoff: the waits between tries grow (0.1 s, 0.2 s, 0.4 s... with jitter, up to
            # a tenth of the lease), and the worker's retrying tasks knock some dozens of
            # times, not in a busy loop.
            waits = [
                float(w) for w in re.findall(r"unreachable \(.*\); retrying in ([0-9.]+)s", log)
            ]
            assert max(waits, default=0.0) >= 0.4, waits
            assert 3 <= refused <= 200, refused
            assert await worker.stop() == 0, worker.log()
    finally:
        if worker is not None:
            if worker.proc is not None:
                await worker.kill()
            print(worker.log())
        await engine.dispose()


if PG_URL is not None:

    async def test_database_outage_mid_broadcast_loses_nothing_and_sends_nothing_twice(
        fake: FakeTelegram, bot_env: dict[str, str], database_url: str, tmp_path: Path
    ) -> None:
        await _database_outage_mid_broadcast(fake, bot_env, database_url, tmp_path)
