"""`restansebot`: the command line. Every command brings the schema up to date before it runs."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from typing import Any

from rich.console import Console
from sqlalchemy import Engine

import bot.store  # noqa: F401  (registers the bot's migrations)
from bot.platform import discover_adapters
from bot.service import Restansebot
from restanse_core.clock import Clock, default_clock, today
from restanse_core.errors import UserError
from restanse_core.settings import Settings, load_settings
from restanse_core.store import make_engine, migrate

err = Console(stderr=True, highlight=False, soft_wrap=True)


def parse_day(text: str) -> date:
    """ISO (2019-12-16) or dd.mm.yyyy (16.12.2019)."""
    for fmt in ("%Y-%m-%d", "%d.%m.%Y", "%d.%m.%y"):
        try:
            return datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
    raise argparse.ArgumentTypeError(f"«{text}» er ikke en dato (bruk åååå-mm-dd eller dd.mm.åååå)")


@dataclass
class Cli:
    """What every command needs, built on first use: settings, database (migrated), the bot."""

    args: argparse.Namespace
    clock: Clock = field(default_factory=default_clock)

    @cached_property
    def settings(self) -> Settings:
        overrides: dict[str, Any] = {}
        if self.args.db:
            overrides["database_url"] = self.args.db
        return load_settings(self.args.config, **overrides)

    @cached_property
    def engine(self) -> Engine:
        engine = make_engine(self.settings.database_url)
        migrate(engine)
        return engine

    @cached_property
    def bot(self) -> Restansebot:
        return Restansebot(self.engine, self.settings, self.clock)

    def today(self) -> date:
        return today(self.clock)

    @property
    def user(self) -> str:
        return os.environ.get("USER") or os.environ.get("USERNAME") or "ukjent"


def build_parser() -> argparse.ArgumentParser:
    from bot import cli_commands

    parser = argparse.ArgumentParser(
        prog="restansebot",
        description="Restansebot: oppfølging av restanser i chat (Teams, Slack og terminal).",
    )
    parser.add_argument(
        "--db", metavar="URL", help="database-URL (ellers RESTANSEBOT_DATABASE_URL eller SQLite-fila)"
    )
    parser.add_argument(
        "--config", metavar="FILE", help="TOML-fil med innstillinger (ellers RESTANSEBOT_CONFIG)"
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="mer logging")
    sub = parser.add_subparsers(dest="command", metavar="KOMMANDO", required=True)
    cli_commands.add_commands(sub)
    for adapter in discover_adapters():
        add = getattr(adapter, "add_commands", None)
        if add is not None:
            add(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> None:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    cli = Cli(args)
    try:
        code = args.func(cli, args)
    except UserError as exc:
        err.print(exc.message, markup=False)
        sys.exit(2)
    except KeyboardInterrupt:
        sys.exit(130)
    except BrokenPipeError:
        sys.stderr.close()
        sys.exit(0)
    sys.exit(code or 0)


def dump_json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2, default=str) + "\n"
