"""card flag marks: one counted flag per person, card and month

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "card_flag_marks",
        sa.Column("user_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("service_id", sa.String(length=64), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.PrimaryKeyConstraint("user_id", "service_id", "month", name=op.f("pk_card_flag_marks")),
    )
    op.create_index(op.f("ix_card_flag_marks_month"), "card_flag_marks", ["month"])


def downgrade() -> None:
    op.drop_index(op.f("ix_card_flag_marks_month"), table_name="card_flag_marks")
    op.drop_table("card_flag_marks")
