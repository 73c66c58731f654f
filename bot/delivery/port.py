"""The sending port: what the bot needs from a channel (Teams, Slack, e-mail) to send on its own initiative."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
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


@dataclass(frozen=True)
class Picture:
    """A picture an e-mail shows inline (`<img src="cid:…">` in its HTML): a local PNG where one was drawn, and
    the address it is also served at, for when the file cannot be read where the mail is sent."""

    cid: str
    alt: str
    path: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class Mail:
    """A message as e-mail: subject, plain text and HTML, rendered from the epost templates when the message
    was planned. `message_id` and `date` belong to the outbox row: set on its first try and the same on every
    retry, so a mail store that suppresses a repeated Message-ID sees one message."""

    subject: str
    text: str
    html: str
    pictures: tuple[Picture, ...] = ()
    message_id: str | None = field(default=None, compare=False)
    date: datetime | None = field(default=None, compare=False)

    def to_json(self) -> str:
        """The rendition as the outbox keeps it (the stamp is kept in columns of its own)."""
        pictures = [vars(p) for p in self.pictures]
        body = {"subject": self.subject, "text": self.text, "html": self.html, "pictures": pictures}
        return json.dumps(body, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> Mail:
        data = json.loads(text)
        pictures = tuple(Picture(**p) for p in data.get("pictures") or ())
        return cls(data["subject"], data["text"], data["html"], pictures)


class Sender(Protocol):
    """Implemented by each channel's adapter. `ref` is the outbox row's id: carried in the message where the
    platform allows (Slack message metadata), so a crash mid-send can be settled by `was_sent`. `mail` is the
    message's e-mail rendition; the chat channels render `reply` and leave it."""

    platform: str

    async def can_reach(self, person: Person) -> bool:
        """Whether this platform knows the person (for choosing a platform when several are configured)."""
        ...

    async def send_direct(
        self, person: Person, reply: Reply, *, ref: str, proactive: bool = True, mail: Mail | None = None
    ) -> Sent: ...

    async def post_channel(self, channel: str, reply: Reply, *, ref: str) -> Sent: ...

    async def was_sent(self, person: Person | None, channel: str | None, ref: str) -> bool | None:
        """True/False where the platform lets us look; None where it cannot be known (then: 'uncertain')."""
        ...
