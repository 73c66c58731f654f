"""Time the Noark 5 import of the generated extract and report peak memory (resident set size).

python bench/noark5_generate.py          # once: bench/data/arkivstruktur.xml.gz
python bench/noark5_import.py            # the whole import into a fresh SQLite database
python bench/noark5_import.py --parse-only   # only the XML reader (no pipeline, no database)
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from restanse_core.importers import import_snapshot, open_source
from restanse_core.importers.source import Limits
from restanse_core.model import Enhet, Person
from restanse_core.settings import Settings
from restanse_core.store import make_engine, migrate, repository

DATA = Path(__file__).resolve().parent / "data"


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def parse_only(path: Path) -> None:
    started, cpu = time.perf_counter(), cpu_seconds()
    limits = Limits.of(Settings(database_url="sqlite://"))
    rows = sum(len(frame) for frame in open_source(path, {}, limits).chunks(None))
    elapsed, cpu = time.perf_counter() - started, cpu_seconds() - cpu
    print(f"reader only: {rows} rows in {elapsed:.1f} s (CPU {cpu:.1f} s); peak RSS {peak_rss_mb():.0f} MB")


def full_import(path: Path) -> None:
    db = DATA / "noark5_bench.db"
    for stale in DATA.glob("noark5_bench.db*"):
        stale.unlink()
    engine = make_engine(f"sqlite:///{db}")
    migrate(engine)
    directory = json.loads((DATA / "noark5_directory.json").read_text(encoding="utf-8"))
    with engine.begin() as conn:
        repository.replace_units(conn, [Enhet(code, f"Enhet {code}") for code in directory["units"]])
        repository.replace_people(conn, [Person(i, name) for i, name in directory["people"].items()])
    started, cpu = time.perf_counter(), cpu_seconds()
    summary = import_snapshot(
        engine, path, Settings(database_url=f"sqlite:///{db}"), as_of=date(2024, 12, 31), imported_by="bench"
    )
    elapsed, cpu = time.perf_counter() - started, cpu_seconds() - cpu
    print(
        f"import: {summary.rows_read} rows read, {summary.restanser} restanser, "
        f"{summary.written_off} avskrevet, "
        f"skipped {dict(summary.skipped_types)}, unknown people {len(summary.unknown_people)}, "
        f"unknown units {len(summary.unknown_units)}"
    )
    print(f"time {elapsed:.1f} s (CPU {cpu:.1f} s); peak RSS {peak_rss_mb():.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", type=Path, nargs="?", default=DATA / "arkivstruktur.xml.gz")
    parser.add_argument("--parse-only", action="store_true")
    args = parser.parse_args()
    print(f"{args.file} ({args.file.stat().st_size / 1e6:.0f} MB); Python {platform.python_version()}")
    parse_only(args.file) if args.parse_only else full_import(args.file)


if __name__ == "__main__":
    main()
