"""The sending port for e-mail: a person's messages as e-mail to the address in the directory.

Everyone with an e-mail address can be reached, so e-mail is the channel of last resort in the default order.
A unit's channel is chat only. Whether a message arrived in the inbox cannot be known: once the mail
service has taken it (SMTP 250, Graph 202) it counts as sent, and the report says «levert til
e-posttjenesten»; a send interrupted in the middle is uncertain and is never sent again.
"""

from __future__ import annotations

from typing import Protocol

from adapters.epost.config import EmailConfig
from adapters.epost.render import render_message
from bot.delivery.pacing import Pacer
from bot.delivery.port import DeliveryError, Mail, Sent
from bot.replies import Reply
from bot.texts import Texts
from restanse_core.model import Person


class Transport(Protocol):
    async def send(self, sender: str, recipient: str, message: bytes) -> None: ...

    async def close(self) -> None: ...


class EpostSender:
    """Implements bot.delivery.port.Sender for e-mail."""

    platform = "epost"

    def __init__(self, config: EmailConfig, transport: Transport, texts: Texts, pacer: Pacer) -> None:
        self.config = config
        self.transport = transport
        self.texts = texts
        self.pacer = pacer

    async def can_reach(self, person: Person) -> bool:
        return bool(person.email)

    async def send_direct(
        self, person: Person, reply: Reply, *, ref: str, proactive: bool = True, mail: Mail | None = None
    ) -> Sent:
        """`mail` is the message as e-mail (rendered when it was planned); `reply` is the chat's form."""
        if not person.email:
            raise DeliveryError(self.texts("epost.no_email"), permanent=True)
        if mail is None:
            raise DeliveryError(self.texts("epost.no_mail"), permanent=True)
        if not person.email.isascii():
            # SMTPUTF8 is not something to count on: say so instead of sending something the server garbles.
            text = self.texts("epost.refused", email=person.email, code="-", text="ikke-ASCII-adresse")
            raise DeliveryError(text, permanent=True)
        message_id, message = render_message(mail, self.config, person, ref)
        if proactive:
            await self.pacer.wait(mailbox=self.config.sender)
        await self.transport.send(self.config.sender, person.email, message)
        return Sent(self.platform, person.email, message_id)

    async def post_channel(self, channel: str, reply: Reply, *, ref: str) -> Sent:
        raise DeliveryError(self.texts("epost.no_channels"), permanent=True)

    async def was_sent(self, person: Person | None, channel: str | None, ref: str) -> bool | None:
        """A mail service cannot be asked whether it took a message: None, so the outbox says uncertain."""
        return None

    async def close(self) -> None:
        await self.transport.close()
