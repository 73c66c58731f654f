"""`enhet <kode eller navn>`: a unit now and a month ago, its sub-units, and (to those allowed) per saksbehandler."""

from __future__ import annotations

import difflib
from collections import Counter

from bot.access import may_see_distribution
from bot.commands.common import d, guide_buttons, no_snapshot, source_line
from bot.context import Ask
from bot.registry import Command
from bot.replies import Context, Fields, Heading, Paragraph, Reply, Table
from bot.texts import echo
from restanse_core import reports
from restanse_core.model import Organisation
from restanse_core.words import normalise_heading


def find_unit(org: Organisation, text: str, known: set[str]) -> tuple[str | None, str | None]:
    """(code, None) for a match by code or name; (None, suggestion) for a near miss."""
    wanted = text.strip()
    codes = {c.lower(): c for c in known}
    if wanted.lower() in codes:
        return codes[wanted.lower()], None
    by_norm = {normalise_heading(c): c for c in known}
    by_norm.update({normalise_heading(u.name): u.code for u in org.units.values()})
    if normalise_heading(wanted) in by_norm:
        return by_norm[normalise_heading(wanted)], None
    names = {u.name.lower(): u.code for u in org.units.values()}
    starts = [code for name, code in names.items() if name.startswith(wanted.lower()) and len(wanted) >= 3]
    if len(starts) == 1:
        return starts[0], None
    close = difflib.get_close_matches(wanted.upper(), list(known), n=1, cutoff=0.6)
    if not close:
        close_names = difflib.get_close_matches(wanted.lower(), list(names), n=1, cutoff=0.6)
        close = [names[close_names[0]]] if close_names else []
    return None, close[0] if close else None


def handle(ask: Ask) -> Reply:
    bot, t = ask.bot, ask.bot.texts
    period = bot.period
    if period is None:
        return no_snapshot(ask)
    org = bot.org
    table = bot.unit_table()
    assert table is not None
    now = Counter({line.code: line.count for line in table.lines})
    before = Counter({line.code: line.previous or 0 for line in table.lines}) if period.previous else None
    with bot.connect() as conn:
        text = ask.argument or (ask.asker.unit if ask.asker and ask.asker.unit else "")
        if not text:
            return Reply((Paragraph(t("enhet.missing_argument")),))
        code, suggestion = find_unit(org, text, set(org.units) | set(now))
        if code is None:
            message = t("enhet.not_found", text=echo(text))
            if suggestion:
                message += " " + t("enhet.did_you_mean", suggestion=suggestion)
            return Reply((Paragraph(message),))
        scope = org.descendants(code)
        show_people = may_see_distribution(ask.asker, code, org)
        per_person = reports.person_counts(conn, period.current.id, scope) if show_people else None
    unit = org.units.get(code)
    blocks: list = [Heading(t("enhet.title", code=code, name=unit.name if unit else t("enhet.unknown_unit")))]
    pairs = [(d(period.current.as_of), str(now.get(code, 0)))]
    if before is not None and period.previous:
        pairs.append((d(period.previous.as_of), str(before.get(code, 0))))
    if len(scope) > 1:
        pairs.append((t("enhet.with_subunits"), str(reports.rollup(org, now, code))))
    blocks.append(Fields(tuple(pairs)))
    children = org.children(code)
    if children:
        rows = tuple(
            (
                c.code,
                c.name,
                str(reports.rollup(org, now, c.code)),
                *((str(reports.rollup(org, before, c.code)),) if before is not None else ()),
            )
            for c in children
        )
        columns: tuple[str, ...] = (t("enhet.col_unit"), t("enhet.col_name"), t("enhet.col_now"))
        if before is not None:
            columns += (t("enhet.col_before"),)
        blocks.append(Table(columns, rows, numeric=frozenset({2, 3}), title=t("enhet.subunits")))
    if per_person is not None:
        rows = tuple(
            (
                sb or t("common.ufordelt"),
                org.people[sb].name if sb in org.people else "",
                str(n),
            )
            for sb, n in sorted(per_person.items(), key=lambda x: (-x[1], x[0]))
        )
        if rows:
            blocks.append(
                Table(
                    (t("enhet.col_person"), t("enhet.col_name"), t("enhet.col_count")),
                    rows,
                    numeric=frozenset({2}),
                    title=t("enhet.distribution"),
                    sensitive=True,
                )
            )
    elif ask.asker is not None:
        blocks.append(Context(t("enhet.distribution_hidden")))
    blocks += [source_line(ask, period), guide_buttons(ask)]
    return Reply(tuple(blocks), summary=f"{code}: {now.get(code, 0)}")


COMMAND = Command(
    id="enhet",
    aliases=("enhet", "eining", "unit", "avdeling", "department", "team"),
    help_key="commands.enhet",
    handler=handle,
    argument="commands.arg_enhet",
)
