"""An index on (snapshot_id, jp_key): «has this item moved to someone else?» for everyone's figures, and an item's
rows when it is written off. Without it, working out the figures of a list of a million restanser took minutes.

Revision ID: core_0006
"""

from alembic import op

revision = "core_0006"
down_revision = "core_0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_restanser_item", "restanser", ["snapshot_id", "jp_key"])


def downgrade() -> None:
    op.drop_index("ix_restanser_item", table_name="restanser")
