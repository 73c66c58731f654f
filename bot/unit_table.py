"""The procedure's table of restanser per unit, as a reply table: used in chat, in the CLI and in the messages."""

from __future__ import annotations

from bot.replies import Table
from bot.texts import Texts
from restanse_core.calendar import long_date
from restanse_core.reports import UnitTable


def procedure_table(
    table: UnitTable, texts: Texts, marked: set[str] | None = None, title: str | None = None
) -> Table:
    """Code, name, the count a month ago, the count now; the sum row last; `marked` units highlighted."""
    period = table.period
    columns: tuple[str, ...] = (texts("oversikt.col_code"), texts("oversikt.col_name"))
    if period.previous:
        columns += (long_date(period.previous.as_of),)
    columns += (long_date(period.current.as_of),)
    before = period.previous is not None
    rows = tuple(
        (line.code, line.name or "", *((str(line.previous or 0),) if before else ()), str(line.count))
        for line in table.lines
    )
    footer = (texts("common.sum"), "", *((str(table.previous or 0),) if before else ()), str(table.count))
    marks = frozenset(i for i, line in enumerate(table.lines) if marked and line.code in marked)
    return Table(
        columns, rows, numeric=frozenset(range(2, len(columns))), footer=footer, marked=marks, title=title
    )
