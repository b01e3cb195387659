"""indicators: anonymous indicator events and the per-user "don't count my answers" choice

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "indicator_events",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
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
        sa.PrimaryKeyConstraint("id", name=op.f("pk_indicator_events")),
    )
    op.create_index(op.f("ix_indicator_events_month"), "indicator_events", ["month"])
    with op.batch_alter_table("users") as batch:
        batch.add_column(
            sa.Column("counted", sa.Boolean(), server_default=sa.true(), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("counted")
    op.drop_index(op.f("ix_indicator_events_month"), table_name="indicator_events")
    op.drop_table("indicator_events")
