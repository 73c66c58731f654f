"""Writing an item off in the records system on a person's behalf, safely.

The press is stored as pending (one per item and person) before the records system is called, so a second press
or another replica sees it. The call is never repeated by the bot: after a timeout the item is looked up again,
and gone means written off. Nothing is marked written off here unless the records system said yes; then the
item leaves the newest list (unless that list was used for reminders already sent) and the write-off is recorded.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Literal, Protocol

from sqlalchemy import Connection, Engine, delete, insert, select, update

from restanse_core.clock import Clock, today
from restanse_core.model import Organisation, Person, Snapshot
from restanse_core.settings import Settings
from restanse_core.sources.port import Outcome, RestanseSource, WriteOff
from restanse_core.store import live, repository
from restanse_core.store.tables import RestanseRow, SnapshotRow, WrittenOffRow


class Status(StrEnum):
    DONE = "done"
    REFUSED = "refused"  # the records system said no
    FAILED = "failed"  # it could not be asked, or the item is still open after a timeout
    UNCERTAIN = "uncertain"  # no answer, and the item could not be looked up
    NOT_ALLOWED = "not_allowed"  # the bot's own rules say no; the records system was not asked
    BUSY = "busy"  # the same person's write-off of the item is already under way
    CONFIRM = "confirm"  # a note to several people: say yes to writing it off for all of them
    READY = "ready"  # (a check only) the bot's rules allow it: the records system may be asked


@dataclass(frozen=True)
class Answer:
    status: Status
    message: str
    jp_id: str = ""
    removed_from: list[str] = field(default_factory=list)  # whose lists the item left (READY: may leave)


@dataclass(frozen=True)
class Item:
    """An item on the newest list as the write-off sees it: whose it is, and where."""

    jp_key: str
    jp_id: str
    jp_type: str
    rows: list[tuple[str, str]]  # (saksbehandler, enhet) — one per recipient

    @property
    def recipients(self) -> list[str]:
        return [sb for sb, _ in self.rows]


ProtectedLists = Callable[[], set[date]]
"""The dates of lists already used for reminders that went out: those are never changed."""


def find_item(conn: Connection, snapshot: Snapshot, jp_id: str) -> Item | None:
    rows = conn.execute(
        select(
            RestanseRow.jp_key,
            RestanseRow.jp_id,
            RestanseRow.jp_type,
            RestanseRow.saksbehandler,
            RestanseRow.enhet,
        )
        .where(RestanseRow.snapshot_id == snapshot.id, RestanseRow.jp_id == jp_id.strip())
        .order_by(RestanseRow.saksbehandler)
    ).all()
    if not rows:
        return None
    first = rows[0]
    return Item(
        first.jp_key,
        first.jp_id,
        first.jp_type,
        [(r.saksbehandler, r.enhet) for r in rows if r.jp_key == first.jp_key],
    )


def may_write_off(person: Person, item: Item, org: Organisation, settings: Settings) -> list[str]:
    """The recipients' parts the person may write off: their own, and with `writeoff_by = "leder"` also those
    in the units they lead (and the units below them)."""
    own = [sb for sb, _ in item.rows if sb == person.initials]
    if own or settings.writeoff_by != "leder":
        return own
    led = {code for unit in org.units_led_by(person.initials) for code in org.descendants(unit)}
    return [sb for sb, unit in item.rows if unit in led]


def _names(org: Organisation, initials: list[str]) -> str:
    shown = [f"{org.people[i].name} ({i})" if i in org.people else (i or "ufordelt") for i in initials]
    return ", ".join(shown)


class Traits(Protocol):
    """What the rules need to know of a records system (a `RestanseSource` has it, so has the chat's summary)."""

    @property
    def name(self) -> str: ...
    @property
    def per_recipient(self) -> bool: ...
    @property
    def needs_login(self) -> bool: ...
    @property
    def multi_recipient_notes(self) -> Literal["refuse", "confirm"]: ...


def check(
    engine: Engine,
    system: Traits,
    settings: Settings,
    *,
    person: Person,
    jp_id: str,
    code: str | None = None,
    confirm_all: bool = False,
) -> tuple[Answer, Item | None]:
    """Whether the person may write the item off (with the code, when one is chosen), before anyone is asked.

    READY with the item, or why not (NOT_ALLOWED), or CONFIRM with every recipient named for a note the records
    system can only write off for all of them."""
    with engine.connect() as conn:
        snapshot = repository.snapshot_on_or_before(conn, None)
        item = find_item(conn, snapshot, jp_id) if snapshot else None
        org = repository.load_organisation(conn)
    if snapshot is None or item is None:
        return Answer(
            Status.NOT_ALLOWED, f"Finner ikke {jp_id} blant restansene i den nyeste lista.", jp_id
        ), None
    refusal = _rules(person, item, org, settings, system, code)
    if refusal:
        return Answer(Status.NOT_ALLOWED, refusal, item.jp_id), item
    if not system.per_recipient and len(item.rows) > 1 and item.jp_type == "N":
        if system.multi_recipient_notes == "refuse":
            return Answer(Status.NOT_ALLOWED, shared_note_text(system.name), item.jp_id), item
        if not confirm_all:
            return Answer(
                Status.CONFIRM,
                f"Notatet {item.jp_id} har flere mottakere: {_names(org, item.recipients)}. {system.name} avskriver "
                "det for alle, og det forsvinner fra alle listene. Bekreft for å avskrive det for alle.",
                item.jp_id,
            ), item
    # READY carries the recipients' parts the person may end (per-recipient systems end only those)
    return Answer(Status.READY, "", item.jp_id, may_write_off(person, item, org, settings)), item


def shared_note_text(system_name: str) -> str:
    return f"Notatet har flere mottakere og kan bare avskrives for alle – gjør det i {system_name}"


async def write_off(
    engine: Engine,
    source: RestanseSource,
    settings: Settings,
    clock: Clock,
    *,
    person: Person,
    jp_id: str,
    code: str,
    note: str | None = None,
    confirm_all: bool = False,
    protected: ProtectedLists = set,
) -> Answer:
    """Write the item off on the person's behalf, if the bot's rules allow it; the answer says what happened."""
    code = code.strip().upper()
    answer, item = check(
        engine, source, settings, person=person, jp_id=jp_id, code=code, confirm_all=confirm_all
    )
    if answer.status is not Status.READY or item is None:
        return answer
    affected = answer.removed_from if source.per_recipient else item.recipients
    return await _ask(engine, source, settings, clock, person, item, affected, code, note, protected)


def _rules(
    person: Person, item: Item, org: Organisation, settings: Settings, source: Traits, code: str | None
) -> str | None:
    """Why the bot will not ask the records system at all, or None."""
    if not may_write_off(person, item, org, settings):
        who = (
            "saksbehandleren"
            if settings.writeoff_by == "saksbehandler"
            else "saksbehandleren eller enhetens leder"
        )
        return f"Bare {who} kan avskrive {item.jp_id}."
    codes = settings.chat_codes()
    if code is not None and code not in codes:
        offered = ", ".join(f"{c} ({k.label})" for c, k in codes.items()) or "(ingen er satt opp)"
        return f"Koden «{code}» kan ikke brukes til å avskrive fra boten. Velg en av: {offered}."
    if source.needs_login and not person.login:
        return (
            f"Jeg kjenner ikke brukernavnet ditt i {source.name}, så jeg kan ikke avskrive for deg. "
            "Be arkivet legge det inn (kolonnen brukernavn i personfila)."
        )
    return None


async def _ask(
    engine: Engine,
    source: RestanseSource,
    settings: Settings,
    clock: Clock,
    person: Person,
    item: Item,
    affected: list[str],
    code: str,
    note: str | None,
    protected: ProtectedLists,
) -> Answer:
    writeoff_id = live.begin_writeoff(
        engine,
        source=source.name,
        jp_key=item.jp_key,
        jp_id=item.jp_id,
        recipients=affected,
        person=person.initials,
        login=person.login,
        method=code,
        now=clock.now(),
    )
    if writeoff_id is None:
        return Answer(Status.BUSY, f"Avskrivingen av {item.jp_id} er alt i gang.", item.jp_id)
    with engine.begin() as conn:  # another press got there between the check and this one
        listed = repository.snapshot_on_or_before(conn, None)
        other = live.other_writeoff(conn, item.jp_key, writeoff_id, listed.imported_at) if listed else None
        if other is not None:
            said = (
                f"Avskrivingen av {item.jp_id} er alt i gang."
                if other == "pending"
                else f"{item.jp_id} er alt avskrevet fra boten."
            )
            live.finish_writeoff(conn, writeoff_id, Status.BUSY.value, said, clock.now())
            return Answer(Status.BUSY, said, item.jp_id)
    status, message, late = Status.FAILED, "Avskrivingen ble avbrutt.", False
    try:
        result = await source.write_off(
            WriteOff(item.jp_key, item.jp_id, affected[0], code, note, person.login, person.name)
        )
        status, message = _interpret(result.outcome, result.message, source, item)
        if result.outcome is Outcome.UNCERTAIN:
            late = True
            status, message = _after_timeout(await source.is_open(item.jp_key), source, item)
    finally:
        with engine.begin() as conn:
            live.finish_writeoff(conn, writeoff_id, status.value, message, clock.now())
    if status is not Status.DONE:
        return Answer(status, message, item.jp_id)
    removed = _leave_newest_list(engine, item, affected, code, today(clock), protected)
    label = settings.chat_codes()[code].label.lower()
    text = f"{item.jp_id} er avskrevet i {source.name} med {code} ({label})."
    if late:
        text = f"{source.name} svarte ikke i tide, men {item.jp_id} er ikke lenger åpen: {text}"
    return Answer(Status.DONE, text, item.jp_id, removed)


def _interpret(outcome: Outcome, said: str, source: RestanseSource, item: Item) -> tuple[Status, str]:
    if outcome is Outcome.DONE:
        return Status.DONE, said or "avskrevet"
    if outcome is Outcome.REFUSED:
        return Status.REFUSED, f"{source.name} avskrev ikke {item.jp_id}: {said}"
    if outcome is Outcome.FAILED:
        return Status.FAILED, f"{item.jp_id} ble ikke avskrevet: {said}"
    return Status.UNCERTAIN, said


def _after_timeout(still_open: bool | None, source: RestanseSource, item: Item) -> tuple[Status, str]:
    if still_open is False:
        return (
            Status.DONE,
            f"{source.name} svarte ikke i tide, men {item.jp_id} er ikke lenger åpen: den er avskrevet.",
        )
    if still_open:
        return (
            Status.FAILED,
            f"{source.name} svarte ikke i tide, og {item.jp_id} står fortsatt åpen. Den er ikke avskrevet; "
            "prøv igjen litt senere.",
        )
    return (
        Status.UNCERTAIN,
        f"{source.name} svarte ikke, og jeg fikk ikke sjekket om {item.jp_id} ble avskrevet. "
        f"Se etter i {source.name} før du prøver igjen.",
    )


def _leave_newest_list(
    engine: Engine, item: Item, affected: list[str], code: str, day: date, protected: ProtectedLists
) -> list[str]:
    """The item leaves the newest list (as written off today with the code), unless reminders were sent from it."""
    with engine.begin() as conn:
        snapshot = repository.snapshot_on_or_before(conn, None)
        if snapshot is None or snapshot.as_of in protected():
            return []
        gone = (
            conn.execute(
                delete(RestanseRow)
                .where(
                    RestanseRow.snapshot_id == snapshot.id,
                    RestanseRow.jp_key == item.jp_key,
                    RestanseRow.saksbehandler.in_(affected),
                )
                .returning(RestanseRow.saksbehandler)
            )
            .scalars()
            .all()
        )
        if not gone:
            return []
        conn.execute(
            delete(WrittenOffRow).where(
                WrittenOffRow.snapshot_id == snapshot.id,
                WrittenOffRow.jp_key == item.jp_key,
                WrittenOffRow.saksbehandler.in_(gone),
            )
        )
        conn.execute(
            insert(WrittenOffRow),
            [
                {
                    "snapshot_id": snapshot.id,
                    "saksbehandler": sb,
                    "jp_key": item.jp_key,
                    "written_off_date": day,
                    "method": code,
                }
                for sb in gone
            ],
        )
        conn.execute(
            update(SnapshotRow)
            .where(SnapshotRow.id == snapshot.id)
            .values(restanser=SnapshotRow.restanser - len(gone), has_writeoff_dates=True)
        )
        repository.bump_list_version(conn, uuid.uuid4().hex)
    return sorted(gone)
