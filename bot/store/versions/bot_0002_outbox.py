"""The monthly outbox: periods, one row per period/recipient/kind, and the workers that deliver them.

Revision ID: bot_0002
"""

import sqlalchemy as sa
from alembic import op

revision = "bot_0002"
down_revision = "bot_0001"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "nudge_periods",
        sa.Column("period", sa.String(7), primary_key=True),  # YYYY-MM, the month of the snapshot
        sa.Column("snapshot_as_of", sa.Date, nullable=False),
        sa.Column("send_date", sa.Date, nullable=False),
        sa.Column("deadline", sa.Date, nullable=False),
        sa.Column("planned_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("planned_by", sa.String(200), nullable=False),
        sa.Column("run_by", sa.String(200)),
        sa.Column("run_started_at", sa.DateTime(timezone=True)),
        sa.Column("run_finished_at", sa.DateTime(timezone=True)),
    )
    op.create_table(
        "outbox",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("period", sa.String(7), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("recipient", sa.String(200), nullable=False),
        sa.Column("unit", sa.String(64)),
        sa.Column("count", sa.Integer, nullable=False, server_default="0"),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("reply", sa.Text, nullable=False),
        sa.Column("status", sa.String(20), nullable=False, server_default="pending"),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True)),
        sa.Column("claimed_by", sa.String(200)),
        sa.Column("claimed_at", sa.DateTime(timezone=True)),
        sa.Column("sent_at", sa.DateTime(timezone=True)),
        sa.Column("platform", sa.String(20)),
        sa.Column("conversation", sa.String(300)),
        sa.Column("message_id", sa.String(300)),
        sa.Column("reason", sa.Text),
        sa.UniqueConstraint("period", "recipient", "kind", name="ux_outbox_period_recipient_kind"),
    )
    op.create_index("ix_outbox_period_status", "outbox", ["period", "status"])
    op.create_table(
        "delivery_workers",
        sa.Column("id", sa.String(200), primary_key=True),
        sa.Column("host", sa.String(200), nullable=False),
        sa.Column("pid", sa.Integer, nullable=False),
        sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("delivery_workers")
    op.drop_table("outbox")
    op.drop_table("nudge_periods")
