"""Write-off from chat (issue 14), end to end: «Avskriv» beside an item in «mine restanser» → the method → an
optional note and the confirmation → Public 360's SignOffDocument → the answer in place of the dialogue, and
the item gone from the person's list.

`restansebot serve` runs as a process; Slack, Teams and Public 360 are fakes over HTTP on 127.0.0.1 (360's
from the shapes documented in docs/P360.md). The list was synced from 360 with `restansebot sync` that morning;
the clock is pinned with RESTANSEBOT_NOW."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

from adapters.p360.tests.fakes import Fake360
from adapters.p360.tests.world import config, directory, environment, populate, restansebot
from adapters.slack.tests.fakes import BOT_TOKEN, SIGNING_SECRET, FakeSlack, button_press
from adapters.teams.tests.conftest import ANONYMOUS
from adapters.teams.tests.fakes import FakeConnector, activity
from adapters.teams.tests.test_serve_process import post
from tests.processes import Running, Serve, wait_until
from tests.test_serve import post_signed, say

MORNING = "2019-12-16T06:00:00+01:00"  # the nightly sync, run by hand
WORKDAY = "2019-12-16T10:00:00+01:00"  # after the schedule's 05:00: serve does not sync again
UKA, ABC, NYL = "UUKA", "UABC", "UNYL"  # Slack users; their e-mails are the directory's
EMAILS = {UKA: "unni.karlsen@kommune.no", ABC: "anne.cappelen@kommune.no", NYL: "nina.ylvisaker@kommune.no"}
TOR = "UTOR"
LETTER = "2019/100-1"  # one of UKA's letters
NOTE = "2019/800-1"  # an internal note to UKA and TOR


@pytest.fixture
def fake360() -> Iterator[Fake360]:
    with Running(Fake360(page_size=5)) as fake:
        populate(fake)
        yield fake


def synced(cli, db_url: str, tmp_path: Path, fake: Fake360, **settings: object) -> dict[str, str]:
    """The directory imported and this morning's list read from 360; the environment for serve."""
    directory(cli, db_url, tmp_path)
    env = environment(tmp_path, fake, config(tmp_path, fake, **settings), now=MORNING)
    result = restansebot(db_url, env, "sync")
    assert result.returncode == 0, result.stderr
    return {**env, "RESTANSEBOT_NOW": WORKDAY}


# ---- Slack -----------------------------------------------------------------------------------------------


def slack(env: dict[str, str], fake: FakeSlack) -> dict[str, str]:
    return {
        **env,
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "RESTANSEBOT_SLACK_API_URL": fake.api_url,
        "RESTANSEBOT_SLACK_PACE_SECONDS": "0",
    }


def press(server: Serve, user: str, action_id: str, value: str, typed: dict[str, str] | None = None) -> None:
    payload = button_press(user, action_id, value, channel="D" + user, typed=typed, message_ts="1.7")
    assert (
        post_signed(server, urlencode({"payload": json.dumps(payload)}), "application/x-www-form-urlencoded")
        == 200
    )


def posted(fake: FakeSlack, user: str) -> list[dict[str, Any]]:
    return [c.params for c in fake.calls_to("chat.postMessage") if c.params.get("channel") == "D" + user]


def updated(fake: FakeSlack, user: str) -> list[dict[str, Any]]:
    return [c.params for c in fake.calls_to("chat.update") if c.params.get("channel") == "D" + user]


def blocks_of(message: dict[str, Any]) -> list[dict[str, Any]]:
    blocks = message.get("blocks") or []
    return json.loads(blocks) if isinstance(blocks, str) else blocks


def buttons(message: dict[str, Any]) -> list[dict[str, Any]]:
    found = []
    for block in blocks_of(message):
        if block.get("accessory", {}).get("type") == "button":
            found.append(block["accessory"])
        found += [e for e in block.get("elements", []) if e.get("type") == "button"]
    return found


def shown(message: dict[str, Any]) -> str:
    return json.dumps(message, ensure_ascii=False)


def ask_and_wait(server: Serve, fake: FakeSlack, user: str, text: str) -> dict[str, Any]:
    before = len(posted(fake, user))
    say(server, user, text)
    wait_until(lambda: len(posted(fake, user)) > before, what=f"the answer to «{text}»")
    return posted(fake, user)[-1]


def answer_after_the_change(server: Serve, fake: FakeSlack, user: str, expected: str) -> dict[str, Any]:
    """«mine restanser» until it says `expected`: serve prepares the changed list in the background (a second or
    two here) and answers from the list before until then."""
    for _ in range(20):
        answer = ask_and_wait(server, fake, user, "mine restanser")
        if answer["text"] == expected:
            return answer
        time.sleep(0.5)
    raise AssertionError(f"still {answer['text']!r}")


