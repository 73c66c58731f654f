"""`status påminnelser` (arkiv): the delivery report of the month's reminders, as `restansebot nudges status`."""

from __future__ import annotations

from bot.context import Ask
from bot.delivery.report import delivery_report
from bot.registry import Command
from bot.replies import Heading, Paragraph, Reply
from restanse_core.model import Rolle


def handle(ask: Ask) -> Reply:
    t = ask.bot.texts
    outbox = ask.bot.sending.outbox
    period = outbox.get_period(ask.argument) if ask.argument else outbox.latest_period()
    if period is None:
        return Reply((Paragraph(t("utsending.nothing")),))
    text = delivery_report(outbox, period, t)
    title = t("utsending.title", period=period.period)
    return Reply(
        (Heading(title), *(Paragraph(p.strip()) for p in text.split("\n\n") if p.strip())), summary=title
    )


COMMAND = Command(
    id="utsending",
    aliases=(
        "status påminnelser",
        "status paminnelser",
        "status påminningar",
        "påminnelser status",
        "reminder status",
        "reminders status",
    ),
    help_key="commands.utsending",
    handler=handle,
    roles=frozenset({Rolle.ARKIV}),
)
