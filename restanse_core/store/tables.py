"""The domain's tables (SQLAlchemy 2, typed). Chat-related tables live in bot/store."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# SQLite only makes INTEGER PRIMARY KEY an alias of its rowid; PostgreSQL wants a bigint for a million rows a month.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    pass


class UnitRow(Base):
    __tablename__ = "units"
    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    parent_code: Mapped[str | None] = mapped_column(String(64))


class UnitLeaderRow(Base):
    __tablename__ = "unit_leaders"
    unit_code: Mapped[str] = mapped_column(String(64), primary_key=True)
    initials: Mapped[str] = mapped_column(String(64), primary_key=True)


class PersonRow(Base):
    __tablename__ = "people"
    initials: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    email: Mapped[str | None] = mapped_column(String(320), index=True)
    unit_code: Mapped[str | None] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(20), default="saksbehandler")
    kanal: Mapped[str | None] = mapped_column(String(20))
    brukernavn: Mapped[str | None] = mapped_column(String(200))  # login in the records system


class SnapshotRow(Base):
    __tablename__ = "snapshots"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    as_of: Mapped[date] = mapped_column(Date, unique=True)
    source_name: Mapped[str] = mapped_column(String(500))
    checksum: Mapped[str] = mapped_column(String(64))
    imported_by: Mapped[str] = mapped_column(String(200))
    imported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    rows_read: Mapped[int] = mapped_column(Integer, default=0)
    restanser: Mapped[int] = mapped_column(Integer, default=0)
    has_writeoff_dates: Mapped[bool] = mapped_column(default=False)
    source_kind: Mapped[str] = mapped_column(String(10), default="file")  # file | live
    monthly: Mapped[bool] = mapped_column(default=True)  # the month's designated list


class RestanseRow(Base):
    """One open journalpost for one recipient. The title of an entry with an access code is never stored."""

    __tablename__ = "restanser"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    snapshot_id: Mapped[int] = mapped_column(ForeignKey("snapshots.id", ondelete="CASCADE"))
    jp_key: Mapped[str] = mapped_column(String(100))  # systemID where known, else the shown id
    jp_id: Mapped[str] = mapped_column(String(100))
    saksbehandler: Mapped[str] = mapped_column(String(200))  # "" = ufordelt
    enhet: Mapped[str] = mapped_column(String(300))
    jp_type: Mapped[str] = mapped_column(String(1))
    journal_date: Mapped[date | None] = mapped_column(Date)
    doc_date: Mapped[date | None] = mapped_column(Date)
    title: Mapped[str | None] = mapped_column(Text)
    public_title: Mapped[str | None] = mapped_column(Text)
    access_code: Mapped[str | None] = mapped_column(String(100))
    correspondent: Mapped[str | None] = mapped_column(Text)
    due_date: Mapped[date | None] = mapped_column(Date)

    __table_args__ = (
        # One person's restanser in a snapshot, and the duplicate rule (id, saksbehandler).
        Index("ux_restanser_person", "snapshot_id", "saksbehandler", "jp_key", unique=True),
        # Counts per unit for a snapshot.
        Index("ix_restanser_unit", "snapshot_id", "enhet"),
        # One person's list oldest first (`mine restanser`): the first rows of the index, not a sort of all.
        Index("ix_restanser_oldest", "snapshot_id", "saksbehandler", "journal_date", "jp_id"),
        # An item's rows in a snapshot: moved to someone else (the figures), written off (all its recipients).
        Index("ix_restanser_item", "snapshot_id", "jp_key"),
    )


class WrittenOffRow(Base):
    """Entries the export lists as written off: lets the bot say 'avskrevet' rather than 'ikke lenger restanse'."""

    __tablename__ = "written_off"
    snapshot_id: Mapped[int] = mapped_column(ForeignKey("snapshots.id", ondelete="CASCADE"), primary_key=True)
    saksbehandler: Mapped[str] = mapped_column(String(200), primary_key=True)
    jp_key: Mapped[str] = mapped_column(String(100), primary_key=True)
    written_off_date: Mapped[date | None] = mapped_column(Date)
    method: Mapped[str | None] = mapped_column(String(100))


class DirectoryChangeRow(Base):
    """Who changed the directory, when, from which file: `restansebot directory history`."""

    __tablename__ = "directory_changes"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(20))  # units | people
    file_name: Mapped[str] = mapped_column(String(500))
    checksum: Mapped[str] = mapped_column(String(64))
    changed_by: Mapped[str] = mapped_column(String(200))
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    count: Mapped[int] = mapped_column(Integer)  # units or people after the change


class MetaRow(Base):
    """Small facts about the data, such as a version stamp that changes whenever the directory does."""

    __tablename__ = "meta"
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(String(500))


class WriteOffRow(Base):
    """A write-off asked for from the bot, and the records system's answer. The free-text note is not kept."""

    __tablename__ = "writeoffs"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    source: Mapped[str] = mapped_column(String(50))
    jp_key: Mapped[str] = mapped_column(String(100))
    jp_id: Mapped[str] = mapped_column(String(100))
    recipients: Mapped[str] = mapped_column(String(1000))  # whose list(s) the item was on
    person: Mapped[str] = mapped_column(String(64))  # who asked
    login: Mapped[str | None] = mapped_column(String(200))
    method: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(20))  # pending | done | refused | failed | uncertain
    answer: Mapped[str | None] = mapped_column(Text)
    requested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    # One pending write-off per item and person, so a second press (or another replica) sees the first: the
    # partial unique index ux_writeoffs_pending (jp_key, person) WHERE status = 'pending', made by migration
    # core_0003. Not declared here: `postgresql_where` would load the PostgreSQL dialect at every start, on
    # SQLite too (a tenth of a CLI command's start-up).
    __table_args__ = (Index("ix_writeoffs_requested", "requested_at"),)


class SyncRunRow(Base):
    """One sync from the records system: its outcome, and the rows of a held list until the arkiv decides."""

    __tablename__ = "sync_runs"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    source: Mapped[str] = mapped_column(String(50))
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    started_by: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(
        String(20)
    )  # running | stored | held | failed | skipped | saved | cancelled
    as_of: Mapped[date | None] = mapped_column(Date)
    restanser: Mapped[int | None] = mapped_column(Integer)
    previous: Mapped[int | None] = mapped_column(Integer)
    message: Mapped[str | None] = mapped_column(Text)
    held_rows: Mapped[bytes | None] = mapped_column(LargeBinary)


class LeaseRow(Base):
    """A named lock with an expiry: one replica holds it, a crashed holder's lease runs out."""

    __tablename__ = "leases"
    name: Mapped[str] = mapped_column(String(50), primary_key=True)
    holder: Mapped[str] = mapped_column(String(200))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
