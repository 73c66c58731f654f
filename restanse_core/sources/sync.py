"""A sync: the records system's open items become today's list, through the same pipeline as a file import.

Safely: one replica at a time (a lease in the database); a failed read keeps the last good list; a list that is
empty or far shorter than the last is held for the arkiv to save or cancel; an imported file of the same day is
never replaced (a file wins); the month's designated list is the first sync on or after `monthly_list_day`.
"""

from __future__ import annotations

import gzip
import io
import os
import socket
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import pandas as pd
from sqlalchemy import Connection, Engine

from restanse_core.clock import Clock, today
from restanse_core.errors import MAX_PROBLEMS_SHOWN, Problem, UserError
from restanse_core.importers import ImportSummary, Seen, finish_summary, store_chunk
from restanse_core.importers.pipeline import ChunkResult, Pipeline, Resolver
from restanse_core.importers.source import RowSource
from restanse_core.model import Organisation
from restanse_core.settings import Settings
from restanse_core.sources.port import RestanseSource, SourceError
from restanse_core.store import live, repository

SYNC_LEASE = "sync"
LEASE_TTL = timedelta(hours=1)  # longer than any sync; a crashed holder's lease runs out


@dataclass
class SyncResult:
    status: str  # stored | held | failed | skipped | busy
    message: str  # what happened, in plain words for the arkiv
    as_of: date
    summary: ImportSummary | None = None
    previous: int | None = None  # restanser in the last stored list
    monthly: bool = False  # the stored list is the month's designated list
    replaced: bool = False  # it replaced today's earlier live list
    logins_filled: int = 0
    reappeared: list[str] = field(default_factory=list)  # written off from the bot, still listed
    run_id: int | None = None


