"""Slack: from a signed `message.im` event entering the server to the reply arriving at the Web API.

    python -m bench.large                       # once: bench/data/large.db (two snapshots of 1,000,000)
    python -m bench.slack_latency [--requests 1000] [--users 200] [URL]

Everything runs on 127.0.0.1 in one event loop: the bot's real aiohttp server (`bot.server.build_app`
with the Slack adapter mounted), the fake Slack Web API from the adapter's tests, and a client that
signs each event as Slack does and posts it. One request at a time; the time is taken from just before
the event is posted to the moment the fake Web API receives chat.postMessage.

Three harnesses, the same requests:
- floor: a bare Bolt AsyncApp whose handler replies a constant text (same signing, auth, client session);
- adapter: Restansebot's Slack adapter with the bot's answer replaced by a constant (the real reply to
  one person): what the adapter itself costs — identity, de-duplication, rendering, the thread hop;
- full: the adapter and the real bot answering "mine restanser" from the million-restanse snapshot.

Each asker (drawn from the directory) writes once before the timing starts, so identities are known:
the timed requests are the steady state, in which nothing is written to the database.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import random
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.app.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

import bot.store  # noqa: F401  (the bot's migrations)
from adapters.slack.tests.fakes import (
    BOT_TOKEN,
    SIGNING_SECRET,
    Call,
    FakeSlack,
    direct_message,
    signed_headers,
)
from bench.large import build_large_database
from bot.platform import Runtime
from bot.replies import Answer, Place
from bot.server import build_app
from bot.service import Restansebot
from restanse_core.clock import SystemClock
from restanse_core.settings import Settings
from restanse_core.store import make_engine, migrate, repository

DATA = Path(__file__).resolve().parent / "data"
DEFAULT_URL = f"sqlite:///{DATA / 'large.db'}"
TEXT = "mine restanser"


class Arrivals:
    """Hands each chat.postMessage arriving at the fake to whoever waits for it (no scanning of the call log)."""

    def __init__(self) -> None:
        self.waiting: asyncio.Future[Call] | None = None

    def __call__(self, call: Call) -> None:
        if call.method == "chat.postMessage" and self.waiting is not None and not self.waiting.done():
            self.waiting.set_result(call)

    def expect(self) -> asyncio.Future[Call]:
        self.waiting = asyncio.get_running_loop().create_future()
        return self.waiting


@dataclass
class Harness:
    """One server under test with its own fake Slack."""

    name: str
    url: str
    fake: FakeSlack
    runner: web.AppRunner
    arrivals: Arrivals


async def start(name: str, make: Callable[[FakeSlack], web.Application], emails: dict[str, str]) -> Harness:
    arrivals = Arrivals()
    fake = await FakeSlack().start()
    fake.on_call = arrivals
    for user, email in emails.items():
        fake.add_user(user, email)
    runner = web.AppRunner(make(fake), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    return Harness(name, f"http://127.0.0.1:{port}/slack/events", fake, runner, arrivals)


async def one_request(http: aiohttp.ClientSession, harness: Harness, user: str) -> float:
    """Seconds from posting a signed event to its reply reaching the fake Web API."""
    body = json.dumps(direct_message(user, TEXT))
    headers = signed_headers(body)
    arrived = harness.arrivals.expect()
    started = time.perf_counter()
    async with http.post(harness.url, data=body.encode(), headers=headers) as response:
        await response.read()
        if response.status != 200:
            raise SystemExit(f"{harness.name}: the server answered {response.status}")
    call = await asyncio.wait_for(arrived, 30)
    return call.at - started


def bare_bolt(fake: FakeSlack) -> tuple[web.Application, AsyncWebClient]:
    client = AsyncWebClient(token=BOT_TOKEN, base_url=fake.api_url)
    bolt = AsyncApp(client=client, signing_secret=SIGNING_SECRET, name="floor")

    @bolt.event("message")
    async def reply(event: dict[str, Any], client: AsyncWebClient) -> None:
        await client.chat_postMessage(channel=event["channel"], text="Hei!")

    async def handle(request: web.Request) -> web.Response:
        return await to_aiohttp_response(await bolt.async_dispatch(await to_bolt_request(request)))

    async def start(_: web.Application) -> None:
        client.session = aiohttp.ClientSession()

    async def stop(_: web.Application) -> None:
        if client.session is not None:
            await client.session.close()

    app = web.Application()
    app.router.add_post("/slack/events", handle)
    app.on_startup.append(start)
    app.on_cleanup.append(stop)
    return app, client


def restansebot_app(url: str, fake: FakeSlack, constant: bool) -> web.Application:
    settings = Settings(database_url=url, public_url="http://127.0.0.1:3978")
    engine = make_engine(url)
    migrate(engine)
    bot = Restansebot(engine, settings, SystemClock())
    env = {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "RESTANSEBOT_SLACK_API_URL": fake.api_url,
    }
    runtime = Runtime(settings=settings, engine=engine, bot=bot, clock=SystemClock(),
                      public_url=settings.public_url or "", env=env)  # fmt: skip
    if constant:
        someone = next(iter(bot.org.people.values()))
        fixed: Answer = bot.answer(TEXT, someone, Place.DIRECT)
        bot.answer = lambda text, asker, place=Place.DIRECT: fixed  # type: ignore[method-assign]
    return build_app(runtime)


def summary(name: str, timings: list[float]) -> dict[str, float | str]:
    ms = sorted(t * 1000 for t in timings)
    return {
        "name": name,
        "p50": statistics.median(ms),
        "p95": ms[max(0, round(0.95 * len(ms)) - 1)],
        "p99": ms[max(0, round(0.99 * len(ms)) - 1)],
        "mean": statistics.fmean(ms),
    }


async def main_async(
    url: str, requests: int, user_count: int, freeze_gc: bool = False
) -> list[dict[str, float | str]]:
    engine = make_engine(url)
    migrate(engine)
    with engine.connect() as conn:
        people = [p for p in repository.load_organisation(conn).people.values() if p.email]
    engine.dispose()
    rng = random.Random(4)
    chosen = rng.sample(people, min(user_count, len(people)))
    emails = {"U" + p.initials: str(p.email) for p in chosen}
    users = list(emails)
    rng.shuffle(users)
    harnesses = [
        await start("floor", lambda fake: bare_bolt(fake)[0], emails),
        await start("adapter", lambda fake: restansebot_app(url, fake, constant=True), emails),
        await start("full", lambda fake: restansebot_app(url, fake, constant=False), emails),
    ]
    timings: dict[str, list[float]] = {h.name: [] for h in harnesses}
    try:
        async with aiohttp.ClientSession() as http:
            for harness in harnesses:  # every asker once: identities known, caches warm
                for user in users:
                    await one_request(http, harness, user)
            if freeze_gc:  # what is loaded by now lives as long as the process: keep the collector off it
                gc.collect()
                gc.freeze()
            # Interleaved, so that whatever else the machine is doing weighs on all three alike.
            for i in range(requests):
                user = users[i % len(users)]
                for harness in harnesses[i % 3 :] + harnesses[: i % 3]:
                    timings[harness.name].append(await one_request(http, harness, user))
            # CPU time per request (client, server and fake together), one harness at a time: the figure
            # that other work on the machine does not move.
            cpu: dict[str, float] = {}
            for harness in harnesses:
                started = time.process_time()
                for i in range(requests):
                    await one_request(http, harness, users[i % len(users)])
                cpu[harness.name] = (time.process_time() - started) / requests
    finally:
        for harness in harnesses:
            await harness.runner.cleanup()
            await harness.fake.stop()
    return [{**summary(h.name, timings[h.name]), "cpu": cpu[h.name] * 1000} for h in harnesses]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("url", nargs="?", default=DEFAULT_URL)
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--users", type=int, default=200, help="how many different people ask")
    parser.add_argument(
        "--freeze-gc", action="store_true", help="gc.freeze() after the warm-up (an experiment)"
    )
    args = parser.parse_args(argv)
    if args.url == DEFAULT_URL and not (DATA / "large.db").exists():
        print("Bygger bench/data/large.db (to lister à 1 000 000 restanser) …", file=sys.stderr)
        DATA.mkdir(parents=True, exist_ok=True)
        build_large_database(args.url)
    results = asyncio.run(main_async(args.url, args.requests, args.users, args.freeze_gc))
    floor = float(results[0]["p95"])
    print(f"{'':10} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'mean ms':>8} {'p95/floor':>10} {'CPU ms':>8}")
    for r in results:
        print(f"{r['name']:10} {r['p50']:8.2f} {r['p95']:8.2f} {r['p99']:8.2f} {r['mean']:8.2f} "
              f"{float(r['p95']) / floor:10.2f} {r['cpu']:8.2f}")  # fmt: skip


if __name__ == "__main__":
    main()
