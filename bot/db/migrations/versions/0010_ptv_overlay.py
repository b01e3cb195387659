"""catalogue reviews: PTV changes that curated texts must be checked against

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07

``catalog_reviews`` lists, per service with curated texts (services_catalog/overlays/), the
watched PTV fields that changed (old and new value) until staff mark them reviewed;
``catalog_review_basis`` keeps the PTV values those texts were last compared with.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "catalog_reviews",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("service_id", sa.String(length=64), nullable=False),
        sa.Column("field", sa.String(length=16), nullable=False),
        sa.Column("old_value", sa.Text(), nullable=False),
        sa.Column("new_value", sa.Text(), nullable=False),
        sa.Column("noticed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalog_reviews")),
    )
    op.create_index(op.f("ix_catalog_reviews_service_id"), "catalog_reviews", ["service_id"])
    op.create_table(
        "catalog_review_basis",
        sa.Column("service_id", sa.String(length=64), nullable=False),
        sa.Column("field", sa.String(length=16), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("service_id", "field", name=op.f("pk_catalog_review_basis")),
    )


def downgrade() -> None:
    op.drop_table("catalog_review_basis")
    op.drop_index(op.f("ix_catalog_reviews_service_id"), table_name="catalog_reviews")
    op.drop_table("catalog_reviews")
