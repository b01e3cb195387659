"""/mydata shows every kind of data it finds for the person, in their language: a person with
one of each kind sees a line for each, and the JSON file holds every row (dialog state too,
whichever backend keeps it)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db.engine import make_sessionmaker
from bot.db.personal_data import Kind
from bot.emulator.telegram import FakeTelegram
from bot.i18n import I18n
from tests.conftest import REPO
from tests.e2e.conftest import BotProcess
from tests.privacy_support import SEEDED_KINDS, fsm_storage, seed_every_kind

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
    assert {
        "users",
        "reminders",
        "subscriptions",
        "deliveries",
        "card_flag_marks",
        "staff_invites",
        "broadcasts",
    } <= set(tables)
    dialog = tables["fsm_states"] if redis_url is None else tables["fsm_redis"]
    assert len(dialog) == (2 if redis_url is None else 4)  # Redis: state and data per key
