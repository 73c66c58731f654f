"""E-mail end to end with real processes: `restansebot nudges send` with only SMTP configured, Teams first
with e-mail for the one Teams cannot reach, and a fan-out killed with SIGKILL and restarted — every e-mail
counted as the real SMTP server on 127.0.0.1 received it."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from adapters.epost.tests.fakes import Authority, FakeSmtp, mail_parts
from adapters.teams.tests.fakes import BOT_ID, TENANT, FakeConnector
from restanse_core.store import make_engine
from tests.conftest import write_csv
from tests.processes import PEOPLE, Running, Serve, clean_env, organisation, outbox, wait_until

NOW = "2019-12-17T09:00:00+01:00"


@pytest.fixture
def smtp(tmp_path_factory: pytest.TempPathFactory) -> FakeSmtp:
    with FakeSmtp(Authority(tmp_path_factory.mktemp("ca"))) as server:
        yield server


def environment(tmp_path: Path, *extra: dict[str, str], **more: str) -> dict[str, str]:
    env = clean_env(tmp_path, RESTANSEBOT_NOW=NOW)
    for e in extra:
        env.update(e)
    return {**env, **more}


def restansebot(db_url: str, env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "bot", "--db", db_url, *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def received_by(smtp: FakeSmtp) -> Counter[str]:
    return Counter(r for message in smtp.received for r in message.rcpt_tos)


@pytest.mark.slow
def test_nudges_send_with_only_smtp_reaches_everyone_by_e_mail(cli, sqlite_url, tmp_path, smtp):
    recipients = organisation(tmp_path, cli, sqlite_url)
    env = environment(tmp_path, smtp.env())
    # The people file may say which channel someone wants; a name no channel has is refused, row and all.
    people = (tmp_path / "personer.csv").read_text().splitlines()
    wrong = [people[0] + ";kanal", *(line + ";" for line in people[1:-1]), people[-1] + ";brevdue"]
    refused = restansebot(sqlite_url, env, "directory", "import", str(write_csv(tmp_path / "p.csv", wrong)))
    out, err = refused.communicate(timeout=60)
    assert refused.returncode == 2 and "p.csv" in err and "kanal" in err and "«brevdue»" in err
    assert f"rad {len(people)}" in err and "Traceback" not in err
    done = restansebot(sqlite_url, env, "nudges", "send")
    out, err = done.communicate(timeout=180)
    assert done.returncode == 0, err
    got = received_by(smtp)
    assert got == Counter({f"{r.lower()}@k.no": 2 if r == "ARK" else 1 for r in recipients})
    first = mail_parts(smtp.to("s00@k.no")[0])
    assert first["subject"] == "Du har 30 restanser – avskriv innen 02.01.20"
    assert f"{PEOPLE + 3} på e-post (levert til e-posttjenesten)" in out  # the delivery report
    assert set(outbox(sqlite_url).values()) == {"sent"}


@pytest.mark.slow
def test_teams_configured_and_the_one_teams_cannot_reach_gets_e_mail(cli, sqlite_url, tmp_path, smtp):
    from adapters.teams.references import Reference
    from bot.identities import ConversationStore

    recipients = organisation(tmp_path, cli, sqlite_url)
    with Running(FakeConnector()) as teams:
        store = ConversationStore(make_engine(sqlite_url), "teams")
        for who in recipients:
            if who == "S05":  # never installed Restansebot in Teams
                continue
            ref = Reference(
                teams.url, TENANT, BOT_ID, f"a:{who}", user_id=f"29:{who}", email=f"{who.lower()}@k.no"
            )
            store.put(f"user:29:{who}", ref.to_json())
        teams_env = {"CONNECTIONS__SERVICE_CONNECTION__SETTINGS__ANONYMOUS_ALLOWED": "true"}
        done = restansebot(sqlite_url, environment(tmp_path, smtp.env(), teams_env), "nudges", "send")
        out, err = done.communicate(timeout=180)
        in_teams = Counter(c.conversation for c in teams.activities)
    assert done.returncode == 0, err
    assert received_by(smtp) == Counter({"s05@k.no": 1})
    assert in_teams["a:S05"] == 0 and all(in_teams[f"a:{r}"] >= 1 for r in recipients if r != "S05")
    assert "S05 (saksbehandler): ikke funnet i Teams (s05@k.no) → e-post" in out
    assert "26 i Teams, 1 på e-post (levert til e-posttjenesten)" in out


@pytest.mark.slow
def test_sigkill_in_the_middle_of_an_e_mail_fan_out_then_restart_sends_no_e_mail_twice(
    cli, sqlite_url, tmp_path, smtp
):
    organisation(tmp_path, cli, sqlite_url)
    smtp.data_delay = 0.15  # a slow mail server, so the kill lands in the middle
    env = environment(tmp_path, smtp.env(), RESTANSEBOT_DELIVERY_CONCURRENCY="4")
    first = restansebot(sqlite_url, env, "nudges", "send")
    deadline = time.monotonic() + 60
    while len(smtp.received) < 8:
        assert time.monotonic() < deadline and first.poll() is None, "the fan-out never got going"
        time.sleep(0.02)
    first.send_signal(signal.SIGKILL)
    first.wait(10)
    assert "pending" in outbox(sqlite_url).values()  # it really was stopped in the middle
    second = restansebot(sqlite_url, env, "nudges", "send")
    out, _ = second.communicate(timeout=180)
    time.sleep(0.5)  # a DATA the killed process left behind finishes on the server
    got = received_by(smtp)
    statuses = outbox(sqlite_url)
    messages = {k: v for k, v in statuses.items() if not k.startswith("rapport:")}
    assert len(messages) == PEOPLE + 3 and set(messages.values()) <= {"sent", "uncertain"}
    for key, status in messages.items():
        address = f"{key.split(':', 1)[1].lower()}@k.no"
        report = 1 if key == "arkiv:ARK" else 0
        assert got[address] <= 1 + report, f"{key} got e-mail twice"
        if status == "sent":
            assert got[address] >= 1
    assert sum(got.values()) <= len(statuses)
    if "uncertain" in messages.values():  # caught in flight: reported for the arkiv to check, not resent
        assert "usikre" in out and second.returncode == 1


def test_an_unknown_channel_or_a_unit_channel_on_e_mail_is_refused_by_key(cli, sqlite_url, tmp_path, smtp):
    organisation(tmp_path, cli, sqlite_url)
    env = environment(tmp_path, smtp.env(), RESTANSEBOT_PLATFORMS="teams,brevdue")
    done = restansebot(sqlite_url, env, "nudges", "send")
    _, err = done.communicate(timeout=60)
    assert done.returncode == 2 and "platforms (RESTANSEBOT_PLATFORMS): ukjent kanal «brevdue»" in err
    env = environment(tmp_path, smtp.env(), RESTANSEBOT_CHANNELS='{"LMA": "epost:lma@k.no"}')
    done = restansebot(sqlite_url, env, "nudges", "send")
    _, err = done.communicate(timeout=60)
    assert done.returncode == 2 and "channels.LMA" in err and "epost har ingen kanaler" in err
    assert smtp.received == [] and "Traceback" not in err


IMPORTED = "2019-12-16T14:00:00+01:00"  # a Monday afternoon: the month goes out Tuesday 09:00
SEND_MOMENT = "2019-12-17T09:00:30+01:00"


@pytest.fixture
def month(cli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    """The directory and the month's list, imported the afternoon before the send moment."""

    def load(db_url: str) -> list[str]:
        monkeypatch.setenv("RESTANSEBOT_NOW", IMPORTED)
        recipients = organisation(tmp_path, cli, db_url)
        monkeypatch.delenv("RESTANSEBOT_NOW")
        return recipients

    return load


