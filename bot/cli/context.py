"""What every CLI command shares: the house built through the composition root, dates, output formats.

Light on purpose: every command's parser is built from here, so the house (SQLAlchemy, the bot, the
platforms) is imported only when a command first asks for it.
"""

from __future__ import annotations

import argparse
import json
import os
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console

from restanse_core.clock import Clock, default_clock, today
from restanse_core.errors import UserError

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from bot.bootstrap import Platforms
    from bot.platform import Runtime
    from bot.service import Restansebot
    from restanse_core.settings import Settings

out = Console(highlight=False, soft_wrap=True)
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
    """What every command needs, built on first use through `bootstrap`: settings, the database, the bot."""

    args: argparse.Namespace
    clock: Clock = field(default_factory=default_clock)
    _engines: list[Engine] = field(default_factory=list, repr=False)  # closed by `close`

    @cached_property
    def settings(self) -> Settings:
        from restanse_core.settings import load_settings

        overrides: dict[str, Any] = {}
        if self.args.db:
            overrides["database_url"] = self.args.db
        return load_settings(self.args.config, **overrides)

    @cached_property
    def runtime(self) -> Runtime:
        """The house without the platforms (answering, reports, imports)."""
        from bot.bootstrap import bootstrap

        runtime = bootstrap(self.settings, clock=self.clock)
        self._engines.append(runtime.engine)
        return runtime

    def with_platforms(self, platforms: Platforms, **options: Any) -> Runtime:
        """The house with the configured platforms: their senders (`nudges send`) or the server (`serve`)."""
        from bot.bootstrap import bootstrap

        runtime = bootstrap(self.settings, platforms=platforms, clock=self.clock, **options)
        self._engines.append(runtime.engine)
        return runtime

    def close(self) -> None:
        """Close the database connections the command opened, rather than leave them to the end of the process."""
        for engine in self._engines:
            engine.dispose()
        self._engines.clear()

    def use_database(self, url: str) -> None:
        """From here on, work in another database (the demo's)."""
        self.settings = self.settings.model_copy(update={"database_url": url})
        self.__dict__.pop("runtime", None)

    @property
    def engine(self) -> Engine:
        return self.runtime.engine

    @property
    def bot(self) -> Restansebot:
        return self.runtime.bot

    def today(self) -> date:
        return today(self.clock)

    @property
    def user(self) -> str:
        return os.environ.get("USER") or os.environ.get("USERNAME") or "ukjent"


def no_list(cli: Cli, as_of: date | None = None) -> UserError:
    """Why there is no list to work from: none that early (and which is the first), or none at all yet — and
    then, if the demo has been tried, that the demo's lists are in a database of its own."""
    from restanse_core.demo import demo_database_url
    from restanse_core.store import repository

    with cli.engine.connect() as conn:
        snapshots = repository.list_snapshots(conn)
    if snapshots and as_of is not None:
        return UserError(
            f"Det finnes ingen restanseliste per {as_of:%d.%m.%Y} eller tidligere. "
            f"Den første er per {snapshots[0].as_of:%d.%m.%Y}."
        )
    message = "Det finnes ingen innleste restanselister ennå. Les inn en med «restansebot import FIL»."
    demo = demo_database_url()
    if cli.settings.database_url != demo and Path(demo.removeprefix("sqlite:///")).exists():
        message += (
            "\nDemoen har sin egen database. Se tallene der med «restansebot --db "
            f"{demo} report», eller chat med «restansebot demo»."
        )
    return UserError(message)


def dump_json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2, default=str) + "\n"
