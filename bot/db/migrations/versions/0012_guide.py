"""professionals and service paths (issue #25)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07

A user may hold the professional's role (``users.professional``), granted through the staff
invites, which now say which role they grant (``staff_invites.role``). ``service_paths`` keeps
the paths professionals hand over to families, under the hash of the link's token.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(
            sa.Column("professional", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    with op.batch_alter_table("staff_invites") as batch:
        batch.add_column(
            sa.Column("role", sa.String(length=16), server_default="staff", nullable=False)
        )
    op.create_table(
        "service_paths",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("locale", sa.String(length=8), nullable=False),
        sa.Column("municipality", sa.String(length=8), nullable=True),
        sa.Column("steps", sa.JSON(), nullable=False),
        sa.Column("include_sensitive", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_service_paths")),
    )
    op.create_index(op.f("ix_service_paths_expires_at"), "service_paths", ["expires_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_service_paths_expires_at"), table_name="service_paths")
    op.drop_table("service_paths")
    with op.batch_alter_table("staff_invites") as batch:
        batch.drop_column("role")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("professional")
