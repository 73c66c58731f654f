"""The delivery's vocabulary, shared by every channel: the kinds of message and the states of an outbox row."""

from __future__ import annotations

from enum import StrEnum


class MessageKind(StrEnum):
    """What an outbox row is. The first four are planned from the month's list (restanse_core.nudges.Kind)."""

    SAKSBEHANDLER = "saksbehandler"
    LEDER = "leder"
    ARKIV = "arkiv"
    KANAL = "kanal"  # a unit's channel: totals only, and only in chat
    RAPPORT = "rapport"  # the delivery report to the arkiv, when every planned message has an outcome
    MANGLER = "mangler"  # the reminder to the arkiv that the month's list has not come


PLANNED = (MessageKind.SAKSBEHANDLER, MessageKind.LEDER, MessageKind.ARKIV, MessageKind.KANAL)
"""The kinds a period's plan holds (what `nudges send --only` and `send påminnelser` choose among)."""


class Status(StrEnum):
    """pending → in_flight → sent | failed | uncertain | skipped (a row is in flight before a channel is called)."""

    PENDING = "pending"
    IN_FLIGHT = "in_flight"
    SENT = "sent"
    FAILED = "failed"
    UNCERTAIN = "uncertain"
    SKIPPED = "skipped"


WAITING = (Status.PENDING, Status.IN_FLIGHT)
"""Rows without an outcome yet."""