def press_and_wait(
    server: Serve, fake: FakeSlack, user: str, action: str, value: str, typed: dict[str, str] | None = None
) -> dict[str, Any]:
    before = len(updated(fake, user)) + len(posted(fake, user))
    press(server, user, action, value, typed)
    wait_until(
        lambda: len(updated(fake, user)) + len(posted(fake, user)) > before, what=f"the answer to {action}"
    )
    latest = fake.calls[-1]
    return latest.params if latest.method in ("chat.update", "chat.postMessage") else {}


@pytest.mark.slow
def test_a_saksbehandler_writes_an_item_off_from_slack_and_it_leaves_her_list(cli, db_url, tmp_path, fake360):
    env = synced(cli, db_url, tmp_path, fake360)
    with Running(FakeSlack()) as fake:
        for user, email in EMAILS.items():
            fake.add_user(user, email)
        with Serve(db_url, slack(env, fake)) as server:
            mine = ask_and_wait(server, fake, UKA, "mine restanser")
            assert mine["text"] == "Du har 15 restanser per 16.12.2019."
            offered = {b["value"] for b in buttons(mine) if b["action_id"].startswith("avskriv.velg")}
            assert LETTER in offered and len(offered) == 10  # every item on the page is hers to write off

            methods = press_and_wait(server, fake, UKA, "avskriv.velg", LETTER)
            codes = {b["value"] for b in buttons(methods) if b["action_id"].split("#")[0] == "avskriv.kode"}
            assert codes == {f"{LETTER}|TE", f"{LETTER}|TO"}  # the codes the archive offers in chat

            confirm = press_and_wait(server, fake, UKA, "avskriv.kode", f"{LETTER}|TE")
            assert confirm.get("ts") == "1.7"  # the dialogue's next step replaces the message pressed
            assert any(b["type"] == "input" for b in blocks_of(confirm))  # the optional note
            yes = next(b for b in buttons(confirm) if b["action_id"] == "avskriv.ja")
            assert fake360.calls_to("SignOffDocument") == []  # nothing asked before the confirmation

            done = press_and_wait(
                server, fake, UKA, "avskriv.ja", yes["value"], typed={"merknad": "Svar sendt på e-post"}
            )
            assert f"{LETTER} er avskrevet i 360 med TE" in shown(done)
            calls = fake360.calls_to("SignOffDocument")
            assert [c.parameter for c in calls] == [
                {
                    "Document": LETTER,
                    "ResponseCode": "TE",
                    "ADContextUser": "ukarlsen",
                    "Note": "Svar sendt på e-post",
                }
            ]

            again = press_and_wait(
                server, fake, UKA, "avskriv.ja", yes["value"]
            )  # an old button, pressed again
            assert "Finner ikke" in shown(again) and len(fake360.calls_to("SignOffDocument")) == 1

            after = answer_after_the_change(server, fake, UKA, "Du har 14 restanser per 16.12.2019.")
            assert LETTER not in {b.get("value") for b in buttons(after)}  # gone now, not at the next sync


@pytest.mark.slow
def test_what_may_not_be_written_off_from_slack_is_refused_plainly(cli, sqlite_url, tmp_path, fake360):
    db_url = sqlite_url
    env = synced(cli, db_url, tmp_path, fake360)
    with Running(FakeSlack()) as fake:
        for user, email in EMAILS.items():
            fake.add_user(user, email)
        with Serve(db_url, slack(env, fake)) as server:
            ask_and_wait(
                server, fake, ABC, "mine restanser"
            )  # (the buttons are on the bot's messages in the DM)
            # someone else's item: the bot refuses before 360 is asked
            other = press_and_wait(server, fake, ABC, "avskriv.ja", f"{LETTER}|TE|")
            assert "Bare saksbehandleren kan avskrive" in shown(other)
            # no login: no «Avskriv», and why
            mine = ask_and_wait(server, fake, NYL, "mine restanser")
            assert not [b for b in buttons(mine) if b["action_id"].startswith("avskriv")]
            assert "brukernavnet ditt i 360" in shown(mine)
            # a note to two people: 360 ends it for both, so the bot leaves it to 360
            note = ask_and_wait(server, fake, UKA, f"avskriv {NOTE}")
            assert "Notatet har flere mottakere og kan bare avskrives for alle – gjør det i 360" in shown(
                note
            )
            # 360 says no: said in plain words, nothing changes
            fake360.refuse_signoff["2019/100-2"] = "Dokumentet er låst av en annen bruker"
            refused = press_and_wait(server, fake, UKA, "avskriv.ja", "2019/100-2|TE|")
            assert "360 avskrev ikke 2019/100-2: Dokumentet er låst av en annen bruker" in shown(refused)
            # no answer in time: the item is looked up again, and gone means written off
            fake360.signoff_delay = 3  # longer than p360_writeoff_timeout_seconds = 1
            late = press_and_wait(server, fake, UKA, "avskriv.ja", "2019/100-3|TO|")
            assert "svarte ikke i tide, men 2019/100-3 er ikke lenger åpen" in shown(late)
            fake360.signoff_delay = 0
            # two presses at once: one call
            presses = [
                threading.Thread(target=press, args=(server, UKA, "avskriv.ja", "2019/100-4|TE|"))
                for _ in range(2)
            ]
            for p in presses:
                p.start()
            for p in presses:
                p.join()
            wait_until(
                lambda: any("2019/100-4" in shown(m) for m in updated(fake, UKA)[-2:]),
                what="the write-off's answer",
            )
            after = answer_after_the_change(server, fake, UKA, "Du har 13 restanser per 16.12.2019.")
    assert [c.parameter["Document"] for c in fake360.calls_to("SignOffDocument")] == [
        "2019/100-2",
        "2019/100-3",
        "2019/100-4",
    ]
    assert "2019/100-2" in shown(after)  # refused: still hers
    assert "2019/100-3" not in shown(after) and "2019/100-4" not in shown(after)


