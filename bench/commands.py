"""`mine restanser` at the command layer and the unit report, on two snapshots of a million restanser.

    python -m bench.large                 # once: bench/data/large.db (about a minute)
    python -m bench.commands [--asks 1000] [URL]

`mine restanser` is asked through `Restansebot.answer` (parsing, the command, the reply model, the split for
the place: all but the chat adapter) by people drawn at random from the directory's 5,000, with a
warm bot: the directory, the period and the per-person figures already worked out, as they are for every
ask but the first after an import. The first ask is timed too. Next to it, the bare indexed SQL the command
needs, on a plain sqlite3 connection: the person's count and their ten oldest restanser.

The unit report is what `restansebot report` runs: `choose_period` and `unit_table` with the comparison
with the previous snapshot, each time on a fresh connection.
"""

from __future__ import annotations

import argparse
import os
import random
import sqlite3
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

from bench.large import build_large_database
from bench.machine import describe
from bot.replies import Place
from bot.service import Restansebot
from bot.store import migrate_schema
from restanse_core.model import Person
from restanse_core.reports import choose_period, unit_table
from restanse_core.settings import Settings
from restanse_core.store import make_engine, repository

DATA = Path(__file__).resolve().parent / "data"
DEFAULT_URL = f"sqlite:///{DATA / 'large.db'}"
BARE_COUNT = "SELECT count(*) FROM restanser WHERE snapshot_id = ? AND saksbehandler = ?"
BARE_OLDEST = (
    "SELECT jp_id, saksbehandler, enhet, jp_type, journal_date, title, public_title, access_code, due_date, "
    "correspondent FROM restanser WHERE snapshot_id = ? AND saksbehandler = ? "
    "ORDER BY journal_date NULLS LAST, jp_id LIMIT 10"
)


def percentiles(seconds: list[float]) -> tuple[float, float, float]:
    """p50, p95 and the maximum, in milliseconds."""
    ordered = sorted(seconds)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * len(ordered)) - 1)]
    return statistics.median(ordered) * 1e3, p95 * 1e3, ordered[-1] * 1e3


def timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def bench_mine(url: str, asks: int) -> None:
    engine = make_engine(url)
    bot = Restansebot(engine, Settings(database_url=url))
    people = sorted(bot.org.people)
    rng = random.Random(2019)
    askers = [person for person in (bot.person(rng.choice(people)) for _ in range(asks)) if person]
    period = bot.period
    assert period is not None
    sid = period.current.id
    raw = sqlite3.connect(engine.url.database or "")

    def ask(person: Person) -> float:
        return timed(lambda: bot.answer("mine restanser", person, Place.DIRECT))

    def bare_count(person: Person) -> float:
        return timed(lambda: raw.execute(BARE_COUNT, (sid, person.initials)).fetchall())

    def bare_oldest(person: Person) -> float:
        return timed(lambda: raw.execute(BARE_OLDEST, (sid, person.initials)).fetchall())

    first = ask(askers[0])
    for person in askers[:100]:  # warm up: SQLite's page cache, SQLAlchemy's statement cache
        ask(person), bare_count(person), bare_oldest(person)
    # Ask by ask, the three in turn, so that any other load on the machine falls on all of them alike.
    times: dict[str, list[float]] = {"answer": [], "count": [], "oldest": []}
    for person in askers:
        times["answer"].append(ask(person))
        times["count"].append(bare_count(person))
        times["oldest"].append(bare_oldest(person))
    counts = {p.initials: raw.execute(BARE_COUNT, (sid, p.initials)).fetchone()[0] for p in askers}
    raw.close()
    heaviest = bot.person(max(counts, key=lambda i: counts[i]))
    assert heaviest is not None
    heavy = [ask(heaviest) for _ in range(50)]

    sizes = sorted(counts.values())
    print(
        f"mine restanser, {len(askers)} asks by {len(counts)} people drawn from {len(people)} "
        f"(restanser per asker: median {statistics.median(sizes):.0f}, p95 {sizes[int(0.95 * len(sizes))]}, "
        f"max {sizes[-1]})"
    )
    print(f"  first ask after start (per-person figures worked out): {first * 1e3:8.1f} ms")
    rows = [
        ("command layer, Restansebot.answer", times["answer"]),
        ("bare SQL: count", times["count"]),
        ("bare SQL: ten oldest", times["oldest"]),
        (
            "bare SQL: count + ten oldest",
            [a + b for a, b in zip(times["count"], times["oldest"], strict=True)],
        ),
        (f"command layer, heaviest person ({counts[heaviest.initials]})", heavy),
    ]
    for label, seconds in rows:
        p50, p95, top = percentiles(seconds)
        print(f"  {label:44} p50 {p50:6.3f} ms   p95 {p95:6.3f} ms   max {top:6.3f} ms")
    print(f"  target: command layer p95 < 1 ms; load average {os.getloadavg()[0]:.2f}")
    engine.dispose()


def bench_report(url: str, runs: int = 10) -> None:
    engine = make_engine(url)
    with engine.connect() as conn:
        org = repository.load_organisation(conn)

    def report() -> int:
        with engine.connect() as conn:
            period = choose_period(conn)
            assert period is not None and period.previous is not None
            return unit_table(conn, org, period).count

    first = timed(report)
    times = [timed(report) for _ in range(runs)]
    print(f"unit report with comparison (choose_period + unit_table), {len(org.units)} units, {runs} runs")
    print(f"  first {first * 1e3:6.0f} ms   median {statistics.median(times) * 1e3:6.0f} ms   "
          f"max {max(times) * 1e3:6.0f} ms   (target < 500 ms)")  # fmt: skip
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", nargs="?", default=DEFAULT_URL)
    parser.add_argument("--asks", type=int, default=1000)
    args = parser.parse_args()
    if not args.url.startswith("sqlite:///"):
        sys.exit("The bare SQL is measured on SQLite: give a sqlite:/// URL.")
    if not Path(args.url.removeprefix("sqlite:///")).is_file():
        print(f"Building {args.url} (two snapshots of 1,000,000 restanser) ...")
        build_large_database(args.url)
    print(describe())
    migrate_schema(make_engine(args.url))  # a database built by an older version gets the newer indexes
    bench_mine(args.url, args.asks)
    bench_report(args.url)


if __name__ == "__main__":
    main()
