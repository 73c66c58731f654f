"""The sending port: what the bot needs from a chat platform to send on its own initiative."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from bot.replies import Reply
from restanse_core.model import Person


class DeliveryError(Exception):
    """A send that failed. `permanent` says whether trying again can help; `reason` is shown to the arkiv."""

    def __init__(
        self, reason: str, *, permanent: bool, retry_after: float | None = None, maybe_sent: bool = False
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent
        self.retry_after = retry_after
        # The request may have reached the platform (a timeout, a dropped connection): before sending again,
        # the outbox asks `was_sent`, and marks the row uncertain where the platform cannot tell.
        self.maybe_sent = maybe_sent


@dataclass(frozen=True)
class Sent:
    """Where the message landed (platform ids), for the delivery report and for crash recovery."""

    platform: str
    conversation: str
    message_id: str | None = None


class Sender(Protocol):
    """Implemented by each chat adapter. `ref` is the outbox row's id: carried in the message where the
    platform allows (Slack message metadata), so a crash mid-send can be settled by `was_sent`."""

    platform: str

    async def can_reach(self, person: Person) -> bool:
        """Whether this platform knows the person (for choosing a platform when several are configured)."""
        ...

    async def send_direct(
        self, person: Person, reply: Reply, *, ref: str, proactive: bool = True
    ) -> Sent: ...

    async def post_channel(self, channel: str, reply: Reply, *, ref: str) -> Sent: ...

    async def was_sent(self, person: Person | None, channel: str | None, ref: str) -> bool | None:
        """True/False where the platform lets us look; None where it cannot be known (then: 'uncertain')."""
        ...
