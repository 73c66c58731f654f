"""Syncing from a records system: the same rules as a file import, today's list replaced but never a file, the
month's designated list, held lists, failures that keep the last good list, once across replicas."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import text

from restanse_core.importers import import_snapshot
from restanse_core.reports import choose_period, unit_counts
from restanse_core.settings import Settings
from restanse_core.sources.sync import SYNC_LEASE, cancel_held, run_sync, save_held
from restanse_core.store import live, repository
from tests.conftest import write_csv
from tests.sources.helpers import at, directory, items
from tests.sources.memory import MemorySource


def snapshots(engine) -> dict[date, tuple[str, bool, int]]:
    with engine.connect() as conn:
        return {
            s.as_of: (s.source_kind, s.monthly, sum(unit_counts(conn, s.id).values()))
            for s in repository.list_snapshots(conn)
        }


async def test_sync_stores_todays_list_by_the_rules_of_a_file_import(engine):
    directory(engine)
    source = MemorySource()
    source.add(
        "1",
        "2019/1-1",
        id="2019/1-1",
        type="I",
        dato="2019-10-01",
        tittel="Søknad",
        saksbehandler="UKA",
        enhet="LMA",
    )
    source.add(
        "2",
        "2019/1-2",
        id="2019/1-2",
        type="N",
        dato="2019-10-02",
        saksbehandler="UKA",
        enhet="LMA",
        enhet_fra_katalog="1",
    )
    source.add(
        "2",
        "2019/1-2",
        id="2019/1-2",
        type="N",
        dato="2019-10-02",
        saksbehandler="TOR",
        enhet="LMA",
        enhet_fra_katalog="1",
    )
    source.add("3", "2019/1-3", id="2019/1-3", type="I", tittel="Barnevern for Ola", offentlig_tittel="Henvendelse",
               tilgangskode="13 Ofl", saksbehandler="ABC", enhet="LMA")  # fmt: skip
    source.add(
        "4", "2019/1-4", id="2019/1-4", type="I", saksbehandler="UKA", enhet="LMA", avskrivningsmaate="***"
    )
    source.add(
        "5", "2019/1-5", id="2019/1-5", type="I", saksbehandler="UKA", enhet="LMA", avskrivningsmaate="TE"
    )
    source.add("6", "2019/1-6", id="2019/1-6", type="U", saksbehandler="UKA", enhet="LMA")
    source.add("7", "2019/1-7", id="2019/1-7", type="I", saksbehandler="", enhet="NYENHET")

    result = await run_sync(engine, source, Settings(), at("2019-12-16"), started_by="test")

    assert result.status == "stored", result.message
    assert result.summary is not None
    assert result.summary.restanser == 6  # 1, 2 (twice: UKA and TOR), 3, 4 (***), 7
    assert result.summary.skipped_types == {"U": 1}
    assert result.summary.unknown_units == ["NYENHET"]
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT jp_id, saksbehandler, enhet, title FROM restanser ORDER BY jp_id, saksbehandler")
        ).all()
    assert [tuple(r) for r in rows] == [
        ("2019/1-1", "UKA", "LMA", "Søknad"),
        ("2019/1-2", "TOR", "GDO", None),  # the recipient counts in their own unit
        ("2019/1-2", "UKA", "LMA", None),
        ("2019/1-3", "ABC", "LMA", None),  # restricted: no title stored
        ("2019/1-4", "UKA", "LMA", None),  # a temporary answer keeps the restanse
        ("2019/1-7", "", "NYENHET", None),
    ]
    assert snapshots(engine) == {date(2019, 12, 16): ("live", True, 6)}


async def test_a_second_sync_the_same_day_replaces_its_live_list(engine):
    directory(engine)
    source = MemorySource()
    items(source, "100", "UKA", 10)
    await run_sync(engine, source, Settings(), at("2019-12-16", "05:00"), started_by="test")
    items(source, "200", "ABC", 2)
    result = await run_sync(engine, source, Settings(), at("2019-12-16", "13:00"), started_by="arkiv")
    assert result.status == "stored" and result.replaced
    assert "erstattet" in result.message
    assert snapshots(engine) == {date(2019, 12, 16): ("live", True, 12)}


async def test_an_imported_file_of_the_same_day_is_never_replaced(engine, tmp_path):
    directory(engine)
    export = write_csv(tmp_path / "liste.csv", ["Jpnr;Sbh;Enhet", "2019/1-1;UKA;LMA", "2019/1-2;UKA;LMA"])
    import_snapshot(engine, export, Settings(), as_of=date(2019, 12, 16), imported_by="arkiv", confirmed=True)
    source = MemorySource()
    items(source, "100", "UKA", 10)

    result = await run_sync(engine, source, Settings(), at("2019-12-16"), started_by="test")

    assert result.status == "skipped"
    assert "liste.csv" in result.message and "går foran" in result.message
    assert snapshots(engine) == {date(2019, 12, 16): ("file", True, 2)}


async def test_the_months_list_is_the_first_sync_on_or_after_the_day_and_a_file_wins(engine, tmp_path):
    directory(engine)
    settings = Settings(monthly_list_day=10)
    source = MemorySource()
    items(source, "100", "UKA", 10)
    for day in ("2019-12-09", "2019-12-10", "2019-12-11"):
        assert (await run_sync(engine, source, settings, at(day), started_by="test")).status == "stored"
    assert {d: monthly for d, (_, monthly, _) in snapshots(engine).items()} == {
        date(2019, 12, 9): False, date(2019, 12, 10): True, date(2019, 12, 11): False,
    }  # fmt: skip
    with engine.connect() as conn:
        assert choose_period(conn).current.as_of == date(2019, 12, 11)  # today's figures
        assert choose_period(conn, monthly=True).current.as_of == date(2019, 12, 10)  # the month's reminders

    export = write_csv(tmp_path / "liste.csv", ["Jpnr;Sbh;Enhet", "2019/1-1;UKA;LMA"])
    import_snapshot(engine, export, settings, as_of=date(2019, 12, 12), imported_by="arkiv", confirmed=True)
    assert {d: (kind, monthly) for d, (kind, monthly, _) in snapshots(engine).items() if monthly} == {
        date(2019, 12, 12): ("file", True)
    }


async def test_an_empty_or_far_shorter_list_is_held_and_the_arkiv_decides(engine):
    directory(engine)
    settings = Settings()
    source = MemorySource()
    items(source, "100", "UKA", 40)
    await run_sync(engine, source, settings, at("2019-12-16"), started_by="test")
    for row in source.rows[5:]:
        row["_open"] = False  # 360 suddenly lists only 5 of 40

    held = await run_sync(engine, source, settings, at("2019-12-17"), started_by="test")

    assert held.status == "held"
    assert "5 restanser, mot 40" in held.message and "forrige gjelder fortsatt" in held.message
    assert snapshots(engine) == {date(2019, 12, 16): ("live", True, 40)}
    saved = save_held(engine, source, settings, at("2019-12-17", "09:00"), saved_by="ARK")
    assert saved.status == "stored"
    assert snapshots(engine)[date(2019, 12, 17)] == ("live", False, 5)
    with engine.connect() as conn:
        assert live.held_run(conn) is None

    for row in source.rows:
        row["_open"] = False
    empty = await run_sync(engine, source, settings, at("2019-12-18"), started_by="test")
    assert empty.status == "held" and "ga ingen restanser" in empty.message
    cancel_held(engine, at("2019-12-18", "09:00"), cancelled_by="ARK")
    assert date(2019, 12, 18) not in snapshots(engine)


async def test_a_failed_read_keeps_the_last_good_list(engine):
    directory(engine)
    source = MemorySource()
    items(source, "100", "UKA", 10)
    await run_sync(engine, source, Settings(), at("2019-12-16"), started_by="test")
    source.unreadable = "360 svarte med HTTP 503."

    result = await run_sync(engine, source, Settings(), at("2019-12-17"), started_by="test")

    assert result.status == "failed"
    assert "HTTP 503" in result.message and "forrige lista gjelder fortsatt" in result.message
    assert snapshots(engine) == {date(2019, 12, 16): ("live", True, 10)}
    with engine.connect() as conn:
        assert [r.status for r in live.recent_runs(conn)] == ["failed", "stored"]


async def test_a_sync_runs_once_across_replicas(engine):
    directory(engine)
    source = MemorySource()
    items(source, "100", "UKA", 3)
    assert live.acquire_lease(engine, SYNC_LEASE, "other-replica", datetime.now(UTC), timedelta(hours=1))
    busy = await run_sync(engine, source, Settings(), at("2019-12-16"), started_by="test")
    assert busy.status == "busy" and snapshots(engine) == {}
    live.release_lease(engine, SYNC_LEASE, "other-replica")

    slot = at("2019-12-16", "05:00").now()
    first = await run_sync(
        engine, source, Settings(), at("2019-12-16", "05:01"), started_by="a", due_after=slot
    )
    second = await run_sync(
        engine, source, Settings(), at("2019-12-16", "05:01"), started_by="b", due_after=slot
    )
    assert (first.status, second.status) == ("stored", "busy")
    with engine.connect() as conn:
        assert len(live.recent_runs(conn)) == 1


async def test_daily_lists_are_kept_a_shorter_time_than_the_months_lists(engine):
    directory(engine)
    settings = Settings(daily_retention_days=3)
    source = MemorySource()
    items(source, "100", "UKA", 2)
    for day in (
        "2019-11-01",
        "2019-11-02",
        "2019-11-03",
        "2019-12-01",
        "2019-12-02",
        "2019-12-03",
        "2019-12-04",
    ):
        await run_sync(engine, source, settings, at(day), started_by="test")
    assert sorted(snapshots(engine)) == [
        date(2019, 11, 1),
        date(2019, 12, 1),
        date(2019, 12, 2),
        date(2019, 12, 3),
        date(2019, 12, 4),
    ]


async def test_logins_are_filled_from_the_records_system_by_email(engine):
    directory(engine)
    source = MemorySource(
        logins_by_email={"nina.ylvisaker@kommune.no": "nylvisaker", "unni.karlsen@kommune.no": "other"}
    )
    items(source, "100", "NYL", 2)
    result = await run_sync(engine, source, Settings(), at("2019-12-16"), started_by="test")
    assert result.logins_filled == 1
    with engine.connect() as conn:
        people = repository.load_organisation(conn).people
    assert people["NYL"].login == "nylvisaker"
    assert people["UKA"].login == "ukarlsen"  # a login from the people file is kept
