"""Helpers shared by the delivery tests and the reminders benchmark: a small catalogue with
events, families in the database and at the fake server, and workers that never really sleep."""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from aiogram import Bot
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.catalog.loader import SourcedFile, read_catalog
from bot.catalog.schema import CatalogFile
from bot.catalog.store import ImportReport
from bot.db.engine import write_transaction
from bot.db.models import Delivery, User
from bot.delivery.clock import Clock
from bot.delivery.event_news import import_files
from bot.delivery.messages import notice_renderer, reminder_renderer
from bot.delivery.ratelimit import MemoryRateLimiter, RateLimiter
from bot.delivery.worker import DeliveryWorker
from bot.i18n import I18n

REPO = Path(__file__).resolve().parent.parent
TZ = ZoneInfo("Europe/Helsinki")
SERVICE_ID = "test-open-ecec"
LOCATION_ID = "test-place"
SOURCE = "yaml:events.yaml"


def local(text: str) -> datetime:
    """An aware datetime from a Helsinki wall-clock time such as ``2027-03-28T18:00``."""
    return datetime.fromisoformat(text).replace(tzinfo=TZ)


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def event(
    event_id: str,
    start: str,
    end: str | None = None,
    *,
    rrule: str | None = None,
    cancelled: bool = False,
    title: str | None = None,
) -> dict[str, Any]:
    """An event as written in a catalogue file (local wall-clock times)."""
    name = title or event_id.replace("-", " ").title()
    doc: dict[str, Any] = {
        "id": event_id,
        "kinds": ["open-ecec"],
        "title": {"fi": f"{name} (fi)", "en": f"{name} (en)", "ar": f"{name} (ar)"},
        "location": LOCATION_ID,
        "start": start,
    }
    if end is not None:
        doc["end"] = end
    if rrule is not None:
        doc["rrule"] = rrule
    if cancelled:
        doc["cancelled"] = True
    return doc


