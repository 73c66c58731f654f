"""Import a large CSV export: our `import_snapshot` side by side with its floor, each in a fresh process.

    python -m bench.generate_export          # once: bench/data/restanser_1m.csv and its directory
    python -m bench.import_csv [--runs 3] [FILE]

The floor is the bare pipeline on the same file: `pandas.read_csv` of the whole file, the I and N rows kept,
and `sqlite3` `executemany` of those rows (INSERT OR IGNORE, one transaction) into a table with the same
columns, indexes and foreign key as `restanser` (its DDL is taken from a database our migrations made), with
the same PRAGMAs our engine sets. Ours is the whole
import: encoding detection, header search, checksum, chunked reading, validation, classification, the
duplicate rule, privacy, directory resolution and the bulk insert.

A third line is a reference, not a target: the floor with its rows inserted in the order of the unique key
(saksbehandler, journalpost), as ours are, and its tuples built from column lists. It shows what our pipeline
costs over the bare work, once both fill the indexes the same way.

Each run is a fresh Python process, so peak memory (ru_maxrss) belongs to that run alone; the runs take turns
(floor, ours, reference, floor, ...) and the figures printed are medians. Only the import itself is timed
(not starting Python, creating the schema or loading the directory); CPU time is printed next to wall time,
since the machine may be shared.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from functools import partial
from pathlib import Path

from bench.machine import describe

DATA = Path(__file__).resolve().parent / "data"
DEFAULT_FILE = DATA / "restanser_1m.csv"
FLOOR_DB = DATA / "import_floor.db"
OURS_DB = DATA / "import_ours.db"

FLOOR_SCHEMA = DATA / "import_floor_schema.sql"
FLOOR_COLUMNS = {  # restanser column ← heading in the export (None: not in the file)
    "jp_key": "Journalpostnr", "jp_id": "Journalpostnr", "saksbehandler": "Saksbehandler", "enhet": "Adm.enhet",
    "jp_type": "Type", "journal_date": "Jour.dato", "doc_date": None, "title": "Tittel",
    "public_title": "Offentlig tittel", "access_code": "Tilg.kode", "correspondent": "Avsender/mottaker",
    "due_date": None,
}  # fmt: skip


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _fresh(db: Path) -> None:
    for stale in db.parent.glob(db.name + "*"):
        stale.unlink()


def run_floor(path: Path, key_order: bool = False) -> dict[str, float]:
    """The bare pipeline. With `key_order`, the rows go in sorted by the unique key, as ours do (a reference)."""
    import sqlite3
    from itertools import repeat

    import pandas as pd

    from bench.generate_export import TITLE_LINES

    _fresh(FLOOR_DB)
    db = sqlite3.connect(FLOOR_DB)
    for pragma in ("foreign_keys=ON", "journal_mode=WAL", "synchronous=NORMAL"):
        db.execute(f"PRAGMA {pragma}")
    db.executescript(FLOOR_SCHEMA.read_text(encoding="utf-8"))
    db.execute(
        "INSERT INTO snapshots (id, as_of, source_name, checksum, imported_by, imported_at) "
        "VALUES (1, '2019-11-13', 'x', 'x', 'bench', '2019-11-13 07:00:00')"
    )
    db.commit()
    names = ", ".join(("snapshot_id", *FLOOR_COLUMNS))
    marks = ", ".join("?" * (len(FLOOR_COLUMNS) + 1))
    insert = f"INSERT OR IGNORE INTO restanser ({names}) VALUES ({marks})"

    encoding = _encoding(path)  # the bare pipeline knows the file's layout beforehand
    started, cpu = time.perf_counter(), cpu_seconds()
    frame = pd.read_csv(
        path, sep=";", skiprows=len(TITLE_LINES), encoding=encoding, dtype=str, keep_default_na=False
    )
    frame = frame[frame["Type"].isin(["I", "N"])]
    if key_order:
        frame = frame.sort_values(["Saksbehandler", "Journalpostnr"], kind="stable")
        none = [None] * len(frame)
        columns = [frame[h].tolist() if h else none for h in FLOOR_COLUMNS.values()]
        db.executemany(insert, zip(repeat(1), *columns))
    else:
        columns = [
            frame[h] if h else pd.Series(None, index=frame.index, dtype=object)
            for h in FLOOR_COLUMNS.values()
        ]
        table = pd.concat(columns, axis=1, keys=list(FLOOR_COLUMNS))
        table.insert(0, "snapshot_id", 1)
        db.executemany(insert, table.itertuples(index=False, name=None))
    db.commit()
    elapsed, cpu = time.perf_counter() - started, cpu_seconds() - cpu
    stored = db.execute("SELECT count(*) FROM restanser").fetchone()[0]
    db.close()
    return {"seconds": elapsed, "cpu_seconds": cpu, "stored": stored, "peak_rss_mb": peak_rss_mb()}


def _encoding(path: Path) -> str:
    try:
        path.read_bytes().decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        return "cp1252"


def run_ours(path: Path) -> dict[str, float]:
    from bench.generate_export import AS_OF, directory_paths
    from restanse_core.importers import import_snapshot
    from restanse_core.importers.directory import read_directory_file
    from restanse_core.importers.source import Limits
    from restanse_core.settings import Settings
    from restanse_core.store import make_engine, migrate, repository

    _fresh(OURS_DB)
    url = f"sqlite:///{OURS_DB}"
    limits = Limits.of(Settings(database_url=url))
    engine = make_engine(url)
    migrate(engine)
    units_file, people_file = directory_paths(path)
    with engine.begin() as conn:
        repository.replace_units(conn, read_directory_file(units_file, limits).units)
        repository.replace_people(conn, read_directory_file(people_file, limits).people)
        repository.bump_directory_version(conn, "bench")

    started, cpu = time.perf_counter(), cpu_seconds()
    summary = import_snapshot(engine, path, Settings(database_url=url), as_of=AS_OF, imported_by="bench")
    elapsed, cpu = time.perf_counter() - started, cpu_seconds() - cpu
    engine.dispose()
    return {
        "seconds": elapsed,
        "cpu_seconds": cpu,
        "stored": summary.restanser,
        "peak_rss_mb": peak_rss_mb(),
        "rows_read": summary.rows_read,
        "duplicates": summary.duplicates,
        "skipped": sum(summary.skipped_types.values()),
        "unknown_people": len(summary.unknown_people),
    }


def _child(which: str, path: Path) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, "-m", "bench.import_csv", "--child", which, str(path)],
        check=True, capture_output=True, text=True, cwd=Path(__file__).resolve().parents[1],
    )  # fmt: skip
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def write_floor_schema() -> None:
    """The snapshots and restanser tables with their indexes, as our migrations create them on SQLite."""
    import sqlite3

    from restanse_core.store import make_engine, migrate

    template = DATA / "import_schema.db"
    _fresh(template)
    engine = make_engine(f"sqlite:///{template}")
    migrate(engine)
    engine.dispose()
    with sqlite3.connect(template) as conn:
        statements = conn.execute(
            "SELECT sql FROM sqlite_master WHERE tbl_name IN ('snapshots', 'restanser') AND sql IS NOT NULL "
            "ORDER BY type = 'index', tbl_name = 'restanser', name"
        ).fetchall()
    _fresh(template)
    FLOOR_SCHEMA.write_text("".join(f"{sql};\n" for (sql,) in statements), encoding="utf-8")


def _same_table() -> bool:
    """The floor's restanser table has the columns, indexes and foreign key of ours (as the migrations make it)."""
    import sqlite3

    def shape(db: Path) -> tuple[object, ...]:
        with sqlite3.connect(db) as conn:
            columns = conn.execute("PRAGMA table_info(restanser)").fetchall()
            keys = conn.execute("PRAGMA foreign_key_list(restanser)").fetchall()
            indexes = sorted(
                (name, unique, tuple(c[2] for c in conn.execute(f"PRAGMA index_info({name})")))
                for _, name, unique, *_ in conn.execute("PRAGMA index_list(restanser)")
            )
            return columns, keys, indexes

    return shape(FLOOR_DB) == shape(OURS_DB)


