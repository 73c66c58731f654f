"""Reading and writing the directory and snapshots. Functions take a Connection; the caller owns the transaction."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select, update

from restanse_core.model import DirectoryChange, Enhet, Organisation, Person, Rolle, Snapshot
from restanse_core.store.tables import (
    DirectoryChangeRow,
    MetaRow,
    PersonRow,
    RestanseRow,
    SnapshotRow,
    UnitLeaderRow,
    UnitRow,
    WrittenOffRow,
)

# ---- directory -------------------------------------------------------------------------------------------


def replace_units(conn: Connection, units: Iterable[Enhet]) -> None:
    units = list(units)
    conn.execute(delete(UnitLeaderRow))
    conn.execute(delete(UnitRow))
    if units:
        conn.execute(
            insert(UnitRow), [{"code": u.code, "name": u.name, "parent_code": u.parent} for u in units]
        )
        leaders = [{"unit_code": u.code, "initials": i} for u in units for i in dict.fromkeys(u.leaders)]
        if leaders:
            conn.execute(insert(UnitLeaderRow), leaders)


def replace_people(conn: Connection, people: Iterable[Person]) -> None:
    """Replace all people. A person listed without a login keeps the one a sync filled in before."""
    people = list(people)
    query = select(PersonRow.initials, PersonRow.brukernavn).where(PersonRow.brukernavn.is_not(None))
    known = {initials: login for initials, login in conn.execute(query)}
    conn.execute(delete(PersonRow))
    if people:
        conn.execute(
            insert(PersonRow),
            [
                {
                    "initials": p.initials,
                    "name": p.name,
                    "email": p.email,
                    "unit_code": p.unit,
                    "role": p.role.value,
                    "kanal": p.kanal,
                    "brukernavn": p.login or known.get(p.initials),
                }
                for p in people
            ],
        )


def load_organisation(conn: Connection) -> Organisation:
    leaders: dict[str, list[str]] = {}
    for row in conn.execute(select(UnitLeaderRow.unit_code, UnitLeaderRow.initials)):
        leaders.setdefault(row.unit_code, []).append(row.initials)
    people = {
        r.initials: Person(
            r.initials, r.name, r.email, r.unit_code, Rolle(r.role), kanal=r.kanal, login=r.brukernavn
        )
        for r in conn.execute(select(PersonRow))
    }
    # A person with rolle 'leder' whom no unit names leads their own unit.
    named = {i for names in leaders.values() for i in names}
    for person in people.values():
        if person.role == Rolle.LEDER and person.initials not in named and person.unit:
            leaders.setdefault(person.unit, []).append(person.initials)
    units = {
        r.code: Enhet(r.code, r.name, r.parent_code, tuple(sorted(leaders.get(r.code, []))))
        for r in conn.execute(select(UnitRow))
    }
    return Organisation(units, people)


def fill_logins(conn: Connection, logins: dict[str, str]) -> int:
    """Set the login of people (by initials) who have none yet; returns how many were filled."""
    filled = 0
    for initials, login in logins.items():
        result = conn.execute(
            update(PersonRow)
            .where(PersonRow.initials == initials, PersonRow.brukernavn.is_(None))
            .values(brukernavn=login)
        )
        filled += result.rowcount
    return filled


def data_version(conn: Connection) -> tuple[object, ...]:
    """Changes whenever the directory or the snapshots change: lets long-running processes refresh caches."""
    stamps = {
        key: value
        for key, value in conn.execute(
            select(MetaRow.key, MetaRow.value).where(MetaRow.key.in_(("directory_version", "list_version")))
        )
    }
    snapshots = conn.execute(select(func.max(SnapshotRow.id), func.count(SnapshotRow.id))).one()
    return (stamps.get("directory_version"), stamps.get("list_version"), *snapshots)


def _stamp(conn: Connection, key: str, stamp: str) -> None:
    conn.execute(delete(MetaRow).where(MetaRow.key == key))
    conn.execute(insert(MetaRow).values(key=key, value=stamp))


def record_directory_change(
    conn: Connection,
    *,
    kind: str,
    file_name: str,
    checksum: str,
    changed_by: str,
    changed_at: datetime,
    count: int,
) -> None:
    conn.execute(
        insert(DirectoryChangeRow).values(
            kind=kind,
            file_name=file_name,
            checksum=checksum,
            changed_by=changed_by,
            changed_at=changed_at,
            count=count,
        )
    )


def directory_changes(conn: Connection) -> list[DirectoryChange]:
    """Every change of the directory, newest first."""
    table = DirectoryChangeRow.__table__  # rows, not ORM objects: this is a Core connection
    rows = conn.execute(select(table).order_by(table.c.id.desc())).mappings()
    return [
        DirectoryChange(
            r["kind"], r["file_name"], r["checksum"], r["changed_by"], r["changed_at"], r["count"]
        )
        for r in rows
    ]


def bump_directory_version(conn: Connection, stamp: str) -> None:
    _stamp(conn, "directory_version", stamp)


def bump_list_version(conn: Connection, stamp: str) -> None:
    """A stored list changed in place (an item written off from the bot left it)."""
    _stamp(conn, "list_version", stamp)


# ---- snapshots -------------------------------------------------------------------------------------------


def _snapshot(row: Any) -> Snapshot:
    return Snapshot(
        id=row.id,
        as_of=row.as_of,
        source_name=row.source_name,
        checksum=row.checksum,
        imported_by=row.imported_by,
        imported_at=row.imported_at,
        has_writeoff_dates=bool(row.has_writeoff_dates),
        source_kind=row.source_kind,
        monthly=bool(row.monthly),
    )


def list_snapshots(conn: Connection) -> list[Snapshot]:
    return [_snapshot(r) for r in conn.execute(select(SnapshotRow).order_by(SnapshotRow.as_of))]


def snapshot_on_or_before(conn: Connection, day: date | None, *, monthly: bool = False) -> Snapshot | None:
    """The snapshot of that date, else the newest before it; the newest of all without a date.

    `monthly`: only the months' designated lists (imported files, and the first sync on or after the month's day).
    """
    query = select(SnapshotRow).order_by(SnapshotRow.as_of.desc()).limit(1)
    if day is not None:
        query = query.where(SnapshotRow.as_of <= day)
    if monthly:
        query = query.where(SnapshotRow.monthly.is_(True))
    row = conn.execute(query).first()
    return _snapshot(row) if row else None


def snapshot_before(conn: Connection, day: date, *, monthly: bool = False) -> Snapshot | None:
    query = select(SnapshotRow).where(SnapshotRow.as_of < day).order_by(SnapshotRow.as_of.desc()).limit(1)
    if monthly:
        query = query.where(SnapshotRow.monthly.is_(True))
    row = conn.execute(query).first()
    return _snapshot(row) if row else None


def snapshot_size(conn: Connection, snapshot_id: int) -> int:
    """How many restanser the snapshot holds (counted when it was stored)."""
    return int(conn.execute(select(SnapshotRow.restanser).where(SnapshotRow.id == snapshot_id)).scalar() or 0)


def snapshot_of(conn: Connection, day: date) -> Snapshot | None:
    row = conn.execute(select(SnapshotRow).where(SnapshotRow.as_of == day)).first()
    return _snapshot(row) if row else None


def month_has_monthly_list(conn: Connection, day: date) -> bool:
    """Whether the month of `day` already has its designated list (on another day than `day`)."""
    first = day.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    found = conn.execute(
        select(SnapshotRow.id).where(
            SnapshotRow.as_of >= first,
            SnapshotRow.as_of < following,
            SnapshotRow.as_of != day,
            SnapshotRow.monthly.is_(True),
        )
    ).first()
    return found is not None


def begin_snapshot(
    conn: Connection,
    as_of: date,
    source_name: str,
    checksum: str,
    imported_by: str,
    imported_at: datetime,
    has_writeoff_dates: bool,
    *,
    source_kind: str = "file",
    monthly: bool = True,
) -> int:
    """Create the snapshot row, replacing any earlier snapshot of the same date (its restanser go with it).

    An imported file is its month's designated list: a live list of the same month stops being one.
    """
    old = conn.execute(select(SnapshotRow.id).where(SnapshotRow.as_of == as_of)).scalar()
    if old is not None:
        conn.execute(delete(RestanseRow).where(RestanseRow.snapshot_id == old))
        conn.execute(delete(WrittenOffRow).where(WrittenOffRow.snapshot_id == old))
        conn.execute(delete(SnapshotRow).where(SnapshotRow.id == old))
    if source_kind == "file":
        first = as_of.replace(day=1)
        following = (first + timedelta(days=32)).replace(day=1)
        conn.execute(
            update(SnapshotRow)
            .where(
                SnapshotRow.as_of >= first,
                SnapshotRow.as_of < following,
                SnapshotRow.source_kind == "live",
            )
            .values(monthly=False)
        )
    result = conn.execute(
        insert(SnapshotRow).values(
            as_of=as_of,
            source_name=source_name,
            checksum=checksum,
            imported_by=imported_by,
            imported_at=imported_at,
            has_writeoff_dates=has_writeoff_dates,
            source_kind=source_kind,
            monthly=monthly,
        )
    )
    assert result.inserted_primary_key is not None
    return int(result.inserted_primary_key[0])


def finish_snapshot(conn: Connection, snapshot_id: int, rows_read: int, restanser: int) -> None:
    conn.execute(
        update(SnapshotRow)
        .where(SnapshotRow.id == snapshot_id)
        .values(rows_read=rows_read, restanser=restanser)
    )


def prune_snapshots(conn: Connection, older_than: date, *, daily_only: bool = False) -> list[date]:
    """Delete snapshots taken before the date; the newest snapshot is always kept.

    `daily_only`: only the live lists that are not a month's designated list (kept a shorter time).
    """
    newest = conn.execute(select(func.max(SnapshotRow.as_of))).scalar()
    query = select(SnapshotRow.id, SnapshotRow.as_of).where(
        SnapshotRow.as_of < older_than, SnapshotRow.as_of != newest
    )
    if daily_only:
        query = query.where(SnapshotRow.monthly.is_(False))
    doomed = conn.execute(query).all()
    ids = [r.id for r in doomed]
    if ids:
        conn.execute(delete(RestanseRow).where(RestanseRow.snapshot_id.in_(ids)))
        conn.execute(delete(WrittenOffRow).where(WrittenOffRow.snapshot_id.in_(ids)))
        conn.execute(delete(SnapshotRow).where(SnapshotRow.id.in_(ids)))
    return [r.as_of for r in doomed]
