"""The composed product as it runs in a kommune: `restansebot serve` as a process sends the month by itself,
in Slack and in Teams, once — also after a restart and with two replicas — and the arkiv can send from chat.
Only the remote platforms are faked, over real HTTP on 127.0.0.1; the clock is pinned with RESTANSEBOT_NOW."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.request
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from sqlalchemy import text

from adapters.slack.tests.fakes import (
    BOT_TOKEN,
    SIGNING_SECRET,
    FakeSlack,
    button_press,
    direct_message,
    signed_headers,
)
from adapters.teams.tests.fakes import BOT_ID, TENANT, FakeConnector
from restanse_core.store import make_engine
from tests.processes import (
    PEOPLE,
    Running,
    Serve,
    add_users,
    clean_env,
    organisation,
    outbox,
    posts_per_ref,
    wait_until,
)

IMPORTED = "2019-12-16T14:00:00+01:00"  # a Monday afternoon: the month goes out Tuesday 09:00
SEND_MOMENT = "2019-12-17T09:00:30+01:00"
EVERYONE = PEOPLE + 3  # saksbehandlere at or above 30, two leaders, the arkiv


@pytest.fixture
def month(cli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    """The directory and the month's list, imported the afternoon before the send moment."""

    def load(db_url: str) -> list[str]:
        monkeypatch.setenv("RESTANSEBOT_NOW", IMPORTED)
        recipients = organisation(tmp_path, cli, db_url)
        monkeypatch.delenv("RESTANSEBOT_NOW")
        return recipients

    return load


def slack_env(fake: FakeSlack, tmp_path: Path, now: str = SEND_MOMENT, **extra: str) -> dict[str, str]:
    return clean_env(
        tmp_path,
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        RESTANSEBOT_SLACK_API_URL=fake.api_url,
        RESTANSEBOT_SLACK_PACE_SECONDS="0",
        RESTANSEBOT_NOW=now,
        **extra,
    )


def all_delivered(db_url: str) -> bool:
    statuses = outbox(db_url)
    return len(statuses) == EVERYONE + 1 and set(statuses.values()) == {"sent"}  # + the arkiv's report


def ticked(server: Serve) -> bool:
    return server.get("/healthz")[1].get("scheduler_tick") is not None


@pytest.mark.slow
def test_serve_sends_the_month_in_slack_by_itself_and_a_restart_sends_nothing_again(month, db_url, tmp_path):
    recipients = month(db_url)
    with Running(FakeSlack()) as fake:
        add_users(fake, recipients)
        env = slack_env(fake, tmp_path)
        with Serve(db_url, env):
            wait_until(lambda: all_delivered(db_url), what="the month's reminders")
        refs = posts_per_ref(fake)
        assert len(refs) == EVERYONE + 1 and max(refs.values()) == 1
        texts = [json.dumps(c.params, ensure_ascii=False) for c in fake.calls_to("chat.postMessage")]
        assert sum("30 restanser" in t for t in texts) == PEOPLE, texts[:3]
        before = len(fake.calls_to("chat.postMessage"))
        with Serve(db_url, env) as restarted:
            wait_until(lambda: ticked(restarted), what="a scheduler tick after the restart")
        assert len(fake.calls_to("chat.postMessage")) == before  # nothing went out again


@pytest.mark.slow
def test_serve_sends_the_month_in_teams_by_itself(month, sqlite_url, tmp_path):
    from adapters.teams.references import Reference
    from bot.identities import ConversationStore
    from restanse_core.store import make_engine

    recipients = month(sqlite_url)
    with Running(FakeConnector()) as fake:
        store = ConversationStore(make_engine(sqlite_url), "teams")
        for who in recipients:  # each has the app installed and has talked to the bot
            ref = Reference(
                fake.url, TENANT, BOT_ID, f"a:{who}", user_id=f"29:{who}", email=f"{who.lower()}@k.no"
            )
            store.put(f"user:29:{who}", ref.to_json())
        env = clean_env(
            tmp_path,
            CONNECTIONS__SERVICE_CONNECTION__SETTINGS__ANONYMOUS_ALLOWED="true",
            RESTANSEBOT_NOW=SEND_MOMENT,
        )
        with Serve(sqlite_url, env):
            wait_until(lambda: all_delivered(sqlite_url), what="the month's reminders in Teams")
        delivered = Counter(c.conversation for c in fake.activities)
    assert set(delivered) == {f"a:{who}" for who in recipients}
    assert (
        all(n == 1 for who, n in delivered.items() if who != "a:ARK") and delivered["a:ARK"] == 2
    )  # + report


