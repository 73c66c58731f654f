"""Importing the monthly restanse list as a snapshot: file in, validated rows out, stored in one transaction.

The guards live here, so every way in (the CLI, the chat upload) shares them: a file that cannot be right is
refused (UserError); one that may be right but looks wrong (ImportWarning: a missing column, no restanser, far
fewer than last time, an older date) is stored only when confirmed. A preview (`dry_run`) reads the whole file
and reports the same summary and warnings without storing anything.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlalchemy import Connection, Engine

from restanse_core.clock import Clock, default_clock, today
from restanse_core.errors import (
    MAX_PROBLEMS_SHOWN,
    ConfirmationNeeded,
    ImportRefused,
    ImportWarning,
    Problem,
    UserError,
)
from restanse_core.importers import guards
from restanse_core.importers.guards import Check, PrintedDate, heading_list
from restanse_core.importers.pipeline import (
    RESTANSE_COLUMNS,
    WRITTEN_OFF_COLUMNS,
    ChunkResult,
    Pipeline,
    Resolver,
)
from restanse_core.importers.preview import ListPreview, preview_list
from restanse_core.importers.source import ROW, Limits, Progress, RowSource
from restanse_core.importers.tabular import TABULAR_SUFFIXES, open_tabular
from restanse_core.model import Organisation
from restanse_core.settings import Settings
from restanse_core.store import repository
from restanse_core.store.bulk import insert_ignoring_duplicates, snapshot_rows
from restanse_core.store.tables import RestanseRow, WrittenOffRow


@dataclass
class ImportSummary:
    """What a list holds and what the import did with it; a preview is the same summary with nothing stored.

    The counts add up: rows_read = restanser + written_off + duplicates + skipped types + invalid_rows.
    """

    file: str
    as_of: date
    kind: str = "tabell"
    as_of_source: str = "option"  # "option" (given), "file" (a title line), "today"
    printed: PrintedDate | None = None
    rows_read: int = 0
    restanser: int = 0
    written_off: int = 0
    duplicates: int = 0
    skipped_types: Counter[str] = field(default_factory=Counter)
    invalid_rows: int = 0
    skipped_problems: list[Problem] = field(default_factory=list)
    unknown_people: list[str] = field(default_factory=list)
    unknown_units: list[str] = field(default_factory=list)
    cleaned_values: int = 0  # text values that had control characters removed
    replaced: bool = False
    previous: tuple[date, int] | None = None  # the newest list before this one, and its restanser
    warnings: list[ImportWarning] = field(default_factory=list)  # need a person's confirmation
    assumptions: list[str] = field(
        default_factory=list
    )  # what the import took for granted (a missing column)
    headings: list[str] = field(default_factory=list)  # the header row as found
    stored: bool = False
    preview: ListPreview | None = None  # a dry run's comparison and reminders


class ListNeedsConfirmation(ConfirmationNeeded):
    """The list was read but has warnings nobody confirmed; nothing was stored. `summary` is the preview."""

    def __init__(self, summary: ImportSummary) -> None:
        self.summary = summary
        details = []
        if any(w.kind == Check.MISSING_COLUMN for w in summary.warnings) and summary.headings:
            details.append(f"Overskriftene i fila er: {heading_list(summary.headings)}.")
        details.append("Ingenting er lagret.")
        super().__init__(summary.file, summary.warnings, details)


def open_source(path: Path, mapping: Mapping[str, str], limits: Limits) -> RowSource:
    """Pick the reader from the file: a Noark 5 extract (.xml, .xml.gz) or a table (.csv, .txt, .xlsx)."""
    if path.is_dir():
        raise UserError(f"{path} er en mappe. Oppgi fila med restanselista.")
    if not path.is_file():
        raise UserError(f"Finner ikke fila {path}.")
    name = path.name.lower()
    if name.endswith((".xml", ".xml.gz")):
        from restanse_core.importers.noark5 import open_noark5

        return open_noark5(path, limits)
    if path.suffix.lower() in TABULAR_SUFFIXES:
        return open_tabular(path, mapping, limits)
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
    imported_by: str,
    as_of: date | None = None,
    skip_invalid: bool = False,
    confirmed: bool = False,
    dry_run: bool = False,
    send_date: date | None = None,
    mapping: Mapping[str, str] | None = None,
    progress: Progress | None = None,
    clock: Clock | None = None,
) -> ImportSummary:
    """Store the file's restanser as the snapshot of its date, or with `dry_run` only report what it holds.

    A dry run also works out what the list would mean (`summary.preview`): the comparison, and the month's
    reminders as they would be planned for `send_date`.

    The date is `as_of`, else the date a title line gives («Utskrevet 16.12.2019»), else today. Strict: any
    invalid row refuses the whole file (ImportRefused) unless `skip_invalid`. Warnings refuse it
    (ListNeedsConfirmation) unless `confirmed`. Nothing is stored on any refusal.
    """
    source = open_source(path, {**settings.columns, **(mapping or {})}, Limits.of(settings))
    chosen, warnings = guards.list_date(as_of, source.printed, today(clock or default_clock()))
    summary = ImportSummary(
        file=source.name,
        as_of=chosen.day,
        kind=source.kind,
        as_of_source=chosen.source,
        printed=chosen.printed,
        headings=source.found_headings,
    )
    column_warnings, summary.assumptions = guards.column_checks(set(source.headings), settings.absent_columns)
    summary.warnings = warnings + column_warnings
    with engine.connect() as conn:
        transaction = conn.begin()
        try:
            _read_and_store(conn, path, source, settings, summary, imported_by, skip_invalid, progress, clock)
            if dry_run:
                summary.preview = preview_list(conn, settings, summary.as_of, send_date or summary.as_of)
            if dry_run or (summary.warnings and not confirmed):
                transaction.rollback()
                if dry_run:
                    return summary
                raise ListNeedsConfirmation(summary)
            transaction.commit()
        finally:
            if transaction.is_active:
                transaction.rollback()
    summary.stored = True
    return summary


def _read_and_store(
    conn: Connection,
    path: Path,
    source: RowSource,
    settings: Settings,
    summary: ImportSummary,
    imported_by: str,
    skip_invalid: bool,
    progress: Progress | None,
    clock: Clock | None,
) -> None:
    """Read every row into a new snapshot (in the caller's transaction) and fill in the summary."""
    as_of = summary.as_of
    org = repository.load_organisation(conn)
    snapshots = repository.list_snapshots(conn)
    summary.replaced = any(s.as_of == as_of for s in snapshots)
    summary.warnings += guards.order_check(as_of, snapshots[-1] if snapshots else None)
    previous = repository.snapshot_before(conn, as_of)
    previous_count = repository.snapshot_size(conn, previous.id) if previous else None
    if previous is not None and previous_count is not None:
        summary.previous = (previous.as_of, previous_count)
    pipeline = Pipeline(
        source,
        Resolver.from_organisation(org),
        settings.temporary_codes(),
        settings.temporary_keeps_restanse,
        as_of=as_of,
    )
    snapshot_id = repository.begin_snapshot(
        conn,
        as_of,
        source.name,
        file_checksum(path),
        imported_by,
        (clock or default_clock()).now(),
        source.has_writeoff_dates,
    )
    problems: list[Problem] = []
    seen = Seen()
    offered = problem_count = 0
    for frame in source.chunks(progress):
        chunk = pipeline.prepare(frame)
        summary.rows_read += chunk.rows
        summary.invalid_rows += chunk.invalid_rows
        summary.skipped_types.update(chunk.skipped_types)
        summary.cleaned_values += chunk.cleaned
        problem_count += len(chunk.problems)
        problems.extend(chunk.problems[: max(0, MAX_PROBLEMS_SHOWN - len(problems))])
        if (summary.invalid_rows or source.rejected) and not skip_invalid:
            continue  # keep reading to count every problem, but store nothing more
        offered += store_chunk(conn, snapshot_id, chunk, summary, seen)
    # Lines the reader could not split into the columns are invalid rows like any other.
    rejected = source.rejected
    summary.rows_read += len(rejected)
    summary.invalid_rows += len(rejected)
    problem_count += len(rejected)
    problems = sorted(problems + rejected[: max(0, MAX_PROBLEMS_SHOWN - len(problems))], key=_in_file_order)
    if summary.invalid_rows and not skip_invalid:
        raise ImportRefused(source.name, problems, total=problem_count)
    summary.warnings += guards.size_checks(
        summary.restanser, previous, previous_count, settings.min_share_of_previous
    )
    finish_summary(conn, snapshot_id, summary, org, seen, offered, problems)


@dataclass
class Seen:
    """Saksbehandlere and units met in the stored rows, to report those not in the directory."""

    people: set[str] = field(default_factory=set)
    units: set[str] = field(default_factory=set)


def store_chunk(
    conn: Connection, snapshot_id: int, chunk: ChunkResult, summary: ImportSummary, seen: Seen
) -> int:
    """Insert one prepared chunk into the snapshot; returns how many rows were offered (before duplicates)."""
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
    return len(rows) + len(chunk.written_off)


def finish_summary(
    conn: Connection,
    snapshot_id: int,
    summary: ImportSummary,
    org: Organisation,
    seen: Seen,
    offered: int,
    problems: list[Problem],
) -> None:
    """The counts that need the whole list (duplicates, who is not in the directory); the snapshot closed."""
    summary.duplicates = offered - summary.restanser - summary.written_off
    summary.skipped_problems = problems
    summary.unknown_people = sorted(p for p in seen.people if p and p not in org.people)
    summary.unknown_units = sorted(u for u in seen.units if u not in org.units)
    repository.finish_snapshot(conn, snapshot_id, summary.rows_read, summary.restanser)


def _in_file_order(problem: Problem) -> int:
    return problem.row or 0


__all__ = [
    "ROW",
    "ImportSummary",
    "ListNeedsConfirmation",
    "Seen",
    "finish_summary",
    "import_snapshot",
    "open_source",
    "store_chunk",
]
