"""The outbox in the database: a period's messages, claimed one at a time, each result recorded.

Statuses (bot.delivery.model.Status): pending → in_flight → sent | failed | uncertain | skipped. A row is
marked in flight before a channel is called, so a crash leaves evidence and nothing is blindly resent.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, Update, and_, bindparam, delete, func, insert, or_, select, update

from bot.delivery.model import Status
from bot.store.tables import NudgePeriodRow, OutboxRow

PENDING, IN_FLIGHT, SENT, FAILED, UNCERTAIN, SKIPPED = (
    Status.PENDING,
    Status.IN_FLIGHT,
    Status.SENT,
    Status.FAILED,
    Status.UNCERTAIN,
    Status.SKIPPED,
)


@dataclass(frozen=True)
class NewMessage:
    kind: str
    recipient: str
    unit: str | None
    count: int
    text: str
    reply: str  # the reply model as JSON (bot.reply_json)
    mail: str | None = None  # the e-mail rendition as JSON (bot.delivery.port.Mail); none for unit channels


@dataclass(frozen=True)
class Period:
    period: str
    snapshot_as_of: date
    send_date: date
    deadline: date
    planned_at: datetime
    run_started_at: datetime | None
    run_finished_at: datetime | None
    run_by: str | None = None


@dataclass(frozen=True)
class Item:
    id: int
    period: str
    kind: str
    recipient: str
    unit: str | None
    count: int
    text: str
    reply: str
    status: str
    attempts: int
    claimed_by: str | None
    claimed_at: datetime | None
    platform: str | None
    reason: str | None
    next_attempt_at: datetime | None
    mail: str | None = None
    mail_message_id: str | None = None
    mail_date: datetime | None = None
    route: str | None = None


def _period(row: Any) -> Period:
    return Period(
        row.period,
        row.snapshot_as_of,
        row.send_date,
        row.deadline,
        row.planned_at,
        row.run_started_at,
        row.run_finished_at,
        row.run_by,
    )


def _item(row: Any) -> Item:
    return Item(
        row.id,
        row.period,
        row.kind,
        row.recipient,
        row.unit,
        row.count,
        row.text,
        row.reply,
        row.status,
        row.attempts,
        row.claimed_by,
        row.claimed_at,
        row.platform,
        row.reason,
        row.next_attempt_at,
        row.mail,
        row.mail_message_id,
        row.mail_date,
        row.route,
    )


def _new_row(period: str, m: NewMessage) -> dict[str, object]:
    return {"period": period, "kind": m.kind, "recipient": m.recipient, "unit": m.unit, "count": m.count,
            "text": m.text, "reply": m.reply, "mail": m.mail, "status": PENDING, "attempts": 0}  # fmt: skip


class Outbox:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # ---- planning ---------------------------------------------------------------------------------------

    def get_period(self, period: str) -> Period | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(NudgePeriodRow).where(NudgePeriodRow.period == period)).one_or_none()
            return _period(row) if row else None

    def latest_period(self) -> Period | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(NudgePeriodRow).order_by(NudgePeriodRow.period.desc()).limit(1)).first()
            return _period(row) if row else None

    def periods(self) -> list[Period]:
        with self.engine.connect() as conn:
            return [_period(r) for r in conn.execute(select(NudgePeriodRow).order_by(NudgePeriodRow.period))]

    def store_plan(
        self,
        period: str,
        snapshot_as_of: date,
        send_date: date,
        deadline: date,
        messages: Sequence[NewMessage],
        planned_by: str,
        now: datetime,
    ) -> bool:
        """Store a period's plan. A period is planned once; it may be planned again only while nothing of it has
        been claimed (a corrected list imported before the send day). Returns whether the plan was stored."""
        with self.engine.begin() as conn:
            existing = conn.execute(
                select(NudgePeriodRow).where(NudgePeriodRow.period == period).with_for_update()
            ).one_or_none()
            if existing is not None:
                touched = conn.execute(
                    select(func.count()).where(
                        OutboxRow.period == period, or_(OutboxRow.status != PENDING, OutboxRow.attempts > 0)
                    )
                ).scalar_one()
                if touched or existing.run_started_at is not None:
                    return False
                conn.execute(delete(OutboxRow).where(OutboxRow.period == period))
                conn.execute(delete(NudgePeriodRow).where(NudgePeriodRow.period == period))
            conn.execute(
                insert(NudgePeriodRow).values(
                    period=period,
                    snapshot_as_of=snapshot_as_of,
                    send_date=send_date,
                    deadline=deadline,
                    planned_at=now,
                    planned_by=planned_by,
                )
            )
            if messages:
                conn.execute(insert(OutboxRow), [_new_row(period, m) for m in messages])
        return True

    def add_message(self, period: str, message: NewMessage) -> bool:
        """One extra message (the delivery report, a reminder) unless the period already has it."""
        with self.engine.begin() as conn:
            exists = conn.execute(
                select(OutboxRow.id).where(
                    OutboxRow.period == period,
                    OutboxRow.recipient == message.recipient,
                    OutboxRow.kind == message.kind,
                )
            ).first()
            if exists:
                return False
            conn.execute(insert(OutboxRow).values(**_new_row(period, message)))
        return True

    def items(self, period: str, kinds: Iterable[str] | None = None) -> list[Item]:
        query = select(OutboxRow).where(OutboxRow.period == period).order_by(OutboxRow.id)
        if kinds is not None:
            query = query.where(OutboxRow.kind.in_(list(kinds)))
        with self.engine.connect() as conn:
            return [_item(r) for r in conn.execute(query)]

    # ---- one run per period ----------------------------------------------------------------------------

    def start_run(self, period: str, worker: str, now: datetime) -> bool:
        """The scheduler's claim on a period: only one replica's scheduler starts it."""
        with self.engine.begin() as conn:
            result = conn.execute(
                update(NudgePeriodRow)
                .where(NudgePeriodRow.period == period, NudgePeriodRow.run_started_at.is_(None))
                .values(run_started_at=now, run_by=worker)
            )
            return result.rowcount == 1

    def take_over_run(self, period: str, worker: str, gone: str) -> bool:
        """A run whose process died (`gone`) is continued by `worker`; only one replica gets it."""
        with self.engine.begin() as conn:
            result = conn.execute(
                update(NudgePeriodRow)
                .where(
                    NudgePeriodRow.period == period,
                    NudgePeriodRow.run_by == gone,
                    NudgePeriodRow.run_finished_at.is_(None),
                )
                .values(run_by=worker)
            )
            return result.rowcount == 1

    def finish_run(self, period: str, now: datetime) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                update(NudgePeriodRow).where(NudgePeriodRow.period == period).values(run_finished_at=now)
            )

    # ---- delivery ---------------------------------------------------------------------------------------

    def claim(
        self, period: str, worker: str, now: datetime, kinds: Iterable[str] | None = None
    ) -> Item | None:
        """Take the next pending row that is due, marking it in flight (FOR UPDATE SKIP LOCKED on PostgreSQL)."""
        params: dict[str, Any] = {"period": period, "worker": worker, "now": now}
        if kinds is not None:
            params["kinds"] = list(kinds)
        with self.engine.begin() as conn:
            row_id = conn.execute(_CANDIDATE[kinds is not None], params).scalar()
            if row_id is None:
                return None
            result = conn.execute(_CLAIM, {**params, "row_id": row_id})
            if result.rowcount != 1:
                return (
                    None  # another worker was faster (SQLite has no SKIP LOCKED; the status check settles it)
                )
            row = conn.execute(_ROW, {"row_id": row_id}).one()
            return _item(row)

    def next_due(self, period: str, kinds: Iterable[str] | None = None) -> datetime | None:
        """When the earliest waiting retry is due (None when no row is waiting)."""
        query = select(func.min(OutboxRow.next_attempt_at)).where(
            OutboxRow.period == period, OutboxRow.status == PENDING
        )
        if kinds is not None:
            query = query.where(OutboxRow.kind.in_(list(kinds)))
        with self.engine.connect() as conn:
            return conn.execute(query).scalar()

    def pending_count(self, period: str, kinds: Iterable[str] | None = None) -> int:
        """Rows still to be claimed (a row in flight belongs to a live worker that will record it)."""
        query = select(func.count()).where(OutboxRow.period == period, OutboxRow.status == PENDING)
        if kinds is not None:
            query = query.where(OutboxRow.kind.in_(list(kinds)))
        with self.engine.connect() as conn:
            return int(conn.execute(query).scalar_one())

    def _set(self, item_id: int, worker: str | None, **values: object) -> bool:
        """Set `values` on the row; with `worker`, only while that worker holds it in flight."""
        statement = _setter(worker is not None, tuple(sorted(values)))
        params = {f"v_{k}": v for k, v in values.items()}
        params["row_id"] = item_id
        if worker is not None:  # only the claimer records the result of its own claim
            params["worker"] = worker
        with self.engine.begin() as conn:
            return conn.execute(statement, params).rowcount == 1

    def mark_sent(
        self,
        item_id: int,
        worker: str | None,
        now: datetime,
        platform: str,
        conversation: str,
        message_id: str | None,
        route: str | None = None,
    ) -> bool:
        values: dict[str, object] = {"route": route} if route else {}
        return self._set(
            item_id,
            worker,
            status=SENT,
            sent_at=now,
            platform=platform,
            conversation=conversation,
            message_id=message_id,
            reason=None,
            next_attempt_at=None,
            **values,
        )

    def mark_failed(
        self,
        item_id: int,
        worker: str | None,
        reason: str,
        platform: str | None = None,
        route: str | None = None,
    ) -> bool:
        values: dict[str, object] = {"route": route} if route else {}
        return self._set(
            item_id, worker, status=FAILED, reason=reason, platform=platform, next_attempt_at=None, **values
        )

    def mark_retry(self, item_id: int, worker: str, reason: str, at: datetime) -> bool:
        return self._set(item_id, worker, status=PENDING, reason=reason, next_attempt_at=at, claimed_by=None)

    def mark_platform(
        self,
        item_id: int,
        worker: str,
        platform: str,
        route: str | None = None,
        stamp: tuple[str, datetime] | None = None,
    ) -> bool:
        """Which channel is about to be called: recovery after a crash asks that channel what became of it.
        With it, the channels tried before (`route`) and, on the first try, the e-mail's Message-ID and Date."""
        values: dict[str, object] = {"route": route} if route else {}
        if stamp is not None:
            values.update(mail_message_id=stamp[0], mail_date=stamp[1])
        return self._set(item_id, worker, platform=platform, **values)

    def mark_uncertain(self, item_id: int, reason: str) -> bool:
        return self._set(item_id, None, status=UNCERTAIN, reason=reason)

    def mark_skipped(self, item_id: int, worker: str | None, reason: str) -> bool:
        return self._set(item_id, worker, status=SKIPPED, reason=reason)

    def release(self, item_id: int, reason: str | None = None) -> bool:
        """An in-flight row known not to have been sent goes back to pending."""
        return self._set(item_id, None, status=PENDING, claimed_by=None, reason=reason)

    def in_flight(self, period: str) -> list[Item]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(OutboxRow).where(OutboxRow.period == period, OutboxRow.status == IN_FLIGHT)
            )
            return [_item(r) for r in rows]

    def status_counts(self, period: str) -> dict[str, int]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(OutboxRow.status, func.count())
                .where(OutboxRow.period == period)
                .group_by(OutboxRow.status)
            )
            return {status: int(n) for status, n in rows}


