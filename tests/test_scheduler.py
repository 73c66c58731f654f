"""When the month's reminders go out: time travel over imports, holidays, DST and the one-per-month rule."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.bootstrap import bootstrap
from bot.plaintext import render_plain
from bot.scheduler import send_moment
from restanse_core.calendar import WorkCalendar
from restanse_core.clock import FixedClock
from restanse_core.settings import Settings
from tests.conftest import write_csv
from tests.fakes import FakeSender

OSLO = ZoneInfo("Europe/Oslo")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=OSLO)


@pytest.mark.parametrize(
    ("imported", "expected"),
    [
        ("2019-12-13 15:00", "2019-12-16 09:00"),  # Friday afternoon → Monday
        ("2019-12-16 08:00", "2019-12-17 09:00"),  # the archive previews the day before
        ("2026-12-23 10:00", "2026-12-28 09:00"),  # 24.12 closed, 25.–26.12 holidays, 27.12 Sunday
        ("2026-04-01 12:00", "2026-04-07 09:00"),  # Easter 2026: 2.4, 3.4 and 6.4
        ("2026-04-30 12:00", "2026-05-04 09:00"),  # 1 May on a Friday
        ("2026-05-16 12:00", "2026-05-18 09:00"),  # 17 May on a Sunday: Monday 18.5 is a working day
    ],
)
def test_send_day_is_the_first_working_day_after_the_import(imported, expected):
    assert send_moment(at(imported), Settings(database_url="sqlite://"), WorkCalendar()) == at(expected)


def test_nine_oclock_is_local_time_across_daylight_saving_changes():
    settings, calendar = Settings(database_url="sqlite://"), WorkCalendar()
    summer = send_moment(at("2026-03-27 12:00"), settings, calendar)  # DST starts 29.3.2026
    winter = send_moment(at("2026-10-24 12:00"), settings, calendar)  # DST ends 25.10.2026
    assert summer.astimezone(UTC).hour == 7 and summer.astimezone(OSLO).hour == 9
    assert winter.astimezone(UTC).hour == 8 and winter.astimezone(OSLO).hour == 9


def test_fixed_cron_schedule_moves_to_the_next_working_day():
    calendar = WorkCalendar()
    cron = Settings(database_url="sqlite://", schedule="30 8 14 * *")
    assert send_moment(at("2019-12-02 10:00"), cron, calendar) == at(
        "2019-12-16 08:30"
    )  # 14.12.2019 is a Saturday
    exact = Settings(database_url="sqlite://", schedule="30 8 14 * *", schedule_working_day=False)
    assert send_moment(at("2019-12-02 10:00"), exact, calendar) == at("2019-12-14 08:30")


def test_bad_cron_is_a_configuration_error(cli, db_url, monkeypatch):
    monkeypatch.setenv("RESTANSEBOT_SCHEDULE", "every monday")
    result = cli("--db", db_url, "report")
    assert result.code != 0 and "schedule (RESTANSEBOT_SCHEDULE)" in result.err


class World:
    """A bot whose clock we move, a fake platform, and the scheduler's tick."""

    def __init__(self, db_url: str, now: str, **settings) -> None:
        self.clock = FixedClock(at(now))
        self.sender = FakeSender()
        runtime = bootstrap(
            Settings(database_url=db_url, **settings), clock=self.clock, senders={"slack": self.sender}
        )
        self.engine, self.bot, self.outbox = runtime.engine, runtime.bot, runtime.outbox
        self.scheduler = runtime.scheduler

    def tick(self, now: str):
        self.clock.advance_to(at(now))
        self.bot.invalidate()
        return asyncio.run(self.scheduler.tick())

    def sent_to(self, who: str, kind: str | None = None) -> list:
        return [d for d in self.sender.delivered if d.to == who]


