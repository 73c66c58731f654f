"""A directory in the database and a records system in memory, for the sync and write-off services."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine

from restanse_core.clock import FixedClock
from restanse_core.model import Enhet, Person, Rolle
from restanse_core.store import repository
from tests.sources.memory import MemorySource

UNITS = [Enhet("LMA", "Landbruk", leaders=("LED",)), Enhet("GDO", "Geodata"), Enhet("TDR", "Teknisk drift")]
PEOPLE = [
    Person("UKA", "Unni Karlsen", "unni.karlsen@kommune.no", "LMA", login="ukarlsen"),
    Person("ABC", "Anne Berit Cappelen", "anne.cappelen@kommune.no", "LMA", login="acappelen"),
    Person("TOR", "Tor Olsen", "tor.olsen@kommune.no", "GDO", login="tolsen"),
    Person("NYL", "Nina Ylvisaker", "nina.ylvisaker@kommune.no", "LMA"),  # no login
    Person("LED", "Lise Eide", "lise.eide@kommune.no", "LMA", Rolle.LEDER, login="leide"),
]


def directory(engine: Engine) -> None:
    with engine.begin() as conn:
        repository.replace_units(conn, UNITS)
        repository.replace_people(conn, PEOPLE)


def at(day: str, time: str = "05:00") -> FixedClock:
    return FixedClock(datetime.fromisoformat(f"{day}T{time}:00+01:00"))


def items(source: MemorySource, prefix: str, owner: str, n: int, unit: str = "LMA", start: int = 1) -> None:
    for i in range(start, start + n):
        jp = f"2019/{prefix}-{i}"
        source.add(
            f"{prefix}{i}",
            jp,
            id=jp,
            type="I",
            dato="2019-10-01",
            tittel=f"Sak {i}",
            saksbehandler=owner,
            enhet=unit,
        )
