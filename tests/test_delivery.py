"""Monthly delivery through the outbox: sent once, previewed as sent, nothing lost without being reported."""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta

import pytest

from bot import reply_json
from bot.bootstrap import bootstrap
from bot.delivery.deliver import Delivery, deliver_period
from bot.delivery.outbox import Outbox
from bot.delivery.period import plan_into_outbox
from bot.plaintext import render_plain
from bot.replies import Table
from restanse_core.clock import FixedClock
from restanse_core.settings import Settings
from tests.conftest import PEOPLE, write_csv
from tests.fakes import FakeSender

SEND_DAY = date(2019, 12, 17)


@pytest.fixture
def bot(loaded):
    settings = Settings(
        database_url=loaded, channels={"LMA": "slack:C-LMA", "TDR": "slack:C-TDR", "NYENHET": "slack:C-NY"}
    )
    runtime = bootstrap(settings, clock=FixedClock(datetime(2019, 12, 17, 9, 0)))
    yield runtime.bot
    runtime.engine.dispose()


@pytest.fixture
def outbox(bot):
    return Outbox(bot.engine)


def plan(bot, outbox, send_date=SEND_DAY):
    return plan_into_outbox(bot, outbox, None, send_date, "test")


def deliver(bot, outbox, sender, period="2019-12", kinds=None, **kwargs):
    delivery = Delivery(bot, outbox, {"slack": sender}, retry_base=0.01, **kwargs)
    return asyncio.run(deliver_period(delivery, period, kinds))


def test_every_planned_message_is_delivered_once_and_arkiv_gets_the_report(bot, outbox):
    assert plan(bot, outbox) == ("2019-12", True)
    sender = FakeSender()
    summary = deliver(bot, outbox, sender)
    recipients = sorted(d.to for d in sender.delivered)
    assert recipients == sorted(["UKA", "LED", "TDL", "SKL", "ARK", "ARK", "#C-LMA", "#C-TDR", "#C-NY"])
    assert len({d.ref for d in sender.delivered}) == len(sender.delivered)
    assert summary.counts == {"sent": 9}
    report = sender.delivered[-1]
    assert report.to == "ARK" and "8 sendt, 0 feilet, 0 usikre, 0 hoppet over – av 8" in render_plain(
        report.reply
    )


def test_running_a_period_again_sends_nothing_twice(bot, outbox):
    plan(bot, outbox)
    sender = FakeSender()
    deliver(bot, outbox, sender)
    first = len(sender.delivered)
    deliver(bot, outbox, sender)
    assert len(sender.delivered) == first
    assert plan(bot, outbox) == ("2019-12", False)  # the period stays as it was planned


def test_what_is_previewed_is_what_is_sent(bot, outbox):
    plan(bot, outbox)
    previews = {(i.kind, i.recipient): i for i in outbox.items("2019-12")}
    sender = FakeSender()
    deliver(bot, outbox, sender)
    uka = sender.to("UKA")[0].reply
    assert (
        render_plain(uka).replace("\n", " ").split()
        == previews[("saksbehandler", "UKA")].text.replace("\n", " ").split()
    )
    leader = sender.to("LED")[0].reply
    assert leader == reply_json.loads(previews[("leder", "LED")].reply)
    table = next(b for b in leader.blocks if isinstance(b, Table))
    assert table.rows[table.marked and min(table.marked)][0] == "LMA"  # own unit marked, as a real table


def test_a_period_is_planned_for_its_send_day_and_replanned_only_while_untouched(bot, outbox):
    plan(bot, outbox, date(2019, 12, 17))
    assert outbox.get_period("2019-12").deadline == date(2020, 1, 2)
    assert plan(bot, outbox, date(2019, 12, 18)) == (
        "2019-12",
        True,
    )  # nothing sent yet: the new send day wins
    assert outbox.get_period("2019-12").deadline == date(2020, 1, 2)
    deliver(bot, outbox, FakeSender(), kinds=["arkiv"])
    assert plan(bot, outbox, date(2019, 12, 20)) == ("2019-12", False)


def test_only_one_kind(bot, outbox):
    plan(bot, outbox)
    sender = FakeSender()
    deliver(bot, outbox, sender, kinds=["saksbehandler"])
    assert [d.to for d in sender.delivered] == ["UKA"]
    assert outbox.status_counts("2019-12") == {"sent": 1, "pending": 7}