def holder_id() -> str:
    """Who holds a lease: this process on this host, unique per run."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def _wall_clock() -> datetime:
    return datetime.now(UTC)


async def run_sync(
    engine: Engine,
    source: RestanseSource,
    settings: Settings,
    clock: Clock,
    *,
    started_by: str,
    due_after: datetime | None = None,
) -> SyncResult:
    """Read the records system and store today's list (or hold it). Once across replicas.

    `due_after`: for the schedule — do nothing if a sync has started since then (another replica ran it).
    """
    as_of = today(clock)
    holder = holder_id()
    if not live.acquire_lease(engine, SYNC_LEASE, holder, _wall_clock(), LEASE_TTL):
        return SyncResult("busy", "En annen prosess oppdaterer lista nå.", as_of)
    try:
        if due_after is not None:
            with engine.connect() as conn:
                last = live.last_run_started(conn)
            if last is not None and last >= due_after:
                return SyncResult("busy", "Lista er alt oppdatert for denne runden.", as_of)
        return await _sync(engine, source, settings, clock, as_of, started_by)
    finally:
        live.release_lease(engine, SYNC_LEASE, holder)


async def _sync(
    engine: Engine, source: RestanseSource, settings: Settings, clock: Clock, as_of: date, started_by: str
) -> SyncResult:
    started = clock.now()
    with engine.begin() as conn:
        run_id = live.start_run(conn, source.name, started_by, started, as_of)
        existing = repository.snapshot_of(conn, as_of)
    if existing is not None and existing.source_kind == "file":
        message = (
            f"Lista per {as_of:%d.%m.%Y} er lest inn fra fila {existing.source_name}, og den går foran: "
            f"lista fra {source.name} er ikke lagret i dag."
        )
        filled = await _fill_logins(engine, source)
        with engine.begin() as conn:
            live.finish_run(conn, run_id, "skipped", clock.now(), message)
        return SyncResult("skipped", message, as_of, logins_filled=filled, run_id=run_id)
    try:
        frames = [frame async for frame in source.read(as_of)]
    except SourceError as exc:
        message = (
            f"Kunne ikke lese restansene fra {source.name}: {exc.message} Den forrige lista gjelder fortsatt."
        )
        with engine.begin() as conn:
            live.finish_run(conn, run_id, "failed", clock.now(), message)
        return SyncResult("failed", message, as_of, run_id=run_id)
    filled = await _fill_logins(engine, source)
    with engine.connect() as conn:
        org = repository.load_organisation(conn)
        newest = repository.snapshot_on_or_before(conn, None)
    with engine.connect() as conn:
        previous = repository.snapshot_size(conn, newest.id) if newest else None
    prepared = _prepare(source, org, settings, frames, as_of)
    count = prepared.unique_restanser()
    if _must_hold(count, previous, settings):
        message = _held_message(source, count, previous)
        with engine.begin() as conn:
            live.finish_run(
                conn, run_id, "held", clock.now(), message,
                restanser=count, previous=previous, held_rows=pack(frames),
            )  # fmt: skip
            live.drop_older_held(conn, run_id)
        summary = prepared.summary(org, as_of)
        if newest is not None and previous is not None:
            summary.previous = (newest.as_of, previous)
        return SyncResult("held", message, as_of, summary, previous, logins_filled=filled, run_id=run_id)
    try:
        result = _store(engine, source, settings, clock, as_of, prepared, org, started_by, previous)
    except UserError as exc:  # a file of the same day was imported while the records system was read
        with engine.begin() as conn:
            live.finish_run(conn, run_id, "skipped", clock.now(), exc.message)
        return SyncResult("skipped", exc.message, as_of, run_id=run_id)
    result.logins_filled, result.run_id = filled, run_id
    if result.summary is not None and newest is not None and previous is not None:
        result.summary.previous = (newest.as_of, previous)
    with engine.begin() as conn:
        after = live.last_stored_run_started(conn)
        stored = repository.snapshot_of(conn, as_of)
        assert stored is not None
        result.reappeared = live.written_off_still_listed(conn, stored.id, after, started)
        live.finish_run(
            conn, run_id, "stored", clock.now(), result.message, restanser=count, previous=previous
        )
    return result


def _must_hold(count: int, previous: int | None, settings: Settings) -> bool:
    if count == 0:
        return True
    return previous is not None and previous > 0 and count < previous * settings.min_share_of_previous


def _held_message(source: RestanseSource, count: int, previous: int | None) -> str:
    if count == 0:
        what = f"{source.name} ga ingen restanser"
    else:
        what = f"{source.name} ga {count} restanser, mot {previous} i den forrige lista"
    return (
        f"{what}. Det ser feil ut, så lista er holdt tilbake og ikke lagret; den forrige gjelder fortsatt. "
        "Arkivet kan lagre den likevel eller forkaste den."
    )


@dataclass
class _Prepared:
    source: RowSource
    chunks: list[ChunkResult]

    def unique_restanser(self) -> int:
        frames = [c.restanser[["jp_key", "saksbehandler"]] for c in self.chunks if len(c.restanser)]
        return len(pd.concat(frames).drop_duplicates()) if frames else 0

    def problems(self) -> list[Problem]:
        return [p for c in self.chunks for p in c.problems][:MAX_PROBLEMS_SHOWN]

    def summary(self, org: Organisation, as_of: date) -> ImportSummary:
        """The figures of a list that was not stored (a held one)."""
        summary = ImportSummary(file=self.source.name, as_of=as_of, kind="live")
        for chunk in self.chunks:
            summary.rows_read += chunk.rows
            summary.invalid_rows += chunk.invalid_rows
            summary.skipped_types.update(chunk.skipped_types)
        summary.restanser = self.unique_restanser()
        summary.skipped_problems = self.problems()
        people = {p for c in self.chunks for p in c.restanser["saksbehandler"].unique().tolist()}
        units = {u for c in self.chunks for u in c.restanser["enhet"].unique().tolist()}
        summary.unknown_people = sorted(p for p in people if p and p not in org.people)
        summary.unknown_units = sorted(u for u in units if u not in org.units)
        return summary


PREPARE_ROWS = 50_000
"""Pages come a few hundred rows at a time; the pipeline works on bigger chunks (its cost is per chunk)."""


def _batched(frames: list[pd.DataFrame]) -> list[pd.DataFrame]:
    out: list[pd.DataFrame] = []
    pending: list[pd.DataFrame] = []
    size = 0
    for frame in frames:
        pending.append(frame)
        size += len(frame)
        if size >= PREPARE_ROWS:
            out.append(pd.concat(pending, ignore_index=True))
            pending, size = [], 0
    if pending:
        out.append(pd.concat(pending, ignore_index=True))
    return out


def _prepare(
    source: RestanseSource, org: Organisation, settings: Settings, frames: list[pd.DataFrame], as_of: date
) -> _Prepared:
    frames = _batched(frames)
    rows = RowSource(
        name=source.name,
        headings=source.headings,
        chunks=lambda _progress: iter(frames),
        kind="live",
        row_label=source.row_label,
    )
    pipeline = Pipeline(
        rows,
        Resolver.from_organisation(org),
        settings.temporary_codes(),
        settings.temporary_keeps_restanse,
        as_of=as_of,
    )
    return _Prepared(rows, [pipeline.prepare(frame) for frame in frames])


def _store(
    engine: Engine,
    source: RestanseSource,
    settings: Settings,
    clock: Clock,
    as_of: date,
    prepared: _Prepared,
    org: Organisation,
    started_by: str,
    previous: int | None,
) -> SyncResult:
    """Today's live list, replacing today's earlier live list; the month's list if it is the first one."""
    summary = ImportSummary(file=source.name, as_of=as_of, kind="live")
    seen, offered = Seen(), 0
    with engine.begin() as conn:
        existing = repository.snapshot_of(conn, as_of)
        if existing is not None and existing.source_kind == "file":  # imported while we were reading
            raise UserError(
                f"Lista per {as_of:%d.%m.%Y} er lest inn fra en fil i mellomtiden; den går foran."
            )
        summary.replaced = existing is not None
        monthly = (existing is not None and existing.monthly) or (
            as_of.day >= settings.monthly_list_day and not repository.month_has_monthly_list(conn, as_of)
        )
        snapshot_id = repository.begin_snapshot(
            conn,
            as_of,
            source.name,
            "",
            started_by,
            clock.now(),
            False,
            source_kind="live",
            monthly=monthly,
        )
        for chunk in prepared.chunks:
            summary.rows_read += chunk.rows
            summary.invalid_rows += chunk.invalid_rows
            summary.skipped_types.update(chunk.skipped_types)
            offered += store_chunk(conn, snapshot_id, chunk, summary, seen)
        finish_summary(conn, snapshot_id, summary, org, seen, offered, prepared.problems())
        summary.stored = True
        _prune(conn, settings, as_of, clock.now())
        # Today's list replaced: on SQLite the new snapshot may get the old one's id, so the data version
        # (which `serve` watches) would not change without this stamp.
        repository.bump_list_version(conn, uuid.uuid4().hex)
    verb = "erstattet" if summary.replaced else "lagret"
    message = (
        f"Restanselista per {as_of:%d.%m.%Y} fra {source.name} er {verb}: {summary.restanser} restanser."
    )
    if monthly:
        message += f" Den er månedens liste for {as_of:%m.%Y}."
    return SyncResult("stored", message, as_of, summary, previous, monthly, summary.replaced)


