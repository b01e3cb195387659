"""The CSV report opened in a spreadsheet: no cell may become a formula (CSV injection).

Catalogue texts (service names) reach the report's row labels; a name such as
``=HYPERLINK(...)`` would run as a formula in Excel or LibreOffice. OWASP's advice: a cell that
starts with ``= + - @``, a tab or a carriage return gets a leading apostrophe.
"""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from bot.config import LOCALES_PATH
from bot.i18n import I18n
from bot.indicators.formats import Format, render
from bot.indicators.period import MonthRange
from bot.indicators.render import spreadsheet_safe
from bot.indicators.report import build_report
from tests.indicator_data import insert_events, synthetic_year

I18N = I18n.load(LOCALES_PATH, ZoneInfo("Europe/Helsinki"), strict=True)
FORMULAS = ('=HYPERLINK("http://example.invalid","x")', "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1")


async def test_service_names_that_look_like_formulas_stay_text(engine: AsyncEngine) -> None:
    await insert_events(engine, synthetic_year(600, seed=7))
    async with async_sessionmaker(engine)() as session:
        report = await build_report(session, MonthRange.parse("2026-01", "2026-12"))
    ids = sorted(report.service_ids())
    assert ids
    names = {
        sid: {loc: FORMULAS[n % len(FORMULAS)] for loc in ("fi", "en", "ar")}
        for n, sid in enumerate(ids)
    }
    report = replace(report, service_names=names)
    lines = list(csv.reader(io.StringIO(render(report, Format.CSV, I18N["fi"], date(2027, 1, 4)))))
    labels = {line[5] for line in lines[1:]}
    assert {"'" + f for f in FORMULAS[: len(ids)]} <= labels, labels
    for line in lines:
        for cell in line:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), line


def test_numbers_stay_numbers() -> None:
    assert spreadsheet_safe("-0.25") == "-0.25"
    assert spreadsheet_safe("12") == "12"
    assert spreadsheet_safe("<5") == "<5"
    assert spreadsheet_safe("-") == "'-"
    assert spreadsheet_safe("=1+1") == "'=1+1"