# ---- the statements of the delivery loop, built once --------------------------------------------------------
# Building a SQLAlchemy statement and its cache key costs several times what running it on SQLite does; a
# fan-out runs these for every message, so they are built once with bound parameters.


def _candidate(with_kinds: bool) -> Any:
    due = or_(
        OutboxRow.next_attempt_at.is_(None),
        OutboxRow.next_attempt_at <= bindparam("now", type_=OutboxRow.next_attempt_at.type),
    )
    query = (
        select(OutboxRow.id)
        .where(OutboxRow.period == bindparam("period"), OutboxRow.status == PENDING, due)
        .order_by(OutboxRow.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    if with_kinds:
        query = query.where(OutboxRow.kind.in_(bindparam("kinds", expanding=True)))
    return query


_CANDIDATE = {False: _candidate(False), True: _candidate(True)}
_CLAIM = (
    update(OutboxRow)
    .where(OutboxRow.id == bindparam("row_id"), OutboxRow.status == PENDING)
    .values(
        status=IN_FLIGHT,
        claimed_by=bindparam("worker", type_=OutboxRow.claimed_by.type),
        claimed_at=bindparam("now", type_=OutboxRow.claimed_at.type),
        attempts=OutboxRow.attempts + 1,
    )
)
_ROW = select(OutboxRow).where(OutboxRow.id == bindparam("row_id"))
_SETTERS: dict[tuple[bool, tuple[str, ...]], Update] = {}


def _setter(guarded: bool, keys: tuple[str, ...]) -> Update:
    """UPDATE outbox SET <keys> WHERE id = :row_id [AND in flight AND claimed by :worker], built once per shape."""
    statement = _SETTERS.get((guarded, keys))
    if statement is None:
        columns = OutboxRow.__table__.c
        condition = [OutboxRow.id == bindparam("row_id")]
        if guarded:
            condition += [OutboxRow.status == IN_FLIGHT, OutboxRow.claimed_by == bindparam("worker")]
        statement = (
            update(OutboxRow)
            .where(and_(*condition))
            .values({k: bindparam(f"v_{k}", type_=columns[k].type) for k in keys})
        )
        _SETTERS[(guarded, keys)] = statement
    return statement


def retry_delay(
    attempt: int, base: float = 2.0, cap: float = 300.0, retry_after: float | None = None
) -> timedelta:
    """Exponential backoff (the platform's Retry-After wins when it asks for longer)."""
    delay = min(cap, base * 2 ** max(0, attempt - 1))
    if retry_after is not None:
        delay = max(delay, retry_after)
    return timedelta(seconds=delay)
