"""An index for one person's restanser oldest first, so `mine restanser` reads ten rows, not all of them.

Revision ID: core_0002
"""

from alembic import op

revision = "core_0002"
down_revision = "core_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_restanser_oldest", "restanser", ["snapshot_id", "saksbehandler", "journal_date", "jp_id"]
    )


def downgrade() -> None:
    op.drop_index("ix_restanser_oldest", table_name="restanser")
