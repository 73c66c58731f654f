"""Who gets what this period. Pure: a snapshot's figures in, planned messages out (rendering is the bot's job)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from restanse_core.calendar import WorkCalendar
from restanse_core.model import Organisation, Person, Restanse, Rolle
from restanse_core.reports import UnitTable


class Kind(StrEnum):
    SAKSBEHANDLER = "saksbehandler"
    LEDER = "leder"
    ARKIV = "arkiv"
    KANAL = "kanal"


@dataclass(frozen=True)
class Unreachable:
    initials: str
    count: int
    # "not_in_directory" | "leader_not_in_directory" | "no_email" | "leader_no_email" | "arkiv_no_email":
    # every platform finds people by e-mail, so someone without one gets nothing.
    reason: str


@dataclass
class Planned:
    kind: Kind
    recipient: str
    unit: str | None
    count: int
    person: Person | None = None
    oldest: list[Restanse] = field(default_factory=list)
    own_units: list[str] = field(default_factory=list)
    distribution: list[tuple[str, int]] = field(default_factory=list)  # (saksbehandler, count), most first
    previous: int | None = None
    # A leader's people who get no message of their own this month (not in the directory, no e-mail), with
    # their count in the leader's units: known at planning, so the leader can follow them up by hand.
    unreachable: list[Unreachable] = field(default_factory=list)


@dataclass
class Plan:
    as_of: date
    send_date: date
    deadline: date
    threshold: int
    table: UnitTable
    messages: list[Planned]
    nudged: list[tuple[str, int]]  # the saksbehandlere at or above the threshold who get a message
    unreachable: list[Unreachable]
    unknown_units: list[str]
    unknown_people: list[str]


@dataclass(frozen=True)
class Rules:
    threshold: int = 30
    deadline_days: int = 14
    skip_leaders_without_restanser: bool = False


def plan_period(
    org: Organisation,
    table: UnitTable,
    per_person: Counter[str],
    per_person_in_units: dict[str, Counter[str]],
    oldest: dict[str, list[Restanse]],
    *,
    send_date: date,
    calendar: WorkCalendar,
    rules: Rules,
    channels: dict[str, str] | None = None,
) -> Plan:
    """Messages for one period. `per_person_in_units[leader]` is the distribution within the leader's units."""
    deadline = calendar.deadline(send_date, rules.deadline_days)
    messages: list[Planned] = []
    over = sorted(
        ((i, n) for i, n in per_person.items() if i and n >= rules.threshold), key=lambda x: (-x[1], x[0])
    )
    unreachable: list[Unreachable] = []
    for initials, count in over:
        person = org.people.get(initials)
        if person is None or not person.email:
            # Every channel finds people by their e-mail address: without one, nobody can be reached.
            reason = "not_in_directory" if person is None else "no_email"
            unreachable.append(Unreachable(initials, count, reason))
            continue
        messages.append(
            Planned(Kind.SAKSBEHANDLER, initials, person.unit, count, person, oldest=oldest.get(initials, []))
        )
    counts = Counter({line.code: line.count for line in table.lines})
    previous = Counter({line.code: line.previous or 0 for line in table.lines})
    leaders = sorted({i for u in org.units.values() for i in u.leaders})
    for initials in leaders:
        own = org.units_led_by(initials)
        scope = sorted({c for code in own for c in org.descendants(code)})
        count = sum(counts.get(c, 0) for c in scope)
        if rules.skip_leaders_without_restanser and count == 0:
            continue
        person = org.people.get(initials)
        if person is None or not person.email:
            reason = "leader_not_in_directory" if person is None else "leader_no_email"
            unreachable.append(Unreachable(initials, count, reason))
            continue
        in_units = per_person_in_units.get(initials, Counter())
        distribution = sorted(in_units.items(), key=lambda x: (-x[1], x[0]))
        messages.append(
            Planned(
                Kind.LEDER,
                initials,
                own[0] if own else person.unit,
                count,
                person,
                own_units=scope,
                distribution=distribution,
                previous=sum(previous.get(c, 0) for c in scope) if table.previous is not None else None,
                unreachable=[
                    Unreachable(u.initials, in_units[u.initials], u.reason)
                    for u in unreachable
                    if u.reason in ("not_in_directory", "no_email") and in_units.get(u.initials)
                ],
            )
        )
    for person in org.people_with_role(Rolle.ARKIV):
        if not person.email:
            unreachable.append(Unreachable(person.initials, table.count, "arkiv_no_email"))
            continue
        messages.append(
            Planned(Kind.ARKIV, person.initials, None, table.count, person, previous=table.previous)
        )
    for code, _channel in sorted((channels or {}).items()):
        line = table.line(code)
        count = (
            sum(counts.get(c, 0) for c in org.descendants(code))
            if code in org.units
            else (line.count if line else 0)
        )
        before = (
            sum(previous.get(c, 0) for c in org.descendants(code)) if table.previous is not None else None
        )
        messages.append(Planned(Kind.KANAL, code, code, count, previous=before))
    return Plan(
        as_of=table.period.current.as_of,
        send_date=send_date,
        deadline=deadline,
        threshold=rules.threshold,
        table=table,
        messages=messages,
        nudged=[(m.recipient, m.count) for m in messages if m.kind == Kind.SAKSBEHANDLER],
        unreachable=unreachable,
        unknown_units=sorted(line.code for line in table.lines if line.name is None),
        unknown_people=sorted(i for i in per_person if i and i not in org.people),
    )
