"""Teams answer latency: from an activity entering /api/messages to the reply arriving at the connector.

    python bench/teams_latency.py                  # builds bench/data/teams_large.db on first run (1M restanser)
    python bench/teams_latency.py --requests 1000 --people 200

Three servers, each in its own process, measured by the same harness (client and fake Bot Framework connector
in this process, on 127.0.0.1): a bare Agents SDK handler that replies a constant text (the floor), and
`restansebot serve` (anonymous Teams) answering «status» and «mine restanser» over a snapshot of a million
restanser. Requests go one at a time; each is timed from just before the POST to the reply's arrival.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import random
import socket
import statistics
import sys
import time
from pathlib import Path

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from adapters.teams.tests.fakes import FakeConnector, activity

DATA = Path(__file__).resolve().parent / "data"
ANONYMOUS = {"CONNECTIONS__SERVICE_CONNECTION__SETTINGS__ANONYMOUS_ALLOWED": "true"}


# ---- the floor: a bare Agents SDK handler, shaped like the SDK's own samples -------------------------------


def run_floor_server(port: int) -> None:
    from aiohttp import web
    from microsoft_agents.activity import load_configuration_from_env
    from microsoft_agents.authentication.msal import MsalConnectionManager
    from microsoft_agents.hosting.aiohttp import (
        CloudAdapter,
        jwt_authorization_middleware,
        start_agent_process,
    )
    from microsoft_agents.hosting.core import AgentApplication, MemoryStorage, TurnContext, TurnState

    config = load_configuration_from_env(ANONYMOUS)
    connections = MsalConnectionManager(**config)
    adapter = CloudAdapter(connection_manager=connections)
    agent = AgentApplication[TurnState](storage=MemoryStorage(), connection_manager=connections, **config)

    @agent.activity("message")
    async def on_message(context: TurnContext, state: TurnState) -> None:
        await context.send_activity("OK")

    async def messages(request: web.Request) -> web.StreamResponse:
        return await start_agent_process(request, agent, adapter) or web.Response(status=202)

    async def healthz(request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    app = web.Application(middlewares=[jwt_authorization_middleware])
    app["agent_configuration"] = connections.get_default_connection_configuration()
    app.router.add_post("/api/messages", messages)
    app.router.add_get("/healthz", healthz)
    web.run_app(app, host="127.0.0.1", port=port, print=None, access_log=None)


# ---- the harness -----------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def start_process(args: list[str], port: int) -> asyncio.subprocess.Process:
    env = {**os.environ, **ANONYMOUS}
    process = await asyncio.create_subprocess_exec(*args, env=env, stdout=asyncio.subprocess.DEVNULL)
    async with aiohttp.ClientSession() as session:
        for _ in range(600):
            try:
                async with session.get(f"http://127.0.0.1:{port}/healthz") as response:
                    if response.status == 200:
                        return process
            except aiohttp.ClientError:
                pass
            if process.returncode is not None:
                raise RuntimeError(f"{args} stopped with {process.returncode}")
            await asyncio.sleep(0.1)
    raise RuntimeError(f"{args} did not start")


async def stop_process(process: asyncio.subprocess.Process) -> None:
    process.terminate()
    await process.wait()


async def ask(
    session: aiohttp.ClientSession, port: int, connector: FakeConnector, user: str, question: str, n: int
) -> float:
    """Milliseconds from just before the POST to the reply's arrival at the connector."""
    body = activity(question, service_url=connector.url, user=f"29:{user}", conversation=f"a:{user}",
                    activity_id=str(10**12 + n))  # fmt: skip
    before = len(connector.calls)
    started = time.perf_counter()
    async with session.post(f"http://127.0.0.1:{port}/api/messages", json=body) as response:
        await response.read()
        assert response.status in (200, 202), response.status
    replies = [c for c in connector.calls[before:] if c.is_activity]
    assert len(replies) == 1, f"expected one reply, got {len(replies)}"
    return (replies[0].at - started) * 1000


