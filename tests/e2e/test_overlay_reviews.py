"""End-to-end: staff see what PTV changed under a service's curated texts (old → new, under
/flags) and mark it checked; a family member reaches neither the list nor its button."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.db.models import CatalogReview
from bot.emulator.telegram import FakeTelegram
from tests.e2e.conftest import BotProcess, start_and_wait
from tests.test_overlay import changed, curation, ptv_version, sync

FAMILY, STAFF = 8301, 900001  # STAFF_IDS in bot_env
NOT_ALLOWED_FI = "Anteeksi, tämä ei ole sallittua."


async def test_staff_see_a_ptv_change_and_mark_it_checked_a_family_cannot(
    fake: FakeTelegram,
    bot_env: dict[str, str],
    bot_process: BotProcess,
    sessions: async_sessionmaker[AsyncSession],
    db: AsyncEngine,
    tmp_path: Path,
) -> None:
    # Two nightly syncs of a curated PTV service; the second brings a new phone number.
    applied = curation()
    await sync(sessions, applied, [ptv_version()])
    await sync(sessions, applied, [changed(ptv_version(), phone="+358401234567")])
    async with sessions() as session:
        review_id = await session.scalar(select(CatalogReview.id))
    assert review_id is not None
    fake.user(FAMILY, language_code="fi")
    fake.user(STAFF, language_code="en")
    # The synced service alone: importing the YAML catalogue on start-up is not what this is about.
    bot_env["CATALOG_PATH"] = str(tmp_path / "no-catalogue")
    await start_and_wait(bot_process, fake)

    fake.send_command(FAMILY, "/flags")
    assert (await fake.wait_message(FAMILY)).text == NOT_ALLOWED_FI

    fake.send_command(STAFF, "/flags")
    staff_screen = await fake.wait_message(STAFF)
    assert staff_screen.text is not None
    lines = staff_screen.text.splitlines()
    assert "Translations to check" in lines
    assert any(
        line.startswith(
            "• Online upper secondary school for adults: phone: 044 794 3552 → 040 123 4567 ("
        )
        for line in lines
    ), lines
    button = f"sr:{review_id}"
    assert [(b["text"], b["callback_data"]) for b in staff_screen.buttons] == [
        ("✅ Checked: Online upper secondary schoo, phone", button)
    ]

    # The family forges the staff button: refused, nothing marked.
    forged = fake.press(FAMILY, staff_screen, button, forged=True)
    answer = await fake.wait_callback_answer(forged["callback_query"]["id"])
    assert answer.text == NOT_ALLOWED_FI
    async with db.connect() as conn:
        assert (await conn.execute(select(CatalogReview.resolved_at))).scalar_one() is None

    pressed = fake.press(STAFF, staff_screen, button)
    answer = await fake.wait_callback_answer(pressed["callback_query"]["id"])
    assert answer.text == "Marked as checked."
    after = await fake.wait_message(STAFF)
    assert after.text == "No open reports. Thank you for keeping the information right!"
    async with db.connect() as conn:
        assert (await conn.execute(select(CatalogReview.resolved_at))).scalar_one() is not None
    await bot_process.stop()
