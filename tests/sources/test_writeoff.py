"""Writing off from the bot, safely: only one's own items, one call per press, nothing marked written off unless
the records system said yes, and then the item leaves the newest list (not a list reminders went out from)."""

from __future__ import annotations

import asyncio
from datetime import date

from sqlalchemy import text

from bot.service import Restansebot
from restanse_core.settings import Settings
from restanse_core.sources.sync import run_sync
from restanse_core.sources.writeoff import Status, write_off
from restanse_core.store import repository
from tests.sources.helpers import at, directory, items
from tests.sources.memory import MemorySource

CLOCK = at("2019-12-16", "10:00")


async def synced(engine, source: MemorySource, settings: Settings | None = None) -> Settings:
    settings = settings or Settings()
    directory(engine)
    assert (await run_sync(engine, source, settings, at("2019-12-16"), started_by="test")).status == "stored"
    return settings


def person(engine, initials: str):
    with engine.connect() as conn:
        return repository.load_organisation(conn).people[initials]


def listed(engine) -> list[tuple[str, str]]:
    with engine.connect() as conn:
        return [
            tuple(r)
            for r in conn.execute(
                text("SELECT jp_id, saksbehandler FROM restanser ORDER BY jp_id, saksbehandler")
            )
        ]


def log(engine) -> list[tuple[str, str, str, str]]:
    with engine.connect() as conn:
        return [
            tuple(r)
            for r in conn.execute(text("SELECT jp_id, person, method, status FROM writeoffs ORDER BY id"))
        ]


async def test_saksbehandler_writes_off_own_item_and_it_leaves_mine_restanser(engine):
    source = MemorySource()
    items(source, "100", "UKA", 3)
    settings = await synced(engine, source)
    bot = Restansebot(engine, settings, CLOCK)
    assert "Du har 3 restanser" in bot.answer("mine restanser", person(engine, "UKA")).public.summary

    answer = await write_off(engine, source, settings, CLOCK, person=person(engine, "UKA"), jp_id="2019/100-1",
                             code="te", note="Tatt til etterretning i møte")  # fmt: skip

    assert answer.status is Status.DONE, answer.message
    assert answer.message == "2019/100-1 er avskrevet i minnet med TE (tatt til etterretning)."
    assert answer.removed_from == ["UKA"]
    assert [(c.jp_id, c.code, c.login, c.recipient) for c in source.calls] == [
        ("2019/100-1", "TE", "ukarlsen", "UKA")
    ]
    assert listed(engine) == [("2019/100-2", "UKA"), ("2019/100-3", "UKA")]
    assert log(engine) == [("2019/100-1", "UKA", "TE", "done")]
    bot._cache.checked = 0  # the next question looks at the data again (it does so every 2 s anyway)
    assert "Du har 2 restanser" in bot.answer("mine restanser", person(engine, "UKA")).public.summary
    with engine.connect() as conn:  # the note went to the records system only
        assert "møte" not in str(conn.execute(text("SELECT * FROM writeoffs")).all())


async def test_another_person_cannot_write_off_someone_elses_item(engine):
    source = MemorySource()
    items(source, "100", "UKA", 1)
    settings = await synced(engine, source)
    answer = await write_off(
        engine, source, settings, CLOCK, person=person(engine, "ABC"), jp_id="2019/100-1", code="TE"
    )
    assert answer.status is Status.NOT_ALLOWED
    assert answer.message == "Bare saksbehandleren kan avskrive 2019/100-1."
    assert source.calls == [] and log(engine) == []


async def test_a_leader_may_write_off_in_their_unit_when_the_archive_allows_it(engine):
    source = MemorySource()
    items(source, "100", "UKA", 1)
    settings = await synced(engine, source, Settings(writeoff_by="leder"))
    answer = await write_off(
        engine, source, settings, CLOCK, person=person(engine, "LED"), jp_id="2019/100-1", code="TO"
    )
    assert answer.status is Status.DONE, answer.message
    assert source.calls[0].login == "leide" and source.calls[0].recipient == "UKA"


async def test_only_the_codes_offered_in_chat_can_be_used(engine):
    source = MemorySource()
    items(source, "100", "UKA", 1)
    settings = await synced(engine, source)
    for code in ("BU", "***", "XX"):
        answer = await write_off(
            engine, source, settings, CLOCK, person=person(engine, "UKA"), jp_id="2019/100-1", code=code
        )
        assert answer.status is Status.NOT_ALLOWED
        assert "Velg en av: TE (Tatt til etterretning), TO (Tatt til orientering)" in answer.message
    assert source.calls == []


async def test_a_person_without_a_login_is_told_why(engine):
    source = MemorySource()
    items(source, "100", "NYL", 1)
    settings = await synced(engine, source)
    answer = await write_off(
        engine, source, settings, CLOCK, person=person(engine, "NYL"), jp_id="2019/100-1", code="TE"
    )
    assert answer.status is Status.NOT_ALLOWED
    assert "kjenner ikke brukernavnet ditt" in answer.message and "brukernavn i personfila" in answer.message
    assert source.calls == []


async def test_a_refusal_is_shown_and_nothing_changes(engine):
    source = MemorySource(refusals={"2019/100-1": "Dokumentet er sperret"})
    items(source, "100", "UKA", 1)
    settings = await synced(engine, source)
    answer = await write_off(
        engine, source, settings, CLOCK, person=person(engine, "UKA"), jp_id="2019/100-1", code="TE"
    )
    assert answer.status is Status.REFUSED
    assert answer.message == "minnet avskrev ikke 2019/100-1: Dokumentet er sperret"
    assert listed(engine) == [("2019/100-1", "UKA")]
    assert log(engine) == [("2019/100-1", "UKA", "TE", "refused")]


