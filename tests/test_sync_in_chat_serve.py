"""The list from the records system in chat, through the composed product: `restansebot serve` as a process with
the fake Slack and the fake 360 over HTTP on 127.0.0.1, the clock pinned with RESTANSEBOT_NOW. The arkiv types
«oppdater» and «avskrivinger» in a Slack DM, saves a held list with its button, and hears once about a 360 that
fails two nights running."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from adapters.p360.tests.fakes import Fake360
from adapters.p360.tests.world import config, directory, environment, populate, restansebot
from adapters.slack.tests.fakes import BOT_TOKEN, SIGNING_SECRET, FakeSlack
from restanse_core.store import make_engine
from tests.processes import Running, Serve, wait_until
from tests.test_serve import answers_to, press, say

pytestmark = pytest.mark.slow


def query(db_url: str, sql: str) -> list[tuple[Any, ...]]:
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(text(sql))]
    finally:
        engine.dispose()


def env_for(fake360: Fake360, slack: FakeSlack, tmp_path: Path, now: str) -> dict[str, str]:
    return {
        **environment(tmp_path, fake360, config(tmp_path, fake360), now=now),
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "RESTANSEBOT_SLACK_API_URL": slack.api_url,
        "RESTANSEBOT_SLACK_PACE_SECONDS": "0",
    }


def said(messages: list[dict[str, Any]]) -> list[str]:
    return [json.dumps(m, ensure_ascii=False) for m in messages]


def button(message: dict[str, Any], action_id: str) -> dict[str, Any]:
    blocks = message["blocks"]
    blocks = json.loads(blocks) if isinstance(blocks, str) else blocks
    return next(
        e
        for b in blocks
        if b["type"] == "actions"
        for e in b["elements"]
        if str(e.get("action_id", "")).startswith(action_id)
    )


def test_the_arkiv_updates_saves_a_held_list_and_reads_the_writeoffs_in_slack(cli, sqlite_url, tmp_path):
    db_url = sqlite_url
    directory(cli, db_url, tmp_path)
    with Running(Fake360(page_size=5)) as fake360, Running(FakeSlack()) as slack:
        populate(fake360)
        slack.add_user("UARK", "arne.arkiv@kommune.no")
        slack.add_user("UUKA", "unni.karlsen@kommune.no")
        env = env_for(fake360, slack, tmp_path, "2019-12-16T06:00:00+01:00")
        assert restansebot(db_url, env, "sync").returncode == 0  # tonight's sync is done: serve's tick waits
        done = restansebot(db_url, env, "avskriv", "2019/100-3", "--som", "UKA", "--kode", "TE")
        assert done.returncode == 0, done.stderr

        with Serve(db_url, env) as server:
            # A saksbehandler may not; the arkiv gets «Jeg henter …» at once, then the summary.
            say(server, "UUKA", "oppdater")
            wait_until(lambda: answers_to(slack, "UUKA"), what="the refusal")
            assert "Det kan bare arkivet gjøre." in said(answers_to(slack, "UUKA"))[0]

            say(server, "UARK", "oppdater lista")
            wait_until(
                lambda: len(answers_to(slack, "UARK")) >= 2, what="the acknowledgement and the summary"
            )
            ack, summary = said(answers_to(slack, "UARK"))[:2]
            assert "Jeg henter restansene fra 360 nå" in ack
            assert "Dagens restanseliste er erstattet fra 360" in summary
            assert "22" in summary and "NYENHET" in summary and "Månedens liste" in summary
            assert query(db_url, "SELECT started_by, status FROM sync_runs ORDER BY id DESC LIMIT 1") == [
                ("ARK via chat", "stored")
            ]
            assert len(answers_to(slack, "UUKA")) == 1  # the result went to the asker only

            # 360 suddenly lists almost nothing: held, and the arkiv gets the preview with its buttons.
            for d in list(fake360.documents.values())[3:]:
                d["_response_code"] = 4
            before = len(answers_to(slack, "UARK"))
            say(server, "UARK", "oppdater")
            wait_until(lambda: len(answers_to(slack, "UARK")) >= before + 2, what="the held list's preview")
            preview_message = answers_to(slack, "UARK")[before + 1]
            preview = said([preview_message])[0]
            assert "Lista fra 360 er holdt tilbake" in preview
            assert "360 ga 2 restanser per 16.12.2019, mot 22 i lista per 16.12.2019" in preview
            save = button(preview_message, "oppdater.lagre")
            assert button(preview_message, "oppdater.forkast")["value"] == save["value"]
            assert query(db_url, "SELECT count(*) FROM restanser") == [(22,)]  # nothing stored yet

            before = len(answers_to(slack, "UARK"))
            press(server, "UARK", "oppdater.lagre", save["value"])
            wait_until(lambda: len(answers_to(slack, "UARK")) > before, what="the saved answer")
            assert (
                "Lagret likevel: restanselista per 16.12.2019 fra 360" in said(answers_to(slack, "UARK"))[-1]
            )
            assert query(db_url, "SELECT status, started_by FROM sync_runs WHERE status = 'saved'") == [
                ("saved", "ARK via chat")
            ]
            # The saved list replaced today's under the same date: serve answers from it without a restart.
            time.sleep(2.5)  # the watcher looks for a new data version every second
            asked = len(answers_to(slack, "UUKA"))
            say(server, "UUKA", "mine restanser")
            wait_until(lambda: len(answers_to(slack, "UUKA")) > asked, what="UKA's answer")
            assert "Du har 2 restanser per 16.12.2019" in said(answers_to(slack, "UUKA"))[-1]

            before = len(answers_to(slack, "UARK"))
            press(server, "UARK", "oppdater.lagre", save["value"])  # a second press: already decided
            wait_until(lambda: len(answers_to(slack, "UARK")) > before, what="the second press's answer")
            assert "er alt avgjort: Lagret av ARK via chat." in said(answers_to(slack, "UARK"))[-1]

            # The write-off log, as the CLI made it.
            before = len(answers_to(slack, "UARK"))
            say(server, "UARK", "avskrivinger")
            wait_until(lambda: len(answers_to(slack, "UARK")) > before, what="the write-off log")
            log = said(answers_to(slack, "UARK"))[-1]
            assert "Avskrivinger fra boten de siste 30 dagene" in log
            assert "2019/100-3" in log and "UKA" in log and "TE" in log and "avskrevet" in log

    restanser = query(
        db_url, "SELECT count(*) FROM restanser WHERE snapshot_id = (SELECT max(id) FROM snapshots)"
    )
    assert restanser == [(2,)]  # the held list, saved: the two letters 360 still lists
    listed = cli("--db", db_url, "snapshots", "list")
    assert "16.12.2019" in listed.out or "2019-12-16" in listed.out
    assert "live" in listed.out


def test_a_failing_360_on_two_nights_is_told_to_the_arkiv_once(cli, sqlite_url, tmp_path):
    db_url = sqlite_url
    directory(cli, db_url, tmp_path)
    with Running(Fake360(page_size=5)) as fake360, Running(FakeSlack()) as slack:
        populate(fake360)
        slack.add_user("UARK", "arne.arkiv@kommune.no")
        assert (
            restansebot(
                db_url, env_for(fake360, slack, tmp_path, "2019-12-16T06:00:00+01:00"), "sync"
            ).returncode
            == 0
        )
        fake360.status_for["DocumentService/GetDocuments"] = 503
        for night, day in enumerate(("17", "18"), start=1):
            env = env_for(fake360, slack, tmp_path, f"2019-12-{day}T05:10:00+01:00")
            with Serve(db_url, env):
                wait_until(
                    lambda n=night: (
                        len(query(db_url, "SELECT id FROM sync_runs WHERE status = 'failed'")) == n
                    ),
                    timeout=90,
                    what=f"night {night}'s sync",
                )
                if night == 1:
                    wait_until(lambda: answers_to(slack, "UARK"), what="the failure notice")
                else:
                    time.sleep(3)  # a second notice would be on its way by now
        notices = [m for m in said(answers_to(slack, "UARK")) if "Restansene kunne ikke hentes fra 360" in m]
        assert len(notices) == 1
        assert "360 svarte med HTTP 503" in notices[0] and "Den forrige lista gjelder fortsatt." in notices[0]
        assert query(db_url, "SELECT started_by FROM sync_runs WHERE status = 'failed'") == [
            ("planlegger",),
            ("planlegger",),
        ]


def test_360_working_again_at_an_oppdater_is_told_to_the_other_arkiv(cli, sqlite_url, tmp_path):
    """The nightly sync fails (every arkiv told); in the morning an arkiv types «oppdater» and 360 answers: the
    other arkiv hears that it works again, the asker gets the result alone (not told twice)."""
    db_url = sqlite_url
    directory(cli, db_url, tmp_path)
    people = tmp_path / "personer.csv"
    with people.open("a", encoding="utf-8", newline="") as f:
        f.write("AR2;Anna Arkiv;anna.arkiv@kommune.no;TDR;arkiv;\r\n")
    assert cli("--db", db_url, "directory", "import", people).code == 0
    with Running(Fake360(page_size=5)) as fake360, Running(FakeSlack()) as slack:
        populate(fake360)
        slack.add_user("UARK", "arne.arkiv@kommune.no")
        slack.add_user("UAR2", "anna.arkiv@kommune.no")
        first = env_for(fake360, slack, tmp_path, "2019-12-16T06:00:00+01:00")
        assert restansebot(db_url, first, "sync").returncode == 0
        fake360.status_for["DocumentService/GetDocuments"] = 503
        with Serve(db_url, env_for(fake360, slack, tmp_path, "2019-12-17T05:10:00+01:00")) as server:
            wait_until(
                lambda: answers_to(slack, "UAR2") and answers_to(slack, "UARK"), what="the failure notices"
            )
            assert "Restansene kunne ikke hentes fra 360" in said(answers_to(slack, "UAR2"))[0]
            del fake360.status_for["DocumentService/GetDocuments"]
            asker_before, other_before = len(answers_to(slack, "UARK")), len(answers_to(slack, "UAR2"))
            say(server, "UARK", "oppdater")
            wait_until(lambda: len(answers_to(slack, "UAR2")) > other_before, what="«fungerer igjen»")
            wait_until(
                lambda: len(answers_to(slack, "UARK")) >= asker_before + 2, what="the ack and the result"
            )
            time.sleep(1)  # a notice to the asker too would be on its way by now
        assert "Oppdateringen fra 360 fungerer igjen" in said(answers_to(slack, "UAR2"))[-1]
        to_the_asker = said(answers_to(slack, "UARK"))[asker_before:]
        assert len(to_the_asker) == 2 and "Restanselista er oppdatert fra 360" in to_the_asker[1]
        assert not any("fungerer igjen" in m for m in to_the_asker)


def test_oppdater_in_the_terminal_runs_the_sync_and_answers_with_its_result(cli, sqlite_url, tmp_path):
    directory(cli, sqlite_url, tmp_path)
    with Running(Fake360(page_size=5)) as fake360:
        populate(fake360)
        env = environment(tmp_path, fake360, config(tmp_path, fake360))
        asked = restansebot(sqlite_url, env, "ask", "--as", "ARK", "oppdater")
    assert asked.returncode == 0, asked.stderr
    assert "Restanselista er oppdatert fra 360" in asked.stdout and "Traceback" not in asked.stderr
    assert query(sqlite_url, "SELECT started_by, status FROM sync_runs") == [("ARK via chat", "stored")]


def test_an_item_written_off_from_the_bot_that_360_still_lists_comes_back_and_the_arkiv_is_told(
    cli, sqlite_url, tmp_path
):
    db_url = sqlite_url
    directory(cli, db_url, tmp_path)
    with Running(Fake360(page_size=5)) as fake360, Running(FakeSlack()) as slack:
        populate(fake360)
        slack.add_user("UARK", "arne.arkiv@kommune.no")
        monday = env_for(fake360, slack, tmp_path, "2019-12-16T06:00:00+01:00")
        assert restansebot(db_url, monday, "sync").returncode == 0
        later = {**monday, "RESTANSEBOT_NOW": "2019-12-16T11:00:00+01:00"}
        done = restansebot(db_url, later, "avskriv", "2019/100-3", "--som", "UKA", "--kode", "TE")
        assert done.returncode == 0, done.stderr
        reopened = next(d for d in fake360.documents.values() if d["DocumentNumber"] == "2019/100-3")
        reopened["_response_code"] = None  # (in 360 the write-off was undone)

        tuesday = {**monday, "RESTANSEBOT_NOW": "2019-12-17T06:00:00+01:00"}  # after the nightly slot
        with Serve(db_url, tuesday):
            wait_until(
                lambda: any("fortsatt åpne i 360" in m for m in said(answers_to(slack, "UARK"))),
                timeout=60,
                what="the notice of the item that came back",
            )
            notices = [m for m in said(answers_to(slack, "UARK")) if "fortsatt åpne i 360" in m]
    assert len(notices) == 1 and "2019/100-3" in notices[0]
    assert query(
        db_url,
        "SELECT count(*) FROM restanser WHERE jp_id = '2019/100-3' AND snapshot_id = (SELECT max(id) FROM snapshots)",
    ) == [(1,)]  # back on the list
