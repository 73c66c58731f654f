"""How chat adapters plug in: each is a package registered in the entry-point group `restansebot.adapters`
(pyproject.toml: `slack = "adapters.slack"`), so a new platform is a folder in adapters/ plus one line, and
nothing in bot/ imports adapters/.

An adapter package may define, at module level:
    NAME: str
    def configured(env: Mapping[str, str]) -> bool
    def mount(app: aiohttp.web.Application, runtime: Runtime) -> Sender | None   (routes, startup/cleanup hooks)
    def sender(runtime: Runtime) -> Sender | None   (the sending port alone, for `nudges send` without a server)
    def add_serve_options(parser: argparse.ArgumentParser) -> None
    def add_commands(subparsers: argparse._SubParsersAction) -> None
    async def doctor(runtime: Runtime) -> list[Finding]   (checks for `restansebot doctor`)
"""

from __future__ import annotations

import importlib
import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from types import ModuleType
from typing import TYPE_CHECKING, Any

from restanse_core.plugins import plugins

if TYPE_CHECKING:  # all of them, so that finding the adapters (the CLI's parser) loads no more than this
    from aiohttp import web
    from sqlalchemy import Engine

    from bot.delivery.outbox import Outbox
    from bot.delivery.port import Sender
    from bot.delivery.runner import Deliveries
    from bot.scheduler import NudgeScheduler
    from bot.service import Restansebot
    from restanse_core.clock import Clock
    from restanse_core.settings import Settings

GROUP = "restansebot.adapters"
log = logging.getLogger("restansebot.platform")


@dataclass
class Runtime:
    """Everything a running bot is made of. Built only by `bot.bootstrap.bootstrap`, handed to adapters."""

    settings: Settings
    engine: Engine
    bot: Restansebot
    clock: Clock
    public_url: str
    outbox: Outbox
    deliveries: Deliveries
    scheduler: NudgeScheduler
    host: str = "127.0.0.1"
    port: int = 3978
    env: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    options: dict[str, Any] = field(default_factory=dict)  # serve options adapters added
    senders: dict[str, Sender] = field(
        default_factory=dict
    )  # filled by bootstrap, one per configured platform
    app: web.Application | None = None  # the HTTP app, under `serve`


@cache
def adapters() -> tuple[ModuleType, ...]:
    """Every installed adapter, in name order."""
    found = []
    for entry in sorted(plugins(GROUP), key=lambda e: e.name):
        try:
            found.append(importlib.import_module(entry.value))
        except ImportError as exc:  # a broken plug-in must not take the others down
            log.error("Adapteren %s kunne ikke lastes: %s", entry.name, exc)
    return tuple(found)


def configured_adapters(env: Mapping[str, str]) -> list[ModuleType]:
    """The adapters whose platform is set up in `env`."""
    return [a for a in adapters() if (check := getattr(a, "configured", None)) is not None and check(env)]
