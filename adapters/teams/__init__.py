"""Microsoft Teams, on the Microsoft 365 Agents SDK for Python (the maintained successor of botbuilder).

The bot answers at /api/messages on the server's one aiohttp app; it is configured with the SDK's own
CONNECTIONS__SERVICE_CONNECTION__SETTINGS__* variables (see «Microsoft Teams» in README.md).
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from aiohttp import web

    from bot.delivery.port import Sender
    from bot.doctor import Finding
    from bot.platform import Runtime

NAME = "teams"


# Every CLI command imports this package: even its configuration is imported where it is used.
def configured(env: Mapping[str, str]) -> bool:
    from adapters.teams import config as _config

    return _config.configured(env)


def mount(app: web.Application, runtime: Runtime) -> Sender | None:
    """Mount Teams at /api/messages; refuses (UserError) an anonymous mode that is not strictly local."""
    from adapters.teams import config as _config
    from adapters.teams.app import attach

    settings = _config.TeamsConfig.from_env(
        runtime.env, no_pacing=bool(runtime.options.get("teams_no_pacing"))
    )
    return attach(app, runtime, settings).sender


def sender(runtime: Runtime) -> Sender | None:
    """The sending port alone (no HTTP route), for `restansebot nudges send` outside the server.

    (Its implementation lives in `sending.py`: a submodule named `sender` would replace this function.)
    """
    from adapters.teams import config as _config
    from adapters.teams.app import standalone_sender

    return standalone_sender(runtime, _config.TeamsConfig.from_env(runtime.env))


async def doctor(runtime: Runtime) -> list[Finding]:
    """Checks for `restansebot doctor`: a token for the bot, and an https address Teams can reach."""
    from adapters.teams import config as _config

    if not configured(runtime.env):
        return []
    from adapters.teams.doctor import check

    return await check(_config.TeamsConfig.from_env(runtime.env), runtime.public_url)


def add_serve_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--teams-no-pacing",
        action="store_true",
        help="ikke hold igjen utsendelser til Teams (bare for målinger; Teams begrenser til 50/s per tenant)",
    )


def add_commands(sub: argparse._SubParsersAction) -> None:
    from adapters.teams.package import add_package_command

    teams = sub.add_parser("teams", help="Microsoft Teams: app-pakken")
    add_package_command(teams.add_subparsers(dest="teams_command", required=True, metavar="KOMMANDO"))
