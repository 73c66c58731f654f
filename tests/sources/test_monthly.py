"""Daily lists from a records system do not disturb the monthly routine: the month's reminders go out once, from
the month's designated list, and compare with the month's list a month earlier."""

from __future__ import annotations

import asyncio

from bot.bootstrap import bootstrap
from restanse_core.reports import choose_period
from restanse_core.settings import Settings
from restanse_core.sources.sync import run_sync
from tests.fakes import FakeSender
from tests.sources.helpers import at, directory, items
from tests.sources.memory import MemorySource


def test_reminders_go_out_once_from_the_months_list_not_from_each_daily_list(db_url):
    settings = Settings(database_url=db_url, monthly_list_day=10)
    clock = at("2019-11-10")
    sender = FakeSender()
    runtime = bootstrap(settings, clock=clock, senders={"slack": sender})
    directory(runtime.engine)
    source = MemorySource()
    items(source, "100", "UKA", 31)

    def sync(day: str) -> None:
        clock.advance_to(at(day).now())
        assert (
            asyncio.run(run_sync(runtime.engine, source, settings, clock, started_by="test")).status
            == "stored"
        )

    def tick(day: str, time: str):  # type: ignore[no-untyped-def]
        clock.advance_to(at(day, time).now())
        runtime.bot.invalidate()
        return asyncio.run(runtime.scheduler.tick())

    sync("2019-11-10")  # November's list
    items(source, "200", "UKA", 5)
    for day in ("2019-12-09", "2019-12-10", "2019-12-11"):
        sync(day)
        if day == "2019-12-09":
            assert tick(day, "09:00").period is None  # a daily list before the month's day: nothing goes out
    due = tick("2019-12-11", "09:00")  # the working day after the month's list (10.12)
    assert due.period == "2019-12" and due.snapshot.as_of.isoformat() == "2019-12-10"
    assert len([d for d in sender.delivered if d.to == "UKA"]) == 1
    sync("2019-12-12")
    assert tick("2019-12-12", "09:00").period is None  # once a month, whatever the daily lists do
    with runtime.engine.connect() as conn:
        today = choose_period(conn)
        assert today.current.as_of.isoformat() == "2019-12-12"  # what people see: today's list
        assert today.previous.as_of.isoformat() == "2019-11-10"  # compared with last month's list
