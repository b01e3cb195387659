"""Everything stored about one family: what /privacy names, /mydata exports, /delete erases.

Tables about a person are found by their ``user_id`` column, so /mydata and /delete cover a
new table without touching this module. What the privacy text says about each table is
:data:`TABLE_KINDS`: every table of the models must be listed there (a test derives the tables
that hold a Telegram id from the models and fails on one that is missing or unnamed).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, Table, delete, exists, false, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.engine import write_transaction
from bot.db.models import Base, Delivery, User


class Kind(StrEnum):
    """A kind of stored data, as /privacy and /mydata name it (in this order)."""

    ACCOUNT = "account"  # the user row
    DIALOG = "dialog"  # FSM state and data: dialog answers, the start link, staff drafts
    REMINDERS = "reminders"
    SUBSCRIPTIONS = "subscriptions"
    DELIVERIES = "deliveries"  # the ledger of messages sent to the person
    CARD_MARKS = "card-marks"
    STAFF = "staff"  # invites accepted and made, announcements written
    STATISTICS = "statistics"  # anonymous: linked to nobody


# Every table, and the kind the privacy text names it by; None: nothing about any person.
TABLE_KINDS: dict[str, Kind | None] = {
    "users": Kind.ACCOUNT,
    "fsm_states": Kind.DIALOG,
    "reminders": Kind.REMINDERS,
    "subscriptions": Kind.SUBSCRIPTIONS,
    "deliveries": Kind.DELIVERIES,
    "card_flag_marks": Kind.CARD_MARKS,
    "staff_invites": Kind.STAFF,
    "broadcasts": Kind.STAFF,
    "indicator_events": Kind.STATISTICS,
    "deep_link_counts": Kind.STATISTICS,
    "card_flags": Kind.STATISTICS,
    "delivery_counts": Kind.STATISTICS,
    "catalog_organizations": None,
    "catalog_services": None,
    "catalog_versions": None,
    "catalog_events": None,
    "worker_leases": None,
    # PTV changes for staff to check curated texts against: service facts, no one's id.
    "catalog_reviews": None,
    "catalog_review_basis": None,
    # The PTV sync: its state (no personal data; the last error names an endpoint or record)
    # and which PTV channel belongs to which PTV service.
    "ptv_sync_state": None,
    "ptv_sync_links": None,
    # A handed-over service path (issue #25): services and need tags, no Telegram id, never
    # linked to the professional who made it or to whoever opened it.
    "service_paths": None,
}

# Columns besides ``user_id`` that hold a person's Telegram id: the organisation's records of
# what a staff member did (announcements written, invites made). /mydata shows these rows to
# that person; /delete and inactivity keep them (see bot.db.models.Broadcast).
RECORD_COLUMNS: dict[str, tuple[str, ...]] = {
    "broadcasts": ("author_id", "status_chat_id"),
    "staff_invites": ("created_by",),
}

# Columns that hold a Telegram id without being about that person.
NOT_ABOUT_THE_PERSON: dict[tuple[str, str], str] = {
    # Cleared when the announcement is fully queued (bot.delivery.broadcasts.enqueue_chunk).
    ("broadcasts", "enqueued_through"): "a queueing cursor: the last recipient enqueued",
}

# What makes someone staff is not family data: an inactive staff member keeps these.
STAFF_TABLES = frozenset({"users", "staff_invites"})


def personal_tables() -> list[Table]:
    """Tables with a ``user_id`` column, children before parents (safe deletion order)."""
    return [t for t in reversed(Base.metadata.sorted_tables) if "user_id" in t.c]


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


async def export_user_data(session: AsyncSession, user_id: int) -> dict[str, list[dict[str, Any]]]:
    """Every row naming ``user_id``, table by table, as JSON-ready dicts (empty tables left
    out): the rows about them and the staff records that carry their id."""
    exported: dict[str, list[dict[str, Any]]] = {}
    for table in sorted(Base.metadata.sorted_tables, key=lambda t: t.name):
        columns = [table.c[name] for name in RECORD_COLUMNS.get(table.name, ())]
        if "user_id" in table.c:
            columns.append(table.c.user_id)
        if not columns:
            continue
        query = select(table).where(or_(*(c == user_id for c in columns)))
        rows = await session.execute(query.order_by(*table.primary_key.columns))
        found = [{k: _plain(v) for k, v in row.items()} for row in rows.mappings()]
        if found:
            exported[table.name] = found
    return exported


def kinds_in(exported: dict[str, list[dict[str, Any]]]) -> dict[Kind, int]:
    """How many rows of each kind an export holds."""
    counts: dict[Kind, int] = {}
    for table, rows in exported.items():
        kind = TABLE_KINDS.get(table)
        if kind is not None:
            counts[kind] = counts.get(kind, 0) + len(rows)
    return counts


async def _delete_rows(
    session: AsyncSession, user_ids: Sequence[int], skip: Collection[str] = ()
) -> int:
    removed = 0
    for table in personal_tables():
        if table.name in skip or not user_ids:
            continue
        result = await session.execute(delete(table).where(table.c.user_id.in_(user_ids)))
        removed += result.rowcount or 0  # type: ignore[attr-defined]
    return removed


async def erase_user(session: AsyncSession, user_id: int) -> int:
    """Delete every row about ``user_id`` in one transaction; returns the number of rows.

    The dialog state kept outside the database (Redis) is the storage's to clear
    (bot.db.storage.forget_user_states)."""
    async with write_transaction(session):
        return await _delete_rows(session, [user_id])


def reached_since(since: datetime) -> ColumnElement[bool]:
    """The person was sent something (a reminder, news, a notice) at ``since`` or later: a
    family that only receives what it asked for is still using Valo."""
    return exists().where(Delivery.user_id == User.user_id, Delivery.attempted_at >= since)


async def erase_inactive_users(
    session: AsyncSession, candidates: Sequence[int], cutoff: datetime, reached: datetime
) -> list[int]:
    """Erase, as :func:`erase_user` does, those of ``candidates`` who are not staff, whose
    last update is still before ``cutoff`` and who were sent nothing since ``reached``;
    returns their ids.

    The user row goes first, on its condition, in the same transaction as the rest: a family
    who wrote to Valo (or was sent a reminder) since the candidates were chosen is kept.
    """
    async with write_transaction(session):
        gone = delete(User).where(
            User.user_id.in_(candidates),
            User.last_seen < cutoff,
            User.staff == false(),
            User.professional == false(),  # a professional's role is not family data either
            ~reached_since(reached),
        )
        erased = list((await session.execute(gone.returning(User.user_id))).scalars())
        await _delete_rows(session, erased, skip={"users"})
    return erased


async def erase_family_data(session: AsyncSession, user_ids: Sequence[int]) -> int:
    """Delete what staff members keep as a family would (reminders, subscriptions, dialog
    states, messages sent, card marks), leaving their rights (:data:`STAFF_TABLES`)."""
    async with write_transaction(session):
        return await _delete_rows(session, user_ids, skip=STAFF_TABLES)
