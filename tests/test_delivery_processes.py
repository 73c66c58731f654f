"""Delivery with real processes: `restansebot nudges send` killed mid fan-out and restarted, two replicas on
PostgreSQL, and a 429 storm — every message delivered once, as the fake Slack Web API recorded it."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import text

from adapters.slack.tests.fakes import BOT_TOKEN, FakeSlack
from adapters.teams.tests.fakes import BOT_ID, TENANT, FakeConnector
from restanse_core.store import make_engine
from tests.conftest import write_csv
from tests.fakes import Running

PEOPLE = 24  # saksbehandlere with 30 or more: 24 direct messages, plus leaders and the arkiv


class SlowSlack(FakeSlack):
    """The fake Web API, answering chat.postMessage slowly so a fan-out is caught in the middle."""

    post_delay = 0.15

    async def _record(self, method, params):  # type: ignore[no-untyped-def]
        if method == "chat.postMessage":
            await asyncio.sleep(self.post_delay)
        await super()._record(method, params)


def organisation(tmp_path: Path, cli, db_url: str) -> list[str]:
    people = [f"S{i:02d}" for i in range(PEOPLE)]
    units = write_csv(
        tmp_path / "enheter.csv",
        ["enhet;navn;overordnet;ledere", "LMA;Landbruk;;LED", "TDR;Teknisk drift;;TDL"],
    )
    persons = [
        "initialer;navn;epost;enhet;rolle",
        "LED;Lise Eide;led@k.no;LMA;leder",
        "TDL;Trond Dahl;tdl@k.no;TDR;leder",
        "ARK;Arne Arkiv;ark@k.no;TDR;arkiv",
    ] + [f"{p};Person {p};{p.lower()}@k.no;LMA;" for p in people]
    rows = ["Jpnr;Sbh;Enhet;Jour.dato"] + [
        f"2019/{n}-{i};{p};LMA;01.10.2019" for n, p in enumerate(people) for i in range(30)
    ]
    for args in (
        ("directory", "import", units, write_csv(tmp_path / "personer.csv", persons)),
        ("import", write_csv(tmp_path / "liste.csv", rows), "--as-of", "2019-12-16"),
    ):
        assert cli("--db", db_url, *args).code == 0
    return [*people, "LED", "TDL", "ARK"]


def environment(fake: FakeSlack, tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("RESTANSEBOT_", "SLACK_", "CONNECTIONS__"))
    }
    env.update(
        HOME=str(tmp_path),
        XDG_DATA_HOME=str(tmp_path / "data"),
        SLACK_BOT_TOKEN=BOT_TOKEN,
        RESTANSEBOT_SLACK_API_URL=fake.api_url,
        RESTANSEBOT_NOW="2019-12-17T09:00:00+01:00",
    )
    return {**env, **extra}


def send(db_url: str, env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "bot", "--db", db_url, "nudges", "send"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def posts_per_ref(fake: FakeSlack) -> Counter[str]:
    """Messages that landed (a rate-limited attempt lands nowhere), per outbox row id in their metadata."""
    refs: Counter[str] = Counter()
    for messages in fake.history.values():
        for message in messages:
            refs[str(message.get("metadata", {}).get("event_payload", {}).get("ref"))] += 1
    return refs


def outbox(db_url: str) -> dict[str, str]:
    with make_engine(db_url).connect() as conn:
        return {
            f"{r.kind}:{r.recipient}": r.status
            for r in conn.execute(text("SELECT kind, recipient, status FROM outbox"))
        }


def wait_for_posts(fake: FakeSlack, n: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while len(fake.calls_to("chat.postMessage")) < n:
        assert time.monotonic() < deadline, "the fan-out never got going"
        time.sleep(0.02)


def add_users(fake: FakeSlack, initials: list[str]) -> None:
    for i, who in enumerate(initials):
        fake.add_user(f"U{i:03d}", f"{who.lower()}@k.no")


@pytest.mark.slow
def test_sigkill_in_the_middle_of_a_fan_out_then_restart_delivers_every_message_once(cli, db_url, tmp_path):
    recipients = organisation(tmp_path, cli, db_url)
    with Running(SlowSlack()) as fake:
        add_users(fake, [r for r in recipients if r != "ARK"] + ["ark"])
        env = environment(fake, tmp_path, RESTANSEBOT_DELIVERY_CONCURRENCY="4")
        first = send(db_url, env)
        wait_for_posts(fake, 8)
        first.send_signal(signal.SIGKILL)
        first.wait(10)
        interrupted = outbox(db_url)
        assert "pending" in interrupted.values()  # it really was stopped in the middle
        second = send(db_url, env)
        out, err = second.communicate(timeout=120)
        assert second.returncode == 0, err
    statuses = outbox(db_url)
    messages = {k: v for k, v in statuses.items() if not k.startswith("rapport:")}
    assert len(messages) == PEOPLE + 3 and set(messages.values()) == {"sent"}
    refs = posts_per_ref(fake)
    assert max(refs.values()) == 1, f"a message went out twice: {refs.most_common(3)}"
    assert len(refs) == len(statuses)  # every planned message and the report, each once
    assert "27 sendt, 0 feilet, 0 usikre" in out


@pytest.mark.slow
@pytest.mark.postgres
def test_two_replicas_on_postgresql_deliver_each_message_once(cli, postgres_url, tmp_path):
    recipients = organisation(tmp_path, cli, postgres_url)
    with Running(SlowSlack()) as fake:
        add_users(fake, recipients)
        env = environment(fake, tmp_path, RESTANSEBOT_DELIVERY_CONCURRENCY="3")
        cli("--db", postgres_url, "nudges", "send", "--dry-run")  # preview first: nothing is stored or sent
        assert fake.calls_to("chat.postMessage") == []
        replicas = [send(postgres_url, env), send(postgres_url, env)]
        results = [p.communicate(timeout=120) for p in replicas]
        assert all(p.returncode in (0, 1) for p in replicas), [err for _, err in results]
    refs = posts_per_ref(fake)
    assert max(refs.values()) == 1, f"a message went out twice: {refs.most_common(3)}"
    statuses = outbox(postgres_url)
    assert set(statuses.values()) == {"sent"} and len(refs) == len(statuses)


@pytest.mark.slow
def test_a_429_storm_is_ridden_out_or_reported(cli, db_url, tmp_path):
    recipients = organisation(tmp_path, cli, db_url)
    with Running(FakeSlack()) as fake:
        add_users(fake, recipients)
        fake.rate_limit("chat.postMessage", retry_after=0, times=40)
        fake.rate_limit("users.lookupByEmail", retry_after=0, times=10)
        done = send(db_url, environment(fake, tmp_path, RESTANSEBOT_SLACK_PACE_SECONDS="0"))
        out, err = done.communicate(timeout=180)
        assert done.returncode == 0, err
        assert set(outbox(db_url).values()) == {"sent"}
        assert max(posts_per_ref(fake).values()) == 1
        # A storm that never ends: given up within the bounded time, and reported — nothing silently lost.
        fake.rate_limit("chat.postMessage", retry_after=0, times=10_000)
        assert cli("--db", db_url, "import", tmp_path / "liste.csv", "--as-of", "2020-01-13").code == 0
        env = environment(
            fake,
            tmp_path,
            RESTANSEBOT_SLACK_PACE_SECONDS="0",
            RESTANSEBOT_DELIVERY_GIVE_UP_MINUTES="0.05",
            RESTANSEBOT_NOW="2020-01-14T09:00:00+01:00",
        )
        stormy = send(db_url, env)
        out, err = stormy.communicate(timeout=180)
    assert stormy.returncode == 1
    assert "feilet" in out and "gitt opp etter" in out
    with make_engine(db_url).connect() as conn:
        rows = conn.execute(text("SELECT kind, status FROM outbox WHERE period = '2020-01'")).all()
    assert {status for _, status in rows} == {"failed"}  # reported, every one (the report to the arkiv too)
    assert sum(1 for kind, _ in rows if kind != "rapport") == PEOPLE + 3


class SlowConnector(FakeConnector):
    """The fake Bot Framework connector, answering activities slowly."""

    async def _activity(self, request):  # type: ignore[no-untyped-def]
        await asyncio.sleep(0.15)
        return await super()._activity(request)


@pytest.mark.slow
def test_teams_sigkill_mid_fan_out_no_duplicates_and_the_rest_reported_uncertain(cli, sqlite_url, tmp_path):
    from adapters.teams.references import Reference
    from bot.identities import ConversationStore

    recipients = organisation(tmp_path, cli, sqlite_url)
    with Running(SlowConnector()) as fake:
        store = ConversationStore(make_engine(sqlite_url), "teams")
        for who in recipients:  # as if each person had the app installed and had talked to the bot
            ref = Reference(
                fake.url, TENANT, BOT_ID, f"a:{who}", user_id=f"29:{who}", email=f"{who.lower()}@k.no"
            )
            store.put(f"user:29:{who}", ref.to_json())
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("RESTANSEBOT_", "SLACK_", "CONNECTIONS__"))
        }
        env.update(
            HOME=str(tmp_path),
            CONNECTIONS__SERVICE_CONNECTION__SETTINGS__ANONYMOUS_ALLOWED="true",
            RESTANSEBOT_NOW="2019-12-17T09:00:00+01:00",
            RESTANSEBOT_DELIVERY_CONCURRENCY="4",
        )
        first = send(sqlite_url, env)
        deadline = time.monotonic() + 60
        while len(fake.activities) < 8:
            assert time.monotonic() < deadline and first.poll() is None, (
                first.stderr.read() if first.poll() else ""
            )
            time.sleep(0.02)
        first.send_signal(signal.SIGKILL)
        first.wait(10)
        second = send(sqlite_url, env)
        out, _ = second.communicate(timeout=120)
        delivered = Counter(c.conversation for c in fake.activities)
    statuses = outbox(sqlite_url)
    messages = {k: v for k, v in statuses.items() if not k.startswith("rapport:")}
    assert len(messages) == PEOPLE + 3
    assert set(messages.values()) <= {"sent", "uncertain"}  # each either delivered or reported
    assert "uncertain" in messages.values()  # Teams cannot say: the rows caught in flight are reported
    for key, status in messages.items():
        conversation = f"a:{key.split(':', 1)[1]}"
        assert delivered[conversation] <= 1 + (key == "arkiv:ARK"), (
            f"{key} went out twice"
        )  # ARK also gets the report
        if status == "sent":
            assert delivered[conversation] >= 1
    assert "usikre" in out and second.returncode == 1