def catalogue(events: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """One organisation and one service with a location and ``events``."""
    return {
        "organizations": [
            {
                "id": "test-org",
                "name": {"fi": "Järjestö", "en": "Organisation", "ar": "منظمة"},
                "domains": ["example.fi"],
            }
        ],
        "services": [
            {
                "id": SERVICE_ID,
                "organization": "test-org",
                "name": {"fi": "Avoin aamu", "en": "Open morning", "ar": "صباح مفتوح"},
                "summary": {"fi": "Lyhyesti", "en": "In short", "ar": "باختصار"},
                "needs": ["early-education"],
                "service_classes": ["P3.4"],
                "municipalities": ["285"],
                "languages": ["fi"],
                "access": ["walk-in"],
                "sources": [{"url": "https://example.fi/palvelu", "kind": "organiser"}],
                "checked": "2026-11-01",
                "locations": [
                    {
                        "id": LOCATION_ID,
                        "name": {"fi": "Perhekeskus", "en": "Family centre", "ar": "مركز الأسرة"},
                        "street": "Puistotie 15",
                        "city": "Kotka",
                        "municipality": "285",
                    }
                ],
                "events": list(events),
            }
        ],
    }


def write_catalogue(directory: Path, events: Sequence[dict[str, Any]]) -> Path:
    """Write the catalogue as ``directory/events.yaml`` (JSON is YAML 1.2)."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "events.yaml"
    path.write_text(json.dumps(catalogue(events), ensure_ascii=False, indent=1), "utf-8")
    return directory


async def import_directory(session: AsyncSession, directory: Path, now: datetime) -> ImportReport:
    """What ``valo-bot catalog import`` / start-up sync does with a catalogue directory."""
    loaded = read_catalog([directory], root=directory)
    return await import_files(
        session,
        loaded.files,
        origin=f"path:{directory}",
        digest=loaded.content_hash,
        now=now,
        tz=TZ,
    )


async def import_events(
    session: AsyncSession, events: Sequence[dict[str, Any]], now: datetime
) -> ImportReport:
    """Import the catalogue straight from memory (no files), as one import transaction."""
    files = [SourcedFile(SOURCE, CatalogFile.model_validate(catalogue(events)))]
    return await import_files(session, files, origin="test", digest="test", now=now, tz=TZ)


async def add_users(
    sessions: async_sessionmaker[AsyncSession], locales: dict[int, str], now: datetime
) -> None:
    """Families the bot knows (what /start would have stored)."""
    async with sessions() as session, write_transaction(session):
        for user_id, locale in locales.items():
            session.add(User(user_id=user_id, locale=locale, first_seen=now, last_seen=now))


def register_chats(fake: Any, locales: dict[int, str]) -> None:
    """The users have written to the bot, so the fake lets it message them."""
    for user_id, locale in locales.items():
        fake.user(user_id, language_code=locale).has_written = True


async def ledger(sessions: async_sessionmaker[AsyncSession], *conditions: Any) -> list[Delivery]:
    async with sessions() as session:
        rows = await session.execute(select(Delivery).where(*conditions).order_by(Delivery.id))
        return list(rows.scalars())


class VirtualTime:
    """A monotonic clock and sleep for rate limiters: sleeping advances time, instantly."""

    def __init__(self, start: float = 1000.0) -> None:
        self.t = start
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.t

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.t += seconds


def instant_limiter(
    rate: float = 1e6, per_chat_interval: float = 0.0, time: VirtualTime | None = None
) -> MemoryRateLimiter:
    """The in-process limiter on virtual time: its waits are recorded, never slept."""
    time = time or VirtualTime()
    return MemoryRateLimiter(rate, per_chat_interval, clock=time.monotonic, sleep=time.sleep)


# What the worker renders: the reminder and notice messages (and the shared terms they may use).
DELIVERY_LOCALE_FILES = ("common.ftl", "reminders.ftl")


@cache
def i18n() -> I18n:
    """The real Fluent files of delivery messages, validated and strict; other features'
    files are left out, so these tests do not depend on their work in progress."""
    root = Path(tempfile.mkdtemp(prefix="valo-delivery-locales-"))
    for locale_dir in sorted((REPO / "locales").iterdir()):
        # Only locale directories: locales/reviews/ holds review notes, not messages.
        if (locale_dir / "common.ftl").is_file():
            (root / locale_dir.name).mkdir()
            for name in DELIVERY_LOCALE_FILES:
                shutil.copy(locale_dir / name, root / locale_dir.name / name)
    try:
        return I18n.load(root, TZ, strict=True)
    finally:
        shutil.rmtree(root)


def make_worker(
    bot: Bot,
    sessions: async_sessionmaker[AsyncSession],
    clock: Clock,
    *,
    limiter: RateLimiter | None = None,
    worker_id: str | None = None,
    lease: timedelta = timedelta(seconds=30),
    batch: int = 200,
    concurrency: int = 8,
    worker_class: type[DeliveryWorker] = DeliveryWorker,
) -> DeliveryWorker:
    """A worker wired like ``bot.app.make_worker``, on an injected clock and limiter."""
    return worker_class(
        bot=bot,
        sessions=sessions,
        i18n=i18n(),
        default_locale="fi",
        limiter=limiter or instant_limiter(),
        clock=clock,
        renderers={"reminder": reminder_renderer(TZ), "notice": notice_renderer(TZ)},
        lease=lease,
        batch=batch,
        concurrency=concurrency,
        worker_id=worker_id,
    )


async def close_bot(bot: Bot) -> None:
    """Close the bot's HTTP session without aiogram's 250 ms grace period for TLS connections
    (there are none: the fake server is plain HTTP on loopback)."""
    client = getattr(bot.session, "_session", None)
    if client is None:
        await bot.session.close()
    elif not client.closed:
        await client.close()


def texts(fake: Any, chat_ids: Iterable[int]) -> dict[int, list[str]]:
    """What each chat received, in order."""
    return {c: [m.text or "" for m in fake.messages(c)] for c in chat_ids}