@pytest.mark.slow
def test_with_confirm_a_note_to_two_is_written_off_for_both_after_naming_them(
    cli, sqlite_url, tmp_path, fake360
):
    db_url = sqlite_url
    env = synced(cli, db_url, tmp_path, fake360, p360_multi_recipient_notes="confirm")
    with Running(FakeSlack()) as fake:
        for user, email in {**EMAILS, TOR: "tor.olsen@kommune.no"}.items():
            fake.add_user(user, email)
        with Serve(db_url, slack(env, fake)) as server:
            ask_and_wait(server, fake, UKA, "mine restanser")
            confirm = press_and_wait(server, fake, UKA, "avskriv.kode", f"{NOTE}|TO")
            assert "Unni Karlsen (UKA), Tor Olsen (TOR)" in shown(
                confirm
            ) or "Tor Olsen (TOR), Unni" in shown(confirm)
            yes = next(b for b in buttons(confirm) if b["action_id"] == "avskriv.ja")
            assert yes["value"] == f"{NOTE}|TO|alle"
            done = press_and_wait(server, fake, UKA, "avskriv.ja", yes["value"])
            assert "tatt ut av lista til TOR" in shown(done)
            tor = answer_after_the_change(server, fake, TOR, "Du har 0 restanser per 16.12.2019.")
    assert len(fake360.calls_to("SignOffDocument")) == 1
    assert NOTE not in shown(tor) and "ingen restanser" in shown(tor)


# ---- Teams -----------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_a_saksbehandler_writes_an_item_off_from_teams(cli, sqlite_url, tmp_path, fake360):
    db_url = sqlite_url
    env = synced(cli, db_url, tmp_path, fake360)
    with Running(FakeConnector()) as connector:
        connector.member("29:uka", EMAILS[UKA], name="Unni Karlsen")
        with Serve(db_url, {**env, **ANONYMOUS}) as server:

            def send(body: dict[str, Any], n: int) -> Any:
                assert post(server.url + "/api/messages", body) in (200, 201, 202)
                wait_until(lambda: len(connector.calls) >= n, what="the bot's answer in Teams")
                return connector.calls[-1]

            def turn(**fields: Any) -> dict[str, Any]:
                return activity(service_url=connector.url, user="29:uka", conversation="a:uka", **fields)

            answered = send(turn(text="mine restanser"), 2)  # the member look-up, then the answer
            card = json.dumps(answered.card, ensure_ascii=False)
            assert '"restansebot": "avskriv.velg", "value": "2019/100-1"' in card

            methods = send(turn(text=None, value={"restansebot": "avskriv.velg", "value": LETTER}), 3)
            assert f'"value": "{LETTER}|TE"' in json.dumps(methods.card, ensure_ascii=False)

            pressed_card = "1700000000999"
            confirm = send(
                turn(
                    text=None,
                    value={"restansebot": "avskriv.kode", "value": f"{LETTER}|TE"},
                    reply_to=pressed_card,
                ),
                4,
            )
            assert confirm.method == "PUT" and confirm.path.endswith(f"/activities/{pressed_card}")
            assert '"Input.Text"' in json.dumps(confirm.body, ensure_ascii=False)

            done = send(
                turn(
                    text=None,
                    value={
                        "restansebot": "avskriv.ja",
                        "value": f"{LETTER}|TE|",
                        "merknad": "Ringt innsender",
                    },
                    reply_to=pressed_card,
                ),
                5,
            )
            assert done.method == "PUT" and f"{LETTER} er avskrevet i 360 med TE" in done.text
    assert [c.parameter for c in fake360.calls_to("SignOffDocument")] == [
        {"Document": LETTER, "ResponseCode": "TE", "ADContextUser": "ukarlsen", "Note": "Ringt innsender"}
    ]
