"""The terminal as a chat platform: `restansebot ask`, `restansebot shell` and `restansebot demo`."""

from __future__ import annotations

import argparse
import contextlib
import sys
from typing import TYPE_CHECKING

from rich.console import Console

from adapters.console.render import render
from bot.replies import Place
from restanse_core.errors import UserError

if TYPE_CHECKING:
    from bot.cli.context import Cli
    from bot.service import Restansebot
    from restanse_core.model import Person

NAME = "console"
PROMPT = "du> "


def add_commands(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("ask", help="still boten ett spørsmål som en person, og skriv ut svaret")
    p.add_argument("--as", dest="as_", required=True, metavar="INITIALER")
    p.add_argument("text", metavar="TEKST")
    p.set_defaults(func=ask)
    p = sub.add_parser("shell", help="chat med boten i terminalen")
    p.add_argument("--as", dest="as_", required=True, metavar="INITIALER")
    p.set_defaults(func=shell)
    p = sub.add_parser("demo", help="lag en demodatabase med eksempeldata og åpne chatten")
    p.add_argument(
        "--as", dest="as_", metavar="INITIALER", help="chat som denne personen (standard: en saksbehandler)"
    )
    p.add_argument("--no-shell", action="store_true", help="bare lag databasen")
    p.set_defaults(func=demo)


def _person(bot: Restansebot, initials: str) -> Person | None:
    return bot.person(initials)


def _say(bot: Restansebot, text: str, asker: Person | None, console: Console) -> None:
    answer = bot.answer(text, asker, Place.DIRECT)
    render(answer.public, console)


def ask(cli: Cli, args: argparse.Namespace) -> int:
    bot = cli.bot
    _say(bot, args.text, _person(bot, args.as_), Console(highlight=False, soft_wrap=True))
    return 0


def run_shell(bot: Restansebot, initials: str) -> int:
    console = Console(highlight=False, soft_wrap=True)
    asker = _person(bot, initials)
    interactive = sys.stdin.isatty()
    if interactive:
        with contextlib.suppress(ImportError):
            import readline  # noqa: F401  (line editing and history for input())
        who = f"{asker.name} ({asker.initials})" if asker else initials
        console.print(
            f"Du chatter som {who}. Skriv «hjelp» for kommandoer, «avslutt» eller Ctrl-D for å gå ut."
        )
    while True:
        try:
            line = input(PROMPT) if interactive else sys.stdin.readline()
        except EOFError:
            break
        if not interactive and line == "":
            break
        text = line.strip()
        if not text:
            continue
        if text.lower() in {"avslutt", "exit", "quit", "slutt", "q"}:
            break
        _say(bot, text, asker, console)
    return 0


def shell(cli: Cli, args: argparse.Namespace) -> int:
    return run_shell(cli.bot, args.as_)


def demo(cli: Cli, args: argparse.Namespace) -> int:
    from restanse_core.demo import DEMO_CASE_OFFICER, create_demo_database, demo_database_url

    url = cli.args.db or demo_database_url()
    console = Console(highlight=False, soft_wrap=True, stderr=not sys.stdin.isatty())
    cli.use_database(url)
    info = create_demo_database(cli.engine, cli.settings)
    initials = (args.as_ or DEMO_CASE_OFFICER).upper()
    if cli.bot.person(initials) is None:
        raise UserError(f"Det finnes ingen person med initialene {initials} i demodataene.")
    console.print(
        f"Demodatabasen er klar: {info.units} enheter, {info.people} personer, restanselister per "
        f"13.11.2019 ({info.first}) og 16.12.2019 ({info.second}).\n"
        f"Prøv: «mine restanser», «enhet LMA», «enhet skole», «oversikt», «guide», «status», «hjelp».\n"
        f"Som leder: restansebot --db {url} shell --as {info.leader}    Som arkiv: --as {info.archivist}\n",
        markup=False,
    )
    if args.no_shell:
        return 0
    return run_shell(cli.bot, initials)