VARIANTS = {
    "floor": "floor: read_csv + executemany",
    "ours": "ours: import_snapshot",
    "floor-keyorder": "reference: the floor in key order",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", type=Path, nargs="?", default=DEFAULT_FILE)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--child", choices=tuple(VARIANTS), help=argparse.SUPPRESS)
    parser.add_argument("--keep", action="store_true", help="keep the two databases in bench/data")
    args = parser.parse_args()
    if args.child:
        run = {"floor": run_floor, "ours": run_ours, "floor-keyorder": partial(run_floor, key_order=True)}
        print(json.dumps(run[args.child](args.file)))
        return
    if not args.file.is_file():
        sys.exit(f"{args.file} is missing: run python -m bench.generate_export first")
    print(describe())
    write_floor_schema()
    args.file.read_bytes()  # into the page cache, so that the first run is not the only one reading the disk
    runs: dict[str, list[dict[str, float]]] = {which: [] for which in VARIANTS}
    same = True
    for n in range(args.runs):
        for which in VARIANTS:
            result = _child(which, args.file)
            runs[which].append(result)
            print(
                f"run {n + 1} {which:14}: {result['seconds']:6.2f} s (CPU {result['cpu_seconds']:6.2f} s), "
                f"peak RSS {result['peak_rss_mb']:4.0f} MB, {result['stored']:,} rows stored"
            )
            if which == "ours":
                same = same and _same_table()
    if not args.keep:
        _fresh(FLOOR_DB)
        _fresh(OURS_DB)
        _fresh(FLOOR_SCHEMA)

    def median(which: str, figure: str) -> float:
        return statistics.median(r[figure] for r in runs[which])

    last = runs["ours"][-1]
    size = args.file.stat().st_size / 1e6
    print(f"\n{args.file.name} ({size:.0f} MB, {last['rows_read']:,} data rows): medians of {args.runs} runs")
    for which, label in VARIANTS.items():
        print(
            f"  {label:38} {median(which, 'seconds'):6.2f} s   CPU {median(which, 'cpu_seconds'):6.2f} s   "
            f"peak RSS {median(which, 'peak_rss_mb'):4.0f} MB"
        )
    print(f"  load average at the end: {os.getloadavg()[0]:.2f}")
    ratio = median("ours", "seconds") / median("floor", "seconds")
    reference = median("ours", "seconds") / median("floor-keyorder", "seconds")
    print(f"  ours / floor {ratio:.2f}x (target ≤ 1.5x); ours / floor in key order {reference:.2f}x")
    print(f"  ours: peak RSS {median('ours', 'peak_rss_mb'):.0f} MB (target < 600 MB)")
    print(
        f"  ours stored {last['stored']:,} restanser ({last['duplicates']:,} duplicates counted once, "
        f"{last['skipped']:,} U/X rows skipped, {last['unknown_people']} people not in the directory); "
        f"the floor's table has the same columns, indexes and foreign key: {'yes' if same else 'NO'}"
    )


if __name__ == "__main__":
    main()
