"""The archive's data: database, import of the month's list, the directory, reports, stored lists.

The commands import the core inside, so that building the parser (and `--help`) loads none of it.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from bot.cli import imports
from bot.cli.context import Cli, dump_json, err, no_list, out, parse_day
from restanse_core.clock import OSLO
from restanse_core.errors import UserError
from restanse_core.words import plural

if TYPE_CHECKING:
    from restanse_core import reports
    from restanse_core.model import Organisation


def add_commands(sub: argparse._SubParsersAction) -> None:
    db = sub.add_parser("db", help="databasen").add_subparsers(
        dest="db_command", required=True, metavar="KOMMANDO"
    )
    db.add_parser("upgrade", help="oppdater databaseskjemaet, og ingenting annet").set_defaults(
        func=db_upgrade
    )
    imports.add_commands(sub)  # the month's list and the directory, in the order of the routine

    p = sub.add_parser("report", help="restanser per enhet, sammenlignet med en måned tidligere")
    p.add_argument(
        "--as-of",
        type=parse_day,
        metavar="DATO",
        help="lista per denne datoen eller nærmeste før (standard: nyeste)",
    )
    p.add_argument(
        "--compare",
        type=parse_day,
        metavar="DATO",
        help="lista å sammenligne med (standard: den nyeste minst 28 dager eldre)",
    )
    p.add_argument("--format", choices=("text", "csv", "json"), default="text", help="standard: text")
    p.add_argument("--chart", type=Path, metavar="FIL.png", help="tegn også enhetene måned for måned som PNG")
    p.set_defaults(func=report_command)

    snapshots = sub.add_parser("snapshots", help="innleste restanselister")
    ssub = snapshots.add_subparsers(dest="snapshots_command", required=True, metavar="KOMMANDO")
    ssub.add_parser("list", help="vis innleste lister").set_defaults(func=snapshots_list)
    p = ssub.add_parser("prune", help="slett lister eldre enn RESTANSEBOT_RETENTION_MONTHS måneder")
    p.add_argument(
        "--months", type=int, metavar="N", help="behold så mange måneder (standard: innstillingen)"
    )
    p.set_defaults(func=snapshots_prune)


def db_upgrade(cli: Cli, args: argparse.Namespace) -> int:
    cli.engine  # noqa: B018  (building the engine migrates)
    out.print("Databasen er oppdatert.")
    return 0


def report_command(cli: Cli, args: argparse.Namespace) -> int:
    from bot.plaintext import table_lines
    from bot.unit_table import procedure_table
    from restanse_core import reports
    from restanse_core.store import repository

    with cli.engine.connect() as conn:
        period = reports.choose_period(conn, args.as_of, args.compare)
        if period is None:
            raise no_list(cli, args.as_of)
        org = repository.load_organisation(conn)
        table = reports.unit_table(conn, org, period)
    if args.chart:
        from bot.chart import write_chart

        if args.chart.suffix.lower() != ".png":
            raise UserError(f"--chart {args.chart}: diagrammet lagres som PNG; gi fila endelsen .png.")
        try:
            write_chart(table, args.chart, cli.bot.texts)
        except OSError as exc:
            raise UserError(f"Kan ikke skrive diagrammet til {args.chart}: {exc.strerror}") from None
        err.print(f"Diagrammet er lagret i {args.chart}.", markup=False)
    if args.format == "json":
        sys.stdout.write(
            dump_json(
                {
                    "as_of": period.current.as_of.isoformat(),
                    "compare": period.previous.as_of.isoformat() if period.previous else None,
                    "units": [
                        {"code": u.code, "name": u.name, "count": u.count, "previous": u.previous}
                        for u in table.lines
                    ],
                    "total": {"count": table.count, "previous": table.previous},
                }
            )
        )
    elif args.format == "csv":
        sys.stdout.buffer.write(report_csv(table).encode("utf-8"))
    else:
        lines = table_lines(procedure_table(table, cli.bot.texts, title=cli.bot.texts("oversikt.title")))
        if (note := comparison_note(cli, period, args.compare)) is not None:
            lines += ["", note]
        lines += rollup_lines(org, table)
        sys.stdout.write("\n".join(lines) + "\n")
    if args.format != "text" and (note := comparison_note(cli, period, args.compare)) is not None:
        err.print(note, markup=False)  # the data stay as they are; the person is told
    return 0


def report_csv(table: reports.UnitTable) -> str:
    """The text report's columns in its order, the dates as headings, the sum row last (for Norwegian Excel)."""
    from bot.spreadsheet import write_csv

    period = table.period
    dates = [*([period.previous.as_of] if period.previous else []), period.current.as_of]
    header = ["enhet", "navn", *(f"{d:%d.%m.%Y}" for d in dates)]
    rows: list[Sequence[object]] = [
        [u.code, u.name or "", *([u.previous or 0] if period.previous else []), u.count] for u in table.lines
    ]
    rows.append(["Sum", "", *([table.previous or 0] if period.previous else []), table.count])
    return write_csv(rows, header)


