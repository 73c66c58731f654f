"""Records systems as live sources: found through the `restansebot.sources` entry points, chosen by `source`.

A source adapter package defines, at module level:
    NAME: str
    def source(settings: Settings, env: Mapping[str, str]) -> RestanseSource   (UserError if misconfigured)
    async def doctor(runtime: Runtime) -> list[Finding]   (optional: checks for `restansebot doctor`)
Unlike the chat adapters they mount no routes and send no messages; the bot syncs and writes off through them.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from types import ModuleType
from typing import TYPE_CHECKING

from bot.delivery.outbox import Outbox
from restanse_core.errors import UserError
from restanse_core.plugins import plugins

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from restanse_core.settings import Settings
    from restanse_core.sources.port import RestanseSource
    from restanse_core.sources.writeoff import ProtectedLists

NOT_CONFIGURED = (
    'Ingen kilde er satt opp. Sett source = "p360" og p360_*-innstillingene i konfigurasjonen '
    "(se docs/P360.md) for å lese restansene rett fra arkivsystemet."
)


def source_module(name: str) -> ModuleType:
    for entry in plugins("restansebot.sources"):
        if entry.name == name:
            module: ModuleType = entry.load()
            return module
    raise UserError(f"Kilden «{name}» er ikke installert.")


def build_source(settings: Settings, env: Mapping[str, str]) -> RestanseSource:
    """The configured source's port; UserError if none is configured or its settings are wrong."""
    if not settings.source:
        raise UserError(NOT_CONFIGURED)
    built: RestanseSource = source_module(settings.source).source(settings, env)
    return built


def sent_lists(engine: Engine) -> ProtectedLists:
    """The lists reminders went out from: an item written off from the bot does not change them."""
    outbox = Outbox(engine)

    def dates() -> set[date]:
        return {p.snapshot_as_of for p in outbox.periods() if p.run_started_at is not None}

    return dates
