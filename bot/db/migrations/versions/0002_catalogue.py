"""catalogue: organisations, services, versions, card flags

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "catalog_organizations",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("source", sa.String(length=128), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalog_organizations")),
    )
    op.create_index(op.f("ix_catalog_organizations_source"), "catalog_organizations", ["source"])
    op.create_table(
        "catalog_services",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("source", sa.String(length=128), nullable=False),
        sa.Column("organization_id", sa.String(length=64), nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalog_services")),
    )
    op.create_index(op.f("ix_catalog_services_source"), "catalog_services", ["source"])
    op.create_table(
        "catalog_versions",
        sa.Column("version", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("origin", sa.String(length=255), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("services", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("version", name=op.f("pk_catalog_versions")),
    )
    op.create_table(
        "card_flags",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("service_id", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_card_flags")),
    )
    op.create_index(op.f("ix_card_flags_service_id"), "card_flags", ["service_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_card_flags_service_id"), table_name="card_flags")
    op.drop_table("card_flags")
    op.drop_table("catalog_versions")
    op.drop_index(op.f("ix_catalog_services_source"), table_name="catalog_services")
    op.drop_table("catalog_services")
    op.drop_index(op.f("ix_catalog_organizations_source"), table_name="catalog_organizations")
    op.drop_table("catalog_organizations")
