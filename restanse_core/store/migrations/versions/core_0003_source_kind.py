"""Live lists from a records system beside imported files, logins for writing off, and the write-off log.

- snapshots.source_kind: «file» (an imported export) or «live» (a sync from the records system);
  snapshots.monthly: the month's designated list (every imported file; the first sync on or after the
  configured day). The month's reminders and the comparison with a month earlier use only these.
- people.brukernavn: the person's login in the records system (from the people file, or filled at sync).
- writeoffs: every write-off asked for from the bot and the records system's answer; at most one pending per
  item and person, so a second press (or another replica) sees the first.
- sync_runs: every sync, its outcome, and a held list waiting for the arkiv's decision.
- leases: named locks with an expiry, so one replica syncs while the others wait.

Revision ID: core_0003
"""

import sqlalchemy as sa
from alembic import op

revision = "core_0003"
down_revision = "core_0002"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("snapshots") as batch:
        batch.add_column(sa.Column("source_kind", sa.String(10), nullable=False, server_default="file"))
        batch.add_column(sa.Column("monthly", sa.Boolean, nullable=False, server_default=sa.true()))
    with op.batch_alter_table("people") as batch:
        batch.add_column(sa.Column("brukernavn", sa.String(200)))
    op.create_table(
        "writeoffs",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("source", sa.String(50), nullable=False),
        sa.Column("jp_key", sa.String(100), nullable=False),
        sa.Column("jp_id", sa.String(100), nullable=False),
        sa.Column("recipients", sa.String(1000), nullable=False),
        sa.Column("person", sa.String(64), nullable=False),
        sa.Column("login", sa.String(200)),
        sa.Column("method", sa.String(100), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("answer", sa.Text),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True)),
    )
    op.create_index(
        "ux_writeoffs_pending",
        "writeoffs",
        ["jp_key", "person"],
        unique=True,
        sqlite_where=sa.text("status = 'pending'"),
        postgresql_where=sa.text("status = 'pending'"),
    )
    op.create_index("ix_writeoffs_requested", "writeoffs", ["requested_at"])
    op.create_table(
        "sync_runs",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("source", sa.String(50), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True)),
        sa.Column("started_by", sa.String(200), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("as_of", sa.Date),
        sa.Column("restanser", sa.Integer),
        sa.Column("previous", sa.Integer),
        sa.Column("message", sa.Text),
        sa.Column("held_rows", sa.LargeBinary),
    )
    op.create_table(
        "leases",
        sa.Column("name", sa.String(50), primary_key=True),
        sa.Column("holder", sa.String(200), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("leases")
    op.drop_table("sync_runs")
    op.drop_index("ix_writeoffs_requested", table_name="writeoffs")
    op.drop_index("ux_writeoffs_pending", table_name="writeoffs")
    op.drop_table("writeoffs")
    with op.batch_alter_table("people") as batch:
        batch.drop_column("brukernavn")
    with op.batch_alter_table("snapshots") as batch:
        batch.drop_column("monthly")
        batch.drop_column("source_kind")
