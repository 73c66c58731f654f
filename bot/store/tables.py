"""Tables the bot keeps beside the domain's: who is who on each platform, and how to reach them."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, DateTime, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class BotBase(DeclarativeBase):
    pass


class ChatIdentityRow(BotBase):
    """A platform user mapped to a person of the directory (through their e-mail)."""

    __tablename__ = "chat_identities"
    platform: Mapped[str] = mapped_column(String(20), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    email: Mapped[str | None] = mapped_column(String(320))
    initials: Mapped[str | None] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ConversationRow(BotBase):
    """How to reach someone proactively: a Teams conversation reference, a Slack DM channel id, ..."""

    __tablename__ = "conversations"
    platform: Mapped[str] = mapped_column(String(20), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), primary_key=True)  # e.g. the platform user id
    reference: Mapped[str] = mapped_column(Text)  # JSON, platform-specific
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class NudgePeriodRow(BotBase):
    """A month's reminders: planned once, for the day they go out; `run_*` says who sends them."""

    __tablename__ = "nudge_periods"
    period: Mapped[str] = mapped_column(String(16), primary_key=True)  # YYYY-MM, or YYYY-MM-test
    snapshot_as_of: Mapped[date] = mapped_column(Date)
    send_date: Mapped[date] = mapped_column(Date)
    deadline: Mapped[date] = mapped_column(Date)
    planned_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    planned_by: Mapped[str] = mapped_column(String(200))
    run_by: Mapped[str | None] = mapped_column(String(200))
    run_started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    run_finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class OutboxRow(BotBase):
    """One message of a period to one recipient: the rendered reply, and what became of it."""

    __tablename__ = "outbox"
    __table_args__ = (
        UniqueConstraint("period", "recipient", "kind", name="ux_outbox_period_recipient_kind"),
    )
    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True
    )
    period: Mapped[str] = mapped_column(String(16), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    recipient: Mapped[str] = mapped_column(String(200))
    unit: Mapped[str | None] = mapped_column(String(64))
    count: Mapped[int] = mapped_column(Integer, default=0)
    text: Mapped[str] = mapped_column(Text)
    reply: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="pending")  # bot.delivery.model.Status
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    claimed_by: Mapped[str | None] = mapped_column(String(200))
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    platform: Mapped[str | None] = mapped_column(String(20))
    conversation: Mapped[str | None] = mapped_column(String(300))
    message_id: Mapped[str | None] = mapped_column(String(300))
    reason: Mapped[str | None] = mapped_column(Text)
    mail: Mapped[str | None] = mapped_column(Text)  # the e-mail rendition (bot.delivery.port.Mail as JSON)
    mail_message_id: Mapped[str | None] = mapped_column(String(300))  # set on the first try, kept for retries
    mail_date: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    route: Mapped[str | None] = mapped_column(Text)  # channels that could not take it, and why


class DeliveryWorkerRow(BotBase):
    """A process that delivers: its heartbeat tells others whether its in-flight rows are orphans."""

    __tablename__ = "delivery_workers"
    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    host: Mapped[str] = mapped_column(String(200))
    pid: Mapped[int] = mapped_column(Integer)
    heartbeat_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class PendingUploadRow(BotBase):
    """A file the arkiv dropped into the chat, read and previewed, waiting for «Lagre» or «Avbryt».

    In the database, not in one process's memory, so the press may reach another replica. The content is
    deleted when the file is stored, cancelled or expired."""

    __tablename__ = "pending_uploads"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # restanser | enheter | personer
    initials: Mapped[str] = mapped_column(String(64))  # who uploaded it (only they may store it)
    via: Mapped[str] = mapped_column(String(200))  # e.g. "slack:U123"
    file_name: Mapped[str] = mapped_column(String(500))
    checksum: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes | None] = mapped_column(LargeBinary)
    as_of: Mapped[date | None] = mapped_column(Date)  # the list's date, once known
    data_version: Mapped[str] = mapped_column(Text)  # the lists and directory the preview was made from
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(20))  # pending | saving | stored | cancelled | expired
