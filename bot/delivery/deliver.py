"""Delivering a period: claim a row, mark it in flight, send through a channel's port, record the result.

Never a duplicate: a row is claimed by one worker only, and a row found in flight after a crash is settled by
asking the channel (`was_sent`) — sent, not sent (back to pending), or unknowable (uncertain, reported).
Nothing is lost without being reported: permanent failures and give-ups are recorded with their reason, and
a person one channel cannot reach is handed on to the next (bot.delivery.routing).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from bot import reply_json
from bot.delivery.model import WAITING, MessageKind, Status
from bot.delivery.outbox import Item, NewMessage, Outbox, retry_delay
from bot.delivery.period import is_test_period, marked_for_test
from bot.delivery.port import DeliveryError, Mail, Sender
from bot.delivery.report import delivery_report, report_mail
from bot.delivery.routing import channel_label, channel_order, route_text
from bot.delivery.workers import Workers, new_worker_id
from bot.replies import Paragraph, Reply
from restanse_core.clock import Clock, SystemClock
from restanse_core.model import Person, Rolle

if TYPE_CHECKING:
    from bot.data import BotData

log = logging.getLogger("restansebot.delivery")
HEARTBEAT_SECONDS = 20.0
MESSAGE_ID_DOMAIN = socket.getfqdn()  # the host, as email.utils.make_msgid has it; looked up once


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
        self._reach: dict[tuple[str, str], bool] = {}

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
                self.outbox.release(item.id, self.bot.texts("delivery.interrupted_before"))
            else:
                self.outbox.mark_uncertain(item.id, self.bot.texts("delivery.interrupted"))
            settled += 1
        return settled

    def _person(self, item: Item) -> Person | None:
        """Who gets the row: its recipient, or in a test run the test person (each row marked for whom)."""
        if is_test_period(item.period) and self.bot.settings.test_recipient:
            return self.bot.org.people.get(self.bot.settings.test_recipient.upper())
        return self.bot.org.people.get(item.recipient)

    def _target(self, item: Item) -> tuple[Person | None, str | None]:
        if is_test_period(item.period):
            return self._person(item), None
        if item.kind == MessageKind.KANAL:
            target = self.bot.settings.channels.get(item.recipient, "")
            return None, target.partition(":")[2] or None
        return self._person(item), None

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
            if item.status == Status.PENDING and item.attempts > 0:
                texts = self.bot.texts
                why = item.reason or texts("delivery.transient")
                reason = texts("delivery.gave_up", reason=why, n=item.attempts)
                self.outbox.mark_failed(item.id, None, reason, item.platform, item.route)

    async def _reaches(self, sender: Sender, person: Person) -> bool:
        """Whether the channel finds the person (asked once per run: Slack's look-ups are rate-limited)."""
        key = (sender.platform, person.initials)
        if key not in self._reach:
            self._reach[key] = await sender.can_reach(person)
        return self._reach[key]

    async def _settled_after_doubt(
        self, item: Item, sender: Sender, exc: DeliveryError, route: str | None
    ) -> bool:
        """After a failure that may have reached the channel: settle the row if the channel can tell, or mark
        it uncertain if it cannot. False means: known not sent, so it may be retried."""
        person, channel = self._target(item)
        try:
            known = await sender.was_sent(person, channel, str(item.id))
        except DeliveryError:
            known = None
        if known is True:
            self.outbox.mark_sent(
                item.id, self.worker, self.now(), sender.platform, channel or "", None, route
            )
            return True
        if known is None:
            self.outbox.mark_uncertain(item.id, self.bot.texts("delivery.cannot_tell", reason=exc.reason))
            return True
        return False

    async def _deliver(self, item: Item, give_up_at: datetime) -> None:
        reply = reply_json.loads(item.reply)
        if item.kind == MessageKind.KANAL and not is_test_period(item.period):
            await self._post(item, reply, give_up_at)
        else:
            await self._send(item, reply, give_up_at)

    async def _post(self, item: Item, reply: Reply, give_up_at: datetime) -> None:
        """A unit's totals to its channel: only the channel the settings name, never another."""
        target = self.bot.settings.channels.get(item.recipient, "")
        platform, _, channel = target.partition(":")
        sender = self.senders.get(platform)
        if sender is None:
            reason = self.bot.texts(
                "delivery.channel_missing", unit=item.recipient, platform=platform or "plattformen"
            )
            self.outbox.mark_failed(item.id, self.worker, reason)
            return
        self.outbox.mark_platform(item.id, self.worker, sender.platform)
        try:
            sent = await sender.post_channel(channel, reply, ref=str(item.id))
        except DeliveryError as exc:
            if exc.permanent:
                self.outbox.mark_failed(item.id, self.worker, exc.reason, sender.platform)
            else:
                await self._after_transient(item, sender, exc, give_up_at, None)
            return
        except Exception as exc:  # the platform may or may not have it: never resend blindly
            self._unexpected(item, exc)
            return
        self.outbox.mark_sent(
            item.id, self.worker, self.now(), sent.platform, sent.conversation, sent.message_id
        )

    async def _send(self, item: Item, reply: Reply, give_up_at: datetime) -> None:
        """To a person: the first channel that finds them; a channel that fails for good hands it on."""
        texts = self.bot.texts
        person = self._person(item)
        if person is None:
            # Left the directory after the period was planned: nothing to deliver, nothing failed.
            self.outbox.mark_skipped(item.id, self.worker, texts("delivery.left_directory"))
            return
        mail, stamp = self._mail(item)
        notes = [item.route] if item.route else []
        order = channel_order(person, self.bot.settings.platforms, self.senders, after=item.platform)
        for name in order:
            sender = self.senders[name]
            label = channel_label(texts, name)
            try:
                if not await self._reaches(sender, person):
                    email = person.email or texts("delivery.no_email")
                    notes.append(texts("delivery.not_found", channel=label, email=email))
                    continue
                self.outbox.mark_platform(item.id, self.worker, name, route_text(notes), stamp)
                stamp = None  # stored: the same Message-ID and Date on every later try
                sent = await sender.send_direct(person, reply, ref=str(item.id), mail=mail)
            except DeliveryError as exc:
                if exc.permanent:
                    notes.append(f"{label}: {exc.reason}")
                    continue  # the next channel may reach the person
                await self._after_transient(item, sender, exc, give_up_at, route_text(notes))
                return
            except Exception as exc:  # the channel may or may not have it: never resend blindly
                self._unexpected(item, exc)
                return
            self.outbox.mark_sent(
                item.id,
                self.worker,
                self.now(),
                sent.platform,
                sent.conversation,
                sent.message_id,
                route_text(notes),
            )
            return
        reason = route_text(notes) or texts("delivery.no_channel")
        self.outbox.mark_failed(item.id, self.worker, reason)

    def _mail(self, item: Item) -> tuple[Mail | None, tuple[str, datetime] | None]:
        """The row's e-mail rendition with its Message-ID and Date; a new stamp (to store) on the first try."""
        if item.mail is None:
            return None, None
        mail = Mail.from_json(item.mail)
        if item.mail_message_id and item.mail_date:
            return replace(mail, message_id=item.mail_message_id, date=item.mail_date), None
        message_id = f"<restansebot.{item.period}.{item.id}.{uuid.uuid4().hex[:12]}@{MESSAGE_ID_DOMAIN}>"
        stamp = (message_id, self.now())
        return replace(mail, message_id=stamp[0], date=stamp[1]), stamp

    async def _after_transient(
        self, item: Item, sender: Sender, exc: DeliveryError, give_up_at: datetime, route: str | None
    ) -> None:
        """Worth trying again on the same channel, later and within the bounded time — unless it may have
        landed already: then the channel is asked, and what it cannot tell is reported, never resent."""
        if exc.maybe_sent and await self._settled_after_doubt(item, sender, exc, route):
            return
        at = self.now() + retry_delay(item.attempts, self.retry_base, retry_after=exc.retry_after)
        if at > give_up_at:
            reason = self.bot.texts("delivery.gave_up", reason=exc.reason, n=item.attempts)
            self.outbox.mark_failed(item.id, self.worker, reason, sender.platform, route)
        else:
            self.outbox.mark_retry(item.id, self.worker, exc.reason, at)

    def _unexpected(self, item: Item, exc: Exception) -> None:
        log.exception("Uventet feil ved sending av melding %s", item.id)
        reason = self.bot.texts("delivery.unexpected", error=type(exc).__name__)
        self.outbox.mark_uncertain(item.id, reason)


async def deliver_period(delivery: Delivery, period: str, kinds: Iterable[str] | None = None) -> RunSummary:
    """Deliver the period's messages; when every one has an outcome, send the arkiv the delivery report."""
    summary = await delivery.run(period, kinds)
    if summary.stopped:
        return summary
    followups = (MessageKind.RAPPORT, MessageKind.MANGLER)
    main = [i for i in delivery.outbox.items(period) if i.kind not in followups]
    if not main or any(i.status in WAITING for i in main):
        return summary
    stored = delivery.outbox.get_period(period)
    if stored is None:
        return summary
    texts = delivery.bot.texts
    text = delivery_report(delivery.outbox, stored, texts)
    reply = Reply(tuple(Paragraph(p) for p in text.split("\n\n") if p.strip()), summary=text.splitlines()[0])
    mail = report_mail(delivery.outbox, stored, texts, delivery.bot.settings).to_json()
    added = False
    for person in delivery.bot.org.people_with_role(Rolle.ARKIV):
        message = NewMessage(
            MessageKind.RAPPORT, person.initials, None, len(main), text, reply_json.dumps(reply), mail
        )
        if is_test_period(period):
            message = marked_for_test(delivery.bot, message, delivery.bot.org)
        added |= delivery.outbox.add_message(period, message)
    if added:
        await delivery.run(period, [MessageKind.RAPPORT])
    return RunSummary(period, delivery.outbox.status_counts(period), delivery.stop.is_set())
