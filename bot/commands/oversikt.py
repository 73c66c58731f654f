"""`oversikt`: the whole table of units with the comparison and the sum row, as in the procedure. Counts only."""

from __future__ import annotations

from bot.commands.common import no_snapshot, source_line
from bot.context import Ask
from bot.registry import Command
from bot.replies import Block, Context, Heading, Reply
from bot.unit_table import procedure_table


def handle(ask: Ask) -> Reply:
    bot, t = ask.bot, ask.bot.texts
    period = bot.period
    if period is None:
        return no_snapshot(ask)
    table = bot.unit_table()
    assert table is not None
    blocks: list[Block] = [Heading(t("oversikt.title")), procedure_table(table, t)]
    if period.previous is None:
        blocks.append(Context(t("oversikt.no_compare")))
    blocks.append(source_line(ask, period))
    return Reply(tuple(blocks), summary=f"{t('oversikt.title')}: {table.count}")


COMMAND = Command(
    id="oversikt",
    aliases=(
        "oversikt",
        "oversyn",
        "overview",
        "tabell",
        "table",
        "alle enheter",
        "all units",
        "totalt",
        "total",
    ),
    help_key="commands.oversikt",
    handler=handle,
    quick=True,
)