def settled(db_url: str) -> bool:
    """Every message of the month has an outcome, and the arkiv's report has gone too."""
    statuses = outbox(db_url)
    return "rapport:ARK" in statuses and not {"pending", "in_flight"} & set(statuses.values())


@pytest.mark.slow
def test_serve_sends_the_month_by_itself_in_teams_and_by_e_mail_to_the_one_teams_cannot_find(
    month, sqlite_url, tmp_path, smtp
):
    from adapters.teams.references import Reference
    from bot.identities import ConversationStore

    recipients = month(sqlite_url)
    with Running(FakeConnector()) as teams:
        store = ConversationStore(make_engine(sqlite_url), "teams")
        for who in recipients:
            if who != "S05":  # S05 never installed Restansebot in Teams
                ref = Reference(
                    teams.url, TENANT, BOT_ID, f"a:{who}", user_id=f"29:{who}", email=f"{who.lower()}@k.no"
                )
                store.put(f"user:29:{who}", ref.to_json())
        teams_env = {"CONNECTIONS__SERVICE_CONNECTION__SETTINGS__ANONYMOUS_ALLOWED": "true"}
        env = environment(tmp_path, smtp.env(), teams_env, RESTANSEBOT_NOW=SEND_MOMENT)
        with Serve(sqlite_url, env):
            wait_until(lambda: settled(sqlite_url), what="the month's reminders")
        in_teams = Counter(c.conversation for c in teams.activities)
    assert received_by(smtp) == Counter({"s05@k.no": 1})
    assert in_teams["a:S05"] == 0 and all(
        in_teams[f"a:{r}"] == 1 for r in recipients if r not in ("S05", "ARK")
    )
    assert set(outbox(sqlite_url).values()) == {"sent"}


