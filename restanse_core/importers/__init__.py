"""Importing the monthly restanse list as a snapshot: file in, validated rows out, stored in one transaction."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlalchemy import Connection, Engine

from restanse_core.clock import Clock, SystemClock
from restanse_core.errors import MAX_PROBLEMS_SHOWN, ImportRefused, Problem, UserError
from restanse_core.importers.pipeline import (
    RESTANSE_COLUMNS,
    WRITTEN_OFF_COLUMNS,
    ChunkResult,
    Pipeline,
    Resolver,
)
from restanse_core.importers.source import ROW, Progress, RowSource
from restanse_core.importers.tabular import TABULAR_SUFFIXES, open_tabular
from restanse_core.model import Organisation
from restanse_core.settings import Settings
from restanse_core.store import repository
from restanse_core.store.bulk import insert_ignoring_duplicates, snapshot_rows
from restanse_core.store.tables import RestanseRow, WrittenOffRow


@dataclass
class ImportSummary:
    file: str
    as_of: date
    kind: str = "tabell"
    rows_read: int = 0
    restanser: int = 0
    written_off: int = 0
    duplicates: int = 0
    skipped_types: Counter[str] = field(default_factory=Counter)
    invalid_rows: int = 0
    skipped_problems: list[Problem] = field(default_factory=list)
    unknown_people: list[str] = field(default_factory=list)
    unknown_units: list[str] = field(default_factory=list)
    replaced: bool = False


def open_source(path: Path, mapping: Mapping[str, str] | None = None) -> RowSource:
    """Pick the reader from the file: a Noark 5 extract (.xml, .xml.gz) or a table (.csv, .txt, .xlsx)."""
    if path.is_dir():
        raise UserError(f"{path} er en mappe. Oppgi fila med restanselista.")
    if not path.is_file():
        raise UserError(f"Finner ikke fila {path}.")
    name = path.name.lower()
    if name.endswith((".xml", ".xml.gz")):
        from restanse_core.importers.noark5 import open_noark5

        return open_noark5(path)
    if path.suffix.lower() in TABULAR_SUFFIXES:
        return open_tabular(path, mapping)
    raise UserError(
        f"{path.name}: ukjent filtype «{path.suffix or '(ingen)'}». "
        "Restanselista leses fra .csv, .txt, .xlsx eller et Noark 5-uttrekk (arkivstruktur.xml)."
    )


def file_checksum(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def import_snapshot(
    engine: Engine,
    path: Path,
    settings: Settings,
    *,
    as_of: date,
    imported_by: str,
    skip_invalid: bool = False,
    mapping: Mapping[str, str] | None = None,
    progress: Progress | None = None,
    clock: Clock | None = None,
) -> ImportSummary:
    """Store the file's restanser as the snapshot of `as_of`. Strict: any invalid row refuses the whole file."""
    source = open_source(path, {**settings.columns, **(mapping or {})})
    summary = ImportSummary(file=source.name, as_of=as_of, kind=source.kind)
    problems: list[Problem] = []
    seen = Seen()
    with engine.begin() as conn:
        org = repository.load_organisation(conn)
        summary.replaced = any(s.as_of == as_of for s in repository.list_snapshots(conn))
        pipeline = Pipeline(
            source,
            Resolver.from_organisation(org),
            settings.temporary_codes(),
            settings.temporary_keeps_restanse,
        )
        snapshot_id = repository.begin_snapshot(
            conn,
            as_of,
            source.name,
            file_checksum(path),
            imported_by,
            (clock or SystemClock()).now(),
            source.has_writeoff_dates,
        )
        offered = problem_count = 0
        for frame in source.chunks(progress):
            chunk = pipeline.prepare(frame)
            summary.rows_read += chunk.rows
            summary.invalid_rows += chunk.invalid_rows
            summary.skipped_types.update(chunk.skipped_types)
            problem_count += len(chunk.problems)
            problems.extend(chunk.problems[: max(0, MAX_PROBLEMS_SHOWN - len(problems))])
            if summary.invalid_rows and not skip_invalid:
                continue  # keep reading to count every problem, but store nothing more
            offered += store_chunk(conn, snapshot_id, chunk, summary, seen)
        if summary.invalid_rows and not skip_invalid:
            raise ImportRefused(source.name, problems, total=problem_count)
        finish_summary(conn, snapshot_id, summary, org, seen, offered, problems)
    return summary


@dataclass
class Seen:
    """Saksbehandlere and units met in the stored rows, to report those not in the directory."""

    people: set[str] = field(default_factory=set)
    units: set[str] = field(default_factory=set)


def store_chunk(
    conn: Connection, snapshot_id: int, chunk: ChunkResult, summary: ImportSummary, seen: Seen
) -> int:
    """Insert one prepared chunk into the snapshot; returns how many restanser were offered (before duplicates)."""
    rows = chunk.restanser
    seen.people.update(rows["saksbehandler"].unique().tolist())
    seen.units.update(rows["enhet"].unique().tolist())
    summary.restanser += insert_ignoring_duplicates(
        conn,
        RestanseRow.__tablename__,
        ("snapshot_id", *RESTANSE_COLUMNS),
        snapshot_rows(snapshot_id, rows, RESTANSE_COLUMNS),
    )
    summary.written_off += insert_ignoring_duplicates(
        conn,
        WrittenOffRow.__tablename__,
        ("snapshot_id", *WRITTEN_OFF_COLUMNS),
        snapshot_rows(snapshot_id, chunk.written_off, WRITTEN_OFF_COLUMNS),
    )
    return len(rows)


def finish_summary(
    conn: Connection,
    snapshot_id: int,
    summary: ImportSummary,
    org: Organisation,
    seen: Seen,
    offered: int,
    problems: list[Problem],
) -> None:
    summary.duplicates = offered - summary.restanser
    summary.skipped_problems = problems
    summary.unknown_people = sorted(p for p in seen.people if p and p not in org.people)
    summary.unknown_units = sorted(u for u in seen.units if u not in org.units)
    repository.finish_snapshot(conn, snapshot_id, summary.rows_read, summary.restanser)


__all__ = ["ROW", "ImportSummary", "import_snapshot", "open_source"]
