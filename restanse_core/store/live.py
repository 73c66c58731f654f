"""The live source's bookkeeping: leases (one replica syncs), sync runs, and the write-off log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, and_, delete, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from restanse_core.store.tables import LeaseRow, RestanseRow, SyncRunRow, WriteOffRow


def _utc(moment: datetime) -> datetime:
    """Stored in UTC: SQLite keeps no offset, so every time in these tables is written the same way."""
    return moment.astimezone(UTC)


def _aware(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


# ---- leases ----------------------------------------------------------------------------------------------


def acquire_lease(engine: Engine, name: str, holder: str, now: datetime, ttl: timedelta) -> bool:
    """Take the named lease unless another holder has it and it has not run out. Wall-clock time: a lease is
    about processes being alive, not about the day the bot thinks it is."""
    now = _utc(now)
    with engine.begin() as conn:
        taken = conn.execute(
            update(LeaseRow)
            .where(LeaseRow.name == name, or_(LeaseRow.expires_at < now, LeaseRow.holder == holder))
            .values(holder=holder, expires_at=now + ttl)
        ).rowcount
    if taken:
        return True
    try:
        with engine.begin() as conn:
            conn.execute(insert(LeaseRow).values(name=name, holder=holder, expires_at=now + ttl))
        return True
    except IntegrityError:
        return False  # someone else holds it


def release_lease(engine: Engine, name: str, holder: str) -> None:
    with engine.begin() as conn:
        conn.execute(delete(LeaseRow).where(LeaseRow.name == name, LeaseRow.holder == holder))


# ---- sync runs -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SyncRun:
    id: int
    source: str
    started_at: datetime
    finished_at: datetime | None
    started_by: str
    status: str  # running | stored | held | failed | skipped | saved | cancelled
    as_of: date | None
    restanser: int | None
    previous: int | None
    message: str | None


_RUN_FIELDS = (
    SyncRunRow.id,
    SyncRunRow.source,
    SyncRunRow.started_at,
    SyncRunRow.finished_at,
    SyncRunRow.started_by,
    SyncRunRow.status,
    SyncRunRow.as_of,
    SyncRunRow.restanser,
    SyncRunRow.previous,
    SyncRunRow.message,
)


def start_run(conn: Connection, source: str, started_by: str, now: datetime, as_of: date) -> int:
    result = conn.execute(
        insert(SyncRunRow).values(
            source=source, started_at=_utc(now), started_by=started_by, status="running", as_of=as_of
        )
    )
    assert result.inserted_primary_key is not None
    return int(result.inserted_primary_key[0])


def finish_run(
    conn: Connection,
    run_id: int,
    status: str,
    now: datetime,
    message: str | None = None,
    *,
    restanser: int | None = None,
    previous: int | None = None,
    held_rows: bytes | None = None,
) -> None:
    conn.execute(
        update(SyncRunRow)
        .where(SyncRunRow.id == run_id)
        .values(
            status=status,
            finished_at=_utc(now),
            message=message,
            restanser=restanser,
            previous=previous,
            held_rows=held_rows,
        )
    )


def recent_runs(conn: Connection, limit: int = 10) -> list[SyncRun]:
    rows = conn.execute(select(*_RUN_FIELDS).order_by(SyncRunRow.id.desc()).limit(limit))
    return [_run(dict(row._mapping)) for row in rows]


def sync_run(conn: Connection, run_id: int) -> SyncRun | None:
    row = conn.execute(select(*_RUN_FIELDS).where(SyncRunRow.id == run_id)).first()
    return _run(dict(row._mapping)) if row is not None else None


def _run(fields: dict[str, Any]) -> SyncRun:
    fields["started_at"] = _aware(fields["started_at"])
    fields["finished_at"] = _aware(fields["finished_at"])
    return SyncRun(**fields)


def last_run_started(conn: Connection) -> datetime | None:
    """When the newest sync started, whatever became of it: the schedule runs once per slot."""
    return _aware(
        conn.execute(select(SyncRunRow.started_at).order_by(SyncRunRow.id.desc()).limit(1)).scalar()
    )


def last_stored_run_started(conn: Connection) -> datetime | None:
    query = select(SyncRunRow.started_at).where(SyncRunRow.status.in_(("stored", "saved")))
    return _aware(conn.execute(query.order_by(SyncRunRow.id.desc()).limit(1)).scalar())


def held_run(conn: Connection) -> tuple[SyncRun, bytes] | None:
    """The newest held list still waiting for the arkiv's decision."""
    row = conn.execute(
        select(*_RUN_FIELDS, SyncRunRow.held_rows)
        .where(SyncRunRow.status == "held", SyncRunRow.held_rows.is_not(None))
        .order_by(SyncRunRow.id.desc())
        .limit(1)
    ).first()
    if row is None:
        return None
    fields = dict(row._mapping)
    blob = fields.pop("held_rows")
    return _run(fields), bytes(blob)


