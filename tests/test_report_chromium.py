"""The HTML report opens in headless Chromium without a console error, and looks like a report.

Chromium is Debian's ``chromium`` (``.ci/run`` installs it). Without it the test is skipped on
a developer's machine and fails under CI, which must run it.
"""

from __future__ import annotations

import os
import struct
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.config import LOCALES_PATH
from bot.i18n import I18n
from bot.indicators.assemble import build_report
from bot.indicators.formats import Format, render
from bot.indicators.period import MonthRange
from tests.headless_chromium import find_chromium, visit
from tests.indicator_data import insert_events, synthetic_year

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def chromium() -> str:
    found = find_chromium()
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed; CI must open the HTML report in it")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    return found


def png_size(data: bytes) -> tuple[int, int]:
    assert data.startswith(PNG_SIGNATURE), "not a PNG"
    width, height = struct.unpack(">II", data[16:24])  # the IHDR chunk comes first
    return width, height


async def test_the_html_report_opens_without_errors(
    chromium: str,
    engine: AsyncEngine,
    sessions: async_sessionmaker[AsyncSession],
    tmp_path: Path,
) -> None:
    await insert_events(engine, synthetic_year(2_000))
    async with sessions() as session:
        report = await build_report(session, MonthRange.parse("2026-01", "2026-12"))
    t = I18n.load(LOCALES_PATH, ZoneInfo("Europe/Helsinki"), strict=True)["fi"]
    page = tmp_path / "report.html"
    page.write_text(render(report, Format.HTML, t, date(2027, 1, 4)), encoding="utf-8")

    seen = await visit(chromium, page, tmp_path / "profile")

    assert seen.errors == []
    assert seen.title.startswith("Valon indikaattorit")
    shot = tmp_path / "report.png"
    shot.write_bytes(seen.screenshot)
    assert shot.stat().st_size > 10_000  # a page of text and charts, not a blank
    assert png_size(shot.read_bytes()) == (1280, 1600)


async def test_the_check_catches_a_broken_page(chromium: str, tmp_path: Path) -> None:
    page = tmp_path / "broken.html"
    page.write_text(
        "<!DOCTYPE html><html><head><title>broken</title></head><body>"
        '<script>console.error("boom"); undefined_function();</script>'
        '<img src="missing.png" alt=""></body></html>',
        encoding="utf-8",
    )
    seen = await visit(chromium, page, tmp_path / "profile")
    assert any("boom" in e for e in seen.errors), seen.errors
    assert any("undefined_function" in e for e in seen.errors), seen.errors
    assert any("missing.png" in e for e in seen.errors), seen.errors