@pytest.mark.slow
def test_serve_killed_in_the_middle_of_an_e_mail_fan_out_and_restarted_sends_no_e_mail_twice(
    month, sqlite_url, tmp_path, smtp
):
    month(sqlite_url)
    smtp.data_delay = 0.15  # a slow mail server, so the kill lands in the middle
    env = environment(tmp_path, smtp.env(), RESTANSEBOT_NOW=SEND_MOMENT, RESTANSEBOT_DELIVERY_CONCURRENCY="4")
    first = Serve(sqlite_url, env)
    wait_until(lambda: len(smtp.received) >= 8, what="the fan-out")
    first.process.send_signal(signal.SIGKILL)
    first.stop()
    assert "pending" in outbox(sqlite_url).values()  # it really was stopped in the middle
    with Serve(sqlite_url, env):  # the new server continues the run the dead one left
        wait_until(lambda: settled(sqlite_url), timeout=120, what="the rest of the month")
    time.sleep(0.5)  # a DATA the killed server left behind finishes on the mail server
    got = received_by(smtp)
    messages = {k: v for k, v in outbox(sqlite_url).items() if not k.startswith("rapport:")}
    assert len(messages) == PEOPLE + 3 and set(messages.values()) <= {"sent", "uncertain"}
    for key, status in messages.items():
        address = f"{key.split(':', 1)[1].lower()}@k.no"
        allowed = 2 if key == "arkiv:ARK" else 1  # the arkiv also gets the report
        assert got[address] <= allowed, f"{key} got e-mail twice"
        if status == "sent":
            assert got[address] >= 1


def test_doctor_checks_the_mail_server_connect_tls_and_login(loaded, tmp_path, smtp):
    def doctor(**extra: str) -> subprocess.CompletedProcess[str]:
        env = environment(tmp_path, smtp.env(**extra), RESTANSEBOT_NOW="2019-12-16T10:00:00+01:00")
        return subprocess.run(
            [sys.executable, "-m", "bot", "--db", loaded, "doctor"],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )

    good = doctor()
    assert good.returncode == 0, good.stdout + good.stderr
    assert f"E-post: 127.0.0.1:{smtp.port} svarer" in good.stdout and "innlogget som" in good.stdout
    bad = doctor(RESTANSEBOT_SMTP_PASSWORD="feil-passord")
    assert bad.returncode == 1 and "RESTANSEBOT_SMTP_PASSWORD" in bad.stdout
    assert "feil-passord" not in bad.stdout + bad.stderr and smtp.received == []
