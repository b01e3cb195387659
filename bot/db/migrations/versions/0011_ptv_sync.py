"""PTV sync state and the channels of synced services

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07

``ptv_sync_state``: one row per sync scope (the municipalities and organisations asked for):
when the last sync succeeded (the next incremental sync asks PTV for what changed since),
how many failed in a row since, and the last failure's one-line reason (no personal data:
it names an endpoint or a record id). ``alerted_at``: staff were told about this streak.

``ptv_sync_links``: which PTV service channel belongs to which synced PTV service, so an
incremental sync knows which services a changed channel (a new phone number, new hours)
touches without fetching every channel again.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ptv_sync_state",
        sa.Column("scope", sa.String(length=64), nullable=False),
        sa.Column("last_success", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_attempt", sa.DateTime(timezone=True), nullable=True),
        sa.Column("consecutive_failures", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.Column("alerted_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("scope", name=op.f("pk_ptv_sync_state")),
    )
    op.create_table(
        "ptv_sync_links",
        sa.Column("channel_id", sa.String(length=36), nullable=False),
        sa.Column("service_id", sa.String(length=36), nullable=False),
        sa.Column("source", sa.String(length=128), nullable=False),
        sa.PrimaryKeyConstraint("channel_id", "service_id", name=op.f("pk_ptv_sync_links")),
    )
    op.create_index(op.f("ix_ptv_sync_links_service_id"), "ptv_sync_links", ["service_id"])
    op.create_index(op.f("ix_ptv_sync_links_source"), "ptv_sync_links", ["source"])


def downgrade() -> None:
    op.drop_index(op.f("ix_ptv_sync_links_source"), table_name="ptv_sync_links")
    op.drop_index(op.f("ix_ptv_sync_links_service_id"), table_name="ptv_sync_links")
    op.drop_table("ptv_sync_links")
    op.drop_table("ptv_sync_state")
