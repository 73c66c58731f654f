"""Tables the bot keeps beside the domain's: who is who on each platform, and how to reach them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, String, Text
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
