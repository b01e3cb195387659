"""``/stats`` for staff: the indicators of the last whole month in a few lines, and the full
report as a self-contained HTML file. Checked against the database (``IsStaff``) like every staff
command; anyone else gets "not allowed"."""

from __future__ import annotations

from datetime import date, datetime

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.types import BufferedInputFile, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.catalog.cards import language_name
from bot.config import Settings
from bot.handlers.staff import IsStaff
from bot.i18n import I18n, Translator
from bot.indicators.assemble import build_report
from bot.indicators.formats import Format, file_name, render, report_locale
from bot.indicators.period import MonthRange, PeriodError, PeriodProblem
from bot.indicators.render import Labels, summary_text

router = Router(name="stats")


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


@router.message(Command("stats"), IsStaff())
async def stats_command(
    message: Message,
    command: CommandObject,
    session: AsyncSession,
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
    report = await build_report(session, period)
    labels = Labels(t, report.service_names)
    await message.answer(summary_text(report, labels))
    # Reports are made in Finnish and English; an Arabic-speaking staff member is told which.
    locale = report_locale(t.locale)
    page = render(report, Format.HTML, i18n[locale], today)
    caption = t("stats-caption", period=labels.period(report))
    if locale != t.locale:
        caption += "\n" + t("stats-report-language", language=language_name(locale, t))
    document = BufferedInputFile(page.encode(), filename=file_name(report, Format.HTML))
    await message.answer_document(document, caption=caption)


@router.message(Command("stats"))
async def stats_not_allowed(message: Message, t: Translator) -> None:
    await message.answer(t("not-allowed"))
