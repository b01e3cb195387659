"""The report's output formats, and the one entry point that renders any of them."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from enum import StrEnum
from typing import Final

from bot.config import Locale
from bot.i18n import Translator
from bot.indicators.html import report_html
from bot.indicators.render import Labels, report_csv, report_json
from bot.indicators.report import Report


class Format(StrEnum):
    HTML = "html"
    CSV = "csv"
    JSON = "json"


MEDIA_TYPES: Final[Mapping[Format, str]] = {
    Format.HTML: "text/html",
    Format.CSV: "text/csv",
    Format.JSON: "application/json",
}


# The languages reports are made in: service designers read Finnish or English.
REPORT_LOCALES: Final[tuple[Locale, ...]] = ("fi", "en")


def report_locale(locale: Locale) -> Locale:
    """The report language for a reader of ``locale``: their own, else English."""
    return locale if locale in REPORT_LOCALES else "en"


def render(report: Report, fmt: Format, t: Translator, made: date) -> str:
    """``report`` as ``fmt``, with headings in ``t``'s language; ``made`` is printed in it."""
    labels = Labels(t, report.service_names)
    if fmt is Format.HTML:
        return report_html(report, labels, made)
    if fmt is Format.CSV:
        return report_csv(report, labels)
    return report_json(report, labels, made)


def file_name(report: Report, fmt: Format) -> str:
    """E.g. ``valo-indicators-2026-01_2026-12-285.html``."""
    scope = f"-{report.municipality}" if report.municipality else ""
    return f"valo-indicators-{report.period.first}_{report.period.last}{scope}.{fmt.value}"
