"""`hvem har flest restanser?`: the largest counts the asker may see — people for leaders and arkiv, units for all."""

from __future__ import annotations

from bot.commands.common import d, no_snapshot, source_line
from bot.context import Ask
from bot.registry import Command
from bot.replies import Block, Context, Heading, Paragraph, Reply, Table
from restanse_core import reports
from restanse_core.model import Rolle

TOP_UNITS = 5


def example_unit(ask: Ask) -> str:
    """«enhet LMA» with the asker's own unit (or the largest one), in the asker's language."""
    bot = ask.bot
    code = ask.asker.unit if ask.asker and ask.asker.unit else None
    if code is None:
        table = bot.unit_table()
        code = max(table.lines, key=lambda u: u.count).code if table and table.lines else "LMA"
    return f"{bot.registry.name('enhet', bot.texts)} {code}"


def handle(ask: Ask) -> Reply:
    bot, t = ask.bot, ask.bot.texts
    period = bot.period
    if period is None:
        return no_snapshot(ask)
    assert ask.asker is not None
    org, table = bot.org, bot.unit_table()
    assert table is not None
    blocks: list[Block] = [Heading(t("flest.title", date=d(period.current.as_of)))]
    led = org.units_led_by(ask.asker.initials)
    if ask.asker.role == Rolle.ARKIV or led:
        with bot.connect() as conn:
            if ask.asker.role == Rolle.ARKIV:
                counts, title = reports.all_person_counts(conn, period.current.id), t("flest.people")
            else:
                scope = sorted({c for code in led for c in org.descendants(code)})
                counts = reports.person_counts(conn, period.current.id, scope)
                title = t("flest.people_in", units=", ".join(led))
        top = sorted(((sb, n) for sb, n in counts.items() if sb), key=lambda x: (-x[1], x[0]))
        top = top[: bot.settings.list_length]
        if top:
            rows = tuple((sb, org.people[sb].name if sb in org.people else "", str(n)) for sb, n in top)
            columns = (t("enhet.col_person"), t("enhet.col_name"), t("enhet.col_count"))
            blocks.append(Table(columns, rows, numeric=frozenset({2}), title=title, sensitive=True))
        else:
            blocks.append(Paragraph(t("flest.nobody", units=", ".join(led), date=d(period.current.as_of))))
    units = sorted((u for u in table.lines if u.count), key=lambda u: (-u.count, u.code))[:TOP_UNITS]
    if units:
        rows = tuple((u.code, u.name or "", str(u.count)) for u in units)
        columns = (t("enhet.col_unit"), t("enhet.col_name"), t("enhet.col_count"))
        blocks.append(Table(columns, rows, numeric=frozenset({2}), title=t("flest.units")))
    if ask.asker.role == Rolle.ARKIV or led:
        blocks.append(Context(t("flest.more_people", enhet=example_unit(ask))))
    else:
        names = {c: bot.registry.name(c, t) for c in ("mine", "oversikt")}
        blocks.append(Paragraph(t("flest.hidden", enhet=example_unit(ask), **names)))
    blocks.append(source_line(ask, period))
    return Reply(tuple(blocks), summary=t("flest.title", date=d(period.current.as_of)))


COMMAND = Command(
    id="flest",
    aliases=(
        "hvem har flest",
        "hvem har mest",
        "kven har flest",
        "kven har mest",
        "who has the most",
        "who has most",
        "hvilken enhet har flest",
        "hvilke enheter har flest",
        "kva eining har flest",
        "kva for ei eining har flest",
        "which unit has the most",
        "flest restanser",
        "flest restansar",
        "most restanser",
        "toppliste",
        "topp 10",
        "top 10",
    ),
    help_key="commands.flest",
    handler=handle,
)