def close_held(conn: Connection, run_id: int, status: str, now: datetime, message: str) -> None:
    """The arkiv decided on a held list: saved or cancelled. Its rows are deleted either way."""
    conn.execute(
        update(SyncRunRow)
        .where(SyncRunRow.id == run_id)
        .values(status=status, held_rows=None, finished_at=_utc(now), message=message)
    )


def drop_older_held(conn: Connection, run_id: int) -> None:
    """A newer held list replaces older ones: only the newest can be saved."""
    conn.execute(
        update(SyncRunRow)
        .where(SyncRunRow.status == "held", SyncRunRow.id != run_id)
        .values(status="cancelled", held_rows=None)
    )


# ---- write-offs ------------------------------------------------------------------------------------------

STALE_PENDING = timedelta(minutes=15)


@dataclass(frozen=True)
class WriteOffEntry:
    id: int
    source: str
    jp_id: str
    recipients: str
    person: str
    method: str
    status: str
    answer: str | None
    requested_at: datetime
    finished_at: datetime | None


def begin_writeoff(
    engine: Engine,
    *,
    source: str,
    jp_key: str,
    jp_id: str,
    recipients: list[str],
    person: str,
    login: str | None,
    method: str,
    now: datetime,
) -> int | None:
    """Record the press as pending before the records system is called; None if one is pending already.

    A pending entry older than `STALE_PENDING` belongs to a process that died while asking: it is marked
    uncertain (the next sync shows the truth) so the person can try again."""
    try:
        with engine.begin() as conn:
            conn.execute(
                update(WriteOffRow)
                .where(
                    WriteOffRow.jp_key == jp_key,
                    WriteOffRow.person == person,
                    WriteOffRow.status == "pending",
                    WriteOffRow.requested_at < _utc(now - STALE_PENDING),
                )
                .values(status="uncertain", answer="avbrutt før svaret kom", finished_at=_utc(now))
            )
            result = conn.execute(
                insert(WriteOffRow).values(
                    source=source,
                    jp_key=jp_key,
                    jp_id=jp_id,
                    recipients=",".join(recipients),
                    person=person,
                    login=login,
                    method=method,
                    status="pending",
                    requested_at=_utc(now),
                )
            )
    except IntegrityError:
        return None
    assert result.inserted_primary_key is not None
    return int(result.inserted_primary_key[0])


def other_writeoff(conn: Connection, jp_key: str, writeoff_id: int, since: datetime) -> str | None:
    """The status of another write-off of the item asked for since the list was stored, that is under way or
    went through ('pending' | 'done'), or None: a press that checked the list before the other one finished
    must not ask the records system a second time."""
    found = conn.execute(
        select(WriteOffRow.status)
        .where(
            WriteOffRow.jp_key == jp_key,
            WriteOffRow.id != writeoff_id,
            WriteOffRow.status.in_(("pending", "done")),
            WriteOffRow.requested_at >= _utc(since),
        )
        .order_by(WriteOffRow.status.desc())  # 'pending' before 'done'
        .limit(1)
    ).scalar_one_or_none()
    return found


def finish_writeoff(conn: Connection, writeoff_id: int, status: str, answer: str, now: datetime) -> None:
    conn.execute(
        update(WriteOffRow)
        .where(WriteOffRow.id == writeoff_id)
        .values(status=status, answer=answer, finished_at=_utc(now))
    )


def writeoff_log(conn: Connection, since: datetime) -> list[WriteOffEntry]:
    rows = conn.execute(
        select(
            WriteOffRow.id,
            WriteOffRow.source,
            WriteOffRow.jp_id,
            WriteOffRow.recipients,
            WriteOffRow.person,
            WriteOffRow.method,
            WriteOffRow.status,
            WriteOffRow.answer,
            WriteOffRow.requested_at,
            WriteOffRow.finished_at,
        )
        .where(WriteOffRow.requested_at >= _utc(since))
        .order_by(WriteOffRow.requested_at, WriteOffRow.id)
    )
    entries = []
    for row in rows:
        fields = dict(row._mapping)
        fields["requested_at"] = _aware(fields["requested_at"])
        fields["finished_at"] = _aware(fields["finished_at"])
        entries.append(WriteOffEntry(**fields))
    return entries


def prune_writeoffs(conn: Connection, older_than: datetime) -> int:
    return int(
        conn.execute(
            delete(WriteOffRow).where(WriteOffRow.requested_at < older_than, WriteOffRow.status != "pending")
        ).rowcount
    )


def written_off_still_listed(
    conn: Connection, snapshot_id: int, after: datetime | None, before: datetime
) -> list[str]:
    """Items written off from the bot (between two syncs) that the records system still lists."""
    query = (
        select(WriteOffRow.jp_id)
        .distinct()
        .join(
            RestanseRow,
            and_(RestanseRow.snapshot_id == snapshot_id, RestanseRow.jp_key == WriteOffRow.jp_key),
        )
        .where(WriteOffRow.status == "done", WriteOffRow.finished_at < _utc(before))
    )
    if after is not None:
        query = query.where(WriteOffRow.finished_at >= _utc(after))
    return sorted(conn.execute(query).scalars())