def test_unit_channels_get_totals_and_change_never_names_or_titles(bot, outbox):
    plan(bot, outbox)
    sender = FakeSender()
    deliver(bot, outbox, sender, kinds=["kanal"])
    text = render_plain(sender.to("#C-LMA")[0].reply)
    assert "Restanser i LMA – Landbruk, miljø og arealforvaltning per 16.12.2019: 60" in text
    assert "uendret" in text
    for secret in ("UKA", "Unni", "ABC", "Henvendelse", "Barnevern", "Søknad"):
        assert secret not in text
    assert "33 (forrige liste 13.11.2019: 33, uendret)" in render_plain(
        sender.to("#C-TDR")[0].reply
    )  # with GDO below it
    assert "NYENHET per 16.12.2019: 0 (forrige liste 13.11.2019: 1, −1)" in render_plain(
        sender.to("#C-NY")[0].reply
    )


def test_someone_the_platform_cannot_find_is_reported_with_the_reason(bot, outbox):
    plan(bot, outbox)
    sender = FakeSender(
        unreachable={"TDL"}, permanent={"SKL": "appen er ikke installert for brukeren (HTTP 403)"}
    )
    deliver(bot, outbox, sender)
    items = {i.recipient: i for i in outbox.items("2019-12") if i.kind == "leder"}
    assert (
        items["TDL"].status == "failed"
        and "ikke funnet i Slack (trond.dahl@kommune.no)" in items["TDL"].reason
    )
    assert items["SKL"].status == "failed" and "HTTP 403" in items["SKL"].reason
    report = render_plain(sender.to("ARK")[-1].reply)
    assert "2 feilet" in report and "TDL (leder" in report and "appen er ikke installert" in report


def test_someone_who_left_the_directory_after_planning_is_skipped_and_reported(
    bot, outbox, cli, loaded, tmp_path
):
    plan(bot, outbox)
    people = [line for line in PEOPLE if not line.startswith("SKL;")]
    assert cli("--db", loaded, "directory", "import", write_csv(tmp_path / "p2.csv", people)).code == 0
    bot.invalidate()
    sender = FakeSender()
    deliver(bot, outbox, sender)
    skl = next(i for i in outbox.items("2019-12") if i.recipient == "SKL")
    assert skl.status == "skipped" and skl.reason == "ikke lenger i katalogen"
    assert sender.to("SKL") == []
    assert "1 hoppet over" in render_plain(sender.to("ARK")[-1].reply)


def test_transient_errors_are_retried_until_delivered(bot, outbox):
    plan(bot, outbox)
    sender = FakeSender(transient={"UKA": 3, "LED": 2}, retry_after=0.01)
    summary = deliver(bot, outbox, sender)
    assert summary.counts == {"sent": 9}
    assert len(sender.to("UKA")) == 1 and len(sender.to("LED")) == 1
    assert next(i for i in outbox.items("2019-12") if i.recipient == "UKA").attempts == 4


def test_a_429_storm_is_given_up_within_the_bounded_time_and_reported(bot, outbox):
    plan(bot, outbox)
    sender = FakeSender(transient={"UKA": 10_000, "LED": 1}, retry_after=0.05)
    deliver(bot, outbox, sender, give_up=timedelta(seconds=1))
    uka = next(i for i in outbox.items("2019-12") if i.recipient == "UKA" and i.kind == "saksbehandler")
    assert uka.status == "failed" and "429" in uka.reason and "gitt opp etter" in uka.reason
    assert len(sender.to("LED")) == 1


def test_a_lost_answer_after_the_message_landed_is_not_sent_again(bot, outbox):
    plan(bot, outbox)
    sender = FakeSender(lost_answers={"UKA": 1})
    deliver(bot, outbox, sender)
    assert len(sender.to("UKA")) == 1
    assert next(i for i in outbox.items("2019-12") if i.recipient == "UKA").status == "sent"


