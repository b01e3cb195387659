"""Deep-link sources are bounded: a source looks like a campaign's name, and a month counts at
most SOURCES_PER_MONTH of them; made-up payloads beyond that count as "other"."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.models import DeepLinkCount
from bot.handlers.start import SOURCES_PER_MONTH, count_deep_link, deep_link_source

NOVEMBER = datetime(2026, 11, 30, 22, tzinfo=UTC)
DECEMBER = datetime(2026, 12, 1, 8, tzinfo=UTC)


def test_a_source_is_a_name() -> None:
    assert deep_link_source("Poster_Kotka-2026") == "poster_kotka-2026"
    for payload in (None, "", "bad payload", "-x", "_x", "2026", "a" * 65, "kotka.fi", "ä"):
        assert deep_link_source(payload) is None, payload


async def test_sources_past_the_months_cap_count_as_other(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions() as session:
        for n in range(SOURCES_PER_MONTH):
            assert await count_deep_link(session, f"src{n}", new_user=True, now=NOVEMBER) == (
                f"src{n}"
            )
        for made_up in ("flood1", "flood2", "flood3"):
            counted = await count_deep_link(session, made_up, new_user=False, now=NOVEMBER)
            assert counted == "other"
        # Sources already counted this month still count as themselves; a new month starts over.
        assert await count_deep_link(session, "src0", new_user=False, now=NOVEMBER) == "src0"
        assert await count_deep_link(session, "flood1", new_user=True, now=DECEMBER) == "flood1"

        rows = {
            (r.month, r.source): (r.starts, r.new_users)
            for r in (await session.execute(select(DeepLinkCount))).scalars()
        }
        per_month = dict(
            (
                await session.execute(
                    select(DeepLinkCount.month, func.count()).group_by(DeepLinkCount.month)
                )
            ).all()
        )
    assert per_month == {"2026-11": SOURCES_PER_MONTH + 1, "2026-12": 1}
    assert rows[("2026-11", "other")] == (3, 0)
    assert rows[("2026-11", "src0")] == (2, 1)
    assert rows[("2026-12", "flood1")] == (1, 1)
