"""`oversikt`: the whole table of units with the comparison and the sum row, as in the procedure. Counts only."""

from __future__ import annotations

from bot.commands.common import d, no_snapshot, source_line
from bot.context import Ask
from bot.registry import Command
from bot.replies import Context, Heading, Reply, Table
from restanse_core.reports import UnitTable


def unit_table_block(ask: Ask, table: UnitTable, marked: set[str] | None = None) -> Table:
    """The procedure's table: code, name, count a month ago, count now; Sum last."""
    t = ask.bot.texts
    period = table.period
    columns: tuple[str, ...] = (t("oversikt.col_code"), t("oversikt.col_name"))
    if period.previous:
        columns += (d(period.previous.as_of),)
    columns += (d(period.current.as_of),)
    rows = tuple(
        (
            line.code,
            line.name or "",
            *((str(line.previous or 0),) if period.previous else ()),
            str(line.count),
        )
        for line in table.lines
    )
    footer = (
        t("common.sum"),
        "",
        *((str(table.previous or 0),) if period.previous else ()),
        str(table.count),
    )
    numeric = frozenset(range(2, len(columns)))
    marks = frozenset(i for i, line in enumerate(table.lines) if marked and line.code in marked)
    return Table(columns, rows, numeric=numeric, footer=footer, marked=marks, title=t("oversikt.title"))


def handle(ask: Ask) -> Reply:
    bot, t = ask.bot, ask.bot.texts
    period = bot.period
    if period is None:
        return no_snapshot(ask)
    table = bot.unit_table()
    assert table is not None
    blocks: list = [Heading(t("oversikt.title")), unit_table_block(ask, table)]
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
    examples=("oversikt",),
)