def percentile(ms: list[float], p: float) -> float:
    ordered = sorted(ms)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def summary(name: str, ms: list[float]) -> str:
    def pct(p: float) -> float:
        return percentile(ms, p)

    return (f"| {name} | {len(ms)} | {pct(50):.2f} | {pct(95):.2f} | {pct(99):.2f} | "
            f"{statistics.mean(ms):.2f} |")  # fmt: skip


def ensure_database(path: Path, rebuild: bool) -> list[str]:
    from bench.large import build_large_database, people_and_units

    if rebuild or not path.exists():
        for stale in path.parent.glob(path.name + "*"):
            stale.unlink()
        print(f"Bygger {path} (1 000 000 restanser per liste) …", file=sys.stderr)
        return build_large_database(f"sqlite:///{path}")
    return [p.initials for p in people_and_units(5000, 40)[1]]


def database_writes(path: Path) -> tuple[object, ...]:
    import sqlite3

    with sqlite3.connect(path) as conn:
        return tuple(
            conn.execute(f"SELECT count(*), max(updated_at) FROM {table}").fetchone()
            for table in ("conversations", "chat_identities")
        )


async def main(args: argparse.Namespace) -> None:
    db = Path(args.db)
    initials = ensure_database(db, args.rebuild)
    users = random.Random(7).sample(initials, args.people)
    connector = FakeConnector()
    await connector.start()
    for user in users:
        connector.member(f"29:{user}", f"{user.lower()}@bench.example")
    floor_port, bot_port = free_port(), free_port()
    serve = [sys.executable, "-c", "from bot.cli import main; main()", "--db", f"sqlite:///{db}", "serve",
             "--port", str(bot_port), "--teams-no-pacing"]  # fmt: skip
    targets = {  # name → (port, question)
        "bare Agents SDK handler, constant text (floor)": (floor_port, "mine restanser"),
        "restansebot «status»": (bot_port, "status"),
        "restansebot «mine restanser»": (bot_port, "mine restanser"),
    }
    results: dict[str, list[float]] = {name: [] for name in targets}
    processes = [
        await start_process([sys.executable, __file__, "--floor-server", str(floor_port)], floor_port),
        await start_process(serve, bot_port),
    ]
    try:
        async with aiohttp.ClientSession() as session:
            for n, user in enumerate(users):  # every asker seen once: member look-ups and references done
                await ask(session, bot_port, connector, user, "status", n)
            writes_before = database_writes(db)
            # Interleaved, in rotating order, so that whatever else the machine is doing hits all alike.
            names = list(targets)
            for n in range(args.warmup + args.requests):
                user = users[n % len(users)]
                for k in range(len(names)):
                    name = names[(n + k) % len(names)]
                    port, question = targets[name]
                    ms = await ask(session, port, connector, user, question, 10 * n + k + len(users))
                    if n >= args.warmup:
                        results[name].append(ms)
            writes = "none" if database_writes(db) == writes_before else "SOME"
    finally:
        for process in processes:
            await stop_process(process)
        await connector.stop()
    print(f"Python {platform.python_version()}, {os.cpu_count()} CPU, {platform.machine()}; "
          f"{args.requests} requests each after {args.warmup} warm-up, {args.people} askers; "
          f"database writes during the run: {writes}\n")  # fmt: skip
    print("| server, question | requests | p50 ms | p95 ms | p99 ms | mean ms |\n|---|---|---|---|---|---|")
    for name, ms in results.items():
        print(summary(name, ms))
    floor_p95 = percentile(results[names[0]], 95)
    for name in names[1:]:
        p95 = percentile(results[name], 95)
        print(f"\n{name}: p95 = {p95 / floor_p95:.2f} × the floor", end="")
    print()


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--floor-server":
        run_floor_server(int(sys.argv[2]))
        raise SystemExit(0)
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", default=str(DATA / "teams_large.db"), help="SQLite file (built if missing)")
    parser.add_argument("--rebuild", action="store_true", help="build the database again")
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--warmup", type=int, default=100)
    parser.add_argument("--people", type=int, default=200, help="distinct askers (round robin)")
    asyncio.run(main(parser.parse_args()))
