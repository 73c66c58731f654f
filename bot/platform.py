"""How chat adapters plug in: each package in adapters/ is found by name, so a new platform is a new folder.

An adapter package may define, at module level:
    NAME: str
    def configured(env: Mapping[str, str]) -> bool
    def mount(app: aiohttp.web.Application, runtime: Runtime) -> Sender | None   (routes, startup/cleanup hooks)
    def sender(runtime: Runtime) -> Sender | None   (the sending port alone, for `nudges send` without a server)
    def add_serve_options(parser: argparse.ArgumentParser) -> None
    def add_commands(subparsers: argparse._SubParsersAction, cli: CliContextFactory) -> None
"""

from __future__ import annotations

import importlib
import os
import pkgutil
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from sqlalchemy import Engine

from bot.delivery.port import Sender
from bot.service import Restansebot
from restanse_core.clock import Clock
from restanse_core.settings import Settings


@dataclass
class Runtime:
    """Everything a running bot is made of: the composition root hands this to adapters."""

    settings: Settings
    engine: Engine
    bot: Restansebot
    clock: Clock
    public_url: str
    host: str = "127.0.0.1"
    port: int = 3978
    env: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    options: dict[str, Any] = field(default_factory=dict)  # serve options adapters added
    senders: dict[str, Sender] = field(default_factory=dict)


def discover_adapters() -> list[ModuleType]:
    """Every package under adapters/, in name order."""
    try:
        import adapters
    except ImportError:
        return []
    found = []
    for info in sorted(pkgutil.iter_modules(adapters.__path__), key=lambda i: i.name):
        if info.ispkg:
            found.append(importlib.import_module(f"adapters.{info.name}"))
    return found
