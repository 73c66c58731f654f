"""Uploads from chat waiting for confirmation, and room for test-mode periods (YYYY-MM-test).

Revision ID: bot_0004
"""

import sqlalchemy as sa
from alembic import op

revision = "bot_0004"
down_revision = "bot_0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "pending_uploads",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("initials", sa.String(64), nullable=False),
        sa.Column("via", sa.String(200), nullable=False),
        sa.Column("file_name", sa.String(500), nullable=False),
        sa.Column("checksum", sa.String(64), nullable=False),
        sa.Column("content", sa.LargeBinary),
        sa.Column("as_of", sa.Date),
        sa.Column("data_version", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
    )
    with op.batch_alter_table("nudge_periods") as batch:
        batch.alter_column("period", type_=sa.String(16), existing_type=sa.String(7))
    with op.batch_alter_table("outbox") as batch:
        batch.alter_column("period", type_=sa.String(16), existing_type=sa.String(7))


def downgrade() -> None:
    op.drop_table("pending_uploads")
