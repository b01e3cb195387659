"""Announcement subscriptions: which families want news, for which municipality and topic.

A subscription is a row (user, municipality code or ``"all"``, topic). ``"all"`` as the topic
means "everything" and replaces the single topics (and a single topic replaces "everything"),
so a family's choice is always either everything or a set of topics, never both. These rows
are what staff broadcasts reach, through :func:`subscribers`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, delete, exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.catalog import vocab
from bot.db.engine import upsert, write_transaction
from bot.db.models import Subscription, User

ALL = "all"
# Event kinds families can follow; "other" events reach only families who chose everything.
TOPICS: tuple[str, ...] = ("art", "open-ecec", "family-cafe")


@dataclass(frozen=True)
class Subscriptions:
    """One family's choice: a municipality (or ``"all"``) and its topics, or nothing."""

    municipality: str | None
    topics: frozenset[str]

    @property
    def everything(self) -> bool:
        return ALL in self.topics


def valid_municipality(code: str) -> bool:
    """A municipality code the vocabulary knows, or ``"all"`` (the whole region)."""
    return code == ALL or code in vocab.municipalities()


def valid_topic(topic: str) -> bool:
    """One of the topics families can follow, or ``"all"`` (everything)."""
    return topic == ALL or topic in TOPICS


def _check(municipality: str, topic: str | None) -> None:
    if not valid_municipality(municipality):
        raise ValueError(f"unknown municipality {municipality!r}")
    if topic is not None and not valid_topic(topic):
        raise ValueError(f"unknown topic {topic!r}")


async def list_subscriptions(session: AsyncSession, user_id: int) -> list[tuple[str, str]]:
    """The user's (municipality, topic) rows, sorted."""
    rows = await session.execute(
        select(Subscription.municipality, Subscription.topic)
        .where(Subscription.user_id == user_id)
        .order_by(Subscription.municipality, Subscription.topic)
    )
    return [(m, t) for m, t in rows.all()]


async def user_subscriptions(session: AsyncSession, user_id: int) -> Subscriptions:
    """The user's choice as the bot shows it: the first municipality and its topics."""
    rows = await list_subscriptions(session, user_id)
    if not rows:
        return Subscriptions(None, frozenset())
    municipality = rows[0][0]
    return Subscriptions(municipality, frozenset(t for m, t in rows if m == municipality))


async def subscribed_municipality(session: AsyncSession, user_id: int) -> str | None:
    """A concrete municipality code the family subscribed for (not ``"all"``), if any."""
    return await session.scalar(
        select(Subscription.municipality)
        .where(Subscription.user_id == user_id, Subscription.municipality != ALL)
        .order_by(Subscription.created_at)
        .limit(1)
    )


async def subscribe(
    session: AsyncSession, user_id: int, municipality: str, topic: str, now: datetime
) -> None:
    """Add a topic for a municipality; ``"all"`` replaces the single topics and vice versa."""
    _check(municipality, topic)
    async with write_transaction(session):
        # Everything and single topics exclude each other (see the module docstring).
        replaced = Subscription.topic != ALL if topic == ALL else Subscription.topic == ALL
        await session.execute(
            delete(Subscription).where(
                Subscription.user_id == user_id,
                Subscription.municipality == municipality,
                replaced,
            )
        )
        await session.execute(
            upsert(session, Subscription)
            .values(user_id=user_id, municipality=municipality, topic=topic, created_at=now)
            .on_conflict_do_nothing(
                index_elements=[
                    Subscription.user_id,
                    Subscription.municipality,
                    Subscription.topic,
                ]
            )
        )


async def unsubscribe(
    session: AsyncSession,
    user_id: int,
    municipality: str | None = None,
    topic: str | None = None,
) -> int:
    """Remove subscriptions (``None`` matches every municipality / topic); returns how many."""
    conditions = [Subscription.user_id == user_id]
    if municipality is not None:
        conditions.append(Subscription.municipality == municipality)
    if topic is not None:
        conditions.append(Subscription.topic == topic)
    async with write_transaction(session):
        result = await session.execute(delete(Subscription).where(*conditions))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def toggle_topic(
    session: AsyncSession, user_id: int, municipality: str, topic: str, now: datetime
) -> bool:
    """Subscribe to ``topic`` if not yet subscribed, else unsubscribe; returns the new state."""
    _check(municipality, topic)
    current = await session.scalar(
        select(Subscription.topic).where(
            Subscription.user_id == user_id,
            Subscription.municipality == municipality,
            Subscription.topic == topic,
        )
    )
    if current is not None:
        await unsubscribe(session, user_id, municipality, topic)
        return False
    await subscribe(session, user_id, municipality, topic, now)
    return True


async def change_municipality(
    session: AsyncSession, user_id: int, municipality: str, now: datetime
) -> None:
    """Move the family's topics to ``municipality`` (a family follows one place at a time)."""
    _check(municipality, None)
    async with write_transaction(session):
        topics = set(
            (
                await session.execute(
                    select(Subscription.topic).where(Subscription.user_id == user_id)
                )
            ).scalars()
        )
        await session.execute(delete(Subscription).where(Subscription.user_id == user_id))
        if ALL in topics:
            topics = {ALL}
        for topic in sorted(topics):
            session.add(
                Subscription(
                    user_id=user_id, municipality=municipality, topic=topic, created_at=now
                )
            )


def subscribed(municipality: str, topic: str | None) -> ColumnElement[bool]:
    """``users`` rows with a subscription that a broadcast about ``topic`` (None: any topic)
    in ``municipality`` reaches (see :func:`subscribers`). An ``EXISTS`` by user id, so a
    query over ``users`` walks them in key order and can stop at a ``LIMIT``."""
    _check(municipality, topic)
    conditions = [Subscription.user_id == User.user_id]
    if topic is not None:
        conditions.append(Subscription.topic.in_({topic, ALL}))
    if municipality != ALL:
        conditions.append(Subscription.municipality.in_({municipality, ALL}))
    return exists().where(*conditions)


async def subscribers(
    session: AsyncSession, municipality: str, topic: str, *, default_locale: str = "fi"
) -> list[tuple[int, str]]:
    """Who a broadcast about ``topic`` in ``municipality`` reaches: ``(user_id, locale)``.

    A subscriber matches when their municipality is the broadcast's or ``"all"``, and their
    topic is the broadcast's or ``"all"`` (everything). A broadcast for municipality ``"all"``
    is region-wide and reaches the topic's subscribers everywhere; a broadcast with topic
    ``"all"`` (news that is none of the topics) reaches the families who chose everything.
    Families who blocked the bot are left out; ``default_locale`` stands in for users who
    never chose a language. Sorted by user id, each user once.
    """
    rows = await session.execute(
        select(User.user_id, User.locale)
        .where(User.blocked.is_(False), subscribed(municipality, topic))
        .order_by(User.user_id)
    )
    return [(user_id, locale or default_locale) for user_id, locale in rows.all()]


async def drop_subscriptions_of_blocked(session: AsyncSession, user_id: int, now: datetime) -> None:
    """Worker ``on_blocked`` hook: a family that blocked the bot gets no more announcements.

    They can subscribe again after unblocking; nothing is kept for them meanwhile.
    """
    await unsubscribe(session, user_id)
