"""The nightly sync inside `restansebot serve`: at `sync_schedule` (cron, Europe/Oslo; default 05:00) the list
is read from the records system. A tick every minute decides from the database whether a slot has passed
without a sync, so replicas agree (the sync itself runs under a lease) and a server that was down catches up."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from aiohttp import web
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger

from bot.context import CommandBot
from bot.notices import tell_arkiv
from bot.platform import Runtime
from bot.sources import build_source
from bot.sync_news import tell_streak
from bot.sync_replies import held_preview, reappeared_notice
from restanse_core.clock import OSLO
from restanse_core.sources.sync import SyncResult, run_sync
from restanse_core.store import live

log = logging.getLogger("restansebot.sync")
LOOK_BACK = timedelta(days=8)


async def announce(bot: CommandBot, system: str, result: SyncResult) -> None:
    """Tell the arkiv what the nightly sync means for them: a held list (the preview with its buttons), the
    first failure of a streak, working again, items that came back. Never raises into the scheduler."""
    try:
        t = bot.texts
        if result.status == "held":
            await tell_arkiv(bot, held_preview(t, system, result, bot.settings), kind="sync-held")
        await tell_streak(bot, system, result)
        if result.reappeared:
            await tell_arkiv(bot, reappeared_notice(t, system, result.reappeared), kind="sync-reappeared")
    except Exception:
        log.exception("Arkivet fikk ikke beskjed om oppdateringen")


def last_slot(schedule: str, now: datetime) -> datetime | None:
    """The newest moment of the cron schedule at or before now (within a week), or None."""
    trigger = CronTrigger.from_crontab(schedule, timezone=OSLO)
    moment, found = now - LOOK_BACK, None
    while True:
        fire = trigger.get_next_fire_time(found, moment)
        if fire is None or fire > now:
            return found
        found, moment = fire, fire + timedelta(seconds=1)


class SyncScheduler:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.scheduler: AsyncIOScheduler | None = None

    async def tick(self) -> SyncResult | None:
        runtime = self.runtime
        slot = last_slot(runtime.settings.sync_schedule, runtime.clock.now())
        if slot is None:
            return None
        with runtime.engine.connect() as conn:
            last = live.last_run_started(conn)
        if last is not None and last >= slot:
            return None
        source = build_source(runtime.settings, runtime.env)
        try:
            result = await run_sync(
                runtime.engine,
                source,
                runtime.settings,
                runtime.clock,
                started_by="planlegger",
                due_after=slot,
            )
        finally:
            await source.close()
        if result.status != "busy":
            log.log(
                logging.WARNING if result.status in ("failed", "held") else logging.INFO, "%s", result.message
            )
            await announce(runtime.bot, source.name, result)
        return result

    def start(self) -> None:
        scheduler = AsyncIOScheduler(timezone=OSLO)
        scheduler.add_job(
            self.tick,
            "interval",
            minutes=1,
            id="restansebot-sync",
            max_instances=1,
            coalesce=True,
            next_run_time=datetime.now(OSLO) + timedelta(seconds=5),
        )
        scheduler.start()
        self.scheduler = scheduler

    def shutdown(self) -> None:
        if self.scheduler is not None:
            self.scheduler.shutdown(wait=False)


def wire_sync(app: web.Application, runtime: Runtime) -> None:
    """With a source configured, `serve` keeps the list current. Its settings are checked at start."""
    if not runtime.settings.source:
        return
    build_source(runtime.settings, runtime.env)  # a misconfigured source stops the server with the reason
    scheduler = SyncScheduler(runtime)

    async def start(_: web.Application) -> None:
        scheduler.start()

    async def stop(_: web.Application) -> None:
        scheduler.shutdown()

    app.on_startup.append(start)
    app.on_shutdown.append(stop)
