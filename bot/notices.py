"""Telling people something on the bot's own initiative, outside the month's outbox: the arkiv hears about the
list from the records system (a held list, a failed sync, items that came back), the asker of «oppdater» gets
the result.

Through the configured senders, the first channel that reaches the person (`channel_order`), each message with
a ref of its own. A failure is logged (the person and the reason, never the body) and never raised: a notice
must not stop the sync or the scheduler that sent it.
"""

from __future__ import annotations

import html
import logging
import uuid

from bot.context import CommandBot
from bot.delivery.port import DeliveryError, Mail
from bot.delivery.routing import channel_order
from bot.plaintext import render_plain
from bot.replies import Reply
from restanse_core.model import Person, Rolle

log = logging.getLogger("restansebot.notices")


def as_mail(reply: Reply) -> Mail:
    """The notice as a plain e-mail, for those reached only by e-mail."""
    text = render_plain(reply)
    subject = reply.summary or text.partition("\n")[0]
    return Mail(subject[:150], text, f"<pre>{html.escape(text)}</pre>")


def new_ref(kind: str) -> str:
    return f"{kind}:{uuid.uuid4().hex[:16]}"


async def tell(bot: CommandBot, person: Person, reply: Reply, *, kind: str) -> str | None:
    """Send `reply` to one person; the channel it went through, or None (logged) if none took it."""
    senders = bot.sending.senders
    ref = new_ref(kind)
    for name in channel_order(person, bot.settings.platforms, senders):
        sender = senders[name]
        try:
            if not await sender.can_reach(person):
                continue
            await sender.send_direct(person, reply, ref=ref, mail=as_mail(reply))
        except DeliveryError as exc:
            log.warning("Meldingen (%s) til %s gikk ikke i %s: %s", kind, person.initials, name, exc.reason)
            if exc.permanent and not exc.maybe_sent:
                continue  # the next channel may reach them
            return None
        except Exception as exc:
            log.warning(
                "Meldingen (%s) til %s gikk ikke i %s: %s", kind, person.initials, name, type(exc).__name__
            )
            return None
        return name
    log.warning("Meldingen (%s) nådde ikke %s: ingen kanal fant personen", kind, person.initials)
    return None


def arkiv(bot: CommandBot) -> list[Person]:
    return sorted((p for p in bot.org.people.values() if p.role is Rolle.ARKIV), key=lambda p: p.initials)


async def tell_arkiv(bot: CommandBot, reply: Reply, *, kind: str, but: Person | None = None) -> int:
    """Send `reply` to everyone with the role arkiv (`but` one, who knows already); how many it reached."""
    reached = 0
    for person in arkiv(bot):
        if but is not None and person.initials == but.initials:
            continue
        if await tell(bot, person, reply, kind=kind) is not None:
            reached += 1
    if not arkiv(bot):
        log.warning("Ingen i katalogen har rollen arkiv, så meldingen (%s) gikk ikke til noen", kind)
    return reached
