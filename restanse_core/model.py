"""The domain's nouns: enheter, people, journalposter that are restanser, and snapshots."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

SKJERMET = "(skjermet)"


class Rolle(StrEnum):
    SAKSBEHANDLER = "saksbehandler"
    LEDER = "leder"
    ARKIV = "arkiv"


@dataclass(frozen=True, slots=True)
class Enhet:
    code: str
    name: str
    parent: str | None = None
    leaders: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Person:
    initials: str
    name: str
    email: str | None = None
    unit: str | None = None
    role: Rolle = Rolle.SAKSBEHANDLER
    kanal: str | None = None  # the channel the person wants reminders in first (teams, slack, epost)
    login: str | None = None  # brukernavn in the records system, for writing off on the person's behalf


@dataclass(frozen=True, slots=True)
class Snapshot:
    id: int
    as_of: date
    source_name: str
    checksum: str
    imported_by: str
    imported_at: datetime
    has_writeoff_dates: bool = False
    source_kind: str = "file"  # file (an imported export) | live (a sync from the records system)
    monthly: bool = True  # the month's designated list: reminders and the month-earlier comparison use these


@dataclass(frozen=True, slots=True)
class Restanse:
    """One open journalpost for one recipient, as shown to people."""

    jp_id: str
    saksbehandler: str
    enhet: str
    jp_type: str
    journal_date: date | None
    title: str | None
    public_title: str | None
    access_code: str | None
    due_date: date | None = None
    correspondent: str | None = None

    @property
    def confidential(self) -> bool:
        return bool(self.access_code)

    @property
    def shown_title(self) -> str:
        """The title a person may see: the offentlig tittel of a confidential entry, else '(skjermet)'."""
        if self.confidential:
            return self.public_title or SKJERMET
        return self.title or self.public_title or ""

    def days_open(self, on: date) -> int | None:
        return (on - self.journal_date).days if self.journal_date else None


@dataclass(frozen=True, slots=True)
class DirectoryChange:
    """Who replaced the units or the people, when, and from which file."""

    kind: str  # units | people
    file_name: str
    checksum: str
    changed_by: str
    changed_at: datetime
    count: int


@dataclass(slots=True)
class Organisation:
    """The directory: units as a tree and the people in them."""

    units: dict[str, Enhet] = field(default_factory=dict)
    people: dict[str, Person] = field(default_factory=dict)

    def children(self, code: str) -> list[Enhet]:
        return sorted((u for u in self.units.values() if u.parent == code), key=lambda u: u.code)

    def descendants(self, code: str) -> list[str]:
        """Codes of the unit and every unit below it, the unit first."""
        out, todo = [], [code]
        while todo:
            current = todo.pop(0)
            if current in out:
                continue
            out.append(current)
            todo.extend(c.code for c in self.children(current))
        return out

    def ancestors(self, code: str) -> list[str]:
        seen: list[str] = []
        unit = self.units.get(code)
        while unit and unit.parent and unit.parent not in seen:
            seen.append(unit.parent)
            unit = self.units.get(unit.parent)
        return seen

    def units_led_by(self, initials: str) -> list[str]:
        return sorted(u.code for u in self.units.values() if initials in u.leaders)

    def leaders_of(self, code: str) -> list[str]:
        unit = self.units.get(code)
        return list(unit.leaders) if unit else []

    def people_with_role(self, role: Rolle) -> list[Person]:
        return sorted((p for p in self.people.values() if p.role == role), key=lambda p: p.initials)
