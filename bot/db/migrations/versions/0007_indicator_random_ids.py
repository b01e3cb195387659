"""indicator rows get random ids: no order of insertion to link them to timestamped rows

The sequential id numbered every indicator event in the order families acted, so a row could
be matched by position with rows that carry a time (a user's last_seen, an FSM row's
updated_at). Existing rows get random ids too, copied in random order; on SQLite the table
has no rowid (rows are kept in id order), so no hidden counter keeps the old order either.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

TABLE = "indicator_events"
COPY = f"{TABLE}_copy"
COLUMNS = (
    "month, session, kind, locale, source, tree, version, node, items, municipality, needs, gaps"
)


def _columns() -> list[sa.Column[object]]:
    return [
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("session", sa.String(length=32), nullable=True),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("locale", sa.String(length=8), nullable=True),
        sa.Column("source", sa.String(length=64), nullable=True),
        sa.Column("tree", sa.String(length=64), nullable=True),
        sa.Column("version", sa.Integer(), nullable=True),
        sa.Column("node", sa.String(length=64), nullable=True),
        sa.Column("items", sa.String(length=1024), nullable=True),
        sa.Column("municipality", sa.String(length=8), nullable=True),
        sa.Column("needs", sa.String(length=255), nullable=True),
        sa.Column("gaps", sa.String(length=255), nullable=True),
    ]


def _replace_table(id_column: sa.Column[object], new_id: str | None, **options: Any) -> None:
    """Copy the rows into a table with ``id_column`` (``new_id``: the SQL of each row's new
    id; None lets the column number them), in random order, and put it in the old one's place.
    """
    postgres = op.get_bind().dialect.name == "postgresql"
    op.create_table(
        COPY,
        id_column,
        *_columns(),
        sa.PrimaryKeyConstraint("id", name=f"pk_{COPY}"),
        **options,
    )
    target = COLUMNS if new_id is None else f"id, {COLUMNS}"
    source = COLUMNS if new_id is None else f"{new_id}, {COLUMNS}"
    op.execute(f"INSERT INTO {COPY} ({target}) SELECT {source} FROM {TABLE} ORDER BY random()")
    op.drop_index(f"ix_{TABLE}_month", table_name=TABLE)
    op.drop_table(TABLE)
    op.rename_table(COPY, TABLE)
    if postgres:  # SQLite keeps no separate name for the key; PostgreSQL's follows the table's
        op.execute(f"ALTER TABLE {TABLE} RENAME CONSTRAINT pk_{COPY} TO pk_{TABLE}")
        if new_id is None:
            op.execute(f"ALTER SEQUENCE {COPY}_id_seq RENAME TO {TABLE}_id_seq")
    op.create_index(f"ix_{TABLE}_month", TABLE, ["month"])


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    random_id = (
        "replace(gen_random_uuid()::text, '-', '')" if postgres else "lower(hex(randomblob(16)))"
    )
    _replace_table(
        sa.Column("id", sa.String(length=32), nullable=False),
        random_id,
        sqlite_with_rowid=False,
    )


def downgrade() -> None:
    _replace_table(
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        None,
    )
