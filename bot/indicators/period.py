"""Report periods: whole calendar months, first to last, as indicator events keep time."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import cached_property
from typing import Final

MAX_MONTHS: Final = 60  # five years: wider tables stop being readable
_MONTH = re.compile(r"(\d{4})-(\d{2})")


class PeriodProblem(StrEnum):
    """Why a period was refused (the bot words each one in the staff member's language)."""

    FORMAT = "format"  # not YYYY-MM, or no such month
    ORDER = "order"  # the first month is after the last
    LENGTH = "length"  # longer than MAX_MONTHS
    UNFINISHED = "unfinished"  # the last month has not ended yet


class PeriodError(ValueError):
    def __init__(self, problem: PeriodProblem, message: str) -> None:
        super().__init__(message)
        self.problem = problem


def parse_month(text: str) -> tuple[int, int]:
    """``"2026-03"`` -> ``(2026, 3)``; PeriodError for anything else."""
    found = _MONTH.fullmatch(text.strip())
    if not found or not 1 <= int(found.group(2)) <= 12 or int(found.group(1)) < 1:
        raise PeriodError(
            PeriodProblem.FORMAT, f"{text!r} is not a month: write it as YYYY-MM, e.g. 2026-01"
        )
    return int(found.group(1)), int(found.group(2))


def _month(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


def _index(month: str) -> int:
    year, number = parse_month(month)
    return year * 12 + number - 1


def shift(month: str, by: int) -> str:
    """The month ``by`` months after (or before, when negative) ``month``."""
    index = _index(month) + by
    return _month(index // 12, index % 12 + 1)


@dataclass(frozen=True)
class MonthRange:
    """Whole months ``first`` to ``last``, both included, as ``"YYYY-MM"``."""

    first: str
    last: str

    @classmethod
    def parse(cls, first: str, last: str | None = None) -> MonthRange:
        """From user input; ``last`` defaults to ``first``. PeriodError says what is wrong."""
        start = _month(*parse_month(first))
        end = _month(*parse_month(last)) if last is not None else start
        if start > end:
            raise PeriodError(
                PeriodProblem.ORDER, f"the first month {start} is after the last month {end}"
            )
        period = cls(start, end)
        if len(period.months) > MAX_MONTHS:
            raise PeriodError(
                PeriodProblem.LENGTH,
                f"{start} to {end} is {len(period.months)} months; a report covers at most "
                f"{MAX_MONTHS}",
            )
        return period

    def check_ended(self, today: date) -> MonthRange:
        """This period, when its last month has ended by ``today``; PeriodError otherwise.

        A month still running would be published again and again as it grows, and two of its
        reports, a day apart, would tell what that day added: a figure the report hides."""
        current = _month(today.year, today.month)
        if self.last >= current:
            raise PeriodError(
                PeriodProblem.UNFINISHED,
                f"{self.last} has not ended yet: a report covers months that have ended "
                f"(the last one is {shift(current, -1)})",
            )
        return self

    @classmethod
    def last_whole_month(cls, today: date) -> MonthRange:
        """The month before ``today``'s."""
        month = shift(_month(today.year, today.month), -1)
        return cls(month, month)

    @cached_property
    def months(self) -> tuple[str, ...]:
        count = _index(self.last) - _index(self.first) + 1
        return tuple(shift(self.first, by) for by in range(count))
