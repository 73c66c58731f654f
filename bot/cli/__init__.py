"""`restansebot`: the command line. Every command builds the house through `bot.bootstrap` (which brings the
schema up to date) before it runs."""

from __future__ import annotations

import argparse
import gc
import logging
import sys
from collections.abc import Sequence

from bot.cli import data, nudges, operations, source
from bot.cli.context import Cli, err
from bot.cli.parser import ArgumentParser
from bot.platform import adapters
from restanse_core.errors import UserError


def build_parser() -> argparse.ArgumentParser:
    parser = ArgumentParser(
        prog="restansebot",
        description="Restansebot: oppfølging av restanser i chat (Teams, Slack og terminal).",
    )
    parser.add_argument(
        "--db", metavar="URL", help="database-URL (ellers RESTANSEBOT_DATABASE_URL eller SQLite-fila)"
    )
    parser.add_argument(
        "--config", metavar="FIL", help="TOML-fil med innstillinger (ellers RESTANSEBOT_CONFIG)"
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="mer logging")
    sub = parser.add_subparsers(dest="command", metavar="KOMMANDO", required=True)
    data.add_commands(sub)
    nudges.add_commands(sub)
    operations.add_commands(sub)
    source.add_commands(sub)
    for adapter in adapters():
        if (add := getattr(adapter, "add_commands", None)) is not None:
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
    finally:
        cli.close()
    sys.exit(code or 0)


def run() -> None:
    """The `restansebot` console script and `python -m bot`: `main`, in a process that ends with it."""
    try:
        main()
    finally:
        # Everything left lives until the process ends: frozen, it is not walked again by the interpreter's
        # last garbage collections on the way out (about 0.1 s of a command's start-up and exit).
        gc.freeze()
