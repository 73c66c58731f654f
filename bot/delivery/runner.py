"""This process's deliveries: the scheduler and `send påminnelser` start them, shutdown stops them together."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine, Iterable, Mapping
from typing import Any

from bot.data import BotData
from bot.delivery.deliver import Delivery, RunSummary, deliver_period
from bot.delivery.outbox import Outbox
from bot.delivery.port import Sender
from bot.delivery.workers import new_worker_id

log = logging.getLogger("restansebot.delivery")


class Deliveries:
    """Delivers periods through the configured platforms' senders (a mapping bootstrap fills)."""

    def __init__(
        self,
        bot: BotData,
        outbox: Outbox,
        senders: Mapping[str, Sender],
        chart_url: Callable[[str], str | None],
        worker: str | None = None,
    ) -> None:
        self.bot = bot
        self.outbox = outbox
        self.senders = senders
        self.chart_url = chart_url
        self.worker = worker or new_worker_id()
        self._running: list[Delivery] = []
        self._tasks: set[asyncio.Future[object]] = set()
        self._loop: asyncio.AbstractEventLoop | None = None  # the server's, once it runs

    def serve_on(self, loop: asyncio.AbstractEventLoop) -> None:
        """Background work started from a worker thread (a chat answer) runs on the server's loop."""
        self._loop = loop

    @property
    def can_send(self) -> bool:
        return bool(self.senders)

    def delivery(self) -> Delivery:
        return Delivery(self.bot, self.outbox, self.senders, worker=self.worker)

    async def deliver(self, period: str, kinds: Iterable[str] | None = None) -> RunSummary:
        """Send what is left of the period (then, when all has an outcome, the arkiv's report)."""
        delivery = self.delivery()
        self._running.append(delivery)
        try:
            return await deliver_period(delivery, period, kinds)
        finally:
            self._running.remove(delivery)

    def spawn(self, work: Coroutine[Any, Any, object]) -> None:
        """Run in the background (a chat answer must not wait for a month's sending); finished on shutdown."""
        try:
            asyncio.get_running_loop()
        except RuntimeError:  # a worker thread: hand the work to the server's loop
            if self._loop is None:
                work.close()
                raise RuntimeError("the delivery runs only under `restansebot serve`") from None
            self._loop.call_soon_threadsafe(self._start, work)
            return
        self._start(work)

    def _start(self, work: Coroutine[Any, Any, object]) -> None:
        task = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(self._done)

    def _done(self, task: asyncio.Future[object]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and (exc := task.exception()) is not None:
            log.error("Utsendingen stoppet med en feil: %s", exc, exc_info=exc)

    def stop(self) -> None:
        """Finish the message in hand, claim no more."""
        for delivery in self._running:
            delivery.stop.set()

    async def wait(self, timeout: float = 30) -> None:
        if self._tasks:
            await asyncio.wait(self._tasks, timeout=timeout)
