"""What a running server lends the chat commands for sending reminders (`send påminnelser`)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot.delivery.outbox import Outbox


@dataclass(frozen=True)
class Sending:
    outbox: Outbox
    deliver: Callable[[str], Awaitable[object]]  # deliver a period (YYYY-MM)
    chart_url: Callable[[str], str | None]
    spawn: Callable[[Awaitable[object]], None]  # run in the background, finished on shutdown
