"""What an attacker or a careless client sends to /api/messages: refused with a 4xx and one log line, never a
500 and a traceback; Microsoft's own documented channel shapes never get a person's titles in the channel."""

from __future__ import annotations

import base64
import json
import logging
from typing import Any

import pytest

from adapters.teams.tests import recorded
from adapters.teams.tests.conftest import KARI, Server
from adapters.teams.tests.fakes import FakeConnector, activity
from adapters.teams.tests.test_auth import CREDENTIALS
from adapters.teams.tests.test_privacy import leaks, own_count, sensitive_strings

SECRET = "Barnevernssak for Ola Nordmann"  # stands for anything a body might carry that must not reach a log
MEETING = {"isGroup": True, "tenantId": "e15762ef-a8d8-416b-871c-25516354f1fe",
           "id": "19:meeting_MWJlNGViOTgtMGExYi00NDA3LWExODgtOTZhMWNlYjM4ZTRj@thread.v2"}  # fmt: skip


def warnings_and_worse(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.levelno >= logging.WARNING]


def assert_one_clean_line(caplog: pytest.LogCaptureFixture) -> str:
    [record] = warnings_and_worse(caplog)
    message = record.getMessage()
    assert record.exc_info is None and "\n" not in message and "Traceback" not in message
    assert SECRET not in message and KARI[0] not in message
    return message


# ---- privacy: channel activities in Microsoft's documented shapes ------------------------------------------


@pytest.mark.parametrize(
    ("name", "changes"),
    [
        ("message_channel_mention_legacy.json", {}),  # 19:…;messageid=…, no channelData, no conversationType
        ("message_back_channel_legacy.json", {}),  # channelData.channel and .team, no conversationType
        ("message_personal.json", {"conversation": MEETING, "channelData": {}}),  # a meeting chat (isGroup)
        ("message_personal.json", {"conversation": {"id": "19:a1b2c3@thread.v2"}, "channelData": {}}),
    ],
    ids=["mention-legacy", "messageback-legacy", "meeting-isgroup", "bare-19-id"],
)
async def test_a_channel_activity_without_conversation_type_never_gets_titles_in_the_channel(
    name: str, changes: dict[str, Any], server: Server, connector: FakeConnector, engine
):
    body = recorded.load(name, service_url=connector.url, text="mine restanser", from_id=KARI[0], **changes)
    response = await server.post(body)
    assert response.status in (200, 202)
    where = recorded.conversation_id(body)
    in_channel = connector.sent_to(where)
    assert len(in_channel) == 1 and "sendt deg svaret privat" in in_channel[0].text
    assert leaks(in_channel, sensitive_strings(engine, initials="KAB")) == set()
    assert f"{own_count(engine, 'KAB')} restanser" not in in_channel[0].text
    [private] = [c for c in connector.activities if c.conversation != where]
    assert "Dine restanser" in private.text  # the whole answer went to Kari alone


# ---- activities without a reply address --------------------------------------------------------------------


@pytest.mark.parametrize("spelling", [None, "serviceURL"])
async def test_an_activity_without_service_url_is_refused_with_400_and_one_log_line(
    spelling: str | None, server: Server, connector: FakeConnector, caplog: pytest.LogCaptureFixture
):
    body = activity(SECRET, service_url=connector.url)
    url = body.pop("serviceUrl")
    if spelling:
        body[spelling] = url
    caplog.set_level(logging.INFO)
    response = await server.post(body)
    assert response.status == 400
    assert "serviceUrl" in assert_one_clean_line(caplog)
    assert connector.calls == []


# ---- deliveryMode expectReplies (Microsoft's test tools) --------------------------------------------------


async def test_with_expect_replies_a_person_in_the_directory_is_recognised(
    server: Server, connector: FakeConnector
):
    body = {**activity("mine restanser", service_url=connector.url), "deliveryMode": "expectReplies"}
    async with server.session.post(server.url + "/api/messages", json=body) as response:
        assert response.status == 200
        replies = json.dumps((await response.json())["activities"], ensure_ascii=False)
    assert "Dine restanser" in replies and "finner deg ikke" not in replies
    assert [c.path for c in connector.calls] == [f"/v3/conversations/a:kari/members/{KARI[0]}"]  # asked once
    body["id"] = "1700000000002"
    async with server.session.post(server.url + "/api/messages", json=body) as again:
        assert "Dine restanser" in json.dumps(await again.json(), ensure_ascii=False)
    assert len(connector.lookups) == 1  # then remembered, as in an ordinary turn


async def test_the_agents_sdk_test_tools_payload_is_answered_for_the_person_it_names(
    server: Server, connector: FakeConnector
):
    body = recorded.load("message_expect_replies_testing_tool.json", service_url=connector.url,
                         text="mine restanser")  # fmt: skip
    connector.member(body["from"]["id"], KARI[1], name="Kari Aune Brattås")
    async with server.session.post(server.url + "/api/messages", json=body) as response:
        assert response.status == 200
        assert "Dine restanser" in json.dumps(await response.json(), ensure_ascii=False)


# ---- malformed requests ------------------------------------------------------------------------------------


def unsigned_token(service_url: str) -> str:
    def part(value: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    claims = {"iss": "https://api.botframework.com", "aud": "any", "serviceurl": service_url}
    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}."