@pytest.mark.slow
@pytest.mark.postgres
def test_two_serve_replicas_on_postgresql_send_every_message_once(month, postgres_url, tmp_path):
    recipients = month(postgres_url)
    with Running(FakeSlack()) as fake:
        add_users(fake, recipients)
        env = slack_env(fake, tmp_path)
        with Serve(postgres_url, env), Serve(postgres_url, env):
            wait_until(lambda: all_delivered(postgres_url), what="the month's reminders")
    refs = posts_per_ref(fake)
    assert len(refs) == EVERYONE + 1 and max(refs.values()) == 1


def post_signed(server: Serve, body: str, content_type: str) -> int:
    request = urllib.request.Request(
        server.url + "/slack/events",
        data=body.encode(),
        headers=signed_headers(body, content_type=content_type),
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status


def say(server: Serve, user: str, text: str) -> None:
    assert post_signed(server, json.dumps(direct_message(user, text)), "application/json") == 200


def press(server: Serve, user: str, action_id: str, value: str) -> None:
    body = urlencode({"payload": json.dumps(button_press(user, action_id, value, channel="D" + user))})
    assert post_signed(server, body, "application/x-www-form-urlencoded") == 200


def answers_to(fake: FakeSlack, user: str) -> list[dict[str, Any]]:
    return [c.params for c in fake.calls_to("chat.postMessage") if c.params.get("channel") == "D" + user]


@pytest.mark.slow
def test_the_arkiv_sends_the_month_from_chat_and_a_saksbehandler_cannot(month, db_url, tmp_path):
    recipients = month(db_url)
    with Running(FakeSlack()) as fake:
        for who in recipients:  # Slack user ids that match the DM channels the fake hands out
            fake.add_user(f"U{who}", f"{who.lower()}@k.no")
        env = slack_env(fake, tmp_path, now="2019-12-16T15:00:00+01:00")  # before the scheduled moment
        with Serve(db_url, env) as server:
            say(server, "US00", "send påminnelser")
            wait_until(lambda: answers_to(fake, "US00"), what="the saksbehandler's answer")
            refusal = json.dumps(answers_to(fake, "US00"), ensure_ascii=False)
            assert "Det kan bare arkivet gjøre." in refusal and "send.confirm" not in refusal
            say(server, "UARK", "send påminnelser")
            wait_until(lambda: answers_to(fake, "UARK"), what="the preview")
            blocks = answers_to(fake, "UARK")[0]["blocks"]
            blocks = json.loads(blocks) if isinstance(blocks, str) else blocks
            confirm = next(
                e
                for b in blocks
                if b["type"] == "actions"
                for e in b["elements"]
                if e["action_id"] == "send.confirm"
            )
            assert confirm["value"] == "2019-12"
            assert set(posts_per_ref(fake)) == {"None"}  # only answers: the preview sent no reminder
            press(server, "UARK", "send.confirm", confirm["value"])
            wait_until(lambda: all_delivered(db_url), what="the confirmed sending")
            asked = len(answers_to(fake, "UARK"))
            say(server, "UARK", "status påminnelser")  # the delivery report, as `nudges status` shows it
            wait_until(lambda: len(answers_to(fake, "UARK")) > asked, what="the delivery report")
            report = json.dumps(answers_to(fake, "UARK")[-1], ensure_ascii=False)
            assert "Utsendingen av påminnelser for 2019-12" in report
            assert f"{EVERYONE} sendt, 0 feilet, 0 usikre" in report
            assert "lest inn av cli:" in report  # who imported the list the month was planned from
    refs = {ref: n for ref, n in posts_per_ref(fake).items() if ref != "None"}  # the reminders, not answers
    assert len(refs) == EVERYONE + 1 and max(refs.values()) == 1


@pytest.mark.slow
@pytest.mark.postgres
def test_readiness_answers_503_when_the_database_goes_away(postgres_url, tmp_path):
    from tests.processes import Proxy

    with Proxy(postgres_url) as proxy, Serve(proxy.url, clean_env(tmp_path)) as server:
        status, body = server.get("/readiness")
        assert status == 200 and body["status"] == "ready"
        proxy.cut()
        status, body = server.get("/readiness")
        assert status == 503 and body["status"] == "not ready"
        assert body["checks"]["database"].startswith("unreachable")
        assert server.get("/liveness")[0] == 200  # the process itself is alive: no restart needed


def test_doctor_names_the_missing_bot_token_and_exits_1(loaded, tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "bot", "--db", loaded, "doctor"],
        env=clean_env(tmp_path, SLACK_SIGNING_SECRET="secret", RESTANSEBOT_NOW="2019-12-16T10:00:00+01:00"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert "SLACK_BOT_TOKEN mangler" in done.stdout
    assert "Traceback" not in done.stderr


def test_doctor_passes_a_working_setup_with_warnings_printed(loaded, tmp_path):
    with Running(FakeSlack()) as fake:
        env = clean_env(
            tmp_path,
            SLACK_BOT_TOKEN=BOT_TOKEN,
            RESTANSEBOT_SLACK_API_URL=fake.api_url,
            RESTANSEBOT_NOW="2019-12-16T10:00:00+01:00",
        )
        done = subprocess.run(
            [sys.executable, "-m", "bot", "--db", loaded, "doctor"],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Slack godtar bot-tokenet" in done.stdout
    assert "uten e-postadresse" not in done.stdout
    assert "Neste utsending" in done.stdout or "Påminnelsene for" in done.stdout
    assert "Ingen kontaktpersoner" in done.stdout  # a warning, printed, not blocking


def test_liveness_and_readiness_of_a_healthy_server(loaded, tmp_path):
    with Serve(loaded, clean_env(tmp_path)) as server:
        assert server.get("/liveness") == (200, {"status": "alive"})
        status, body = server.get("/readiness")
        assert status == 200 and body["checks"] == {"database": "ok", "migrations": "ok"}


@pytest.mark.slow
def test_test_mode_sends_everything_to_the_test_person_and_leaves_the_real_month_unsent(
    month, db_url, tmp_path
):
    recipients = month(db_url)
    with Running(FakeSlack()) as fake:
        add_users(fake, recipients)
        env = slack_env(fake, tmp_path, RESTANSEBOT_TEST_RECIPIENT="ARK")
        with Serve(db_url, env) as server:  # at the send moment, but in test mode: the schedule holds back
            wait_until(lambda: ticked(server), what="a scheduler tick")
        assert fake.calls_to("chat.postMessage") == []
        done = subprocess.run(
            [sys.executable, "-m", "bot", "--db", db_url, "nudges", "send"],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stdout + done.stderr
    statuses = outbox(db_url)
    assert statuses and set(statuses.values()) == {"sent"}
    posts = fake.calls_to("chat.postMessage")
    assert len({c.params["channel"] for c in posts}) == 1  # every message to the one test person
    assert {c.params["users"] for c in fake.calls_to("conversations.open")} == {"U026"}  # ARK in the fake
    texts = [json.dumps(c.params, ensure_ascii=False) for c in posts]
    assert sum("TEST – denne meldingen var ment for Person S00 (S00)." in t for t in texts) == 1
    assert all("TEST – denne meldingen var ment for" in t for t in texts)
    with make_engine(db_url).connect() as conn:
        periods = {row[0] for row in conn.execute(text("SELECT period FROM outbox"))}
    assert periods == {"2019-12-test"}  # the real period stays unsent
