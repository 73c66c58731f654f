"""Counts per unit and person, the comparison with a month earlier, ages, and what has left the list."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, fields
from datetime import date, timedelta

from sqlalchemy import ColumnElement, Connection, Join, and_, bindparam, case, exists, func, select
from sqlalchemy.sql.selectable import NamedFromClause

from restanse_core.model import Organisation, Restanse, Snapshot
from restanse_core.store import repository
from restanse_core.store.tables import RestanseRow, WrittenOffRow

COMPARE_MIN_DAYS = 28


@dataclass(frozen=True)
class Period:
    """The snapshot the answers come from and the one it is compared with (normally a month earlier)."""

    current: Snapshot
    previous: Snapshot | None


def choose_period(
    conn: Connection, as_of: date | None = None, compare: date | None = None, *, monthly: bool = False
) -> Period | None:
    """The list of `as_of` (or the newest before it) and the one to compare with: by default a month's
    designated list at least 28 days earlier. `monthly`: the current list is a designated one too (the month's
    reminders), not a daily list from the records system."""
    current = repository.snapshot_on_or_before(conn, as_of, monthly=monthly)
    if current is None:
        return None
    if compare is not None:
        previous = repository.snapshot_on_or_before(conn, compare)
    else:
        month_earlier = current.as_of - timedelta(days=COMPARE_MIN_DAYS)
        previous = (
            repository.snapshot_on_or_before(conn, month_earlier, monthly=True)
            or repository.snapshot_before(conn, current.as_of, monthly=True)
            or repository.snapshot_before(conn, current.as_of)
        )
    if previous is not None and previous.id == current.id:
        previous = None
    return Period(current, previous)


# ---- per unit --------------------------------------------------------------------------------------------


def unit_counts(conn: Connection, snapshot_id: int) -> Counter[str]:
    rows = conn.execute(
        select(RestanseRow.enhet, func.count())
        .where(RestanseRow.snapshot_id == snapshot_id)
        .group_by(RestanseRow.enhet)
    )
    return Counter({enhet: int(n) for enhet, n in rows})


@dataclass(frozen=True)
class UnitLine:
    code: str
    name: str | None
    count: int
    previous: int | None


@dataclass(frozen=True)
class UnitTable:
    """The procedure's table: every unit of the directory (also with 0) and units seen only in the list."""

    period: Period
    lines: list[UnitLine]
    count: int
    previous: int | None

    def line(self, code: str) -> UnitLine | None:
        return next((u for u in self.lines if u.code == code), None)


def unit_table(conn: Connection, org: Organisation, period: Period) -> UnitTable:
    now = unit_counts(conn, period.current.id)
    before = unit_counts(conn, period.previous.id) if period.previous else None
    codes = set(org.units) | set(now) | set(before or ())
    lines = [
        UnitLine(
            code,
            org.units[code].name if code in org.units else None,
            now.get(code, 0),
            before.get(code, 0) if before is not None else None,
        )
        for code in sorted(codes, key=_sort_key)
    ]
    return UnitTable(period, lines, sum(now.values()), sum(before.values()) if before is not None else None)


_NORWEGIAN_ORDER = str.maketrans("ÆØÅ", "[\\]")


def _sort_key(code: str) -> tuple[str, str]:
    # Norwegian order: Æ, Ø, Å after Z (plain sorting puts Ø after Å).
    return (code.upper().translate(_NORWEGIAN_ORDER), code)


def rollup(org: Organisation, counts: Counter[str], code: str) -> int:
    """The unit's restanser with every unit below it."""
    return sum(counts.get(c, 0) for c in org.descendants(code))


# ---- per person ------------------------------------------------------------------------------------------


def person_counts(conn: Connection, snapshot_id: int, units: list[str]) -> Counter[str]:
    """Restanser per saksbehandler ('' = ufordelt) within the units.

    Counted here rather than with GROUP BY: grouping tempts SQLite into walking the per-person index over the
    whole snapshot (seconds at a million rows) instead of the unit index over the unit's own rows.
    """
    rows = conn.execute(
        select(RestanseRow.saksbehandler).where(
            RestanseRow.snapshot_id == snapshot_id, RestanseRow.enhet.in_(units)
        )
    )
    return Counter(sb for (sb,) in rows)


def all_person_counts(conn: Connection, snapshot_id: int) -> Counter[str]:
    rows = conn.execute(
        select(RestanseRow.saksbehandler, func.count())
        .where(RestanseRow.snapshot_id == snapshot_id)
        .group_by(RestanseRow.saksbehandler)
    )
    return Counter({sb: int(n) for sb, n in rows})


# Restanse's fields, in order: rows are turned into Restanse positionally (a mapping per row costs more).
_RESTANSE_FIELDS = tuple(getattr(RestanseRow, f.name) for f in fields(Restanse))


# Built once: `mine restanser` runs it on every ask, and building a statement costs more than running it.
_OLDEST = (
    select(*_RESTANSE_FIELDS)
    .where(
        RestanseRow.snapshot_id == bindparam("snapshot_id"),
        RestanseRow.saksbehandler == bindparam("initials"),
    )
    .order_by(RestanseRow.journal_date.asc().nulls_last(), RestanseRow.jp_id)  # read from ix_restanser_oldest
    .limit(bindparam("limit"))
    .offset(bindparam("offset"))
)


def oldest(conn: Connection, snapshot_id: int, initials: str, limit: int, offset: int = 0) -> list[Restanse]:
    """The person's restanser, oldest first (entries without a journal date last)."""
    values = {"snapshot_id": snapshot_id, "initials": initials, "limit": limit, "offset": offset}
    return [Restanse(*row) for row in conn.execute(_OLDEST, values)]