async def test_after_a_timeout_the_item_is_looked_up_and_gone_means_written_off(engine):
    source = MemorySource(late=True)
    items(source, "100", "UKA", 2)
    settings = await synced(engine, source)
    answer = await write_off(
        engine, source, settings, CLOCK, person=person(engine, "UKA"), jp_id="2019/100-1", code="TE"
    )
    assert answer.status is Status.DONE
    assert "svarte ikke i tide, men 2019/100-1 er ikke lenger åpen" in answer.message
    assert len(source.calls) == 1  # never sent twice
    assert listed(engine) == [("2019/100-2", "UKA")]

    source.lookups_fail = True
    answer = await write_off(
        engine, source, settings, CLOCK, person=person(engine, "UKA"), jp_id="2019/100-2", code="TE"
    )
    assert answer.status is Status.UNCERTAIN
    assert "fikk ikke sjekket" in answer.message
    assert listed(engine) == [("2019/100-2", "UKA")]  # not marked written off without a yes
    assert [s for *_, s in log(engine)] == ["done", "uncertain"]


async def test_a_double_press_sends_one_call(engine):
    class Slow(MemorySource):
        async def write_off(self, item):  # type: ignore[no-untyped-def]
            await asyncio.sleep(0.2)
            return await super().write_off(item)

    source = Slow()
    items(source, "100", "UKA", 1)
    settings = await synced(engine, source)
    uka = person(engine, "UKA")
    first, second = await asyncio.gather(
        write_off(engine, source, settings, CLOCK, person=uka, jp_id="2019/100-1", code="TE"),
        write_off(engine, source, settings, CLOCK, person=uka, jp_id="2019/100-1", code="TE"),
    )
    assert sorted([first.status, second.status]) == [Status.BUSY, Status.DONE]
    assert len(source.calls) == 1
    busy = first if first.status is Status.BUSY else second
    assert busy.message == "Avskrivingen av 2019/100-1 er alt i gang."


async def test_a_second_press_that_checked_the_list_before_the_first_finished_sends_no_second_call(engine):
    """The second press passed the check while the item was still listed, and begins after the first is done."""
    from restanse_core.sources import writeoff

    source = MemorySource()
    items(source, "100", "UKA", 1)
    settings = await synced(engine, source)
    uka = person(engine, "UKA")
    checked = writeoff.check(engine, source, settings, person=uka, jp_id="2019/100-1", code="TE")
    first = await write_off(engine, source, settings, CLOCK, person=uka, jp_id="2019/100-1", code="TE")
    original, writeoff.check = writeoff.check, lambda *a, **k: checked  # type: ignore[assignment]
    try:
        late = await write_off(engine, source, settings, CLOCK, person=uka, jp_id="2019/100-1", code="TE")
    finally:
        writeoff.check = original
    assert first.status is Status.DONE and late.status is Status.BUSY
    assert late.message == "2019/100-1 er alt avskrevet fra boten."
    assert len(source.calls) == 1


async def test_a_list_reminders_went_out_from_is_not_changed(engine):
    source = MemorySource()
    items(source, "100", "UKA", 2)
    settings = await synced(engine, source)
    answer = await write_off(engine, source, settings, CLOCK, person=person(engine, "UKA"), jp_id="2019/100-1",
                             code="TE", protected=lambda: {date(2019, 12, 16)})  # fmt: skip
    assert answer.status is Status.DONE and answer.removed_from == []
    assert len(listed(engine)) == 2
    assert log(engine) == [("2019/100-1", "UKA", "TE", "done")]


async def test_a_note_to_two_people_in_a_per_document_system(engine):
    source = MemorySource(per_recipient=False)
    for sb in ("UKA", "TOR"):
        source.add(
            "n1",
            "2019/800-1",
            id="2019/800-1",
            type="N",
            saksbehandler=sb,
            enhet="LMA",
            enhet_fra_katalog="1",
        )
    settings = await synced(engine, source)
    uka = person(engine, "UKA")

    refused = await write_off(engine, source, settings, CLOCK, person=uka, jp_id="2019/800-1", code="TE")
    assert refused.status is Status.NOT_ALLOWED
    assert refused.message == "Notatet har flere mottakere og kan bare avskrives for alle – gjør det i minnet"

    source.multi_recipient_notes = "confirm"
    asked = await write_off(engine, source, settings, CLOCK, person=uka, jp_id="2019/800-1", code="TE")
    assert asked.status is Status.CONFIRM
    assert "Tor Olsen (TOR), Unni Karlsen (UKA)" in asked.message and source.calls == []

    done = await write_off(
        engine, source, settings, CLOCK, person=uka, jp_id="2019/800-1", code="TE", confirm_all=True
    )
    assert done.status is Status.DONE and done.removed_from == ["TOR", "UKA"]
    assert len(source.calls) == 1 and listed(engine) == []


async def test_an_item_written_off_but_still_listed_by_the_next_sync_comes_back_and_is_reported(engine):
    source = MemorySource()
    items(source, "100", "UKA", 2)
    settings = await synced(engine, source)
    await write_off(
        engine, source, settings, CLOCK, person=person(engine, "UKA"), jp_id="2019/100-1", code="TE"
    )
    source.rows[0]["_open"] = True  # the records system lists it again (its own rules, a late change)
    result = await run_sync(engine, source, settings, at("2019-12-17"), started_by="test")
    assert result.reappeared == ["2019/100-1"]
    assert ("2019/100-1", "UKA") in listed(engine)
