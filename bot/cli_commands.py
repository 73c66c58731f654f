"""The archive's commands: database, import, directory, report, nudges, snapshots, serve."""

from __future__ import annotations

import argparse
import sys
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console

from bot import cli_import, cli_nudges
from bot.nudge_texts import render_plan
from bot.plaintext import table_lines
from bot.platform import Runtime, discover_adapters
from bot.unit_table import procedure_table
from restanse_core import reports
from restanse_core.errors import UserError
from restanse_core.planning import plan_for_period
from restanse_core.store import repository

if TYPE_CHECKING:
    from bot.cli import Cli

out = Console(highlight=False, soft_wrap=True)


def add_commands(sub: argparse._SubParsersAction) -> None:
    from bot.cli import parse_day

    db = sub.add_parser("db", help="databasen").add_subparsers(
        dest="db_command", required=True, metavar="KOMMANDO"
    )
    db.add_parser("upgrade", help="oppdater databaseskjemaet, og ingenting annet").set_defaults(
        func=db_upgrade
    )

    cli_import.add_commands(sub)

    p = sub.add_parser("report", help="restanser per enhet, sammenlignet med en måned tidligere")
    p.add_argument("--as-of", type=parse_day, metavar="DATO")
    p.add_argument("--compare", type=parse_day, metavar="DATO")
    p.add_argument("--format", choices=("text", "csv", "json"), default="text")
    p.add_argument("--chart", type=Path, metavar="FIL.png", help="tegn også enhetene måned for måned som PNG")
    p.set_defaults(func=report_command)

    nudges = sub.add_parser("nudges", help="månedens påminnelser")
    nsub = nudges.add_subparsers(dest="nudges_command", required=True, metavar="KOMMANDO")
    p = nsub.add_parser("plan", help="hvem som får hvilken melding (sender ingenting)")
    p.add_argument(
        "--as-of", type=parse_day, metavar="DATO", help="lista meldingene bygger på (standard: nyeste)"
    )
    p.add_argument("--date", type=parse_day, metavar="DATO", help="dagen meldingene sendes (standard: i dag)")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(func=nudges_plan)
    cli_nudges.add_commands(nsub)

    p = sub.add_parser(
        "serve", help="kjør boten: Slack- og Teams-endepunktene, /healthz, /guide og planleggeren"
    )
    p.add_argument("--host", default="127.0.0.1", help="adresse å lytte på (standard 127.0.0.1)")
    p.add_argument("--port", type=int, default=3978, help="port (standard 3978)")
    for adapter in discover_adapters():
        if add := getattr(adapter, "add_serve_options", None):
            add(p)
    p.set_defaults(func=serve)

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
    from bot.cli import dump_json
    from bot.spreadsheet import write_csv

    with cli.engine.connect() as conn:
        period = reports.choose_period(conn, args.as_of, args.compare)
        if period is None:
            raise UserError(
                "Det finnes ingen innleste restanselister ennå. Les inn en med «restansebot import FIL»."
            )
        org = repository.load_organisation(conn)
        table = reports.unit_table(conn, org, period)
    if args.chart:
        from bot.chart import write_chart

        if args.chart.suffix.lower() != ".png":
            raise UserError(f"--chart {args.chart}: diagrammet lagres som PNG; gi fila endelsen .png.")
        try:
            write_chart(table, args.chart)
        except OSError as exc:
            raise UserError(f"Kan ikke skrive diagrammet til {args.chart}: {exc.strerror}") from None
        Console(stderr=True).print(f"Diagrammet er lagret i {args.chart}.", markup=False)
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
        sys.stdout.buffer.write(
            write_csv(
                [
                    (u.code, u.name or "", u.count, "" if u.previous is None else u.previous)
                    for u in table.lines
                ],
                ("enhet", "navn", "antall", "forrige"),
            ).encode("utf-8")
        )
    else:
        lines = table_lines(procedure_table(table, cli.bot.texts, title=cli.bot.texts("oversikt.title")))
        rollups = [
            f"  {u.code}: {reports.rollup(org, _counts(table), u.code)} med underenheter"
            for u in org.units.values()
            if org.children(u.code)
        ]
        if rollups:
            lines += ["", "Med underenheter:", *sorted(rollups)]
        sys.stdout.write("\n".join(lines) + "\n")
    return 0


def _counts(table: reports.UnitTable) -> reports.Counter[str]:
    return reports.Counter({u.code: u.count for u in table.lines})


