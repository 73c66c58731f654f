"""A person's preferred channel for the monthly reminders (the people file's optional `kanal` column).

Revision ID: core_0004
"""

import sqlalchemy as sa
from alembic import op

revision = "core_0004"
down_revision = "core_0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("people", sa.Column("kanal", sa.String(20)))


def downgrade() -> None:
    with op.batch_alter_table("people") as batch:
        batch.drop_column("kanal")