@pytest.fixture
def import_list(cli, directory, tmp_path, monkeypatch):
    """Import a list of `rows` restanser for UKA as of `as_of`, as if at `imported_at` (Oslo time)."""

    def run(as_of: str, imported_at: str, rows: int = 31, name: str = "liste.csv") -> None:
        lines = ["Jpnr;Type;Sbh;Enhet;Jour.dato"] + [f"2019/{i}-1;I;UKA;LMA;01.10.2019" for i in range(rows)]
        with monkeypatch.context() as pinned:
            pinned.setenv("RESTANSEBOT_NOW", at(imported_at).isoformat())
            assert (
                cli("--db", directory, "import", write_csv(tmp_path / name, lines), "--as-of", as_of).code
                == 0
            )

    return run


@pytest.fixture
def directory(cli, db_url, directory_files):
    assert cli("--db", db_url, "directory", "import", *directory_files).code == 0
    return db_url


def test_reminders_go_out_at_nine_on_the_first_working_day_after_the_import(import_list, directory):
    import_list("2019-12-13", "2019-12-13 14:00")  # Friday
    world = World(directory, "2019-12-13 14:05")
    assert world.tick("2019-12-13 14:05").period is None  # the archive can preview over the weekend
    assert world.tick("2019-12-16 08:59").period is None
    due = world.tick("2019-12-16 09:00")
    assert due.period == "2019-12" and due.send_date.isoformat() == "2019-12-16"
    [message] = world.sent_to("UKA")
    assert "innen 30.12.19" in render_plain(message.reply)  # 14 days after the day it went out
    assert world.tick("2019-12-16 09:01").period is None  # once
    assert len(world.sent_to("UKA")) == 1


def test_at_most_one_period_per_calendar_month(import_list, directory):
    import_list("2020-01-06", "2020-01-06 10:00")
    world = World(directory, "2020-01-06 10:00")
    assert world.tick("2020-01-07 09:00").period == "2020-01"
    import_list("2020-01-20", "2020-01-20 10:00", name="igjen.csv")  # a second list in the same month
    assert world.tick("2020-01-21 09:00").period is None  # January already had its reminders
    import_list("2020-02-03", "2020-02-03 10:00", name="februar.csv")
    assert world.tick("2020-02-04 09:00").period == "2020-02"  # a new month: it goes out
    assert len(world.sent_to("UKA")) == 2


def test_a_corrected_list_before_the_send_day_replaces_the_plan(import_list, directory):
    import_list("2019-12-13", "2019-12-13 14:00")
    world = World(directory, "2019-12-13 14:00")
    import_list("2019-12-13", "2019-12-13 16:00", rows=45, name="rettet.csv")
    world.tick("2019-12-16 09:00")
    assert "Du har nå 45 restanser" in render_plain(world.sent_to("UKA")[0].reply)


def test_an_old_list_is_not_mailed_out_weeks_late(import_list, directory):
    import_list("2019-11-13", "2019-11-13 10:00")
    world = World(directory, "2019-12-10 10:00")
    assert world.tick("2019-12-10 10:00").period is None  # its send day was 14.11: too long ago
    assert world.sent_to("UKA") == []


def test_arkiv_is_reminded_once_when_the_months_list_is_missing(import_list, directory):
    import_list("2020-02-10", "2020-02-10 10:00")
    world = World(directory, "2020-03-19 10:00", missing_list_day=20)
    world.tick("2020-03-19 10:00")
    assert world.sent_to("ARK") == []
    due = world.tick("2020-03-20 08:00")
    assert due.missing_month == "2020-03"
    [reminder] = world.sent_to("ARK")
    assert "Månedens restanseliste er ikke lest inn ennå (mars 2020)" in render_plain(reminder.reply)
    world.tick("2020-03-21 08:00")
    assert len(world.sent_to("ARK")) == 1


def test_fixed_schedule_sends_on_its_cron_day(import_list, directory):
    import_list("2019-12-02", "2019-12-02 10:00")
    world = World(directory, "2019-12-02 10:00", schedule="0 9 14 * *")
    assert world.tick("2019-12-03 09:00").period is None
    assert world.tick("2019-12-14 09:00").period is None  # a Saturday: moved
    assert world.tick("2019-12-16 09:00").period == "2019-12"
