"""What a list would mean, worked out inside the import's transaction before it is rolled back: the
comparison with the list before it and what the month's reminders would be."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Connection

from restanse_core import reports
from restanse_core.nudges import Kind
from restanse_core.planning import plan_for_period
from restanse_core.settings import Settings
from restanse_core.store import repository

LARGEST_CHANGES = 5


@dataclass(frozen=True)
class ListPreview:
    total: int
    previous: date | None  # the list it is compared with
    previous_total: int
    changes: list[tuple[str, int, int]]  # (unit, before, now), the largest changes first
    saksbehandlere: int  # who would get their own reminder
    leaders: int
    channels: int
    unreachable: int  # at or above the threshold, but not reachable (not in the directory, no e-mail)


def preview_list(conn: Connection, settings: Settings, as_of: date, send_date: date) -> ListPreview:
    """The list of `as_of` (already in the transaction) next to the list a month before it."""
    period = reports.choose_period(conn, as_of)
    assert period is not None and period.current.as_of == as_of
    org = repository.load_organisation(conn)
    plan = plan_for_period(conn, org, period, settings, send_date, channels=settings.channels)
    table = plan.table
    moved = [(u.code, u.previous or 0, u.count) for u in table.lines if (u.previous or 0) != u.count]
    moved.sort(key=lambda c: (-abs(c[2] - c[1]), c[0]))
    kinds = [m.kind for m in plan.messages]
    return ListPreview(
        total=table.count,
        previous=period.previous.as_of if period.previous else None,
        previous_total=table.previous or 0,
        changes=moved[:LARGEST_CHANGES] if period.previous else [],
        saksbehandlere=kinds.count(Kind.SAKSBEHANDLER),
        leaders=kinds.count(Kind.LEDER),
        channels=kinds.count(Kind.KANAL),
        unreachable=len(plan.unreachable),
    )
