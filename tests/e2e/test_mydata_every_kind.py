"""/mydata shows every kind of data it finds for the person, in their language: a person with
one of each kind sees a line for each, and the JSON file holds every row (dialog state too,
whichever backend keeps it). And the worker erases every kind of an inactive family."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db.engine import make_sessionmaker
from bot.db.personal_data import Kind
from bot.emulator.telegram import FakeTelegram
from bot.i18n import I18n
from tests.conftest import REPO
from tests.e2e.conftest import BotProcess, eventually, start_and_wait
from tests.privacy_support import (
    PERSON_TABLES,
    SEEDED_KINDS,
    fsm_storage,
    has_state,
    rows_about,
    seed_every_kind,
)

# One of each kind gives these counts: two dialog keys, an accepted invite and an announcement.
COUNTS = {
    Kind.DIALOG: 2,
    Kind.REMINDERS: 1,
    Kind.SUBSCRIPTIONS: 1,
    Kind.DELIVERIES: 1,
    Kind.CARD_MARKS: 1,
    Kind.STAFF: 2,
}


@pytest.mark.parametrize(("user_id", "locale"), [(8101, "fi"), (8102, "en"), (8103, "ar")])
async def test_mydata_names_every_kind_found(
    fake: FakeTelegram,
    running_bot: BotProcess,
    db: AsyncEngine,
    redis_url: str | None,
    user_id: int,
    locale: str,
) -> None:
    sessions = make_sessionmaker(db)
    async with fsm_storage(sessions, redis_url) as storage:
        await seed_every_kind(
            sessions, storage, user_id, last_seen=datetime.now(UTC), locale=locale
        )
    t = I18n.load(REPO / "locales", UTC, strict=True)[locale]

    fake.user(user_id, language_code=locale)
    fake.send_command(user_id, "/mydata")
    summary = await fake.wait_message(user_id)
    assert summary.text is not None
    lines = summary.text.splitlines()
    assert lines[0] == t("mydata-text")
    for kind, count in COUNTS.items():
        assert t(f"mydata-kind-{kind}", count=count) in lines, (kind, summary.text)
    language_line = t(
        "mydata-kind-account", locale=locale, first_seen="", last_seen="", counted="yes"
    ).splitlines()[0]
    assert language_line in lines
    assert set(COUNTS) | {Kind.ACCOUNT} == SEEDED_KINDS

    document = await fake.wait_message(user_id)
    assert document.document is not None
    tables = json.loads(document.document.data)["tables"]
    assert PERSON_TABLES - {"fsm_states"} <= set(tables)
    dialog = tables["fsm_states"] if redis_url is None else tables["fsm_redis"]
    assert len(dialog) == (2 if redis_url is None else 4)  # Redis: state and data per key


async def test_the_worker_erases_an_inactive_family_on_its_daily_run(
    fake: FakeTelegram,
    bot_process: BotProcess,
    bot_env: dict[str, str],
    engine: AsyncEngine,  # the database, migrated before the bot starts
    redis_url: str | None,
) -> None:
    """The retention job of the leased worker (here inside ``run``) runs on start: the family
    last seen 40 days ago is gone, rows and dialog state; the one seen yesterday stays."""
    bot_env["INACTIVE_RETENTION_DAYS"] = "35"
    sessions = make_sessionmaker(engine)
    now = datetime.now(UTC)
    async with fsm_storage(sessions, redis_url) as storage:
        await seed_every_kind(sessions, storage, 8201, last_seen=now - timedelta(days=40))
        await seed_every_kind(sessions, storage, 8202, last_seen=now - timedelta(days=1))
        kept = await rows_about(sessions, 8202)

        await start_and_wait(bot_process, fake)

        async def erased() -> bool:
            return await rows_about(sessions, 8201) == {"broadcasts": 1}

        await eventually(erased, 30.0, "the inactive family was not erased", bot_process)
        assert not await has_state(storage, 8201)
        assert await rows_about(sessions, 8202) == kept
        assert await has_state(storage, 8202)
    await bot_process.stop()
    log = bot_process.log()
    assert "inactive retention: 1 families erased" in log
    assert "8201" not in log  # counts only
