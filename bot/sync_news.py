"""What a sync means for the arkiv beyond its own result: the first failure of a streak, and working again
after one, are told to every arkiv — whoever started the sync, the nightly schedule or someone's «oppdater»."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from sqlalchemy.exc import SQLAlchemyError

from bot.context import CommandBot
from bot.notices import tell_arkiv
from bot.sync_replies import failed_notice, recovered_notice
from restanse_core.model import Person
from restanse_core.store import live

if TYPE_CHECKING:
    from restanse_core.sources.sync import SyncResult  # (pandas: not for a command's start-up)

log = logging.getLogger("restansebot.sync")
SUCCEEDED = ("stored", "skipped", "saved")  # the records system was read (a held list is neither)


def streak_news(status: str, earlier: list[str]) -> str | None:
    """What a sync's outcome means for the arkiv's failure notices: "failed" for the first failure after a
    success (or ever), "recovered" for the first success after failures, else None (the streak goes on).

    `earlier`: the statuses of the runs before this one, newest first; held, cancelled and crashed runs
    (still "running") say nothing either way.
    """
    last = next((s for s in earlier if s in SUCCEEDED or s == "failed"), None)
    if status == "failed":
        return None if last == "failed" else "failed"
    if status in SUCCEEDED:
        return "recovered" if last == "failed" else None
    return None


async def tell_streak(
    bot: CommandBot, system: str, result: SyncResult, *, told: Person | None = None
) -> None:
    """Tell every arkiv (but `told`, who has the sync's own result already) if this sync began a streak of
    failures or ended one. Never raises (a notice must not stop the sync that sent it)."""
    if result.run_id is None or result.status not in ("failed", *SUCCEEDED):
        return
    try:
        with bot.connect() as conn:
            earlier = [r.status for r in live.recent_runs(conn, 50) if r.id != result.run_id]
    except SQLAlchemyError as exc:
        log.warning("Fikk ikke sjekket om oppdateringen fra %s begynte eller endte en feilrekke: %s",
                    system, type(exc).__name__)  # fmt: skip
        return
    news = streak_news(result.status, earlier)
    if news == "failed":
        await tell_arkiv(bot, failed_notice(bot.texts, system, result), kind="sync-failed", but=told)
    elif news == "recovered":
        await tell_arkiv(bot, recovered_notice(bot.texts, system, result), kind="sync-recovered", but=told)
