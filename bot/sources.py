"""Records systems as live sources: found through the `restansebot.sources` entry points, chosen by `source`.

A source adapter package defines, at module level:
    NAME: str
    def source(settings: Settings, env: Mapping[str, str]) -> RestanseSource   (UserError if misconfigured)
    async def doctor(runtime: Runtime) -> list[Finding]   (optional: checks for `restansebot doctor`)
Unlike the chat adapters they mount no routes and send no messages; the bot syncs and writes off through them.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from types import ModuleType
from typing import TYPE_CHECKING, Literal, TypeVar

from bot.delivery.outbox import Outbox
from restanse_core.clock import Clock
from restanse_core.errors import UserError
from restanse_core.plugins import plugins
from restanse_core.store import repository

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from restanse_core.settings import Settings
    from restanse_core.sources.port import RestanseSource
    from restanse_core.sources.writeoff import ProtectedLists

T = TypeVar("T")
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


@dataclass(frozen=True)
class RecordsSystem:
    """What the chat needs to know of the configured source before anyone presses anything (no I/O)."""

    name: str  # «360»
    per_recipient: bool
    needs_login: bool
    multi_recipient_notes: Literal["refuse", "confirm"]


class Records:
    """The configured records system as the bot uses it from chat: «Avskriv», «oppdater», the held list.

    Each use builds the source afresh (its HTTP session belongs to the event loop it runs on) and closes it.
    """

    def __init__(self, engine: Engine, settings: Settings, clock: Clock, env: Mapping[str, str]) -> None:
        self.engine, self.settings, self.clock, self.env = engine, settings, clock, env

    @cached_property
    def system(self) -> RecordsSystem:
        """(`serve` checks the source's settings at start; `doctor` reports them without stopping.)"""
        probe = self.source()
        return RecordsSystem(probe.name, probe.per_recipient, probe.needs_login, probe.multi_recipient_notes)

    def available(self) -> RecordsSystem | None:
        """The system, or None where its settings are wrong (`serve` refuses to start then; `doctor` says why)."""
        try:
            return self.system
        except UserError:
            return None

    def source(self) -> RestanseSource:
        return build_source(self.settings, self.env)

    async def using(self, work: Callable[[RestanseSource], Awaitable[T]]) -> T:
        source = self.source()
        try:
            return await work(source)
        finally:
            await source.close()

    def protected(self) -> set[date]:
        return sent_lists(self.engine)()


def logins_from_upn(settings: Settings, env: Mapping[str, str]) -> bool:
    """The source takes its logins from the chat's member look-up (`<source>_login_from = "upn"`, e.g.
    `p360_login_from`; the environment wins, as for every setting) instead of reading them at sync."""
    if not settings.source:
        return False
    chosen = env.get(f"RESTANSEBOT_{settings.source.upper()}_LOGIN_FROM") or settings.source_options.get(
        settings.source, {}
    ).get("login_from", "email")
    return str(chosen).strip().lower() == "upn"


def fill_login_from_upn(
    engine: Engine, settings: Settings, env: Mapping[str, str], initials: str, upn: str
) -> bool:
    """A person without a login gets the UPN a chat platform gave for them, where the source says so. True if
    filled (the directory's version changes, so every replica sees it)."""
    upn = upn.strip()
    if not upn or not logins_from_upn(settings, env):
        return False
    with engine.begin() as conn:
        if repository.fill_logins(conn, {initials: upn}) == 0:
            return False
        repository.bump_directory_version(conn, uuid.uuid4().hex)
    return True


def records_for(engine: Engine, settings: Settings, clock: Clock, env: Mapping[str, str]) -> Records | None:
    """The records system the bot writes off in and syncs from, or None where no source is configured."""
    return Records(engine, settings, clock, env) if settings.source else None
