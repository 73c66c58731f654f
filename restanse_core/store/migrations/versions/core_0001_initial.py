"""Directory, snapshots, restanser and written-off entries.

Revision ID: core_0001
"""

import sqlalchemy as sa
from alembic import op

revision = "core_0001"
down_revision = None
branch_labels = ("core",)
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "units",
        sa.Column("code", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("parent_code", sa.String(64)),
    )
    op.create_table(
        "unit_leaders",
        sa.Column("unit_code", sa.String(64), primary_key=True),
        sa.Column("initials", sa.String(64), primary_key=True),
    )
    op.create_table(
        "people",
        sa.Column("initials", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("email", sa.String(320)),
        sa.Column("unit_code", sa.String(64)),
        sa.Column("role", sa.String(20), nullable=False, server_default="saksbehandler"),
    )
    op.create_index("ix_people_email", "people", ["email"])
    op.create_table(
        "snapshots",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("as_of", sa.Date, nullable=False, unique=True),
        sa.Column("source_name", sa.String(500), nullable=False),
        sa.Column("checksum", sa.String(64), nullable=False),
        sa.Column("imported_by", sa.String(200), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("rows_read", sa.Integer, nullable=False, server_default="0"),
        sa.Column("restanser", sa.Integer, nullable=False, server_default="0"),
        sa.Column("has_writeoff_dates", sa.Boolean, nullable=False, server_default=sa.false()),
    )
    op.create_table(
        "restanser",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("snapshot_id", BigId, sa.ForeignKey("snapshots.id", ondelete="CASCADE"), nullable=False),
        sa.Column("jp_key", sa.String(100), nullable=False),
        sa.Column("jp_id", sa.String(100), nullable=False),
        sa.Column("saksbehandler", sa.String(200), nullable=False),
        sa.Column("enhet", sa.String(300), nullable=False),
        sa.Column("jp_type", sa.String(1), nullable=False),
        sa.Column("journal_date", sa.Date),
        sa.Column("doc_date", sa.Date),
        sa.Column("title", sa.Text),
        sa.Column("public_title", sa.Text),
        sa.Column("access_code", sa.String(100)),
        sa.Column("correspondent", sa.Text),
        sa.Column("due_date", sa.Date),
    )
    op.create_index(
        "ux_restanser_person", "restanser", ["snapshot_id", "saksbehandler", "jp_key"], unique=True
    )
    op.create_index("ix_restanser_unit", "restanser", ["snapshot_id", "enhet"])
    op.create_table(
        "meta",
        sa.Column("key", sa.String(100), primary_key=True),
        sa.Column("value", sa.String(500), nullable=False),
    )
    op.create_table(
        "written_off",
        sa.Column("snapshot_id", BigId, sa.ForeignKey("snapshots.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("saksbehandler", sa.String(200), primary_key=True),
        sa.Column("jp_key", sa.String(100), primary_key=True),
        sa.Column("written_off_date", sa.Date),
        sa.Column("method", sa.String(100)),
    )


def downgrade() -> None:
    for table in ("written_off", "meta", "restanser", "snapshots", "people", "unit_leaders", "units"):
        op.drop_table(table)
