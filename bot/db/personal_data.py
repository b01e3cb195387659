"""Everything stored about one family: export for /mydata, erase for /delete.

Tables are found by their ``user_id`` column, so a feature that adds a table about users is
covered without touching this module.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Table, delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.engine import write_transaction
from bot.db.models import Base


def personal_tables() -> list[Table]:
    """Tables with a ``user_id`` column, children before parents (safe deletion order)."""
    return [t for t in reversed(Base.metadata.sorted_tables) if "user_id" in t.c]


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


async def export_user_data(session: AsyncSession, user_id: int) -> dict[str, list[dict[str, Any]]]:
    """Every row about ``user_id``, table by table, as JSON-ready dicts (empty tables left out)."""
    exported: dict[str, list[dict[str, Any]]] = {}
    for table in sorted(personal_tables(), key=lambda t: t.name):
        rows = (await session.execute(select(table).where(table.c.user_id == user_id))).mappings()
        found = [{k: _plain(v) for k, v in row.items()} for row in rows]
        if found:
            exported[table.name] = found
    return exported


async def erase_user(session: AsyncSession, user_id: int) -> int:
    """Delete every row about ``user_id`` in one transaction; returns the number of rows."""
    removed = 0
    async with write_transaction(session):
        for table in personal_tables():
            result = await session.execute(delete(table).where(table.c.user_id == user_id))
            removed += result.rowcount or 0  # type: ignore[attr-defined]
    return removed