@pytest.mark.parametrize(
    "raw", [b"[]", b"{}", b"not json", b'{"type": "message"}', json.dumps({"type": 5, "text": SECRET}).encode(),
            json.dumps({"type": "message", "conversation": {"id": "a:1"}, "from": SECRET}).encode()],
    ids=["list", "empty-object", "not-json", "no-conversation", "type-not-text", "from-not-object"],
)  # fmt: skip
async def test_a_body_that_is_not_an_activity_gets_400_and_one_log_line(
    raw: bytes, server: Server, connector: FakeConnector, caplog: pytest.LogCaptureFixture
):
    caplog.set_level(logging.INFO)
    async with server.session.post(
        server.url + "/api/messages", data=raw, headers={"Content-Type": "application/json"}
    ) as response:
        assert response.status == 400
    assert_one_clean_line(caplog)
    assert connector.calls == []


def without(body: dict[str, Any], key: str) -> dict[str, Any]:
    return {k: v for k, v in body.items() if k != key}


REFUSED = {  # activities Teams never sends: refused before the SDK meets them
    "from-without-id": lambda b: {**b, "from": {"name": SECRET}},
    "no-from": lambda b: without(b, "from"),
    "no-recipient": lambda b: without(b, "recipient"),
    "service-url-not-http": lambda b: {**b, "serviceUrl": "ftp://127.0.0.1/"},
    "service-url-not-a-url": lambda b: {**b, "serviceUrl": "http://[::1"},
    "delivery-mode-stream": lambda b: {**b, "deliveryMode": "stream"},
    "installation-action-number": lambda b: {**b, "type": "installationUpdate", "action": 5},
}
ANSWERED = {  # odd but well-formed: answered, or quietly ignored, without an error
    "value-text": lambda b: {**b, "value": "mine.page"},
    "value-odd-types": lambda b: {**b, "value": {"restansebot": ["x"], "value": {"a": 1}}},
    "page-without-value": lambda b: {**b, "value": {"restansebot": "mine.page", "value": None}},
    "channel-data-text": lambda b: {**b, "channelData": "x"},
    "channel-data-odd-types": lambda b: {**b, "channelData": {"team": "x", "channel": ["y"], "tenant": 5}},
    "unknown-conversation-type": lambda b: {**b, "conversation": {"id": "a:kari", "conversationType": "meeting"}},
    "mention-without-fields": lambda b: {**b, "entities": [{"type": "mention"}]},
    "very-long-text": lambda b: {**b, "text": "x" * 200_000},
    "member-removed-without-id": lambda b: {**b, "type": "conversationUpdate", "membersRemoved": [{}]},
    "card-action-value-text": lambda b: {**b, "type": "invoke", "name": "adaptiveCard/action", "value": "x"},
    "card-action-odd": lambda b: {**b, "type": "invoke", "name": "adaptiveCard/action",
                                  "value": {"action": {"data": {"restansebot": "nope"}}}},
    "unknown-activity-type": lambda b: {**b, "type": "somethingNew"},
}  # fmt: skip


@pytest.mark.parametrize("change", list(REFUSED.values()), ids=list(REFUSED))
async def test_an_activity_teams_never_sends_is_refused_with_400_and_one_log_line(
    change, server: Server, connector: FakeConnector, caplog: pytest.LogCaptureFixture
):
    caplog.set_level(logging.INFO)
    response = await server.post(change(activity("mine restanser", service_url=connector.url)))
    assert response.status == 400
    assert_one_clean_line(caplog)
    assert connector.calls == []


@pytest.mark.parametrize("change", list(ANSWERED.values()), ids=list(ANSWERED))
async def test_an_odd_but_well_formed_activity_is_handled_without_an_error(
    change, server: Server, connector: FakeConnector, caplog: pytest.LogCaptureFixture
):
    response = await server.post(change(activity("mine restanser", service_url=connector.url)))
    assert response.status in (200, 202)
    assert recorded.problems(caplog.records) == []


@pytest.mark.parametrize("env", ["anonymous", "credentials"])
async def test_an_unsigned_alg_none_token_gets_401_and_one_log_line(
    env: str, serve, connector: FakeConnector, caplog: pytest.LogCaptureFixture
):
    server = await serve(None if env == "anonymous" else CREDENTIALS)
    caplog.set_level(logging.INFO)
    caplog.clear()  # the start's own warnings (anonymous mode says so loudly)
    response = await server.post(
        activity("mine restanser", service_url=connector.url),
        {"Authorization": "Bearer " + unsigned_token(connector.url)},
    )
    assert response.status == 401
    assert "RS256" in assert_one_clean_line(caplog)
    assert connector.calls == []


# ---- forged button values -----------------------------------------------------------------------------------


async def test_a_forged_page_offset_gets_the_last_page_not_an_error(say, caplog: pytest.LogCaptureFixture):
    [reply] = await say(None, value={"restansebot": "mine.page", "value": str(10**23)})
    assert "Dine restanser" in reply.text and "Noe gikk galt" not in reply.text
    assert recorded.problems(caplog.records) == []


@pytest.mark.parametrize("action", ["slett.alt", "__class__", "Mine.page", "x" * 300])
async def test_an_unknown_button_gets_the_ordinary_did_not_understand_answer(
    action: str, say, caplog: pytest.LogCaptureFixture
):
    [reply] = await say(None, value={"restansebot": action, "value": "1"})
    assert "Den knappen kjenner jeg ikke igjen" in reply.text and "Skriv «hjelp»" in reply.text
    assert recorded.problems(caplog.records) == []
