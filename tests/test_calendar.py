"""Deadlines: 'innen dd.mm.åå' lands on a Norwegian working day."""

from datetime import date

import pytest

from restanse_core.calendar import WorkCalendar, short_date


@pytest.mark.parametrize(
    ("sent", "days", "deadline"),
    [
        (date(2019, 12, 16), 14, date(2019, 12, 30)),  # a Monday: plain
        (date(2019, 12, 10), 14, date(2019, 12, 27)),  # 24.12 closed, 25.–26.12 holidays: on to Friday 27.12
        (date(2019, 12, 17), 14, date(2020, 1, 2)),  # 31.12 closed, 1.1 holiday
        (date(2026, 3, 19), 14, date(2026, 4, 7)),  # Easter: 2.4, 3.4 and 6.4 2026
        (date(2026, 4, 17), 14, date(2026, 5, 4)),  # 1 May on a Friday, then the weekend
        (date(2026, 5, 3), 14, date(2026, 5, 18)),  # 17 May on a Sunday: Monday the 18th is a working day
        (date(2019, 11, 30), 14, date(2019, 12, 16)),  # a Saturday deadline moves to Monday
    ],
)
def test_deadline_moves_to_the_next_working_day(sent, days, deadline):
    assert WorkCalendar().deadline(sent, days) == deadline


def test_extra_closed_days_are_configurable():
    assert WorkCalendar(closed_days=()).deadline(date(2019, 12, 10), 14) == date(2019, 12, 24)
    assert WorkCalendar(closed_days=("12-30",)).deadline(date(2019, 12, 16), 14) == date(2019, 12, 31)


def test_deadline_is_written_as_dd_mm_yy():
    assert short_date(date(2020, 1, 2)) == "02.01.20"


def test_next_working_day_after_christmas():
    assert WorkCalendar().next_working_day(date(2026, 12, 23)) == date(2026, 12, 28)