def nudges_plan(cli: Cli, args: argparse.Namespace) -> int:
    from bot.cli import dump_json

    send_date = args.date or cli.today()
    with cli.engine.connect() as conn:
        period = reports.choose_period(conn, args.as_of)
        if period is None:
            raise UserError(
                "Det finnes ingen innleste restanselister ennå. Les inn en med «restansebot import FIL»."
            )
        org = repository.load_organisation(conn)
        plan = plan_for_period(conn, org, period, cli.settings, send_date)
    rendered = render_plan(plan, org, cli.settings, cli.bot.texts, cli.bot.guide_url())
    if args.format == "json":
        sys.stdout.write(
            dump_json(
                {
                    "as_of": plan.as_of.isoformat(),
                    "send_date": plan.send_date.isoformat(),
                    "threshold": plan.threshold,
                    "deadline": plan.deadline.isoformat(),
                    "messages": [
                        {
                            "kind": r.planned.kind.value,
                            "recipient": r.planned.recipient,
                            "unit": r.planned.unit if r.planned.kind != "arkiv" else None,
                            "count": r.planned.count,
                            "text": r.text,
                        }
                        for r in rendered
                    ],
                    "unreachable": [
                        {"recipient": u.initials, "count": u.count, "reason": u.reason}
                        for u in plan.unreachable
                    ],
                }
            )
        )
        return 0
    counts = {
        k: sum(1 for r in rendered if r.planned.kind == k)
        for k in ("saksbehandler", "leder", "arkiv", "kanal")
    }
    out.print(
        f"Plan for lista per {plan.as_of:%d.%m.%Y}, sendt {plan.send_date:%d.%m.%Y}, frist {plan.deadline:%d.%m.%y}: "
        f"{counts['saksbehandler']} saksbehandlere, {counts['leder']} ledere, {counts['arkiv']} i arkivet.",
        markup=False,
    )
    for u in plan.unreachable:
        out.print(
            f"Kan ikke nås: {u.initials} ({u.count}) – {cli.bot.texts('nudges.' + u.reason)}", markup=False
        )
    for r in rendered:
        out.rule(f"{r.planned.kind.value} → {r.planned.recipient} ({r.planned.count})")
        out.print(r.text, markup=False)
    return 0


def snapshots_list(cli: Cli, args: argparse.Namespace) -> int:
    with cli.engine.connect() as conn:
        snapshots = repository.list_snapshots(conn)
        counts = {s.id: sum(reports.unit_counts(conn, s.id).values()) for s in snapshots}
    if not snapshots:
        out.print("Ingen restanselister er lest inn ennå.")
    for s in snapshots:
        out.print(
            f"{s.as_of:%d.%m.%Y}  {counts[s.id]:>8} restanser  fra {s.source_name}  ({s.imported_by})",
            markup=False,
        )
    return 0


def snapshots_prune(cli: Cli, args: argparse.Namespace) -> int:
    months = args.months or cli.settings.retention_months
    cutoff = cli.today() - timedelta(days=round(months * 30.44))
    with cli.engine.begin() as conn:
        removed = repository.prune_snapshots(conn, cutoff)
    if removed:
        out.print(
            f"Slettet {len(removed)} lister eldre enn {cutoff:%d.%m.%Y}: "
            + ", ".join(f"{d:%d.%m.%Y}" for d in removed)
        )
    else:
        out.print(f"Ingen lister er eldre enn {cutoff:%d.%m.%Y} (beholder {months} måneder).")
    return 0


def serve(cli: Cli, args: argparse.Namespace) -> int:
    from aiohttp import web

    from bot.server import build_app

    settings = cli.settings
    public_url = (settings.public_url or f"http://{args.host}:{args.port}").rstrip("/")
    if not settings.public_url:
        settings.public_url = public_url
    runtime = Runtime(
        settings=settings,
        engine=cli.engine,
        bot=cli.bot,
        clock=cli.clock,
        public_url=public_url,
        host=args.host,
        port=args.port,
        options=vars(args),
    )
    app = build_app(runtime)
    out.print(
        f"Restansebot lytter på http://{args.host}:{args.port} (offentlig adresse {public_url}).",
        markup=False,
    )
    try:
        web.run_app(app, host=args.host, port=args.port, print=None, access_log=None)
    except OSError as exc:
        raise UserError(
            f"Kan ikke lytte på {args.host}:{args.port}: {exc.strerror or exc}. "
            "Er porten i bruk av et annet program? Velg en annen med --port."
        ) from None
    return 0
