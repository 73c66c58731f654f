"""The terminal as a chat platform: `restansebot ask`, `restansebot shell` and `restansebot demo`.

Every `restansebot` command imports this module to build its parser, so what only the chat needs (the
renderer, uploads, the settings) is imported where it is used.
"""

from __future__ import annotations

import argparse
import contextlib
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console

from restanse_core.errors import UserError
from restanse_core.words import plural

if TYPE_CHECKING:
    from adapters.console.buttons import Buttons
    from bot.cli.context import Cli
    from bot.replies import Reply
    from bot.service import Restansebot
    from restanse_core.demo import DemoInfo
    from restanse_core.model import Person

NAME = "console"
PROMPT = "du> "


def add_commands(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("ask", help="still boten ett spørsmål som en person, og skriv ut svaret")
    p.add_argument("--as", dest="as_", required=True, metavar="INITIALER", help="personen som spør")
    p.add_argument("text", metavar="TEKST", help="spørsmålet, for eksempel «mine restanser»")
    p.set_defaults(func=ask)
    p = sub.add_parser("shell", help="chat med boten i terminalen")
    p.add_argument("--as", dest="as_", required=True, metavar="INITIALER", help="personen du chatter som")
    p.set_defaults(func=shell)
    p = sub.add_parser("demo", help="lag en demodatabase med eksempeldata og åpne chatten")
    p.add_argument(
        "--as", dest="as_", metavar="INITIALER", help="chat som denne personen (standard: en saksbehandler)"
    )
    p.add_argument("--no-shell", action="store_true", help="bare lag databasen")
    p.set_defaults(func=demo)


def _person(bot: Restansebot, initials: str) -> Person | None:
    return bot.person(initials)


def _say(bot: Restansebot, text: str, asker: Person | None, console: Console, buttons: Buttons) -> None:
    """The answer to a line typed, or the press of the button the line names («vis flere»)."""
    from adapters.console.render import render
    from bot.replies import Answer, Place

    button = buttons.pressed(text)
    if (match := LOAD.match(text)) is not None:  # the terminal's way of dropping a file into the chat
        answer = Answer(_load(bot, Path(match.group(1).strip().strip("'\"")).expanduser(), asker))
    elif button is not None:
        answer = bot.act(button.action, button.value, asker, Place.DIRECT)
    else:
        answer = bot.answer(text, asker, Place.DIRECT)
    buttons.remember(answer)
    render(answer.public, console, bot.texts("console.type"))


LOAD = re.compile(r"^\s*(?:last inn|les inn|load)\s+(.+)$", re.IGNORECASE)


def _load(bot: Restansebot, path: Path, asker: Person | None) -> Reply:
    """`last inn FIL`: the file read and previewed as if dropped into the 1:1 chat."""
    from bot.replies import Paragraph, Place, Reply
    from bot.uploads import Incoming, Uploads, refusal

    refused = refusal(bot, asker, Place.DIRECT)
    if refused is not None or asker is None:
        return refused or Reply()
    try:
        content = path.read_bytes()
    except OSError as exc:
        return Reply((Paragraph(bot.texts("upload.unreadable", name=str(path), reason=exc.strerror or "")),))
    return Uploads(bot).receive(asker, Incoming(path.name, content, "terminal"))


def buttons_file() -> Path:
    from restanse_core.settings import default_data_dir

    return default_data_dir() / "terminal-buttons.json"


def ask(cli: Cli, args: argparse.Namespace) -> int:
    from adapters.console.buttons import Buttons

    bot = cli.bot
    buttons = Buttons(bot)
    buttons.load(buttons_file(), cli.settings.database_url, args.as_)
    _say(bot, args.text, _person(bot, args.as_), Console(highlight=False, soft_wrap=True), buttons)
    buttons.save(buttons_file(), cli.settings.database_url, args.as_)
    return 0


def run_shell(bot: Restansebot, initials: str) -> int:
    from adapters.console.buttons import Buttons

    console = Console(highlight=False, soft_wrap=True)
    asker = _person(bot, initials)
    buttons = Buttons(bot)
    interactive = sys.stdin.isatty()
    if interactive:
        with contextlib.suppress(ImportError):
            import readline  # noqa: F401  (line editing and history for input())
        who = f"{asker.name} ({asker.initials})" if asker else initials
        help_word = bot.registry.name("hjelp", bot.texts)
        console.print(bot.texts("console.welcome", who=who, help=help_word), markup=False)
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
        _say(bot, text, asker, console, buttons)
    return 0


def shell(cli: Cli, args: argparse.Namespace) -> int:
    return run_shell(cli.bot, args.as_)


def demo_hint(cli: Cli, info: DemoInfo, person: Person, given_db: str | None, chatting: bool) -> str:
    """What the demo holds, who you chat as, one sentence per other role, and where its database is."""
    from restanse_core.demo import DEMO_CASE_OFFICER
    from restanse_core.model import Rolle

    bot = cli.bot
    led = bot.org.units_led_by(person.initials)
    role = "arkiv" if person.role == Rolle.ARKIV else "leder" if led else "saksbehandler"
    command = f"restansebot{f' --db {given_db}' if given_db else ''} demo"
    lines = [
        f"Demodatabasen er klar: {info.units} enheter, {info.people} personer og to restanselister, "
        f"med {info.first} restanser per 13.11.2019 og {info.second} per 16.12.2019."
    ]
    if chatting:
        who = {
            "arkiv": "arkivar",
            "leder": f"leder for {', '.join(led)}",
            "saksbehandler": f"saksbehandler med {plural(bot.person_figures(person.initials).count, 'restanse', 'restanser')}",
        }[role]
        lines.append(
            f"Du chatter som {person.name} ({person.initials}), {who}. Prøv «mine restanser», «enhet LMA», "
            "«oversikt», «hvem har flest», «guide» og «hjelp»."
        )
    others = {
        "saksbehandler": f"Vil du se det en saksbehandler ser, start med «{command} --as {DEMO_CASE_OFFICER}».",
        "leder": f"Vil du se det en leder ser, start med «{command} --as {info.leader}».",
        "arkiv": f"Vil du se det arkivet ser, start med «{command} --as {info.archivist}».",
    }
    lines += [sentence for other, sentence in others.items() if other != role or not chatting]
    if not given_db:
        lines.append(
            f"Demoen har sin egen database; resten av restansebot bruker den med "
            f"«restansebot --db {cli.settings.database_url} report» (og de andre kommandoene)."
        )
    return "\n".join(lines) + "\n"


def demo(cli: Cli, args: argparse.Namespace) -> int:
    from restanse_core.demo import DEMO_CASE_OFFICER, create_demo_database, demo_database_url

    url = cli.args.db or demo_database_url()
    console = Console(highlight=False, soft_wrap=True, stderr=not sys.stdin.isatty())
    cli.use_database(url)
    info = create_demo_database(cli.engine, cli.settings)
    initials = (args.as_ or DEMO_CASE_OFFICER).upper()
    person = cli.bot.person(initials)
    if person is None:
        raise UserError(f"Det finnes ingen person med initialene {initials} i demodataene.")
    console.print(demo_hint(cli, info, person, cli.args.db, chatting=not args.no_shell), markup=False)
    if args.no_shell:
        return 0
    return run_shell(cli.bot, initials)
