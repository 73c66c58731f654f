"""What an attacker or a careless client sends to /slack/events: a 4xx and one log line, never a 500 and a
traceback; words a person wrote are never posted live (<!channel>, user groups, masked links); Slackbot's own
messages are not questions; forged buttons get an ordinary answer."""

from __future__ import annotations

import asyncio
import json
import logging
import re
from urllib.parse import quote, urlencode

import pytest

from adapters.slack.tests.fakes import FakeSlack, button_press, direct_message, mention, signed_headers
from adapters.slack.tests.harness import KARI, Server, all_text

SECRET = "Barnevernssak for Ola Nordmann"  # stands for anything a body might carry that must not reach a log
FORM = "application/x-www-form-urlencoded"


def assert_one_clean_line(caplog: pytest.LogCaptureFixture) -> str:
    records = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(records) == 1, [r.getMessage() for r in records]
    message = records[0].getMessage()
    assert records[0].exc_info is None and "\n" not in message and "Traceback" not in message
    assert SECRET not in message
    return message


# ---- malformed but correctly signed requests ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (f"not json {SECRET}", "application/json"),
        ("[]", "application/json"),
        ('"just a string"', "application/json"),
        ("payload=" + quote('{"type": "block_actions", "user": '), FORM),
        ("payload=" + quote(f"not json {SECRET}"), FORM),
        ("payload=" + quote("[1, 2]"), FORM),
        ("payload=", FORM),
    ],
    ids=["not-json", "json-list", "json-string", "payload-cut-off", "payload-not-json", "payload-list",
         "payload-empty"],
)  # fmt: skip
async def test_a_signed_request_that_slack_would_never_send_gets_400_and_one_log_line(
    body: str, content_type: str, server: Server, fake_slack: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    response = await server.post(body, signed_headers(body, content_type=content_type))
    assert response.status == 400
    assert_one_clean_line(caplog)
    await asyncio.sleep(0.05)
    assert fake_slack.calls == []


def envelope(event: object, **extra: object) -> str:
    return json.dumps({"type": "event_callback", "event_id": "Ev1", "event": event, **extra})


def interactive(payload: dict) -> str:
    return urlencode({"payload": json.dumps(payload)})


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (envelope("mine restanser"), "application/json"),
        (envelope(None), "application/json"),
        (envelope({"type": "message", "channel_type": "im", "channel": "DUKAB", "user": "UKAB",
                   "text": {"secret": SECRET}}), "application/json"),
        (envelope({"type": "app_mention", "user": ["UKAB"], "channel": "C1", "text": "status"}),
         "application/json"),
        (envelope({"type": "message", "user": "UKAB"}, authorizations="UBOT"), "application/json"),
        (json.dumps({"type": 5, "event_id": ["x"]}), "application/json"),
        (interactive({"type": "block_actions", "user": {"id": "UKAB"}, "actions": "guide"}), FORM),
        (interactive({"type": "block_actions", "user": {"id": "UKAB"}, "actions": [{}]}), FORM),
        (interactive({"type": "block_actions", "user": "UKAB", "actions": [{"action_id": "guide"}]}), FORM),
        (interactive({"type": "block_actions", "user": {"id": "UKAB"},
                      "actions": [{"action_id": 5, "value": {"offset": 10}}]}), FORM),
        (urlencode({"command": "/restanser", "text": "mine restanser"}), FORM),
    ],
    ids=["event-text", "event-null", "text-object", "user-list", "authorizations-text", "type-number",
         "actions-text", "action-empty", "user-text", "action-id-number", "command-without-user"],
)  # fmt: skip
async def test_a_signed_request_in_a_shape_slack_never_sends_gets_400_and_one_log_line(
    body: str, content_type: str, server: Server, fake_slack: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    response = await server.post(body, signed_headers(body, content_type=content_type))
    assert response.status == 400
    assert_one_clean_line(caplog)
    await asyncio.sleep(0.05)
    assert [c.method for c in fake_slack.calls if c.method != "auth.test"] == []


# ---- text a person wrote, echoed back -------------------------------------------------------------------------

LIVE = re.compile(
    r"<[!@#]|<https?:|<mailto:"
)  # what Slack would turn into a ping, a mention or a masked link


def live_markup(call_params: dict) -> list[str]:
    """Slack markup in the parts of a message Slack reads as mrkdwn: the fallback text and mrkdwn objects."""
    found = [call_params.get("text") or ""]

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if node.get("type") == "mrkdwn":
                found.append(str(node.get("text")))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(call_params.get("blocks") or [])
    return [text for text in found if LIVE.search(text)]


@pytest.mark.parametrize(
    "question",
    ["<!channel> hva er dette", "<!subteam^S0614TZR7|@arkivet> kan dere se", "se <https://evil.example|her>",
     "enhet <!here>", "vis <!everyone> og <mailto:a@b.no|dere>"],
)  # fmt: skip
async def test_what_a_person_wrote_is_never_posted_live_by_the_bot(
    question: str, server: Server, fake_slack: FakeSlack
) -> None:
    await server.event(direct_message(KARI[0], question))
    await server.event(mention(KARI[0], "CLMA", question))
    posts = await fake_slack.wait_for("chat.postMessage", 2)
    assert [live_markup(p.params) for p in posts] == [[], []]
    assert any("&lt;" in p["text"] or "<" in all_text(p["blocks"]) for p in posts)  # shown, not obeyed


async def test_what_a_person_wrote_is_escaped_in_slash_command_answers_too(
    server: Server, fake_slack: FakeSlack
) -> None:
    from adapters.slack.tests.fakes import slash_command

    await server.command(slash_command(KARI[0], "CLMA", "<!channel> hva er dette", fake_slack.response_url()))
    (answer,) = await fake_slack.wait_for("response_url")
    assert live_markup(answer.params) == []


# ---- Slackbot ------------------------------------------------------------------------------------------------


async def test_slackbots_own_messages_in_the_dm_get_no_answer(server: Server, fake_slack: FakeSlack) -> None:
    slackbot = direct_message("USLACKBOT", "You have been removed from #lma by <@UKAB>")
    assert (await server.event(slackbot)).status == 200
    await server.event(direct_message(KARI[0], "status"))  # a real question, to know the other is done
    (posted,) = await fake_slack.wait_for("chat.postMessage")
    assert posted["channel"] == "D" + KARI[0]
    await asyncio.sleep(0.05)
    assert len(fake_slack.calls_to("chat.postMessage")) == 1
    assert "USLACKBOT" not in [c["user"] for c in fake_slack.calls_to("users.info")]


# ---- forged buttons ----------------------------------------------------------------------------------------------


async def test_a_forged_page_offset_gets_the_last_page(
    server: Server, fake_slack: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    await server.action(button_press(KARI[0], "mine.page", str(10**23), channel="D" + KARI[0],
                                     in_home=True))  # fmt: skip
    (answer,) = await fake_slack.wait_for("chat.postMessage")
    assert "Dine restanser" in all_text(answer["blocks"]) and "gikk galt" not in all_text(answer["blocks"])
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


@pytest.mark.parametrize("action_id", ["slett.alt", "__class__", "x" * 255])
async def test_an_unknown_button_gets_the_ordinary_did_not_understand_answer(
    action_id: str, server: Server, fake_slack: FakeSlack
) -> None:
    press = button_press(KARI[0], action_id, "1", channel="CLMA", response_url=fake_slack.response_url("btn"))
    assert (await server.action(press)).status == 200
    (answer,) = await fake_slack.wait_for("response_url")
    assert answer["response_type"] == "ephemeral"
    assert "Den knappen kjenner jeg ikke igjen" in all_text(answer["blocks"])


async def test_a_button_payload_without_a_user_is_refused_quietly(
    server: Server, fake_slack: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    press = button_press(KARI[0], "guide", channel="CLMA", response_url=fake_slack.response_url())
    del press["user"]
    caplog.set_level(logging.INFO)
    response = await server.action(press)
    assert response.status < 500
    assert not [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]
    assert json.dumps(press)  # (the payload itself was well-formed JSON)
