"""A sync of 100,000 open documents from (the fake) Public 360, next to the file import of the same rows.

    python -m bench.p360_sync [--documents 100000] [--page-size 500] [--runs 3]

The fake 360 runs in this process (a thread, real HTTP on 127.0.0.1) and answers GetDocuments page by page in
JournalDate windows of 180 days, as the adapter asks; its filtering is done once per query (not per page), so
the figures are the bot's side plus the HTTP and JSON both sides must do. The same open items are written as
the CSV export a file import reads (one row per recipient, the same titles and access codes).

Each run is a fresh Python process on a copy of one database that holds the directory (40 units, 2,000
people), so peak memory (ru_maxrss) is that run's alone; only the sync (or import) itself is timed: reading,
the pipeline, the held-list check and storing — not starting Python. The runs take turns and medians are printed.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path

from bench.machine import describe

DATA = Path(__file__).resolve().parent / "data"
TEMPLATE = DATA / "p360_directory.db"
CSV_FILE = DATA / "p360_same_rows.csv"
AS_OF = date(2019, 12, 16)
UNITS = [f"U{n:02d}" for n in range(40)]
PEOPLE = [f"P{n:04d}" for n in range(2000)]


def _usage() -> tuple[float, float]:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def _settings(db: Path, url: str = "http://127.0.0.1:9", page_size: int = 500):  # type: ignore[no-untyped-def]
    from restanse_core.settings import Settings

    return Settings(
        database_url=f"sqlite:///{db}",
        source="p360",
        p360_base_url=url,
        p360_from_date="2015-01-01",
        p360_window_days=180,
        p360_timeout_seconds=600,
    )


# ---- the children ----------------------------------------------------------------------------------------


def child_sync(db: Path, url: str) -> dict[str, float]:
    from adapters.p360 import source as make_source
    from adapters.p360.tests.fakes import CLIENT_ID, KEY
    from restanse_core.clock import FixedClock
    from restanse_core.sources.sync import run_sync
    from restanse_core.store import make_engine

    settings = _settings(db, url)
    engine = make_engine(settings.database_url)
    source = make_source(settings, {"RESTANSEBOT_P360_AUTHKEY": KEY, "RESTANSEBOT_P360_CLIENTID": CLIENT_ID})
    clock = FixedClock(datetime(2019, 12, 16, 6, 0))

    async def run() -> int:
        try:
            result = await run_sync(engine, source, settings, clock, started_by="bench")
        finally:
            await source.close()
        assert result.status == "stored", result.message
        assert result.summary is not None
        return result.summary.restanser

    cpu0, _ = _usage()
    start = time.perf_counter()
    stored = asyncio.run(run())
    wall = time.perf_counter() - start
    cpu, rss = _usage()
    return {"wall": wall, "cpu": cpu - cpu0, "rss": rss, "restanser": stored}


def child_import(db: Path) -> dict[str, float]:
    from restanse_core.importers import import_snapshot
    from restanse_core.store import make_engine

    settings = _settings(db)
    engine = make_engine(settings.database_url)
    cpu0, _ = _usage()
    start = time.perf_counter()
    summary = import_snapshot(engine, CSV_FILE, settings, as_of=AS_OF, imported_by="bench")
    wall = time.perf_counter() - start
    cpu, rss = _usage()
    return {"wall": wall, "cpu": cpu - cpu0, "rss": rss, "restanser": summary.restanser}


# ---- the world -------------------------------------------------------------------------------------------


def build_world(documents: int, seed: int = 7) -> list[dict[str, object]]:
    """The documents as the fake 360 holds them, and the same items written as a CSV export."""
    from adapters.p360.tests.fakes import NOTE, contact, document, enterprise, person

    rng = random.Random(seed)
    enterprises = {code: enterprise(code, recno=200000 + n) for n, code in enumerate(UNITS)}
    people = {p: person(f"Person {p}", f"{p.lower()}@kommune.no", 300000 + n) for n, p in enumerate(PEOPLE)}
    first, span = date(2015, 1, 1), (AS_OF - date(2015, 1, 1)).days
    docs: list[dict[str, object]] = []
    with CSV_FILE.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle, delimiter=";")
        out.writerow(["Journalpostnr", "Type", "Jour.dato", "Tittel", "Offentlig tittel", "Saksbehandler",
                      "Adm.enhet", "Tilg.kode"])  # fmt: skip
        for n in range(documents):
            number = f"{2015 + n // 25000}/{n // 10 + 1}-{n % 10 + 1}"
            day = (first + timedelta(days=rng.randrange(span))).isoformat()
            unit = rng.choice(UNITS)
            restricted = rng.random() < 0.08
            title = f"Søknad om tiltak nr {n} for gnr {rng.randrange(1, 300)}"
            public = "Søknad om tiltak" if restricted else title
            code = "13 Ofl" if restricted else ""
            if rng.random() < 0.05:  # an internal note to two people
                a, b = rng.sample(PEOPLE, 2)
                recipients = [contact("Mottaker", f"Person {p}", f"{p.lower()}@kommune.no") for p in (a, b)]
                docs.append(document(n + 1, number, category=NOTE, journal_date=day, title=title,
                                     official_title=public, access_code=code, unit=enterprises[unit],
                                     contacts=recipients))  # fmt: skip
                for p in (a, b):
                    out.writerow([number, "N", day, title, public, p, unit, code])
            else:
                owner = None if rng.random() < 0.01 else rng.choice(PEOPLE)
                docs.append(document(n + 1, number, journal_date=day, title=title, official_title=public,
                                     access_code=code, unit=enterprises[unit],
                                     responsible=people[owner] if owner else None))  # fmt: skip
                out.writerow([number, "I", day, title, public, owner or "", unit, code])
    return docs


def build_template() -> None:
    from bot.store import migrate_schema
    from restanse_core.model import Enhet, Person
    from restanse_core.store import make_engine, repository

    for stale in DATA.glob(TEMPLATE.name + "*"):
        stale.unlink()
    engine = make_engine(f"sqlite:///{TEMPLATE}")
    migrate_schema(engine)
    with engine.begin() as conn:
        repository.replace_units(conn, [Enhet(u, f"Enhet {u}") for u in UNITS])
        repository.replace_people(
            conn,
            [
                Person(p, f"Person {p}", f"{p.lower()}@kommune.no", UNITS[n % 40])
                for n, p in enumerate(PEOPLE)
            ],
        )
    engine.dispose()


def _run_child(which: str, db: Path, url: str) -> dict[str, float]:
    for stale in db.parent.glob(db.name + "*"):
        stale.unlink()
    shutil.copy(TEMPLATE, db)
    done = subprocess.run(
        [sys.executable, "-m", "bench.p360_sync", "--child", which, "--db", str(db), "--url", url],
        capture_output=True, text=True, check=True, env={**os.environ, "PYTHONHASHSEED": "0"},
    )  # fmt: skip
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=100_000)
    parser.add_argument("--page-size", type=int, default=500)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--child", choices=("sync", "import"))
    parser.add_argument("--db", type=Path)
    parser.add_argument("--url")
    args = parser.parse_args()
    if args.child == "sync":
        print(json.dumps(child_sync(args.db, args.url)))
        return
    if args.child == "import":
        print(json.dumps(child_import(args.db)))
        return

    from adapters.p360.tests.fakes import Fake360
    from tests.processes import Running

    DATA.mkdir(exist_ok=True)
    print(describe())
    started = time.perf_counter()
    docs = build_world(args.documents)
    build_template()
    print(f"{len(docs):,} documents, {CSV_FILE.stat().st_size / 1e6:.0f} MB CSV of the same rows "
          f"(built in {time.perf_counter() - started:.0f} s)")  # fmt: skip
    results: dict[str, list[dict[str, float]]] = {"sync": [], "import": []}
    with Running(Fake360(page_size=args.page_size, cache_queries=True)) as fake:
        fake.add(*docs)
        for _ in range(args.runs):
            for which in ("sync", "import"):
                results[which].append(_run_child(which, DATA / f"p360_{which}.db", fake.base_url))
                print(which, results[which][-1], flush=True)
        pages = len(fake.calls_to("GetDocuments")) // args.runs
    print(f"\nGetDocuments calls per sync: {pages} (page size {args.page_size}, windows of 180 days)")
    print(f"{'':28}{'wall s':>8}{'cpu s':>8}{'peak MB':>9}{'restanser':>11}")
    for which, label in (("sync", "sync from 360 (HTTP, paged)"), ("import", "file import, same rows")):
        runs = results[which]
        print(
            f"{label:28}{statistics.median(r['wall'] for r in runs):8.1f}{statistics.median(r['cpu'] for r in runs):8.1f}"
            f"{statistics.median(r['rss'] for r in runs):9.0f}{int(runs[0]['restanser']):>11,}"
        )


if __name__ == "__main__":
    main()
