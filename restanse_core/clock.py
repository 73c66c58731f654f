"""One clock for 'now' and 'today', so tests can set the time."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime
from typing import Protocol
from zoneinfo import ZoneInfo

OSLO = ZoneInfo("Europe/Oslo")


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    def __init__(self, at: datetime) -> None:
        self.at = at if at.tzinfo else at.replace(tzinfo=OSLO)

    def now(self) -> datetime:
        return self.at.astimezone(UTC)  # time is kept in UTC, as the system clock gives it

    def advance_to(self, at: datetime) -> None:
        self.at = at if at.tzinfo else at.replace(tzinfo=OSLO)


def default_clock() -> Clock:
    """The system clock, unless RESTANSEBOT_NOW (ISO time, for trials and tests) pins it."""
    pinned = os.environ.get("RESTANSEBOT_NOW")
    return FixedClock(datetime.fromisoformat(pinned)) if pinned else SystemClock()


def today(clock: Clock) -> date:
    """Today in Norway."""
    return clock.now().astimezone(OSLO).date()
