"""chunked broadcasts and bounded ledger scans

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07

A broadcast's ledger rows are written in separately committed chunks by user id, so that a
big audience never holds SQLite's write lock for long: ``enqueued_through`` is the last user
enqueued and ``enqueued_at`` says when the last chunk was. Broadcasts started before this
revision were enqueued in one transaction, so they count as fully enqueued.

The worker's expiry scans (rows ``sending`` under an expired lease, ``pending`` rows past
their expiry) read only the rows they change through two indexes, instead of every row in
that state.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("broadcasts") as batch:
        batch.add_column(sa.Column("enqueued_through", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("enqueued_at", sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE broadcasts SET enqueued_at = started_at WHERE started_at IS NOT NULL")
    op.create_index("ix_deliveries_state_lease_until", "deliveries", ["state", "lease_until"])
    op.create_index("ix_deliveries_state_expires_at", "deliveries", ["state", "expires_at"])


def downgrade() -> None:
    op.drop_index("ix_deliveries_state_expires_at", table_name="deliveries")
    op.drop_index("ix_deliveries_state_lease_until", table_name="deliveries")
    with op.batch_alter_table("broadcasts") as batch:
        batch.drop_column("enqueued_at")
        batch.drop_column("enqueued_through")
