"""`status`: which snapshot the answers come from and how old it is."""

from __future__ import annotations

from bot.commands.common import d, no_snapshot
from bot.context import Ask
from bot.registry import Command
from bot.replies import Heading, Paragraph, Reply
from restanse_core.clock import OSLO


def handle(ask: Ask) -> Reply:
    bot, t = ask.bot, ask.bot.texts
    period = bot.period
    if period is None:
        return no_snapshot(ask)
    current = period.current
    age_days = (bot.today() - current.as_of).days
    age = t("status.age.zero") if age_days == 0 else t.plural("status.age", age_days)
    imported = current.imported_at.astimezone(OSLO).strftime("%d.%m.%Y %H:%M")
    blocks: list = [
        Heading(t("status.title")),
        Paragraph(
            t(
                "status.snapshot",
                date=d(current.as_of),
                age=age,
                imported=imported,
                source=current.source_name,
            )
        ),
    ]
    if period.previous:
        blocks.append(Paragraph(t("status.previous", date=d(period.previous.as_of))))
    if age_days > 35:
        blocks.append(Paragraph(t("status.old_warning")))
    return Reply(tuple(blocks), summary=t("status.title"))


COMMAND = Command(
    id="status",
    aliases=("status", "info", "kilde", "source", "hvor gammel", "when"),
    help_key="commands.status",
    handler=handle,
    open_to_unknown=True,
    quick=True,
)
