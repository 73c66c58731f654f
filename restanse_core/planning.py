"""Gathers a snapshot's figures from the store and hands them to the pure nudge planner."""

from __future__ import annotations

from collections import Counter
from datetime import date

from sqlalchemy import Connection

from restanse_core import reports
from restanse_core.calendar import WorkCalendar
from restanse_core.model import Organisation
from restanse_core.nudges import Plan, Rules, plan_period
from restanse_core.reports import Period
from restanse_core.settings import Settings

OLDEST_IN_NUDGE = 5


def plan_for_period(
    conn: Connection,
    org: Organisation,
    period: Period,
    settings: Settings,
    send_date: date,
    channels: dict[str, str] | None = None,
) -> Plan:
    table = reports.unit_table(conn, org, period)
    per_person = reports.all_person_counts(conn, period.current.id)
    per_leader: dict[str, Counter[str]] = {}
    for initials in sorted({i for u in org.units.values() for i in u.leaders}):
        scope = sorted({c for code in org.units_led_by(initials) for c in org.descendants(code)})
        per_leader[initials] = reports.person_counts(conn, period.current.id, scope)
    over = [i for i, n in per_person.items() if i and n >= settings.threshold and i in org.people]
    oldest = {i: reports.oldest(conn, period.current.id, i, OLDEST_IN_NUDGE) for i in over}
    rules = Rules(settings.threshold, settings.deadline_days, settings.skip_leaders_without_restanser)
    return plan_period(
        org,
        table,
        per_person,
        per_leader,
        oldest,
        send_date=send_date,
        calendar=WorkCalendar(settings.closed_days),
        rules=rules,
        channels=channels,
    )
