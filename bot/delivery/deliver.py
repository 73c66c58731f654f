"""Delivering a period: claim a row, mark it in flight, send through the platform's port, record the result.

Never a duplicate: a row is claimed by one worker only, and a row found in flight after a crash is settled by
asking the platform (`was_sent`) — sent, not sent (back to pending), or unknowable (uncertain, reported).
Nothing is lost without being reported: permanent failures and give-ups are recorded with their reason.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from bot import reply_json
from bot.delivery.outbox import Item, NewMessage, Outbox, retry_delay
from bot.delivery.port import DeliveryError, Sender
from bot.delivery.report import delivery_report
from bot.delivery.workers import Workers, new_worker_id
from bot.replies import Paragraph, Reply
from restanse_core.clock import Clock, SystemClock
from restanse_core.model import Person, Rolle

if TYPE_CHECKING:
    from bot.data import BotData

log = logging.getLogger("restansebot.delivery")
HEARTBEAT_SECONDS = 20.0


@dataclass
class RunSummary:
    period: str
    counts: dict[str, int] = field(default_factory=dict)
    stopped: bool = False


class Delivery:
    """Sends a period's outbox through the configured platforms."""

    def __init__(
        self,
        bot: BotData,
        outbox: Outbox,
        senders: Mapping[str, Sender],
        *,
        worker: str | None = None,
        concurrency: int | None = None,
        give_up: timedelta | None = None,
        retry_base: float = 2.0,
        clock: Clock | None = None,
    ) -> None:
        self.bot = bot
        self.outbox = outbox
        self.senders = dict(senders)
        self.worker = worker or new_worker_id()
        self.workers = Workers(outbox.engine)
        self.concurrency = concurrency or bot.settings.delivery_concurrency
        self.give_up = give_up or timedelta(minutes=bot.settings.delivery_give_up_minutes)
        self.retry_base = retry_base
        # Retries and heartbeats run on real time, whatever "today" the bot is told (tests pin the bot's clock).
        self.clock = clock or SystemClock()
        self.stop = asyncio.Event()
        self._reach: dict[str, Sender | None] = {}

    def now(self) -> datetime:
        return self.clock.now()

    # ---- recovery ---------------------------------------------------------------------------------------

    async def recover(self, period: str) -> int:
        """Settle rows left in flight by a worker that is gone. Returns how many were settled."""
        settled = 0
        for item in self.outbox.in_flight(period):
            if item.claimed_by == self.worker or self.workers.alive(item.claimed_by, self.now()):
                continue
            sender = self.senders.get(item.platform or "")
            known: bool | None = None
            if sender is not None:
                person, channel = self._target(item)
                try:
                    known = await sender.was_sent(person, channel, str(item.id))
                except DeliveryError as exc:
                    log.warning("Kunne ikke sjekke melding %s: %s", item.id, exc.reason)
            elif item.platform is None:
                known = False  # claimed, but no platform was ever called
            if known is True:
                self.outbox.mark_sent(item.id, None, self.now(), item.platform or "", "", None)
            elif known is False:
                self.outbox.release(item.id, "sendingen ble avbrutt før meldingen gikk ut; sendes på nytt")
            else:
                self.outbox.mark_uncertain(
                    item.id, "sendingen ble avbrutt midt i, og plattformen kan ikke si om meldingen kom fram"
                )
            settled += 1
        return settled

    def _target(self, item: Item) -> tuple[Person | None, str | None]:
        if item.kind == "kanal":
            target = self.bot.settings.channels.get(item.recipient, "")
            return None, target.partition(":")[2] or None
        return self.bot.org.people.get(item.recipient), None

    # ---- the run ----------------------------------------------------------------------------------------

    async def run(self, period: str, kinds: Iterable[str] | None = None) -> RunSummary:
        kinds = list(kinds) if kinds is not None else None
        self.workers.heartbeat(self.worker, self.now())
        beat = asyncio.create_task(self._heartbeat())
        try:
            await self.recover(period)
            give_up_at = self.now() + self.give_up
            await asyncio.gather(*(self._work(period, kinds, give_up_at) for _ in range(self.concurrency)))
            if not self.stop.is_set():
                self._give_up_waiting(period, kinds)
        finally:
            beat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await beat
            self.workers.leave(self.worker)
        return RunSummary(period, self.outbox.status_counts(period), self.stop.is_set())

    async def _heartbeat(self) -> None:
        while True:
            await asyncio.sleep(HEARTBEAT_SECONDS)
            self.workers.heartbeat(self.worker, self.now())

    async def _work(self, period: str, kinds: list[str] | None, give_up_at: datetime) -> None:
        while not self.stop.is_set():
            item = self.outbox.claim(period, self.worker, self.now(), kinds)
            if item is None:
                if self.outbox.pending_count(period, kinds) == 0:
                    return
                due = self.outbox.next_due(period, kinds)
                if due is not None and due.tzinfo is None:
                    due = due.replace(tzinfo=self.now().tzinfo)
                if due is not None and due > give_up_at:
                    return  # what waits past the bounded time is given up below
                wait = 0.2 if due is None else max(0.01, min(1.0, (due - self.now()).total_seconds()))
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.stop.wait(), wait)
                continue
            await self._deliver(item, give_up_at)

    def _give_up_waiting(self, period: str, kinds: list[str] | None) -> None:
        for item in self.outbox.items(period, kinds):
            if item.status == "pending" and item.attempts > 0:
                reason = f"{item.reason or 'midlertidig feil'} – gitt opp etter {item.attempts} forsøk"
                self.outbox.mark_failed(item.id, None, reason, item.platform)

    async def _sender_for(self, person: Person) -> Sender | None:
        if person.initials not in self._reach:
            found = None
            for name in self.bot.settings.platforms:
                sender = self.senders.get(name)
                if sender is not None and await sender.can_reach(person):
                    found = sender
                    break
            self._reach[person.initials] = found
        return self._reach[person.initials]

    async def _settled_after_doubt(self, item: Item, sender: Sender, exc: DeliveryError) -> bool:
        """After a failure that may have reached the platform: settle the row if the platform can tell, or
        mark it uncertain if it cannot. False means: known not sent, so it may be retried."""
        person, channel = self._target(item)
        try:
            known = await sender.was_sent(person, channel, str(item.id))
        except DeliveryError:
            known = None
        if known is True:
            self.outbox.mark_sent(item.id, self.worker, self.now(), sender.platform, channel or "", None)
            return True
        if known is None:
            reason = f"{exc.reason}; plattformen kan ikke si om meldingen kom fram"
            self.outbox.mark_uncertain(item.id, reason)
            return True
        return False

    async def _deliver(self, item: Item, give_up_at: datetime) -> None:
        reply = reply_json.loads(item.reply)
        sender: Sender | None = None
        try:
            if item.kind == "kanal":
                target = self.bot.settings.channels.get(item.recipient, "")
                platform, _, channel = target.partition(":")
                sender = self.senders.get(platform)
                if sender is None:
                    self.outbox.mark_failed(
                        item.id,
                        self.worker,
                        f"kanalen for {item.recipient} er ikke satt opp, eller {platform or 'plattformen'} er ikke konfigurert",
                    )
                    return
                self.outbox.mark_platform(item.id, self.worker, sender.platform)
                sent = await sender.post_channel(channel, reply, ref=str(item.id))
            else:
                person = self.bot.org.people.get(item.recipient)
                if person is None:
                    # Left the directory after the period was planned: nothing to deliver, nothing failed.
                    self.outbox.mark_skipped(item.id, self.worker, "ikke lenger i katalogen")
                    return
                sender = await self._sender_for(person)
                if sender is None:
                    where = (
                        " eller ".join(
                            n.capitalize() for n in self.bot.settings.platforms if n in self.senders
                        )
                        or "noen chatplattform"
                    )
                    self.outbox.mark_failed(
                        item.id, self.worker, f"ikke funnet i {where} ({person.email or 'mangler e-post'})"
                    )
                    return
                self.outbox.mark_platform(item.id, self.worker, sender.platform)
                sent = await sender.send_direct(person, reply, ref=str(item.id))
        except DeliveryError as exc:
            used = sender.platform if sender else None
            if exc.permanent:
                self.outbox.mark_failed(item.id, self.worker, exc.reason, used)
                return
            if exc.maybe_sent and sender is not None and await self._settled_after_doubt(item, sender, exc):
                return
            at = self.now() + retry_delay(item.attempts, self.retry_base, retry_after=exc.retry_after)
            if at > give_up_at:
                self.outbox.mark_failed(
                    item.id, self.worker, f"{exc.reason} – gitt opp etter {item.attempts} forsøk", used
                )
            else:
                self.outbox.mark_retry(item.id, self.worker, exc.reason, at)
            return
        except Exception as exc:  # the platform may or may not have it: never resend blindly
            log.exception("Uventet feil ved sending av melding %s", item.id)
            self.outbox.mark_uncertain(item.id, f"uventet feil under sendingen ({type(exc).__name__})")
            return
        self.outbox.mark_sent(
            item.id, self.worker, self.now(), sent.platform, sent.conversation, sent.message_id
        )


async def deliver_period(delivery: Delivery, period: str, kinds: Iterable[str] | None = None) -> RunSummary:
    """Deliver the period's messages; when every one has an outcome, send the arkiv the delivery report."""
    summary = await delivery.run(period, kinds)
    if summary.stopped:
        return summary
    main = [i for i in delivery.outbox.items(period) if i.kind not in ("rapport", "mangler")]
    if not main or any(i.status in ("pending", "in_flight") for i in main):
        return summary
    stored = delivery.outbox.get_period(period)
    if stored is None:
        return summary
    text = delivery_report(delivery.outbox, stored, delivery.bot.texts)
    reply = Reply(tuple(Paragraph(p) for p in text.split("\n\n") if p.strip()), summary=text.splitlines()[0])
    added = False
    for person in delivery.bot.org.people_with_role(Rolle.ARKIV):
        added |= delivery.outbox.add_message(
            period, NewMessage("rapport", person.initials, None, len(main), text, reply_json.dumps(reply))
        )
    if added:
        await delivery.run(period, ["rapport"])
    return RunSummary(period, delivery.outbox.status_counts(period), delivery.stop.is_set())
