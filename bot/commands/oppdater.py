"""`oppdater` (arkiv): the list from the records system now, not at night. Answered at once; the sync runs in
the background and its result goes to the asker (a held list: its preview to every arkiv). «Lagre likevel» /
«Forkast» on a held list, pressed or typed («oppdater lagre», «oppdater avbryt»), save or discard it."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from bot.context import Ask, CommandBot
from bot.notices import tell, tell_arkiv
from bot.registry import Action, Command
from bot.replies import Paragraph, Reply
from bot.sources import NOT_CONFIGURED, Records
from bot.sync_news import tell_streak
from bot.sync_replies import DISCARD, SAVE, result_reply
from bot.texts import Texts
from restanse_core.calendar import long_date
from restanse_core.errors import UserError
from restanse_core.model import Person, Rolle
from restanse_core.store import live

if TYPE_CHECKING:
    from restanse_core.sources.port import RestanseSource
    from restanse_core.sources.sync import SyncResult

log = logging.getLogger("restansebot.sync")


def _plain(text: str) -> Reply:
    return Reply((Paragraph(text),), summary=text[:150])


def _by(asker: Person | None) -> str:
    # Who pressed or typed it; the handler does not know the platform, the sync_runs row says chat.
    return f"{asker.initials if asker else '?'} via chat"


async def _sync(records: Records, by: str) -> SyncResult:
    from restanse_core.sources.sync import run_sync  # pandas: only when a sync runs

    return await records.using(
        lambda source: run_sync(records.engine, source, records.settings, records.clock, started_by=by)
    )


async def _sync_and_tell(bot: CommandBot, records: Records, asker: Person) -> None:
    try:
        result = await _sync(records, _by(asker))
    except Exception:
        log.exception("Oppdateringen fra chat stoppet med en feil")
        return
    reply = result_reply(bot.texts, records.system.name, result, bot.settings)
    if result.status == "held":
        await tell_arkiv(bot, reply, kind="sync-held")  # every arkiv decides on a held list, the asker too
    else:
        await tell(bot, asker, reply, kind="oppdater")
        await tell_streak(bot, records.system.name, result, told=asker)  # e.g. 360 works again


def handle(ask: Ask) -> Reply:
    bot, t, records, asker = ask.bot, ask.bot.texts, ask.bot.records, ask.asker
    if records is None:
        return _plain(NOT_CONFIGURED)
    assert asker is not None  # (the arkiv only)
    system = records.system.name
    try:
        bot.sending.spawn(_sync_and_tell(bot, records, asker))
    except RuntimeError:
        # Not under `serve` (the terminal, `ask`): the sync runs here, and the answer is its result.
        result = asyncio.run(_sync(records, _by(asker)))
        return result_reply(t, system, result, bot.settings)
    return _plain(t("oppdater.fetching", system=system))


def save(ask: Ask) -> Reply:
    return _decide(ask, discard=False)


def discard(ask: Ask) -> Reply:
    return _decide(ask, discard=True)


def _decide(ask: Ask, *, discard: bool) -> Reply:
    """«Lagre likevel» or «Forkast» on the held list (the button's value is its run; typed: the newest held)."""
    bot, t, records = ask.bot, ask.bot.texts, ask.bot.records
    if records is None:
        return _plain(NOT_CONFIGURED)
    from restanse_core.sources.sync import LEASE_TTL, SYNC_LEASE, holder_id

    holder = holder_id()
    if not live.acquire_lease(records.engine, SYNC_LEASE, holder, datetime.now(UTC), LEASE_TTL):
        return _plain(t("sync.busy_saving"))  # a sync, or another press, is at it: one at a time
    try:
        with records.engine.connect() as conn:
            held = live.held_run(conn)
            wanted = int(ask.argument) if ask.argument.isdecimal() and len(ask.argument) <= 18 else None
            if held is None or (wanted is not None and held[0].id != wanted):
                return _decided_already(t, live.sync_run(conn, wanted) if wanted is not None else None)
        run = held[0]
        if discard:
            _discard(records, _by(ask.asker))
            return _plain(t("sync.discarded", date=long_date(run.as_of or bot.today())))
        try:
            result = _save(records, _by(ask.asker))
        except UserError as exc:  # a newer list was stored since it was held
            return _plain(exc.message)
    finally:
        live.release_lease(records.engine, SYNC_LEASE, holder)
    # No invalidate(): every replica sees the new list by its data version (the sync stamps it).
    n = result.summary.restanser if result.summary else 0
    return _plain(t("sync.saved", date=long_date(result.as_of), system=records.system.name, n=t.number(n)))


def _save(records: Records, by: str) -> SyncResult:
    from restanse_core.sources.sync import save_held

    async def work(source: RestanseSource) -> SyncResult:
        return save_held(records.engine, source, records.settings, records.clock, saved_by=by)

    return asyncio.run(records.using(work))


def _discard(records: Records, by: str) -> None:
    from restanse_core.sources.sync import cancel_held

    cancel_held(records.engine, records.clock, cancelled_by=by)


def _decided_already(t: Texts, run: live.SyncRun | None) -> Reply:
    if run is None or run.as_of is None:
        return _plain(t("sync.none_held"))
    day = long_date(run.as_of)
    if run.status in ("saved", "cancelled") and (run.message or "").startswith(("Lagret av", "Forkastet av")):
        return _plain(t("sync.decided", date=day, what=run.message))
    if run.status == "cancelled":
        return _plain(t("sync.replaced_by_newer", date=day))
    return _plain(t("sync.none_held"))


SAVE_COMMAND, DISCARD_COMMAND = "oppdater_lagre", "oppdater_forkast"

COMMAND = Command(
    id="oppdater",
    aliases=(
        "oppdater",
        "oppdater lista",
        "oppdater restansene",
        "oppdater restanselista",
        "oppdater restansane",
        "update the list",
        "update restanser",
        "refresh the list",
    ),
    help_key="oppdater.help",
    handler=handle,
    roles=frozenset({Rolle.ARKIV}),
    needs_source=True,
)
SAVE_HELD = Command(
    id=SAVE_COMMAND,
    aliases=("oppdater lagre", "oppdater lagre likevel", "update save", "update save anyway"),
    help_key="oppdater.help",
    handler=save,
    roles=frozenset({Rolle.ARKIV}),
    hidden=True,
    actions=(Action(SAVE, confirms=True),),
)
DISCARD_HELD = Command(
    id=DISCARD_COMMAND,
    aliases=("oppdater avbryt", "oppdater forkast", "update discard", "update cancel"),
    help_key="oppdater.help",
    handler=discard,
    roles=frozenset({Rolle.ARKIV}),
    hidden=True,
    actions=(Action(DISCARD),),
)
