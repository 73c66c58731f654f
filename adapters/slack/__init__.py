"""Slack: the bot in Slack on slack-bolt — direct messages, mentions, /restanser, buttons, the App Home
tab, and the sending port for the monthly messages.

Configured by SLACK_BOT_TOKEN plus SLACK_SIGNING_SECRET (HTTP, on /slack/events) or SLACK_APP_TOKEN
(`restansebot serve --slack-socket-mode`). See «Restansebot in Slack» in README.md.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from aiohttp import web

    from bot.cli.context import Cli
    from bot.delivery.port import Sender
    from bot.doctor import Finding
    from bot.platform import Runtime

NAME = "slack"


# Every CLI command imports this package: even its configuration is imported where it is used.
def configured(env: Mapping[str, str]) -> bool:
    from adapters.slack import config as _config

    return _config.configured(env)


def mount(app: web.Application, runtime: Runtime) -> Sender:
    from adapters.slack import config as _config
    from adapters.slack.app import SlackAdapter

    adapter = SlackAdapter(runtime.bot, _config.load_config(runtime.env, runtime.options))
    adapter.mount(app)
    return adapter.sender


def sender(runtime: Runtime) -> Sender:
    """The sending port alone (no route, no Bolt app), for `restansebot nudges send` outside the server.

    (Its implementation lives in `sending.py`: a submodule named `sender` would replace this function.)"""
    from adapters.slack import config as _config
    from adapters.slack.app import standalone_sender

    return standalone_sender(runtime.bot, _config.load_config(runtime.env, receiving=False))


async def doctor(runtime: Runtime) -> list[Finding]:
    """Checks for `restansebot doctor`: a token Slack accepts, settings that belong together, https."""
    from adapters.slack.doctor import check

    return await check(runtime.env, runtime.public_url)


def add_serve_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--slack-socket-mode",
        action="store_true",
        help="koble til Slack over Socket Mode (trenger SLACK_APP_TOKEN) i stedet for å ta imot på /slack/events",
    )


def add_commands(sub: argparse._SubParsersAction) -> None:
    slack = sub.add_parser("slack", help="Slack-appen")
    ssub = slack.add_subparsers(dest="slack_command", required=True, metavar="KOMMANDO")
    p = ssub.add_parser(
        "manifest", help="skriv Slack-manifestet med adressene fylt inn (lim det inn på api.slack.com/apps)"
    )
    p.add_argument(
        "--public-url", metavar="URL", help="bottens offentlige adresse (standard: RESTANSEBOT_PUBLIC_URL)"
    )
    p.add_argument(
        "--socket-mode", action="store_true", help="appen kobler til med Socket Mode: ingen adresser trengs"
    )
    p.add_argument("-o", "--output", metavar="FIL", help="skriv til fila i stedet for til skjermen")
    p.set_defaults(func=manifest_command)


def manifest_command(cli: Cli, args: argparse.Namespace) -> int:
    from adapters.slack.manifest import run_manifest_command

    return run_manifest_command(cli, args)
