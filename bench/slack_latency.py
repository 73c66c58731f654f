"""Slack: from a signed `message.im` event entering the server to the reply arriving at the Web API.

    python -m bench.large                       # once: bench/data/large.db (two snapshots of 1,000,000)
    python -m bench.slack_latency [--requests 1000] [--users 200] [--processes] [URL]

The server under test is the bot's real aiohttp server (`bot.server.build_app` with the Slack adapter
mounted). This process holds the fake Slack Web API from the adapter's tests and a client that signs each
event as Slack does and posts it to the server, one request at a time. The time runs from just before the
event is posted to the moment the fake Web API receives the chat.postMessage with the reply (one clock:
both ends are in this process). By default the servers run in this process's event loop too; with
`--processes` each runs in a process of its own, as in production (and as bench/teams_latency.py does).

Three servers, the same requests, interleaved (so that other work on the machine weighs on all alike):
- floor: a bare Bolt AsyncApp whose handler replies a constant text (same signing check, auth, one
  client session);
- adapter: Restansebot's Slack adapter with the bot's answer replaced by a constant (the real reply to
  one person): what the adapter itself costs — identity, de-duplication, rendering, the thread hop;
- full: the adapter and the real bot answering «mine restanser» from the million-restanse snapshot.

Each asker (drawn from the directory) writes once before the timing starts, so identities are known:
the timed requests are the steady state, in which nothing is written to the database.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import random
import statistics
import sys
import time
from dataclasses import dataclass
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

from adapters.slack.tests.fakes import (
    BOT_TOKEN,
    SIGNING_SECRET,
    Call,
    FakeSlack,
    direct_message,
    signed_headers,
)

DATA = Path(__file__).resolve().parent / "data"
DEFAULT_URL = f"sqlite:///{DATA / 'large.db'}"
TEXT = "mine restanser"
KINDS = ("floor", "adapter", "full")


# ---- the servers under test (each in a process of its own) ----------------------------------------------------


def bare_bolt(api_url: str) -> web.Application:
    from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
    from slack_bolt.app.async_app import AsyncApp
    from slack_sdk.web.async_client import AsyncWebClient

    client = AsyncWebClient(token=BOT_TOKEN, base_url=api_url)
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
    return app


def restansebot_app(url: str, api_url: str, *, constant: bool) -> web.Application:
    from bot.platform import Runtime
    from bot.replies import Answer, Place
    from bot.server import build_app
    from bot.service import Restansebot
    from bot.store import migrate_schema
    from restanse_core.clock import SystemClock
    from restanse_core.settings import Settings
    from restanse_core.store import make_engine

    settings = Settings(database_url=url, public_url="http://127.0.0.1:3978")
    engine = make_engine(url)
    migrate_schema(engine)
    bot = Restansebot(engine, settings, SystemClock())
    env = {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "RESTANSEBOT_SLACK_API_URL": api_url,
    }
    runtime = Runtime(settings=settings, engine=engine, bot=bot, clock=SystemClock(),
                      public_url=settings.public_url or "", env=env)  # fmt: skip
    if constant:
        someone = next(iter(bot.org.people.values()))
        fixed: Answer = bot.answer(TEXT, someone, Place.DIRECT)
        bot.answer = lambda text, asker, place=Place.DIRECT: fixed  # type: ignore[method-assign]
    return build_app(runtime)


def run_server(kind: str, url: str, api_url: str, ports: Any) -> None:
    """The child process: serve on a free port, say which, and run until terminated."""

    async def serve() -> None:
        app = (
            bare_bolt(api_url)
            if kind == "floor"
            else restansebot_app(url, api_url, constant=kind == "adapter")
        )
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        ports.put((kind, site._server.sockets[0].getsockname()[1]))  # type: ignore[union-attr]
        await asyncio.Event().wait()

    asyncio.run(serve())


# ---- this process: the fake Slack and the client ----------------------------------------------------------------


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
    """One server under test, with its own fake Slack."""

    name: str
    fake: FakeSlack
    arrivals: Arrivals
    process: BaseProcess | None = None
    url: str = ""


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
    call = await asyncio.wait_for(arrived, 60)
    return call.at - started


def summary(name: str, timings: list[float]) -> dict[str, Any]:
    ms = sorted(t * 1000 for t in timings)
    return {
        "name": name,
        "p50": statistics.median(ms),
        "p95": ms[max(0, round(0.95 * len(ms)) - 1)],
        "p99": ms[max(0, round(0.99 * len(ms)) - 1)],
        "mean": statistics.fmean(ms),
    }


def askers(url: str, count: int) -> dict[str, str]:
    """Slack user id → e-mail for `count` people drawn from the directory."""
    from restanse_core.store import make_engine, repository

    engine = make_engine(url)
    with engine.connect() as conn:
        people = sorted((p for p in repository.load_organisation(conn).people.values() if p.email),
                        key=lambda p: p.initials)  # fmt: skip
    engine.dispose()
    chosen = random.Random(4).sample(people, min(count, len(people)))
    return {"U" + p.initials: str(p.email) for p in chosen}


async def serve_here(kind: str, url: str, api_url: str) -> tuple[str, web.AppRunner]:
    app = bare_bolt(api_url) if kind == "floor" else restansebot_app(url, api_url, constant=kind == "adapter")
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    return f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}/slack/events", runner  # type: ignore[union-attr]


async def main_async(url: str, requests: int, user_count: int, processes: bool) -> list[dict[str, Any]]:
    emails = askers(url, user_count)
    users = list(emails)
    random.Random(5).shuffle(users)
    context = multiprocessing.get_context("spawn")
    ports = context.Queue()
    harnesses: list[Harness] = []
    runners: list[web.AppRunner] = []
    try:
        for kind in KINDS:
            arrivals = Arrivals()
            fake = await FakeSlack().start()
            fake.on_call = arrivals
            for user, email in emails.items():
                fake.add_user(user, email)
            harness = Harness(kind, fake, arrivals)
            harnesses.append(harness)
            if processes:
                harness.process = context.Process(
                    target=run_server, args=(kind, url, fake.api_url, ports), daemon=True
                )
                harness.process.start()
            else:
                harness.url, runner = await serve_here(kind, url, fake.api_url)
                runners.append(runner)
        for _ in KINDS if processes else ():
            kind, port = await asyncio.to_thread(ports.get, True, 600)
            next(h for h in harnesses if h.name == kind).url = f"http://127.0.0.1:{port}/slack/events"
        timings: dict[str, list[float]] = {h.name: [] for h in harnesses}
        async with aiohttp.ClientSession() as http:
            for harness in harnesses:  # every asker once: identities known, caches warm
                for user in users:
                    await one_request(http, harness, user)
            for i in range(requests):
                user = users[i % len(users)]
                for harness in harnesses[i % 3 :] + harnesses[: i % 3]:
                    timings[harness.name].append(await one_request(http, harness, user))
    finally:
        for runner in runners:
            await runner.cleanup()
        for harness in harnesses:
            if harness.process is not None:
                harness.process.terminate()
                harness.process.join(10)
            await harness.fake.stop()
    return [summary(h.name, timings[h.name]) for h in harnesses]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("url", nargs="?", default=DEFAULT_URL)
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--users", type=int, default=200, help="how many different people ask")
    parser.add_argument("--processes", action="store_true", help="each server in a process of its own")
    args = parser.parse_args(argv)
    if args.url == DEFAULT_URL and not (DATA / "large.db").exists():
        from bench.large import build_large_database

        print("Bygger bench/data/large.db (to lister à 1 000 000 restanser) …", file=sys.stderr)
        DATA.mkdir(parents=True, exist_ok=True)
        build_large_database(args.url)
    results = asyncio.run(main_async(args.url, args.requests, args.users, args.processes))
    floor = float(results[0]["p95"])
    print(f"{'':10} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'mean ms':>8} {'p95/floor':>10}")
    for r in results:
        print(f"{r['name']:10} {r['p50']:8.2f} {r['p95']:8.2f} {r['p99']:8.2f} {r['mean']:8.2f} "
              f"{r['p95'] / floor:10.2f}")  # fmt: skip


if __name__ == "__main__":
    main()
