"""Only Slack gets in: signatures checked by Bolt, old requests refused, and nothing secret in the logs."""

from __future__ import annotations

import asyncio
import json
import logging
import time

import pytest

from adapters.slack.redact import redact
from adapters.slack.tests.fakes import BOT_TOKEN, FakeSlack, direct_message, signed_headers
from adapters.slack.tests.harness import KARI, Server, all_text, slack_env, start_server

SECRET_TITLE = "Barnevernssak for Ola Nordmann"


async def test_a_wrong_signature_gets_401_and_runs_nothing(server: Server, fake_slack: FakeSlack) -> None:
    payload = direct_message(KARI[0], "mine restanser")
    response = await server.event(payload, secret="not-the-signing-secret")
    assert response.status == 401
    await asyncio.sleep(0.05)
    assert fake_slack.calls == []


async def test_an_old_timestamp_gets_401_and_runs_nothing(server: Server, fake_slack: FakeSlack) -> None:
    payload = direct_message(KARI[0], "mine restanser")
    response = await server.event(payload, timestamp=int(time.time()) - 10 * 60)  # a replayed request
    assert response.status == 401
    await asyncio.sleep(0.05)
    assert fake_slack.calls == []


async def test_a_body_changed_after_signing_gets_401(server: Server, fake_slack: FakeSlack) -> None:
    body = json.dumps(direct_message(KARI[0], "status"))
    headers = signed_headers(body)
    response = await server.post(body.replace("status", "oversikt"), headers)
    assert response.status == 401


async def test_the_body_of_a_rejected_request_is_not_logged(
    server: Server, fake_slack: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    payload = direct_message(KARI[0], SECRET_TITLE, token=BOT_TOKEN)
    response = await server.event(payload, secret="wrong")
    assert response.status == 401
    assert any("Invalid request signature" in r.getMessage() for r in caplog.records)  # it is still noted
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert SECRET_TITLE not in logged
    assert BOT_TOKEN not in logged


async def test_what_the_bot_sends_is_not_logged_even_when_debugging(
    server: Server, fake_slack: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)  # an operator's logging set to DEBUG
    await server.event(direct_message(KARI[0], "mine restanser"))
    (posted,) = await fake_slack.wait_for("chat.postMessage")
    assert "Faktura – purring" in all_text(posted["blocks"])  # a title went to Slack, in the DM
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "Faktura" not in logged
    assert "2017/5139-754" not in logged
    assert BOT_TOKEN not in logged


async def test_slack_can_verify_the_request_url(server: Server) -> None:
    response = await server.event({"type": "url_verification", "challenge": "abc123", "token": "legacy"})
    assert response.status == 200
    async with server.http.post(
        server.url + "/slack/events",
        data=json.dumps({"type": "url_verification", "challenge": "abc123"}).encode(),
        headers=signed_headers(json.dumps({"type": "url_verification", "challenge": "abc123"})),
    ) as again:
        assert (await again.json())["challenge"] == "abc123"


async def test_without_slack_settings_the_path_is_404_and_the_server_still_runs(db_url: str) -> None:
    running, runner = await start_server(db_url, env={})
    try:
        async with running.http.post(running.url + "/slack/events", data=b"{}") as response:
            assert response.status == 404
        async with running.http.get(running.url + "/healthz") as health:
            assert health.status == 200
            assert "slack" not in (await health.json())["platforms"]
    finally:
        await running.http.close()
        await runner.cleanup()


async def test_the_health_check_names_slack_when_it_is_set_up(server: Server) -> None:
    async with server.http.get(server.url + "/healthz") as health:
        assert health.status == 200
        assert "slack" in (await health.json())["platforms"]


def test_tokens_and_bodies_are_cut_out_of_log_messages() -> None:
    message = f"Invalid request signature detected (signature: v0=ab, timestamp: 1, body: {SECRET_TITLE})"
    assert SECRET_TITLE not in redact(message)
    assert "xoxb-" not in redact(f"token {BOT_TOKEN} was used")
    assert "xapp-1" not in redact("app token xapp-1-A0-123-abc")
    assert (
        redact("Unhandled request ({'type': 'event_callback', 'text': 'x'})")
        == "Unhandled request (innhold utelatt)"
    )
    assert redact("nothing to hide here") == "nothing to hide here"


async def test_slack_and_teams_side_by_side_each_keep_their_own_checks(
    db_url: str, fake_slack: FakeSlack
) -> None:
    teams = {
        "CONNECTIONS__SERVICE_CONNECTION__SETTINGS__CLIENTID": "00000000-0000-0000-0000-000000000001",
        "CONNECTIONS__SERVICE_CONNECTION__SETTINGS__TENANTID": "00000000-0000-0000-0000-000000000002",
        "CONNECTIONS__SERVICE_CONNECTION__SETTINGS__CLIENTSECRET": "teams-secret",
    }
    running, runner = await start_server(db_url, slack_env(fake_slack, **teams))
    try:
        async with running.http.get(running.url + "/healthz") as health:
            assert set((await health.json())["platforms"]) >= {"slack", "teams"}
        async with running.http.post(running.url + "/api/messages", json={"type": "message"}) as no_jwt:
            assert no_jwt.status == 401  # Teams' JWT check, on its own path
        response = await running.event(direct_message(KARI[0], "status"))  # no JWT: Slack signs instead
        assert response.status == 200
        (posted,) = await fake_slack.wait_for("chat.postMessage")
        assert posted["channel"] == "D" + KARI[0]
    finally:
        await running.http.close()
        await runner.cleanup()
        running.runtime.engine.dispose()


async def test_with_only_a_bot_token_the_bot_sends_but_does_not_listen(
    db_url: str, fake_slack: FakeSlack
) -> None:
    env = {"SLACK_BOT_TOKEN": BOT_TOKEN, "RESTANSEBOT_SLACK_API_URL": fake_slack.api_url}
    running, runner = await start_server(db_url, env)
    try:
        async with running.http.post(running.url + "/slack/events", data=b"{}") as response:
            assert response.status == 404
        assert "slack" in running.runtime.senders
    finally:
        await running.http.close()
        await runner.cleanup()
        running.runtime.engine.dispose()
