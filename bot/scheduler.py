"""When the month's reminders go out, decided from the archive's rhythm — not the calendar.

By default: at `send_time` (09:00, Europe/Oslo) on the first Norwegian working day after a new list has been
imported, so the archive can preview the day before; at most one period per calendar month. With `schedule`
(a cron expression) the first cron time after the import is used instead, moved to a working day if asked.
If no list has come by `missing_list_day`, the arkiv is reminded. APScheduler calls `tick` every minute;
`tick` decides from the database, so replicas agree and a restart loses nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING

from bot import reply_json
from bot.delivery.mail import mail_values, render_mail
from bot.delivery.model import MessageKind
from bot.delivery.outbox import NewMessage, Outbox, Period
from bot.delivery.period import period_key, plan_into_outbox
from bot.delivery.workers import Workers
from bot.replies import Paragraph, Reply
from restanse_core.calendar import WorkCalendar
from restanse_core.clock import OSLO
from restanse_core.model import Rolle, Snapshot
from restanse_core.settings import Settings
from restanse_core.store import repository

if TYPE_CHECKING:
    from apscheduler.schedulers.asyncio import AsyncIOScheduler

    from bot.data import BotData

log = logging.getLogger("restansebot.scheduler")
STALE_AFTER = timedelta(days=14)  # an old list found at start-up is not mailed out weeks late


def send_moment(imported_at: datetime, settings: Settings, calendar: WorkCalendar) -> datetime:
    """When the period of a list imported at `imported_at` goes out (aware, Europe/Oslo)."""
    imported = imported_at.astimezone(OSLO)
    hour, minute = (int(x) for x in settings.send_time.split(":"))
    if settings.schedule:
        from apscheduler.triggers.cron import CronTrigger  # here, not at start-up: only `schedule` needs it

        fire = CronTrigger.from_crontab(settings.schedule, timezone=OSLO).get_next_fire_time(None, imported)
        assert fire is not None
        if settings.schedule_working_day and not calendar.is_working_day(fire.date()):
            day = calendar.on_or_after(fire.date())
            fire = datetime.combine(day, fire.timetz().replace(tzinfo=None), OSLO)
        return fire
    day = calendar.next_working_day(imported.date())
    return datetime.combine(day, time(hour, minute), OSLO)


@dataclass(frozen=True)
class Due:
    """What the scheduler should do now."""

    period: str | None = None  # send this period
    snapshot: Snapshot | None = None
    send_date: date | None = None
    missing_month: str | None = None  # remind the arkiv that this month's list is missing


def decide(
    now: datetime, snapshots: list[Snapshot], outbox: Outbox, settings: Settings, calendar: WorkCalendar
) -> Due:
    local = now.astimezone(OSLO)
    month = f"{local:%Y-%m}"
    snapshots = [s for s in snapshots if s.monthly]  # the months' lists, not the daily ones of a live source
    started = [p for p in outbox.periods() if p.run_started_at is not None]
    missing = None
    if local.day >= settings.missing_list_day and not any(f"{s.as_of:%Y-%m}" == month for s in snapshots):
        missing = month
    if not snapshots:
        return Due(missing_month=missing)
    newest = max(snapshots, key=lambda s: s.as_of)
    key = period_key(newest.as_of)
    if sent_already(now, key, started) is not None:
        return Due(missing_month=missing)
    moment = send_moment(newest.imported_at, settings, calendar)
    if now < moment or now - moment > STALE_AFTER:
        return Due(missing_month=missing)
    return Due(period=key, snapshot=newest, send_date=moment.astimezone(OSLO).date(), missing_month=missing)


def sent_already(now: datetime, period: str, periods: list[Period]) -> Period | None:
    """The run that keeps `period` from going out at `now`: that period's own, or another period's sent in the
    same calendar month (at most one period per calendar month)."""
    started = [p for p in periods if p.run_started_at is not None]
    month = f"{now.astimezone(OSLO):%Y-%m}"
    return next((p for p in started if p.period == period), None) or next(
        (p for p in started if p.run_started_at and f"{p.run_started_at.astimezone(OSLO):%Y-%m}" == month),
        None,
    )


Deliver = Callable[[str], Awaitable[object]]


class NudgeScheduler:
    """Applies `decide`: plans the period for its send day, claims the run (one replica wins), delivers."""

    def __init__(
        self,
        bot: BotData,
        outbox: Outbox,
        deliver: Deliver,
        worker: str,
        chart_url: Callable[[str], str | None] | None = None,
    ) -> None:
        self.bot = bot
        self.outbox = outbox
        self.deliver = deliver
        self.worker = worker
        self.chart_url = chart_url or (lambda period: None)
        self.calendar = WorkCalendar(bot.settings.closed_days)
        self.scheduler: AsyncIOScheduler | None = None
        self.last_tick: datetime | None = None  # when a tick last finished (for /healthz)

    async def tick(self) -> Due:
        now = self.bot.clock.now()
        if self.bot.settings.test_recipient:  # test mode: runs go to one person, by hand, never on schedule
            self.last_tick = now
            return Due()
        with self.bot.connect() as conn:
            snapshots = repository.list_snapshots(conn)
        due = decide(now, snapshots, self.outbox, self.bot.settings, self.calendar)
        if due.missing_month:
            await self._remind_missing(due.missing_month)
        if due.period and due.snapshot and due.send_date:
            planned = plan_into_outbox(
                self.bot,
                self.outbox,
                due.snapshot.as_of,
                due.send_date,
                "planlegger",
                self.chart_url,
            )
            if planned and self.outbox.start_run(due.period, self.worker, now):
                log.info("Sender påminnelsene for %s", due.period)
                await self.deliver(due.period)
                self.outbox.finish_run(due.period, self.bot.clock.now())
        await self._take_over_orphaned_runs()
        self.last_tick = self.bot.clock.now()
        return due

    async def _take_over_orphaned_runs(self) -> None:
        """A month's run left unfinished by a server that died (SIGKILL, a lost host) is continued here:
        what was sent stays sent, and what was in flight is settled by the outbox, never blindly resent."""
        workers = Workers(self.outbox.engine)
        for period in self.outbox.periods():
            gone = period.run_by
            if period.run_started_at is None or period.run_finished_at is not None or gone is None:
                continue
            if gone == self.worker or workers.alive(gone, datetime.now(UTC)):
                continue
            if self.outbox.take_over_run(period.period, self.worker, gone):
                log.info("Fortsetter utsendingen for %s, som en stoppet prosess begynte på", period.period)
                await self.deliver(period.period)
                self.outbox.finish_run(period.period, self.bot.clock.now())

    async def _remind_missing(self, month: str) -> None:
        t = self.bot.texts
        name = t.month(date(int(month[:4]), int(month[5:]), 1))
        text = t("scheduler.missing_list", month=name)
        reply = Reply((Paragraph(text),), summary=text)
        values = {**mail_values(self.bot.settings, t), "text": text, "month": name}
        mail = render_mail(MessageKind.MANGLER, values, t).to_json()
        added = False
        for person in self.bot.org.people_with_role(Rolle.ARKIV):
            message = NewMessage(
                MessageKind.MANGLER, person.initials, None, 0, text + "\n", reply_json.dumps(reply), mail
            )
            added |= self.outbox.add_message(month, message)
        if added:
            await self.deliver(month)

    def next_moment(self) -> str:
        """When the month's reminders go out next, in words (for `doctor`)."""
        with self.bot.connect() as conn:
            snapshots = repository.list_snapshots(conn)
        rhythm = (
            f"etter timeplanen «{self.bot.settings.schedule}»"
            if self.bot.settings.schedule
            else f"kl. {self.bot.settings.send_time} første virkedag etter at lista er lest inn"
        )
        if not snapshots:
            return f"Ingen restanseliste er lest inn ennå; påminnelsene går ut {rhythm}."
        newest = max(snapshots, key=lambda s: s.as_of)
        key = period_key(newest.as_of)
        stored = self.outbox.get_period(key)
        if stored is not None and stored.run_started_at is not None:
            return f"Påminnelsene for {key} er sendt; neste utsending går {rhythm}."
        moment = send_moment(newest.imported_at, self.bot.settings, self.calendar)
        if self.bot.clock.now() - moment > STALE_AFTER:
            return f"Lista per {newest.as_of:%d.%m.%Y} er for gammel til å sendes ut; neste går {rhythm}."
        return f"Neste utsending: {moment:%d.%m.%Y kl. %H:%M} (lista per {newest.as_of:%d.%m.%Y})."

    def start(self) -> AsyncIOScheduler:
        from apscheduler.schedulers.asyncio import AsyncIOScheduler

        scheduler = AsyncIOScheduler(timezone=OSLO)
        scheduler.add_job(
            self.tick,
            "interval",
            minutes=1,
            id="restansebot-tick",
            max_instances=1,
            coalesce=True,
            next_run_time=datetime.now(OSLO) + timedelta(seconds=5),
        )
        scheduler.start()
        self.scheduler = scheduler
        return scheduler

    @property
    def running(self) -> bool:
        return self.scheduler is not None and self.scheduler.running

    def shutdown(self) -> None:
        if self.scheduler is not None and self.scheduler.running:
            self.scheduler.shutdown(wait=False)
