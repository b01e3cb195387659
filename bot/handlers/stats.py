"""``/stats`` for staff: the indicators of the last whole month in a few lines, and the full
report as a self-contained HTML file. On the staff role's router (``bot.roles``) like
every staff command; anyone else gets "not allowed"."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date, datetime

from aiogram.filters import Command, CommandObject
from aiogram.types import BufferedInputFile, Message

from bot.catalog.cards import language_name
from bot.config import Settings
from bot.db.engine import make_engine, make_sessionmaker
from bot.i18n import I18n, Translator
from bot.indicators.assemble import build_report
from bot.indicators.formats import Format, file_name, render, report_locale
from bot.indicators.period import MonthRange, PeriodError, PeriodProblem
from bot.indicators.render import Labels, summary_text
from bot.roles import Role, role_router

router = role_router(Role.STAFF, "stats")


def stats_period(args: str | None, today: date) -> MonthRange:
    """``/stats`` (the last whole month: a window of days would cut months, and reports are
    made of whole months, see :mod:`bot.indicators.assemble`), ``/stats 2026-03`` or
    ``/stats 2026-01 2026-06``, months that have ended; PeriodError for anything else."""
    words = (args or "").split()
    if not words:
        return MonthRange.last_whole_month(today)
    if len(words) > 2:
        raise PeriodError(PeriodProblem.FORMAT, "at most two months")
    return MonthRange.parse(*words).check_ended(today)


@dataclass(frozen=True)
class _StatsReply:
    summary: str
    page: str
    file_name: str
    period: str


@router.message(Command("stats"))
async def stats_command(
    message: Message,
    command: CommandObject,
    settings: Settings,
    i18n: I18n,
    t: Translator,
) -> None:
    today = datetime.now(settings.tz).date()
    try:
        period = stats_period(command.args, today)
    except PeriodError:
        await message.answer(t("stats-bad-period"))
        return
    # Reports are made in Finnish and English; an Arabic-speaking staff member is told which.
    locale = report_locale(t.locale)
    # A report over many months is seconds of CPU (bench/README.md): made on a thread with
    # its own event loop and database connection, so every family's update goes on meanwhile.
    reply = await asyncio.to_thread(
        asyncio.run, _make_report(settings.database_url, period, t, i18n[locale], today)
    )
    await message.answer(reply.summary)
    caption = t("stats-caption", period=reply.period)
    if locale != t.locale:
        caption += "\n" + t("stats-report-language", language=language_name(locale, t))
    document = BufferedInputFile(reply.page.encode(), filename=reply.file_name)
    await message.answer_document(document, caption=caption)


async def _make_report(
    database_url: str, period: MonthRange, t: Translator, page_t: Translator, today: date
) -> _StatsReply:
    """The summary (in ``t``'s language) and the HTML report (in ``page_t``'s)."""
    engine = make_engine(database_url)
    try:
        async with make_sessionmaker(engine)() as session:
            report = await build_report(session, period)
    finally:
        await engine.dispose()
    labels = Labels(t, report.service_names)
    return _StatsReply(
        summary=summary_text(report, labels),
        page=render(report, Format.HTML, page_t, today),
        file_name=file_name(report, Format.HTML),
        period=labels.period(report),
    )