def shared_notes(conn: Connection, snapshot_id: int) -> frozenset[str]:
    """The internal notes (N) on the list with more than one recipient: where the records system writes off per
    document, one person's «Avskriv» would end them for everyone."""
    query = (
        select(RestanseRow.jp_id)
        .where(RestanseRow.snapshot_id == snapshot_id, RestanseRow.jp_type == "N")
        .group_by(RestanseRow.jp_key, RestanseRow.jp_id)
        .having(func.count() > 1)
    )
    return frozenset(conn.execute(query).scalars())


def first_pages(conn: Connection, snapshot_id: int, limit: int) -> dict[str, list[Restanse]]:
    """Everyone's first `limit` restanser, oldest first: for each person what `oldest(..., limit)` gives.

    Two passes, each numbering a person's entries along the index (those with a journal date, then those
    without), and one read of the numbered rows.
    """
    pages: dict[str, list[Restanse]] = {}
    dated = RestanseRow.journal_date.is_not(None)
    for where, order in (
        (dated, (RestanseRow.journal_date, RestanseRow.jp_id)),
        (~dated, (RestanseRow.jp_id,)),
    ):
        n = func.row_number().over(partition_by=RestanseRow.saksbehandler, order_by=order).label("n")
        ranked = select(RestanseRow.id, n).where(RestanseRow.snapshot_id == snapshot_id, where).subquery()
        query = (
            select(*_RESTANSE_FIELDS)
            .join(ranked, ranked.c.id == RestanseRow.id)
            .where(ranked.c.n <= limit)
            .order_by(RestanseRow.saksbehandler, ranked.c.n)
        )
        for row in conn.execute(query):
            page = pages.setdefault(row.saksbehandler, [])
            if len(page) < limit:
                page.append(Restanse(*row))
    return pages


@dataclass(frozen=True)
class Ages:
    """Restanser by days open (journal date to snapshot date); entries without a journal date are not aged."""

    up_to_30: int = 0
    up_to_90: int = 0
    older: int = 0


# ---- what has left the list ------------------------------------------------------------------------------


def _left_from(period: Period, *, per_person: bool) -> tuple[NamedFromClause, Join, ColumnElement[bool]]:
    """The previous snapshot's rows joined to the write-offs of the current one, and the test 'no longer listed'.

    Per person an entry has left when it is no longer on that person's list; per unit when no longer in that unit.
    """
    assert period.previous is not None
    before, now = RestanseRow.__table__.alias("before"), RestanseRow.__table__.alias("now")
    still = select(now.c.id).where(now.c.snapshot_id == period.current.id, now.c.jp_key == before.c.jp_key)
    if per_person:
        still = still.where(now.c.saksbehandler == before.c.saksbehandler)
    else:
        still = still.where(now.c.enhet == before.c.enhet)
    wo = WrittenOffRow.__table__
    joined = before.outerjoin(
        wo,
        and_(
            wo.c.snapshot_id == period.current.id,
            wo.c.saksbehandler == before.c.saksbehandler,
            wo.c.jp_key == before.c.jp_key,
        ),
    )
    return before, joined, and_(before.c.snapshot_id == period.previous.id, ~exists(still))


# ---- everyone's own figures at once ----------------------------------------------------------------------


@dataclass(frozen=True)
class PersonFigures:
    """What `mine restanser` says in numbers: restanser now, and how many have left the list since the previous
    snapshot: written off (where the export says so), moved to someone else (still
    in the list under another saksbehandler), and the rest, gone from the list."""

    count: int = 0
    left: int = 0
    left_written_off: int = 0
    ages: Ages = Ages()
    left_moved: int = 0


def person_figures(conn: Connection, period: Period) -> dict[str, PersonFigures]:
    """Every saksbehandler's figures for the period, in two passes over the snapshots instead of one per person."""
    as_of = period.current.as_of
    day_30, day_90 = as_of - timedelta(days=30), as_of - timedelta(days=90)
    journal = RestanseRow.journal_date
    now = conn.execute(
        select(
            RestanseRow.saksbehandler,
            func.count(),
            func.count(case((journal >= day_30, 1))),
            func.count(case((and_(journal < day_30, journal >= day_90), 1))),
            func.count(case((journal < day_90, 1))),
        )
        .where(RestanseRow.snapshot_id == period.current.id)
        .group_by(RestanseRow.saksbehandler)
    )
    counts = {sb: (int(n), Ages(int(a), int(b), int(c))) for sb, n, a, b, c in now}
    left: dict[str, tuple[int, int, int]] = {}
    if period.previous is not None:
        before, joined, gone = _left_from(period, per_person=True)
        written_off = WrittenOffRow.__table__.c.written_off_date
        other = RestanseRow.__table__.alias("elsewhere")
        elsewhere = exists(
            select(other.c.id).where(
                other.c.snapshot_id == period.current.id, other.c.jp_key == before.c.jp_key
            )
        )
        query = (
            select(
                before.c.saksbehandler,
                func.count(),
                func.count(written_off),
                func.count(case((and_(written_off.is_(None), elsewhere), 1))),
            )
            .select_from(joined)
            .where(gone)
            .group_by(before.c.saksbehandler)
        )
        left = {sb: (int(n), int(written), int(moved)) for sb, n, written, moved in conn.execute(query)}
    empty = (0, Ages())
    return {
        sb: PersonFigures(
            count=counts.get(sb, empty)[0],
            left=left.get(sb, (0, 0, 0))[0],
            left_written_off=left.get(sb, (0, 0, 0))[1],
            ages=counts.get(sb, empty)[1],
            left_moved=left.get(sb, (0, 0, 0))[2],
        )
        for sb in counts.keys() | left.keys()
    }