def _prune(conn: Connection, settings: Settings, as_of: date, now: datetime) -> None:
    repository.prune_snapshots(conn, as_of - timedelta(days=settings.daily_retention_days), daily_only=True)
    live.prune_writeoffs(conn, now - timedelta(days=settings.writeoff_log_days))


async def _fill_logins(engine: Engine, source: RestanseSource) -> int:
    """People with an e-mail and no login get the one the records system has for that e-mail."""
    with engine.connect() as conn:
        org = repository.load_organisation(conn)
    missing = {p.email.lower(): p.initials for p in org.people.values() if p.email and not p.login}
    if not missing or not source.needs_login:
        return 0
    try:
        found = await source.logins(missing.keys())
    except SourceError:
        return 0  # the list matters more than the logins; the next sync tries again
    logins = {missing[email]: login for email, login in found.items() if email in missing}
    if not logins:
        return 0
    with engine.begin() as conn:
        filled = repository.fill_logins(conn, logins)
        repository.bump_directory_version(conn, uuid.uuid4().hex)
    return filled


# ---- a held list -----------------------------------------------------------------------------------------


def pack(frames: list[pd.DataFrame]) -> bytes:
    """A held list's rows, compressed, until the arkiv saves or cancels it (titles go with it, as in any list)."""
    frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    return gzip.compress(frame.to_json(orient="split", index=False).encode("utf-8"))


def unpack(blob: bytes) -> list[pd.DataFrame]:
    frame = pd.read_json(io.StringIO(gzip.decompress(blob).decode("utf-8")), orient="split", dtype=False)
    return [frame] if len(frame.columns) else []


def save_held(
    engine: Engine, source: RestanseSource, settings: Settings, clock: Clock, *, saved_by: str
) -> SyncResult:
    """Store the held list after all (the arkiv's «Lagre»), unless a newer list has been stored since."""
    with engine.connect() as conn:
        held = live.held_run(conn)
        if held is None:
            raise UserError("Det er ingen holdt liste å lagre.")
        run, blob = held
        assert run.as_of is not None
        newest = repository.snapshot_on_or_before(conn, None)
        org = repository.load_organisation(conn)
    if newest is not None and newest.as_of > run.as_of:
        raise UserError(
            f"Det er lagret en nyere liste ({newest.as_of:%d.%m.%Y}) siden lista per {run.as_of:%d.%m.%Y} "
            "ble holdt tilbake. Den holdte lista lagres ikke; kjør en ny oppdatering i stedet."
        )
    prepared = _prepare(source, org, settings, unpack(blob), run.as_of)
    result = _store(engine, source, settings, clock, run.as_of, prepared, org, saved_by, run.previous)
    with engine.begin() as conn:
        live.close_held(conn, run.id, "saved", clock.now(), f"Lagret av {saved_by}. {result.message}")
    result.run_id = run.id
    return result


def cancel_held(engine: Engine, clock: Clock, *, cancelled_by: str) -> live.SyncRun:
    with engine.begin() as conn:
        held = live.held_run(conn)
        if held is None:
            raise UserError("Det er ingen holdt liste å forkaste.")
        run, _ = held
        live.close_held(conn, run.id, "cancelled", clock.now(), f"Forkastet av {cancelled_by}.")
    return run
