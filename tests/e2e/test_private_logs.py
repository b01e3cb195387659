"""A database error in the middle of a dialog: the log says what failed, never whose it was
or what they answered.

SQLAlchemy's errors quote the failed statement's parameters, and the error handler logs the
error with its traceback: a locked SQLite or a PostgreSQL error used to write the user's id and
the dialog answers (``"needs": ["crisis-urgent", ...]``) into the log. The test makes the
database refuse writes with triggers (the bot's own code is untouched), drives a family and a
newcomer into them, and reads the bot's log.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.emulator.telegram import FakeTelegram
from tests.e2e.conftest import BotProcess, start_and_wait
from tests.e2e.test_dialog import data_for, open_dialog, press

FAMILY = 7_654_321  # answers the dialog; its answers are saved when the database refuses
NEWCOMER = 7_654_322  # first contact: the bot's insert of the user row is refused

SQLITE_FAILURES = [
    f"CREATE TRIGGER valo_test_{table}_{when} BEFORE {when} ON {table} "
    "BEGIN SELECT RAISE(ABORT, 'injected failure'); END"
    for table, when in (("fsm_states", "INSERT"), ("fsm_states", "UPDATE"), ("users", "INSERT"))
]
POSTGRES_FAILURES = [
    "CREATE FUNCTION valo_test_fail() RETURNS trigger LANGUAGE plpgsql AS "
    "$$ BEGIN RAISE EXCEPTION 'injected failure'; END $$",
    "CREATE TRIGGER valo_test_fsm BEFORE INSERT OR UPDATE ON fsm_states "
    "FOR EACH ROW EXECUTE FUNCTION valo_test_fail()",
    "CREATE TRIGGER valo_test_users BEFORE INSERT ON users "
    "FOR EACH ROW EXECUTE FUNCTION valo_test_fail()",
]


async def refuse_writes(db: AsyncEngine) -> None:
    statements = SQLITE_FAILURES if db.dialect.name == "sqlite" else POSTGRES_FAILURES
    async with db.begin() as conn:
        for statement in statements:
            await conn.execute(text(statement))


async def test_a_database_error_mid_dialog_logs_no_ids_and_no_answers(
    fake: FakeTelegram, bot_process: BotProcess, db: AsyncEngine, redis_url: str | None
) -> None:
    await start_and_wait(bot_process, fake)
    # What start-up logged (catalogue warnings may name the crisis-urgent tag) is not the
    # family's: only what came after the family's first update is searched.
    started = len(bot_process.log())
    question = await open_dialog(fake, FAMILY, "en")
    question = await press(fake, FAMILY, question, "where", "285")
    question = await press(fake, FAMILY, question, "ages", "skip")
    await refuse_writes(db)

    # The answer that records "crisis-urgent": saved in fsm_states when there is no Redis.
    before = fake.sent_count(FAMILY)
    fake.press(FAMILY, question, data_for(question, "help", "urgent"))
    await fake.wait_message(FAMILY, after=before)
    fake.user(NEWCOMER, language_code="en")
    fake.send_command(NEWCOMER, "/start")
    apology = await fake.wait_message(NEWCOMER)
    assert apology.text is not None
    assert apology.text.startswith("Sorry, something went wrong"), apology.text
    assert await bot_process.stop() == 0

    log = bot_process.log()[started:]
    failures = [line for line in log.splitlines() if "ERROR bot.handlers.fallback" in line]
    # The newcomer's update failed, and so did the family's answer when it went to SQL.
    assert len(failures) == (1 if redis_url else 2), log
    assert "injected failure" in log or "sqlstate P0001" in log, log
    for secret in (str(FAMILY), str(NEWCOMER), "crisis-urgent", '"needs"', "urgent"):
        assert secret not in log, (secret, log)
