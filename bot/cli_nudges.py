"""`restansebot nudges send` and `nudges status`: the month's reminders sent by hand, and what became of them."""

from __future__ import annotations

import argparse
import asyncio
import signal
from typing import TYPE_CHECKING

from rich.console import Console

from bot.delivery.deliver import Delivery, deliver_period
from bot.delivery.outbox import Outbox
from bot.delivery.period import build_period, period_key, plan_into_outbox
from bot.delivery.port import Sender
from bot.delivery.report import delivery_report
from bot.platform import Runtime, discover_adapters
from restanse_core.errors import UserError

if TYPE_CHECKING:
    from bot.cli import Cli

out = Console(highlight=False, soft_wrap=True)
KINDS = ("saksbehandler", "leder", "arkiv", "kanal")


def add_commands(nsub: argparse._SubParsersAction) -> None:
    from bot.cli import parse_day

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


def runtime_for(cli: Cli) -> Runtime:
    settings = cli.settings
    public_url = (settings.public_url or "http://127.0.0.1:3978").rstrip("/")
    return Runtime(settings=settings, engine=cli.engine, bot=cli.bot, clock=cli.clock, public_url=public_url)


def senders_for(runtime: Runtime) -> dict[str, Sender]:
    """The sending ports of every configured platform, without starting the HTTP server."""
    senders: dict[str, Sender] = {}
    for adapter in discover_adapters():
        configured = getattr(adapter, "configured", None)
        make = getattr(adapter, "sender", None)
        if make is not None and configured is not None and configured(runtime.env):
            sender = make(runtime)
            if sender is not None:
                senders[adapter.NAME] = sender
    return senders


def send(cli: Cli, args: argparse.Namespace) -> int:
    bot = cli.bot
    outbox = Outbox(cli.engine)
    today = cli.today()
    kinds = args.only
    if args.dry_run:
        return _dry_run(cli, outbox, args)
    runtime = runtime_for(cli)
    senders = senders_for(runtime)
    if not senders:
        raise UserError(
            "Ingen chatplattform er satt opp, så jeg kan ikke sende. Sett SLACK_BOT_TOKEN (Slack) eller "
            "CONNECTIONS__SERVICE_CONNECTION__SETTINGS__CLIENTID (Teams) – se README."
        )
    planned = plan_into_outbox(bot, outbox, args.as_of, today, cli.user, _chart_url(runtime, args, cli))
    if planned is None:
        raise UserError(
            "Det finnes ingen innleste restanselister ennå. Les inn en med «restansebot import FIL»."
        )
    key, fresh = planned
    stored = outbox.get_period(key)
    assert stored is not None
    if not fresh and stored.send_date != today:
        out.print(
            f"Perioden {key} er alt i gang (planlagt for {stored.send_date:%d.%m.%Y}); sender det som gjenstår."
        )
    delivery = Delivery(bot, outbox, senders)

    async def run() -> None:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, delivery.stop.set)  # finish the message in hand, then stop claiming
        await deliver_period(delivery, key, kinds)
        for sender in senders.values():
            close = getattr(sender, "close", None)
            if close is not None:
                await close()

    asyncio.run(run())
    out.print(delivery_report(outbox, stored, bot.texts), markup=False)
    if delivery.stop.is_set():
        out.print("Stoppet. Kjør «restansebot nudges send» igjen for å sende resten.")
        return 1
    counts = outbox.status_counts(key)
    return 0 if not counts.get("failed") and not counts.get("uncertain") else 1


def _chart_url(runtime: Runtime, args: argparse.Namespace, cli: Cli) -> str | None:
    with cli.engine.connect() as conn:
        from restanse_core.reports import choose_period

        period = choose_period(conn, args.as_of, monthly=True)
    return f"{runtime.public_url}/charts/{period_key(period.current.as_of)}.png" if period else None


def _dry_run(cli: Cli, outbox: Outbox, args: argparse.Namespace) -> int:
    built = build_period(cli.bot, args.as_of, cli.today())
    if built is None:
        raise UserError(
            "Det finnes ingen innleste restanselister ennå. Les inn en med «restansebot import FIL»."
        )
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
        f"Prøvekjøring for {built.key}: {len(messages)} meldinger ville blitt sendt i dag, frist "
        f"{built.plan.deadline:%d.%m.%y}. Ingenting er sendt eller lagret.",
        markup=False,
    )
    for m in messages:
        out.rule(f"{m.kind} → {m.recipient} ({m.count})")
        out.print(m.text, markup=False)
    return 0


def status(cli: Cli, args: argparse.Namespace) -> int:
    outbox = Outbox(cli.engine)
    period = outbox.get_period(args.period) if args.period else outbox.latest_period()
    if period is None:
        what = f"perioden {args.period}" if args.period else "noen periode"
        raise UserError(f"Det er ikke planlagt påminnelser for {what} ennå.")
    out.print(delivery_report(outbox, period, cli.bot.texts), markup=False)
    return 0