def test_a_lost_answer_the_platform_cannot_check_is_reported_uncertain_not_resent(bot, outbox):
    plan(bot, outbox)
    sender = FakeSender(lost_answers={"UKA": 1}, knows_history=False)
    deliver(bot, outbox, sender)
    assert len(sender.to("UKA")) == 1
    uka = next(i for i in outbox.items("2019-12") if i.recipient == "UKA")
    assert uka.status == "uncertain" and "sjekke om meldingen kom fram" in uka.reason


def _dead_worker() -> str:
    """The id a worker on this host had: its process has exited, so it is really dead."""
    finished = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    return f"{socket.gethostname()}:{int(finished.stdout)}:dead"


def _crash_in_flight(outbox, bot, kind="saksbehandler"):
    """A row claimed (platform chosen) by a process that died before it could record the result."""
    dead = _dead_worker()
    item = outbox.claim("2019-12", dead, bot.clock.now(), [kind])
    outbox.mark_platform(item.id, dead, "slack")
    return item


def test_in_flight_row_of_a_dead_worker_that_was_sent_is_settled_without_resending(bot, outbox):
    plan(bot, outbox)
    sender = FakeSender()
    item = _crash_in_flight(outbox, bot)
    asyncio.run(sender.send_direct(bot.person("UKA"), reply_json.loads(item.reply), ref=str(item.id)))
    deliver(bot, outbox, sender)
    assert len(sender.to("UKA")) == 1
    assert next(i for i in outbox.items("2019-12") if i.id == item.id).status == "sent"


def test_in_flight_row_of_a_dead_worker_that_never_went_out_is_sent_once(bot, outbox):
    plan(bot, outbox)
    sender = FakeSender()
    _crash_in_flight(outbox, bot)
    deliver(bot, outbox, sender)
    assert len(sender.to("UKA")) == 1


def test_where_the_platform_cannot_tell_the_row_is_uncertain_and_reported_not_resent(bot, outbox):
    plan(bot, outbox)
    sender = FakeSender(knows_history=False)
    item = _crash_in_flight(outbox, bot)
    deliver(bot, outbox, sender)
    assert sender.to("UKA") == []
    assert next(i for i in outbox.items("2019-12") if i.id == item.id).status == "uncertain"
    assert "1 usikre" in render_plain(
        sender.to("ARK")[-1].reply
    ) and "UKA (saksbehandler, slack)" in render_plain(sender.to("ARK")[-1].reply)


def test_a_live_workers_in_flight_row_is_left_alone(bot, outbox):
    plan(bot, outbox)
    from bot.delivery.workers import Workers, new_worker_id

    live = new_worker_id()  # this very process, beating now
    Workers(outbox.engine).heartbeat(live, datetime.now(UTC))
    item = outbox.claim("2019-12", live, bot.clock.now(), ["saksbehandler"])
    sender = FakeSender()
    deliver(bot, outbox, sender, kinds=["saksbehandler"])
    assert sender.to("UKA") == []
    assert next(i for i in outbox.items("2019-12") if i.id == item.id).status == "in_flight"


def test_two_deliveries_at_once_send_every_message_once(bot, outbox):
    plan(bot, outbox)
    sender = FakeSender(delay=0.01)

    async def both():
        a = Delivery(bot, outbox, {"slack": sender}, concurrency=3)
        b = Delivery(bot, outbox, {"slack": sender}, concurrency=3)
        await asyncio.gather(a.run("2019-12"), b.run("2019-12"))

    asyncio.run(both())
    assert sorted(d.to for d in sender.delivered) == sorted(
        ["UKA", "LED", "TDL", "SKL", "ARK", "#C-LMA", "#C-TDR", "#C-NY"]
    )


def test_a_stopped_delivery_finishes_the_message_in_hand_and_the_rest_waits(bot, outbox):
    plan(bot, outbox)
    sender = FakeSender(delay=0.05)

    async def run_and_stop():
        delivery = Delivery(bot, outbox, {"slack": sender}, concurrency=1)
        task = asyncio.create_task(delivery.run("2019-12"))
        await asyncio.sleep(0.08)
        delivery.stop.set()
        return await task

    summary = asyncio.run(run_and_stop())
    assert summary.stopped and 1 <= len(sender.delivered) < 8
    assert summary.counts.get("in_flight", 0) == 0
    deliver(bot, outbox, sender)
    assert len(sender.delivered) == 9  # the rest, and the report
