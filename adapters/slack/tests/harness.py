"""The bot's real aiohttp app on 127.0.0.1 with the demo data, and requests signed as Slack signs them."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

import aiohttp
from aiohttp import web

from adapters.slack.tests.fakes import BOT_TOKEN, SIGNING_SECRET, FakeSlack, signed_headers
from bot.bootstrap import Platforms, bootstrap
from bot.platform import Runtime
from bot.service import Restansebot
from restanse_core.clock import OSLO, FixedClock
from restanse_core.settings import Settings

# Demo people (restanse_core.demo) and their Slack users in the fake.
KARI = ("UKAB", "kari.aune.brattas@demo.kommune.no")  # saksbehandler in LMA, 96 restanser
LIV = ("ULMLED", "liv.myhr.lyngstad@demo.kommune.no")  # leder of LMA
UNNI = ("UARK1", "unni.arkivar.aune@demo.kommune.no")  # arkiv
STRANGER = ("USTRANGER", "someone@elsewhere.example")  # in Slack, not in the directory


def slack_env(fake: FakeSlack, **extra: str) -> dict[str, str]:
    return {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "RESTANSEBOT_SLACK_API_URL": fake.api_url.rstrip("/"),  # the adapter adds the slash
        "RESTANSEBOT_SLACK_PACE_SECONDS": "0",
        **extra,
    }


@dataclass
class Server:
    """The running bot: post signed requests to it as Slack would."""

    url: str
    app: web.Application
    runtime: Runtime
    http: aiohttp.ClientSession

    @property
    def bot(self) -> Restansebot:
        return self.runtime.bot

    async def post(self, body: str, headers: dict[str, str]) -> aiohttp.ClientResponse:
        async with self.http.post(
            self.url + "/slack/events", data=body.encode(), headers=headers
        ) as response:
            await response.read()
            return response

    async def event(self, payload: dict[str, Any], **sign: Any) -> aiohttp.ClientResponse:
        body = json.dumps(payload)
        return await self.post(body, signed_headers(body, **sign))

    async def command(self, form: dict[str, str], **sign: Any) -> aiohttp.ClientResponse:
        body = urlencode(form)
        return await self.post(
            body, signed_headers(body, content_type="application/x-www-form-urlencoded", **sign)
        )

    async def action(self, payload: dict[str, Any], **sign: Any) -> aiohttp.ClientResponse:
        body = urlencode({"payload": json.dumps(payload)})
        return await self.post(
            body, signed_headers(body, content_type="application/x-www-form-urlencoded", **sign)
        )


async def start_server(
    db_url: str, env: dict[str, str], options: dict[str, Any] | None = None
) -> tuple[Server, web.AppRunner]:
    settings = Settings(database_url=db_url, public_url="http://127.0.0.1:3978")
    clock = FixedClock(datetime(2019, 12, 20, 10, 0, tzinfo=OSLO))
    runtime = bootstrap(settings, platforms=Platforms.SERVE, clock=clock, env=env, options=options)
    app = runtime.app
    assert app is not None
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    return Server(f"http://127.0.0.1:{port}", app, runtime, aiohttp.ClientSession()), runner


def all_text(blocks: list[dict]) -> str:
    """Every piece of text in a list of blocks, in order."""
    out: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("text"), str):
                out.append(node["text"])
            for value in node.values():
                if isinstance(value, dict | list):
                    walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(blocks)
    return "\n".join(out)
