"""What the month's planning, delivery and the scheduler need of the bot: data, texts, clock and settings.

A Protocol, so these parts depend on the few things they use rather than on the whole `Restansebot`
(`bot.service`), which is the one implementation.
"""

from __future__ import annotations

from datetime import date
from typing import Protocol

from sqlalchemy import Connection, Engine

from bot.texts import Texts
from restanse_core.clock import Clock
from restanse_core.guide import Guide
from restanse_core.model import Organisation
from restanse_core.settings import Settings


class BotData(Protocol):
    engine: Engine
    settings: Settings
    texts: Texts
    clock: Clock
    guide: Guide

    @property
    def org(self) -> Organisation: ...

    def connect(self) -> Connection: ...

    def today(self) -> date: ...

    def guide_url(self) -> str | None: ...
