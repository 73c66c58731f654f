"""Norwegian working days and the deadline written in the messages."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from functools import lru_cache


@lru_cache(maxsize=64)
def _public_holidays(year: int) -> frozenset[date]:
    # Imported on the first question about a working day, not with the module: every reply formats dates with
    # this module, and loading holidays' calendars costs a CLI command a noticeable part of its start-up.
    import holidays

    # holidays' Norway counts every Sunday as a holiday unless told otherwise; weekends are handled below.
    return frozenset(holidays.country_holidays("NO", years=year, include_sundays=False).keys())


class WorkCalendar:
    """Weekends, Norwegian public holidays and the archive's extra closed days (24.12 and 31.12 by default)."""

    def __init__(self, closed_days: Iterable[str] = ("12-24", "12-31")) -> None:
        self.closed_days = frozenset(closed_days)

    def is_working_day(self, day: date) -> bool:
        if day.weekday() >= 5:
            return False
        if day in _public_holidays(day.year):
            return False
        return f"{day.month:02d}-{day.day:02d}" not in self.closed_days

    def on_or_after(self, day: date) -> date:
        """The day itself if it is a working day, else the next one."""
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day

    def next_working_day(self, day: date) -> date:
        """The first working day strictly after the day."""
        return self.on_or_after(day + timedelta(days=1))

    def previous_working_day(self, day: date) -> date:
        """The last working day strictly before the day."""
        day -= timedelta(days=1)
        while not self.is_working_day(day):
            day -= timedelta(days=1)
        return day

    def deadline(self, sent_on: date, days: int) -> date:
        """'innen dd.mm.åå': days after the sending day, moved forward to a working day."""
        return self.on_or_after(sent_on + timedelta(days=days))


def short_date(day: date) -> str:
    """dd.mm.åå, as the procedure writes deadlines."""
    return day.strftime("%d.%m.%y")


@lru_cache(maxsize=4096)
def long_date(day: date) -> str:
    """dd.mm.åååå (cached: a reply shows a dozen dates, and strftime is slow for what it does)."""
    return day.strftime("%d.%m.%Y")
