"""Announcement subscriptions in the database: subscribe, change, stop, and who a broadcast
reaches."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.engine import write_transaction
from bot.db.models import Subscription, User
from bot.db.personal_data import erase_user
from bot.delivery.subscriptions import (
    ALL,
    change_municipality,
    drop_subscriptions_of_blocked,
    list_subscriptions,
    subscribe,
    subscribed_municipality,
    subscribers,
    toggle_topic,
    unsubscribe,
    user_subscriptions,
)
from bot.middlewares import load_user

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
KOTKA, HAMINA = "285", "075"


async def family(session: AsyncSession, user_id: int, locale: str | None = "fi") -> None:
    await load_user(session, user_id, NOW, frozenset(), locale)


async def test_subscribe_list_and_unsubscribe(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions() as session:
        await family(session, 1)
        await subscribe(session, 1, KOTKA, "art", NOW)
        await subscribe(session, 1, KOTKA, "family-cafe", NOW)
        await subscribe(session, 1, KOTKA, "art", NOW)  # twice is still once
        assert await list_subscriptions(session, 1) == [(KOTKA, "art"), (KOTKA, "family-cafe")]
        mine = await user_subscriptions(session, 1)
        assert (mine.municipality, mine.topics) == (KOTKA, frozenset({"art", "family-cafe"}))
        assert not mine.everything
        assert await subscribed_municipality(session, 1) == KOTKA

        assert await unsubscribe(session, 1, KOTKA, "art") == 1
        assert await list_subscriptions(session, 1) == [(KOTKA, "family-cafe")]
        assert await unsubscribe(session, 1) == 1
        assert await list_subscriptions(session, 1) == []
        assert (await user_subscriptions(session, 1)).municipality is None


async def test_everything_and_single_topics_replace_each_other(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions() as session:
        await family(session, 1)
        await subscribe(session, 1, KOTKA, "art", NOW)
        await subscribe(session, 1, KOTKA, "open-ecec", NOW)
        await subscribe(session, 1, KOTKA, ALL, NOW)
        assert await list_subscriptions(session, 1) == [(KOTKA, ALL)]
        assert (await user_subscriptions(session, 1)).everything
        await subscribe(session, 1, KOTKA, "family-cafe", NOW)
        assert await list_subscriptions(session, 1) == [(KOTKA, "family-cafe")]


async def test_toggle_turns_a_topic_on_and_off(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions() as session:
        await family(session, 1)
        assert await toggle_topic(session, 1, KOTKA, "art", NOW) is True
        assert await toggle_topic(session, 1, KOTKA, "art", NOW) is False
        assert await list_subscriptions(session, 1) == []


async def test_changing_the_municipality_keeps_the_topics(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions() as session:
        await family(session, 1)
        await subscribe(session, 1, KOTKA, "art", NOW)
        await subscribe(session, 1, KOTKA, "open-ecec", NOW)
        await change_municipality(session, 1, HAMINA, NOW)
        assert await list_subscriptions(session, 1) == [(HAMINA, "art"), (HAMINA, "open-ecec")]
        await change_municipality(session, 1, ALL, NOW)
        assert await subscribed_municipality(session, 1) is None  # "all" is no place to remember


async def test_unknown_codes_and_topics_are_refused(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions() as session:
        await family(session, 1)
        with pytest.raises(ValueError, match="municipality"):
            await subscribe(session, 1, "999", "art", NOW)
        with pytest.raises(ValueError, match="topic"):
            await subscribe(session, 1, KOTKA, "sports", NOW)
        with pytest.raises(ValueError, match="municipality"):
            await change_municipality(session, 1, "kotka", NOW)
        assert await list_subscriptions(session, 1) == []


async def test_subscribers_of_a_broadcast(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions() as session:
        await family(session, 1, "fi")
        await family(session, 2, "ar")
        await family(session, 3, "en")
        await family(session, 4, None)  # never chose a language
        await family(session, 5, "fi")
        await subscribe(session, 1, KOTKA, "art", NOW)
        await subscribe(session, 2, KOTKA, ALL, NOW)
        await subscribe(session, 3, HAMINA, "art", NOW)
        await subscribe(session, 4, ALL, "art", NOW)
        await subscribe(session, 5, KOTKA, "open-ecec", NOW)

        assert await subscribers(session, KOTKA, "art") == [(1, "fi"), (2, "ar"), (4, "fi")]
        assert await subscribers(session, KOTKA, "art", default_locale="en") == [
            (1, "fi"),
            (2, "ar"),
            (4, "en"),
        ]
        assert await subscribers(session, HAMINA, "art") == [(3, "en"), (4, "fi")]
        assert await subscribers(session, KOTKA, "family-cafe") == [(2, "ar")]
        # Region-wide news about art reaches art subscribers everywhere.
        assert [u for u, _ in await subscribers(session, ALL, "art")] == [1, 2, 3, 4]
        # News that is none of the topics reaches those who chose everything.
        assert await subscribers(session, KOTKA, ALL) == [(2, "ar")]


async def test_blocked_families_are_left_out_and_the_hook_drops_them(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions() as session:
        await family(session, 1)
        await family(session, 2)
        await subscribe(session, 1, KOTKA, "art", NOW)
        await subscribe(session, 2, KOTKA, "art", NOW)
        async with write_transaction(session):
            await session.execute(update(User).where(User.user_id == 2).values(blocked=True))
        # Blocked without the worker noticing (e.g. my_chat_member): still never reached.
        assert await subscribers(session, KOTKA, "art") == [(1, "fi")]
        await drop_subscriptions_of_blocked(session, 2, NOW)
        assert await list_subscriptions(session, 2) == []
        assert await list_subscriptions(session, 1) == [(KOTKA, "art")]


async def test_delete_my_data_removes_subscriptions(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions() as session:
        await family(session, 1)
        await subscribe(session, 1, KOTKA, "art", NOW)
        await erase_user(session, 1)
        left = await session.scalar(select(Subscription.user_id).where(Subscription.user_id == 1))
        assert left is None
