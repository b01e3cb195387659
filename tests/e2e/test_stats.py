"""End-to-end: ``/stats`` gives staff a summary of the last whole month and the HTML report."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.emulator.telegram import FakeTelegram
from bot.indicators.period import shift
from tests.e2e.conftest import BotProcess, start_and_wait
from tests.indicator_data import insert_events, synthetic_year

STAFF, ARABIC_STAFF, FAMILY = 900001, 900002, 8301


async def test_staff_get_a_summary_and_the_report_others_are_refused(
    fake: FakeTelegram, bot_env: dict[str, str], bot_process: BotProcess, db: AsyncEngine
) -> None:
    bot_env["STAFF_IDS"] = f"{STAFF},{ARABIC_STAFF}"
    await start_and_wait(bot_process, fake)  # the bot has migrated the database
    this_month = datetime.now(ZoneInfo("Europe/Helsinki")).strftime("%Y-%m")
    last_month = shift(this_month, -1)
    rows = synthetic_year(300, seed=5)
    for row in rows:
        row["month"] = last_month
    # This month's dialogs are not in /stats: a month is published once it has ended, so that
    # two reports of it a day apart cannot tell what that day added.
    early = synthetic_year(20, seed=6)
    for row in early:
        row["month"] = this_month
    await insert_events(db, rows + early)
    fake.user(STAFF, language_code="en")
    fake.user(ARABIC_STAFF, language_code="ar")
    fake.user(FAMILY, language_code="fi")

    fake.send_command(STAFF, "/stats")
    summary = await fake.wait_message(STAFF)
    assert summary.text is not None
    assert summary.text.startswith("📊 Valo: ")
    assert "(all municipalities)" in summary.text
    assert "Dialogs: 300." in summary.text
    assert '"<5" means fewer than five' in summary.text
    report = await fake.wait_message(STAFF)
    assert report.method == "sendDocument"
    assert report.document is not None
    assert report.document.filename.startswith("valo-indicators-")
    assert report.document.filename.endswith(f"-{last_month}_{last_month}.html")
    assert report.document.mime_type == "text/html"
    page = report.document.data.decode()
    assert page.startswith('<!DOCTYPE html>\n<html lang="en">')
    assert "<title>Valo indicators: " in page
    assert report.text is not None
    assert report.text.startswith("Valo indicators, ")

    # Arabic: the summary in Arabic, the report in English, and the caption says so.
    fake.send_command(ARABIC_STAFF, "/stats")
    summary = await fake.wait_message(ARABIC_STAFF)
    assert summary.text is not None
    assert "المحادثات: 300." in summary.text
    report = await fake.wait_message(ARABIC_STAFF)
    assert report.document is not None
    assert report.document.data.startswith(b'<!DOCTYPE html>\n<html lang="en">')
    assert report.text is not None
    assert "ملف التقرير باللغة الإنجليزية" in report.text

    fake.send_command(STAFF, "/stats", "2026-13")
    refusal = await fake.wait_message(STAFF)
    assert refusal.text is not None
    assert refusal.text.startswith("Please give whole months as YYYY-MM")

    fake.send_command(STAFF, "/stats", this_month)  # still running: not published
    refusal = await fake.wait_message(STAFF)
    assert refusal.text is not None
    assert "months that have ended" in refusal.text

    fake.send_command(FAMILY, "/stats")
    refused = await fake.wait_message(FAMILY)
    assert refused.text == "Anteeksi, tämä ei ole sallittua."
    assert not [m for m in fake.messages(FAMILY) if m.method == "sendDocument"]
