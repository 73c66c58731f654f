"""`serve` keeps the bot's data prepared: it notices new data (an import, a directory change) within
WATCH_SECONDS and works out everyone's figures in a worker thread, answering from the data before until the
new figures are ready — so the first question after an import is as quick as any other."""

from __future__ import annotations

import asyncio
import gc
import logging
import time
from contextlib import suppress

from aiohttp import web

from bot.service import WATCH_SECONDS, Restansebot

log = logging.getLogger("restansebot.data")
WATCHER: web.AppKey[asyncio.Task[None]] = web.AppKey("watcher", asyncio.Task)


async def keep_prepared(bot: Restansebot, every: float = WATCH_SECONDS) -> None:
    bot.watched = True
    failing = False
    try:
        while True:
            started = time.monotonic()
            try:
                if await asyncio.to_thread(bot.prepare):
                    period = bot.period
                    log.info(
                        "Nye data klargjort: lista %s, %d personer (%.1f s)",
                        f"{period.current.as_of:%d.%m.%Y}" if period else "(ingen)",
                        len(bot.org.people),
                        time.monotonic() - started,
                    )
                    await asyncio.to_thread(out_of_the_collectors_way)
                failing = False
            except Exception as exc:  # the database away for a moment: answer from what we have, try again
                if not failing:
                    log.warning(
                        "Fikk ikke sjekket om det har kommet nye data (%s); prøver igjen", type(exc).__name__
                    )
                failing = True
            await asyncio.sleep(every)
    finally:
        bot.watched = False


def out_of_the_collectors_way() -> None:
    """What is prepared lives until the next data change: moved where the garbage collector does not walk it.

    Otherwise every full collection walks all of it with the event loop stopped (about 0.15 s on a million
    restanser, a couple of times a second under a burst of questions: the slowest answers). Unfrozen and
    collected first, so that the data prepared before are let go."""
    gc.unfreeze()
    gc.collect()
    gc.freeze()


def wire(app: web.Application, bot: Restansebot) -> None:
    """Start keeping the data prepared when the server starts; stop when it stops."""

    async def start(_: web.Application) -> None:
        app[WATCHER] = asyncio.create_task(keep_prepared(bot))

    async def stop(_: web.Application) -> None:
        task = app[WATCHER]
        task.cancel()
        with suppress(asyncio.CancelledError):
            await task

    app.on_startup.append(start)
    app.on_cleanup.append(stop)
