"""Chat identities and conversation references.

Revision ID: bot_0001
"""

import sqlalchemy as sa
from alembic import op

revision = "bot_0001"
down_revision = None
branch_labels = ("bot",)
depends_on = "core_0001"


def upgrade() -> None:
    op.create_table(
        "chat_identities",
        sa.Column("platform", sa.String(20), primary_key=True),
        sa.Column("user_id", sa.String(200), primary_key=True),
        sa.Column("email", sa.String(320)),
        sa.Column("initials", sa.String(64)),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "conversations",
        sa.Column("platform", sa.String(20), primary_key=True),
        sa.Column("key", sa.String(200), primary_key=True),
        sa.Column("reference", sa.Text, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("conversations")
    op.drop_table("chat_identities")