def comparison_note(cli: Cli, period: reports.Period, compare: date | None) -> str | None:
    """When the report has no comparison, why — rather than a column silently missing."""
    if period.previous is not None:
        return None
    current = period.current.as_of
    if compare is not None and compare >= current:
        return (
            f"Ingen sammenligning: lista per {compare:%d.%m.%Y} eller nærmeste før er den samme som rapporten "
            f"bygger på ({current:%d.%m.%Y}). Velg en tidligere dato med --compare."
        )
    if compare is not None:
        from restanse_core.store import repository

        with cli.engine.connect() as conn:
            first = repository.list_snapshots(conn)[0].as_of
        return (
            f"Ingen sammenligning: det finnes ingen restanseliste per {compare:%d.%m.%Y} eller tidligere. "
            f"Den første er per {first:%d.%m.%Y}."
        )
    return f"Ingen sammenligning: det finnes ingen restanseliste før {current:%d.%m.%Y}."


def rollup_lines(org: Organisation, table: reports.UnitTable) -> list[str]:
    """«SKOLE med underenheter: 48 (forrige 33)» for every unit with units below it."""
    from restanse_core import reports

    now = reports.Counter({u.code: u.count for u in table.lines})
    before = reports.Counter({u.code: u.previous or 0 for u in table.lines})
    lines = []
    for code in sorted(u.code for u in org.units.values() if org.children(u.code)):
        line = f"{code} med underenheter: {reports.rollup(org, now, code)}"
        if table.period.previous is not None:
            line += f" (forrige {reports.rollup(org, before, code)})"
        lines.append(line)
    return ["", *lines] if lines else []


def snapshots_list(cli: Cli, args: argparse.Namespace) -> int:
    from bot.plaintext import table_lines
    from bot.replies import Table
    from restanse_core import reports
    from restanse_core.store import repository

    with cli.engine.connect() as conn:
        snapshots = repository.list_snapshots(conn)
        counts = {s.id: sum(reports.unit_counts(conn, s.id).values()) for s in snapshots}
    if not snapshots:
        raise no_list(cli)
    columns = ("Lista per", "Restanser", "Fil", "Lest inn", "Lest inn av", "Slag", "Sjekksum")
    rows = tuple(
        (
            f"{s.as_of:%d.%m.%Y}",
            str(counts[s.id]),
            s.source_name,
            f"{s.imported_at.astimezone(OSLO):%d.%m.%Y %H:%M}",
            s.imported_by,
            ("fil" if s.source_kind == "file" else "live") + (", månedens" if s.monthly else ""),
            s.checksum[:12],
        )
        for s in snapshots
    )
    lines = table_lines(Table(columns, rows, numeric=frozenset({1})))
    out.print("\n".join(line.removeprefix("  ") for line in lines), markup=False)
    return 0


def snapshots_prune(cli: Cli, args: argparse.Namespace) -> int:
    from restanse_core.store import repository

    months = args.months or cli.settings.retention_months
    cutoff = cli.today() - timedelta(days=round(months * 30.44))
    daily_cutoff = cli.today() - timedelta(days=cli.settings.daily_retention_days)
    with cli.engine.begin() as conn:
        removed = repository.prune_snapshots(conn, cutoff)
        daily = repository.prune_snapshots(conn, daily_cutoff, daily_only=True)  # a live source's days
    if removed:
        out.print(
            f"Slettet {plural(len(removed), 'liste', 'lister')} eldre enn {cutoff:%d.%m.%Y}: "
            + ", ".join(f"{d:%d.%m.%Y}" for d in removed)
        )
    if daily:
        out.print(
            f"Slettet {plural(len(daily), 'daglig liste', 'daglige lister')} fra arkivsystemet eldre enn "
            f"{daily_cutoff:%d.%m.%Y}: " + ", ".join(f"{d:%d.%m.%Y}" for d in daily)
        )
    if not removed and not daily:
        kept = plural(months, "måned", "måneder")
        out.print(f"Ingen lister er eldre enn {cutoff:%d.%m.%Y} (beholder {kept}).")
    return 0
