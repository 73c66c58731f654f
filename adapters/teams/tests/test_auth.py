"""Who may talk to /api/messages: a Bot Framework token when credentials are set; loopback only when anonymous.

Tokens are minted here with a local RSA key; the SDK fetches signing keys through PyJWT's JWK client, whose
download is replaced by the local key set, so nothing leaves the machine.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import jwt
import pytest
from aiohttp import web
from cryptography.hazmat.primitives.asymmetric import rsa

from adapters.teams.app import attach
from adapters.teams.config import TeamsConfig
from adapters.teams.tests.conftest import ANONYMOUS, KARI, make_runtime, start_server
from adapters.teams.tests.fakes import FakeConnector, TokenlessClientFactory, activity
from bot.bootstrap import Platforms
from restanse_core.errors import UserError

APP_ID = "5e6f7a8b-1111-4222-8333-944455556666"
TENANT_ID = "0a1b2c3d-1111-4222-8333-944455556666"
CREDENTIALS = {
    "CONNECTIONS__SERVICE_CONNECTION__SETTINGS__CLIENTID": APP_ID,
    "CONNECTIONS__SERVICE_CONNECTION__SETTINGS__CLIENTSECRET": "not-a-real-secret",
    "CONNECTIONS__SERVICE_CONNECTION__SETTINGS__TENANTID": TENANT_ID,
}
BOT_FRAMEWORK = "https://api.botframework.com"
KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OTHER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
JWKS = {"keys": [{**jwt.algorithms.RSAAlgorithm.to_jwk(KEY.public_key(), as_dict=True),
                  "kid": "test-key", "use": "sig", "alg": "RS256"}]}  # fmt: skip


@pytest.fixture(autouse=True)
def local_signing_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(jwt.PyJWKClient, "fetch_data", lambda self: JWKS)


def token(
    service_url: str, *, key: Any = KEY, kid: str = "test-key", aud: str = APP_ID, exp: float = 3600
) -> str:
    now = int(time.time())
    claims = {"iss": BOT_FRAMEWORK, "aud": aud, "nbf": now - 5, "exp": now + exp, "serviceurl": service_url}
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": kid})


async def teams_only(engine, env: dict[str, str], **overrides: Any):
    """A server with just the Teams route, built with test doubles for MSAL and the serviceUrl check."""
    runtime = make_runtime(engine, env, platforms=Platforms.NONE)
    app = web.Application()
    attach(app, runtime, TeamsConfig.from_env(env), **overrides)
    return await start_server(app, runtime)


def bad_headers(url: str) -> list[tuple[str, dict[str, str]]]:
    return [
        ("no header", {}),
        ("not bearer", {"Authorization": "Basic dXNlcjpwYXNz"}),
        ("empty bearer", {"Authorization": "Bearer "}),
        ("garbage", {"Authorization": "Bearer not.a.jwt"}),
        ("someone else's key", {"Authorization": "Bearer " + token(url, key=OTHER_KEY, kid="other-key")}),
        ("forged with a known kid", {"Authorization": "Bearer " + token(url, key=OTHER_KEY)}),
        (
            "another bot's audience",
            {"Authorization": "Bearer " + token(url, aud="11111111-2222-4333-8444-555555555555")},
        ),
        ("expired", {"Authorization": "Bearer " + token(url, exp=-3600)}),
    ]


async def test_with_credentials_a_request_without_a_valid_token_gets_401(serve, connector: FakeConnector):
    server = await serve(CREDENTIALS)
    body = activity("mine restanser", service_url=connector.url)
    statuses = {
        name: (await server.post(body, headers)).status for name, headers in bad_headers(connector.url)
    }
    assert statuses == dict.fromkeys(statuses, 401)
    assert connector.calls == []


async def test_with_credentials_a_valid_token_is_answered_with_the_bots_own_token(engine, connector):
    server = await teams_only(engine, CREDENTIALS, client_factory=TokenlessClientFactory(),
                              host_validator=_no_host_check())  # fmt: skip
    try:
        response = await server.post(
            activity("mine restanser", service_url=connector.url),
            {"Authorization": "Bearer " + token(connector.url)},
        )
    finally:
        await server.stop()
    assert response.status == 202
    assert [c.authorization for c in connector.calls] == ["Bearer outbound-test-token"] * 2  # look-up, reply
    assert "Dine restanser" in connector.activities[0].text


async def test_with_credentials_a_service_url_outside_microsoft_is_refused(engine, connector):
    server = await teams_only(engine, CREDENTIALS, client_factory=TokenlessClientFactory())
    try:
        response = await server.post(
            activity("mine restanser", service_url=connector.url),
            {"Authorization": "Bearer " + token(connector.url)},
        )
    finally:
        await server.stop()
    assert response.status == 401 and connector.calls == []


async def test_the_token_check_guards_the_teams_route_only(engine, connector):
    runtime = make_runtime(engine, dict(CREDENTIALS))
    app = runtime.app
    assert app is not None

    async def slack_events(request: web.Request) -> web.Response:  # stands for the Slack adapter's route
        return web.json_response({"ok": True})

    app.router.add_post("/slack/events", slack_events)
    app.router.add_post("/api/other", slack_events)
    server = await start_server(app, runtime)
    try:
        assert (await server.post(activity(service_url=connector.url))).status == 401
        async with server.session.get(server.url + "/healthz") as health:
            assert health.status == 200 and (await health.json())["platforms"] == ["teams"]
        async with server.session.get(server.url + "/guide") as guide:
            assert guide.status == 200
        for path in ("/slack/events", "/api/other"):
            async with server.session.post(server.url + path, json={}) as other:
                assert other.status == 200, path
    finally:
        await server.stop()


async def test_anonymous_mode_answers_no_activity_with_a_service_url_off_this_machine(server, connector):
    for url in (
        "http://203.0.113.7:3978/",
        "https://smba.trafficmanager.net/emea/",
        "http://127.0.0.1.example.org/",
    ):
        response = await server.post(activity("mine restanser", service_url=url))
        assert response.status == 401, url
    assert connector.calls == []
    assert (await server.post(activity("mine restanser", service_url=connector.url))).status == 202


async def test_anonymous_mode_with_credentials_refuses_to_start(engine):
    with pytest.raises(UserError, match="kan ikke kombineres med legitimasjon"):
        make_runtime(engine, {**ANONYMOUS, **CREDENTIALS})


async def test_anonymous_mode_refuses_to_listen_beyond_loopback(engine):
    with pytest.raises(UserError, match="lytter bare på loopback"):
        make_runtime(engine, dict(ANONYMOUS), host="0.0.0.0")


async def test_anonymous_mode_says_so_loudly_at_start(engine, caplog):
    with caplog.at_level(logging.WARNING, logger="restansebot.teams"):
        make_runtime(engine, dict(ANONYMOUS))
    assert "TEAMS KJØRER I ANONYM MODUS" in caplog.text


async def test_without_teams_settings_the_teams_path_answers_404(serve, connector):
    server = await serve({})
    assert (await server.post(activity(service_url=connector.url))).status == 404
    async with server.session.get(server.url + "/healthz") as health:
        assert health.status == 200 and "teams" not in (await health.json())["platforms"]
    assert connector.calls == []


async def test_a_token_is_checked_even_in_anonymous_mode(server, connector):
    headers = {"Authorization": "Bearer " + token(connector.url, key=OTHER_KEY, kid="other-key")}
    assert (await server.post(activity(service_url=connector.url), headers)).status == 401
    assert KARI[0] not in str(connector.calls)


def _no_host_check():
    from microsoft_agents.hosting.core import OutboundHostValidator

    return OutboundHostValidator(enabled=False)


async def test_a_setting_the_sdk_rejects_stops_the_start_with_a_message(engine):
    env = {**CREDENTIALS, "CONNECTIONS__SERVICE_CONNECTION__SETTINGS__AUTHTYPE": "certificate"}
    with pytest.raises(UserError, match="CERT_PFX_FILE"):
        make_runtime(engine, env)


async def test_the_server_starts_with_teams_and_slack_together(serve, connector):
    pytest.importorskip("adapters.slack", reason="the Slack adapter is not in this tree")
    slack = {"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": "test-secret",
             "RESTANSEBOT_SLACK_API_URL": "http://127.0.0.1:9/api/"}  # fmt: skip
    server = await serve({**ANONYMOUS, **slack})
    async with server.session.get(server.url + "/healthz") as health:
        assert (await health.json())["platforms"] == ["slack", "teams"]
    assert (await server.post(activity("status", service_url=connector.url))).status == 202
    assert "Status" in connector.activities[-1].text
