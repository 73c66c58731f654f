"""A large, realistic database for benchmarks: 40 units, 5,000 people, snapshots of a million restanser.

python -m bench.large sqlite:///bench/data/large.db
"""

from __future__ import annotations

import sys
from datetime import UTC, date, datetime, timedelta

import numpy as np

from bot.store import migrate_schema
from restanse_core.model import Enhet, Person, Rolle
from restanse_core.store import make_engine, repository
from restanse_core.store.bulk import insert_ignoring_duplicates
from restanse_core.store.tables import RestanseRow

FIRST, SECOND = date(2019, 11, 13), date(2019, 12, 16)
COLUMNS = (
    "snapshot_id",
    "jp_key",
    "jp_id",
    "saksbehandler",
    "enhet",
    "jp_type",
    "journal_date",
    "doc_date",
    "title",
    "public_title",
    "access_code",
    "correspondent",
    "due_date",
)


def people_and_units(people: int, units: int) -> tuple[list[Enhet], list[Person]]:
    unit_codes = [f"E{u:02d}" for u in range(units)]
    persons = [
        Person(
            f"P{i:04d}", f"Person {i}", f"p{i:04d}@bench.example", unit_codes[i % units], Rolle.SAKSBEHANDLER
        )
        for i in range(people)
    ]
    leaders = {code: (persons[i].initials,) for i, code in enumerate(unit_codes)}
    return [Enhet(code, f"Enhet {code}", None, leaders[code]) for code in unit_codes], persons


def _rows(snapshot_id: int, n: int, people: list[Person], entries: dict[str, np.ndarray], offset: int):  # type: ignore[no-untyped-def]
    for i in range(offset, offset + n):
        p = people[int(entries["who"][i])]
        jp = f"{2015 + (i % 5)}/{i // 7}-{i % 7 + 1}"
        day = (FIRST - timedelta(days=int(entries["age"][i]))).isoformat()
        secret = bool(entries["secret"][i])
        yield (
            snapshot_id,
            jp,
            jp,
            p.initials,
            p.unit,
            "I" if i % 5 else "N",
            day,
            day,
            None if secret else f"Søknad om tiltak nr. {i}",
            "Unntatt offentlighet" if secret else None,
            "13 Ofl" if secret else None,
            None,
            None,
        )


def build_large_database(
    url: str, restanser: int = 1_000_000, people: int = 5000, units: int = 40, snapshots: int = 2
) -> list[str]:
    """Directory and `snapshots` snapshots (13.11.2019, 16.12.2019) of `restanser` rows each; returns the initials.

    The second snapshot keeps 70% of the first one's entries, so comparisons and 'left since' have work to do.
    """
    engine = make_engine(url)
    migrate_schema(engine)
    unit_list, persons = people_and_units(people, units)
    rng = np.random.default_rng(42)
    total = restanser + int(restanser * 0.3) * (snapshots - 1)
    # Skewed load (a few people carry many restanser, as in real archives); an entry keeps its owner across months.
    entries = {
        "who": (rng.pareto(1.2, total) * 200).astype(np.int64) % len(persons),
        "age": rng.integers(0, 1500, total),
        "secret": rng.random(total) < 0.08,
    }
    with engine.begin() as conn:
        repository.replace_units(conn, unit_list)
        repository.replace_people(conn, persons)
        repository.bump_directory_version(conn, "bench")
        for index, as_of in enumerate((FIRST, SECOND)[:snapshots]):
            sid = repository.begin_snapshot(
                conn, as_of, "bench.csv", "0" * 64, "bench", datetime.now(UTC), False
            )
            offset = int(restanser * 0.3) * index
            stored = 0
            batch: list[tuple] = []  # type: ignore[type-arg]
            for row in _rows(sid, restanser, persons, entries, offset):
                batch.append(row)
                if len(batch) == 100_000:
                    stored += insert_ignoring_duplicates(conn, RestanseRow.__tablename__, COLUMNS, batch)
                    batch = []
            stored += insert_ignoring_duplicates(conn, RestanseRow.__tablename__, COLUMNS, batch)
            repository.finish_snapshot(conn, sid, restanser, stored)
    engine.dispose()
    return [p.initials for p in persons]


if __name__ == "__main__":
    target = sys.argv[1] if len(sys.argv) > 1 else "sqlite:///bench/data/large.db"
    build_large_database(target, int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000)
    print(f"Laget {target}")
