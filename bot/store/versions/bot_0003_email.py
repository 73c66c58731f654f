"""E-mail in the outbox: each row's e-mail rendition, its Message-ID and Date (set on the first try, reused on
every retry), and the route — the channels that could not take the message before the one that did.

Revision ID: bot_0003
"""

import sqlalchemy as sa
from alembic import op

revision = "bot_0003"
down_revision = "bot_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("mail", sa.Text))
        batch.add_column(sa.Column("mail_message_id", sa.String(300)))
        batch.add_column(sa.Column("mail_date", sa.DateTime(timezone=True)))
        batch.add_column(sa.Column("route", sa.Text))


def downgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        for column in ("route", "mail_date", "mail_message_id", "mail"):
            batch.drop_column(column)
