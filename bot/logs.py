"""Logging set-up: plain text or one JSON object per line. Message text is never logged, and
tracebacks show exception messages only where they cannot hold user data (bot.error_text)."""

from __future__ import annotations

import json
import logging
import sys
from typing import Any

from bot.config import Settings
from bot.error_text import describe, format_traceback


def _redacted(exc_info: Any) -> str:
    _type, value, _tb = exc_info
    return format_traceback(value) if isinstance(value, BaseException) else ""


def _redact_arguments(record: logging.LogRecord) -> None:
    """An exception passed as a ``%s`` argument (aiogram's "Cause exception ... %s: %s" does)
    is written as :func:`bot.error_text.describe` allows, like a traceback's message."""
    args = record.args
    if isinstance(args, tuple) and any(isinstance(a, BaseException) for a in args):
        record.args = tuple(describe(a) if isinstance(a, BaseException) else a for a in args)


class TextLogFormatter(logging.Formatter):
    """``time level logger: message``, with exceptions redacted (see bot.error_text)."""

    def format(self, record: logging.LogRecord) -> str:
        _redact_arguments(record)
        return super().format(record)

    def formatException(self, ei: Any) -> str:
        return _redacted(ei)


# Loggers whose INFO lines repeat what an operator already sees, shown only at DEBUG: aiogram
# logs every update a second time ("Update id=... is handled. Duration ..."), and aiohttp a
# third on the web role (its access log of each webhook POST): bot.ops.observe's line has the
# same and more. APScheduler's executor writes two lines per job run ("Running job ...",
# "... executed successfully"): a sweep every few seconds filled an idle log. Their warnings
# and errors (a job that failed or missed its time) still show.
QUIET_BELOW_DEBUG = ("aiogram.event", "aiohttp.access", "apscheduler.executors")


class JsonLogFormatter(logging.Formatter):
    """One JSON object per line; extra fields given with ``extra={...}`` are kept."""

    _STANDARD = frozenset(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {"message"}

    def format(self, record: logging.LogRecord) -> str:
        _redact_arguments(record)
        entry: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update({k: v for k, v in record.__dict__.items() if k not in self._STANDARD})
        if record.exc_info:
            entry["exception"] = _redacted(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


def configure_logging(settings: Settings) -> None:
    handler = logging.StreamHandler(sys.stderr)
    if settings.log_format == "json":
        handler.setFormatter(JsonLogFormatter())
    else:
        handler.setFormatter(TextLogFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    level: int = logging.getLevelName(settings.log_level)
    logging.basicConfig(level=level, handlers=[handler], force=True)
    # SQLAlchemy logs every statement at INFO and every row it reads at DEBUG when its logger
    # is enabled, as LOG_LEVEL=DEBUG would do: rows are families' data. Its warnings stay.
    logging.getLogger("sqlalchemy").setLevel(logging.WARNING)
    for chatty in QUIET_BELOW_DEBUG:
        logging.getLogger(chatty).setLevel(
            logging.NOTSET if level <= logging.DEBUG else logging.WARNING
        )
