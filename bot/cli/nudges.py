"""`restansebot nudges plan`, `nudges send` and `nudges status`: the month's reminders previewed, sent by hand,
and what became of them."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from bot.cli.context import Cli, dump_json, no_list, out, parse_day
from bot.delivery.model import PLANNED, MessageKind, Status
from restanse_core.errors import UserError
from restanse_core.words import plural

if TYPE_CHECKING:
    from bot.delivery.outbox import Outbox

# The delivery and planning modules are imported by the commands, not when the parser is built.

KINDS = [k.value for k in PLANNED]


def add_commands(sub: argparse._SubParsersAction) -> None:
    nudges = sub.add_parser("nudges", help="månedens påminnelser")
    nsub = nudges.add_subparsers(dest="nudges_command", required=True, metavar="KOMMANDO")
    p = nsub.add_parser("plan", help="hvem som får hvilken melding (sender ingenting)")
    p.add_argument(
        "--as-of", type=parse_day, metavar="DATO", help="lista meldingene bygger på (standard: nyeste)"
    )
    p.add_argument("--date", type=parse_day, metavar="DATO", help="dagen meldingene sendes (standard: i dag)")
    p.add_argument("--format", choices=("text", "json"), default="text", help="standard: text")
    p.set_defaults(func=plan)

    p = nsub.add_parser("send", help="send månedens påminnelser nå (det som ikke alt er sendt)")
    p.add_argument(
        "--as-of", type=parse_day, metavar="DATO", help="lista meldingene bygger på (standard: nyeste)"
    )
    p.add_argument(
        "--only",
        choices=KINDS,
        action="append",
        metavar="SLAG",
        help="bare disse: saksbehandler, leder, arkiv eller kanal (kan gjentas)",
    )
    p.add_argument("--dry-run", action="store_true", help="vis hva som ville blitt sendt, uten å sende")
    p.set_defaults(func=send)
    p = nsub.add_parser("status", help="hva som er sendt, feilet, usikkert eller hoppet over")
    p.add_argument(
        "--period", metavar="ÅÅÅÅ-MM", help="perioden (måneden lista gjelder); standard: den siste"
    )
    p.set_defaults(func=status)


def send(cli: Cli, args: argparse.Namespace) -> int:
    import asyncio
    import signal

    from bot.bootstrap import Platforms
    from bot.delivery.deliver import deliver_period
    from bot.delivery.period import plan_into_outbox
    from bot.delivery.report import delivery_report

    today = cli.today()
    kinds = args.only
    if args.dry_run:
        return _dry_run(cli, cli.runtime.outbox, args)
    runtime = cli.with_platforms(Platforms.SEND)
    if not runtime.senders:
        raise UserError(
            "Ingen kanal for utsending er satt opp, så jeg kan ikke sende. Sett SLACK_BOT_TOKEN (Slack), "
            "CONNECTIONS__SERVICE_CONNECTION__SETTINGS__CLIENTID (Teams) eller RESTANSEBOT_EMAIL_TRANSPORT "
            "(e-post) – se README, og sjekk oppsettet med «restansebot doctor»."
        )
    bot, outbox = runtime.bot, runtime.outbox
    planned = plan_into_outbox(bot, outbox, args.as_of, today, cli.user, bot.chart_url)
    if planned is None:
        raise no_list(cli, args.as_of)
    key, fresh = planned
    stored = outbox.get_period(key)
    assert stored is not None
    if not fresh and stored.send_date != today:
        out.print(
            f"Perioden {key} er alt i gang (planlagt for {stored.send_date:%d.%m.%Y}); sender det som gjenstår."
        )
    delivery = runtime.deliveries.delivery()

    async def run() -> None:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, delivery.stop.set)  # finish the message in hand, then stop claiming
        await deliver_period(delivery, key, kinds)
        for sender in runtime.senders.values():
            close = getattr(sender, "close", None)
            if close is not None:
                await close()

    asyncio.run(run())
    out.print(delivery_report(outbox, stored, bot.texts), markup=False)
    if delivery.stop.is_set():
        out.print("Stoppet. Kjør «restansebot nudges send» igjen for å sende resten.")
        return 1
    counts = outbox.status_counts(key)
    return 0 if not counts.get(Status.FAILED) and not counts.get(Status.UNCERTAIN) else 1


def _dry_run(cli: Cli, outbox: Outbox, args: argparse.Namespace) -> int:
    from bot.delivery.period import build_period

    built = build_period(cli.bot, args.as_of, cli.today())
    if built is None:
        raise no_list(cli, args.as_of)
    stored = outbox.get_period(built.key)
    if stored is not None:
        items = [i for i in outbox.items(built.key) if args.only is None or i.kind in args.only]
        out.print(
            f"Perioden {built.key} er planlagt for {stored.send_date:%d.%m.%Y} (frist {stored.deadline:%d.%m.%y}). "
            "Dette er tekstene som sendes:",
            markup=False,
        )
        for item in items:
            out.rule(f"{item.kind} → {item.recipient} ({item.count}) [{item.status}]")
            out.print(item.text, markup=False)
        return 0
    messages = [m for m in built.messages if args.only is None or m.kind in args.only]
    out.print(
        f"Prøvekjøring for {built.key}: {plural(len(messages), 'melding', 'meldinger')} ville blitt sendt i dag, frist "
        f"{built.plan.deadline:%d.%m.%y}. Ingenting er sendt eller lagret.",
        markup=False,
    )
    for m in messages:
        out.rule(f"{m.kind} → {m.recipient} ({m.count})")
        out.print(m.text, markup=False)
    return 0


def status(cli: Cli, args: argparse.Namespace) -> int:
    from bot.delivery.report import delivery_report

    outbox = cli.runtime.outbox
    period = outbox.get_period(args.period) if args.period else outbox.latest_period()
    if period is None:
        what = f"perioden {args.period}" if args.period else "noen periode"
        raise UserError(f"Det er ikke planlagt påminnelser for {what} ennå.")
    out.print(delivery_report(outbox, period, cli.bot.texts), markup=False)
    return 0


def plan(cli: Cli, args: argparse.Namespace) -> int:
    from bot.nudge_texts import render_plan
    from restanse_core import reports
    from restanse_core.planning import plan_for_period
    from restanse_core.store import repository

    send_date = args.date or cli.today()
    with cli.engine.connect() as conn:
        period = reports.choose_period(conn, args.as_of, monthly=True)
        if period is None:
            raise no_list(cli, args.as_of)
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
                            "unit": r.planned.unit if r.planned.kind != MessageKind.ARKIV else None,
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
    counts = {k.value: sum(1 for r in rendered if r.planned.kind == k) for k in PLANNED}
    out.print(
        f"Plan for lista per {plan.as_of:%d.%m.%Y}, sendt {plan.send_date:%d.%m.%Y}, frist {plan.deadline:%d.%m.%y}: "
        f"{plural(counts['saksbehandler'], 'saksbehandler', 'saksbehandlere')}, "
        f"{plural(counts['leder'], 'leder', 'ledere')}, {counts['arkiv']} i arkivet.",
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
