"""At 09:00: N people asking «mine restanser» at once, for a fixed time — the product next to the bare framework.

    python -m bench.burst                                   # Slack and Teams, 50 and 200 askers, 1,000,000 restanser
    python -m bench.burst --rows 100000 --seconds 6         # a quick run on a smaller database
    python -m bench.burst --platform slack --askers 50 --changes 0

Every server runs in a process of its own, as in production: `restansebot serve` (Slack or Teams, on
`bench/large.py`'s database: 40 units, 5,000 people, two snapshots of `--rows` restanser) and the floor, a
bare framework handler that replies a constant text (a slack-bolt `AsyncApp`; a Microsoft 365 Agents SDK
`AgentApplication` with `CloudAdapter`, shaped like the SDK's samples). This process holds the client and, for
each server, its own fake platform (the fake Slack Web API, the fake Bot Framework connector) on 127.0.0.1.

N distinct people (drawn from the directory) each ask, wait for the reply to reach the fake platform, and ask
again at once — a closed loop — for `--seconds` per server. The time is taken from just before the request is
posted to the moment the reply arrives at the fake (one clock: both ends are in this process). The servers
take turns in phases of `--phase` seconds, in rotating order, so that whatever else runs on the machine weighs
on all alike. Each phase starts with RAMP seconds that are not counted (everyone asking at the same instant).
Before the measurement every asker has asked each server once (identities and conversation references known,
as after the monthly reminder), and each server has had a short warm-up burst.

Reported per server and N: answers (to questions asked in the counted time, each waited for), answers per
second (replies that arrived in the counted time), p50/p95/p99 of those answers, errors (a refused or failed
request), lost answers (a request taken but no reply within 30 s), and the server's CPU time per answer.

With `--before DIR [DIR ...]`, more servers run `restansebot serve` from other copies of the code (for example
`git archive <commit> | tar -x -C DIR`), each named by its folder and interleaved with the others: before and
after a change, measured under the same load.

With `--distinct K`, each asker asks as K people in turn: with N × K above the 512 answers `serve` keeps to give
again (`RECENT_ANSWERS`), every question is someone's first since the data came, and is worked out anew.

With `--changes K` (default 3) the directory is then imported anew K times through `restansebot directory
import` (a data change, as an import is, which everyone's figures depend on); `--settle` seconds (default 10)
after each, one person asks, and the time of that first answer after the change is reported.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import os
import random
import re
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

DATA = Path(__file__).resolve().parent / "data"
ROOT = Path(__file__).resolve().parents[1]
QUESTION = "mine restanser"
LOST_AFTER = 30.0
CHANNEL = re.compile(rb'"channel": ?"([^"]+)"')
RAMP = 2.0  # seconds at the start of each phase not counted
NOW = "2019-12-20T08:59:00+01:00"  # the bot's clock: no monthly reminder falls due while measuring
ANONYMOUS = {"CONNECTIONS__SERVICE_CONNECTION__SETTINGS__ANONYMOUS_ALLOWED": "true"}
TICKS = os.sysconf("SC_CLK_TCK")


# ---- the floors, each run as `python -m bench.burst --serve-floor PLATFORM --port N [--api URL]` ------------


def serve_slack_floor(port: int, api_url: str) -> None:
    from aiohttp import web

    from bench.slack_latency import bare_bolt

    async def healthz(_: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    app = bare_bolt(api_url)
    app.router.add_get("/healthz", healthz)
    web.run_app(app, host="127.0.0.1", port=port, print=None, access_log=None)


def serve_teams_floor(port: int) -> None:
    os.environ.update(ANONYMOUS)
    from bench.teams_latency import run_floor_server

    run_floor_server(port)


# ---- servers under test, in processes of their own ------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def clean_env(root: Path = ROOT, **extra: str) -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("RESTANSEBOT_", "SLACK_", "CONNECTIONS__"))
    }
    env["PYTHONPATH"] = str(root)
    return {**env, **extra}


@dataclass
class Process:
    name: str
    popen: subprocess.Popen[bytes]
    port: int

    def cpu(self) -> float:
        """User + system CPU seconds so far (from /proc)."""
        fields = Path(f"/proc/{self.popen.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICKS

    def stop(self) -> None:
        self.popen.terminate()
        try:
            self.popen.wait(10)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            self.popen.wait()


async def start(name: str, args: list[str], env: dict[str, str], port: int, log: Path) -> Process:
    with log.open("wb") as out:
        popen = subprocess.Popen(args, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=env["PYTHONPATH"])
    process = Process(name, popen, port)
    async with aiohttp.ClientSession() as http:
        for _ in range(1200):
            if popen.poll() is not None:
                raise SystemExit(f"{name} stopped ({popen.returncode}); see {log}")
            try:
                async with http.get(f"http://127.0.0.1:{port}/healthz") as response:
                    if response.status == 200:
                        return process
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.1)
    process.stop()
    raise SystemExit(f"{name} did not start; see {log}")


def serve_command(url: str, port: int, *extra: str) -> list[str]:
    return [sys.executable, "-m", "bot", "--db", url, "serve", "--port", str(port), *extra]


# ---- the platforms: a fake, how to ask, how to recognise the reply --------------------------------------------


class Waiting:
    """The one outstanding question per asker: the reply's arrival time goes to whoever waits for it."""

    def __init__(self) -> None:
        self.futures: dict[str, asyncio.Future[float]] = {}

    def expect(self, key: str) -> asyncio.Future[float]:
        future = asyncio.get_running_loop().create_future()
        self.futures[key] = future
        return future

    def arrived(self, key: str | None, at: float) -> None:
        future = self.futures.pop(key or "", None)
        if future is not None and not future.done():
            future.set_result(at)

    def forget(self, key: str) -> None:
        self.futures.pop(key, None)


class LeanFake:
    """The platform's side, as little as the servers need: the harness's own work per reply stays small and the
    same for every server (the tests' fakes record and check everything, which costs more than the floor).
    Each reply is handed to whoever waits for it, with its arrival time."""

    def __init__(self, waiting: Waiting) -> None:
        self.waiting = waiting
        self.runner: web.AppRunner | None = None
        self.url = ""

    async def start(self, app: web.Application) -> None:
        self.runner = web.AppRunner(app, access_log=None)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0, backlog=1024)
        await site.start()
        self.url = f"http://127.0.0.1:{self.runner.addresses[0][1]}/"

    async def stop(self) -> None:
        if self.runner is not None:
            await self.runner.cleanup()


class LeanSlack(LeanFake):
    """auth.test, users.info (the product asks once per person) and chat.postMessage of the Slack Web API."""

    def __init__(self, waiting: Waiting, people: dict[str, str]) -> None:
        super().__init__(waiting)
        self.people = people  # Slack user id → e-mail
        self.ts = 0

    async def begin(self) -> LeanSlack:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self.api)
        await self.start(app)
        return self

    @property
    def api_url(self) -> str:
        return self.url + "api/"

    async def api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        if method == "chat.postMessage":
            body = await request.read()
            at = time.perf_counter()
            # The SDK writes the channel first; the rest of the body is not read (Slack's work, not ours).
            found = CHANNEL.search(body, 0, 200)
            channel = found.group(1).decode() if found else None
            self.waiting.arrived(channel, at)
            self.ts += 1
            return web.json_response({"ok": True, "channel": channel, "ts": f"{self.ts}.000100"})
        if method == "auth.test":
            return web.json_response({"ok": True, "user_id": "UBOT", "bot_id": "BBOT", "team_id": "T0001"})
        if method == "users.info":
            form = {**request.query, **(await request.post())}
            user = str(form.get("user"))
            profile = {"email": self.people[user]} if user in self.people else {}
            return web.json_response(
                {"ok": True, "user": {"id": user, "team_id": "T0001", "profile": profile}}
            )
        return web.json_response({"ok": True})


class LeanConnector(LeanFake):
    """The Bot Framework connector: replies (by conversation) and member look-ups (once per person)."""

    def __init__(self, waiting: Waiting, people: dict[str, str]) -> None:
        super().__init__(waiting)
        self.people = people  # Teams user id → e-mail
        self.ids = 0

    async def begin(self) -> LeanConnector:
        app = web.Application()
        app.router.add_post("/v3/conversations/{conversation}/activities", self.activity)
        app.router.add_post("/v3/conversations/{conversation}/activities/{reply_to}", self.activity)
        app.router.add_get("/v3/conversations/{conversation}/members/{user}", self.member)
        await self.start(app)
        return self

    async def activity(self, request: web.Request) -> web.Response:
        await request.read()
        self.waiting.arrived(request.match_info["conversation"], time.perf_counter())
        self.ids += 1
        return web.json_response({"id": f"m-{self.ids}"})

    async def member(self, request: web.Request) -> web.Response:
        user = request.match_info["user"]
        email = self.people.get(user)
        if email is None:
            return web.json_response({"error": {"code": "MemberNotFoundInConversation"}}, status=404)
        return web.json_response({"id": user, "name": user, "email": email, "userPrincipalName": email})


@dataclass
class Target:
    """One server under test and the fake platform it talks to."""

    name: str  # "product", "floor" or the folder of another copy of the code
    side: SlackSide | TeamsSide
    fake: LeanSlack | LeanConnector
    waiting: Waiting
    process: Process | None = None
    url: str = ""

    @property
    def platform(self) -> str:
        return self.side.platform

    async def post(self, http: aiohttp.ClientSession, user: str) -> int:
        """Ask as `user`; the HTTP status."""
        return await self.side.post(http, self, user)

    def key(self, user: str) -> str:
        """What the reply to `user` arrives under at the fake."""
        return self.side.key(user)


class SlackSide:
    platform = "slack"

    def __init__(self) -> None:
        self.counter = 0

    def key(self, user: str) -> str:
        return "D" + user  # the DM channel

    async def target(self, name: str, people: dict[str, str]) -> Target:
        waiting = Waiting()
        return Target(name, self, await LeanSlack(waiting, people).begin(), waiting)

    async def post(self, http: aiohttp.ClientSession, target: Target, user: str) -> int:
        from adapters.slack.tests.fakes import direct_message, signed_headers

        self.counter += 1
        body = json.dumps(direct_message(user, QUESTION, client_msg_id=f"burst-{self.counter}"))
        async with http.post(
            target.url + "/slack/events", data=body.encode(), headers=signed_headers(body)
        ) as r:
            await r.read()
            return r.status

    def product_args(self, url: str, port: int, fake: Any, root: Path) -> tuple[list[str], dict[str, str]]:
        from adapters.slack.tests.fakes import BOT_TOKEN, SIGNING_SECRET

        env = clean_env(root, SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_SIGNING_SECRET=SIGNING_SECRET,
                        RESTANSEBOT_SLACK_API_URL=fake.api_url, RESTANSEBOT_NOW=NOW)  # fmt: skip
        return serve_command(url, port), env

    def floor_args(self, port: int, fake: Any) -> tuple[list[str], dict[str, str]]:
        args = [sys.executable, "-m", "bench.burst", "--serve-floor", "slack", "--port", str(port),
                "--api", fake.api_url]  # fmt: skip
        return args, clean_env()


class TeamsSide:
    platform = "teams"

    def __init__(self) -> None:
        self.counter = 10**12

    def key(self, user: str) -> str:
        return f"a:{user}"  # the personal chat

    async def target(self, name: str, people: dict[str, str]) -> Target:
        waiting = Waiting()
        teams_people = {f"29:{user}": email for user, email in people.items()}
        return Target(name, self, await LeanConnector(waiting, teams_people).begin(), waiting)

    async def post(self, http: aiohttp.ClientSession, target: Target, user: str) -> int:
        from adapters.teams.tests.fakes import activity

        self.counter += 1
        body = activity(QUESTION, service_url=target.fake.url, user=f"29:{user}", conversation=f"a:{user}",
                        activity_id=str(self.counter))  # fmt: skip
        async with http.post(target.url + "/api/messages", json=body) as r:
            await r.read()
            return r.status

    def product_args(self, url: str, port: int, fake: Any, root: Path) -> tuple[list[str], dict[str, str]]:
        return serve_command(url, port, "--teams-no-pacing"), clean_env(
            root, **ANONYMOUS, RESTANSEBOT_NOW=NOW
        )

    def floor_args(self, port: int, fake: Any) -> tuple[list[str], dict[str, str]]:
        return [
            sys.executable,
            "-m",
            "bench.burst",
            "--serve-floor",
            "teams",
            "--port",
            str(port),
        ], clean_env()


# ---- the measurement ------------------------------------------------------------------------------------------


@dataclass
class Tally:
    latencies: list[float] = field(
        default_factory=list
    )  # seconds, for the questions asked in the counted time
    answers: int = 0  # replies that arrived in the counted time
    seconds: float = 0.0
    errors: int = 0
    lost: int = 0
    cpu: float = 0.0  # the server's CPU seconds over the phases
    harness_cpu: float = 0.0  # this process's


async def ask_once(http: aiohttp.ClientSession, target: Target, user: str) -> tuple[str, float]:
    """("ok", seconds from asking to the reply) | ("error", 0) | ("lost", 0)."""
    key = target.key(user)
    arrived = target.waiting.expect(key)
    started = time.perf_counter()
    try:
        status = await target.post(http, user)
    except (aiohttp.ClientError, OSError):
        target.waiting.forget(key)
        return "error", 0.0
    if status not in (200, 202):
        target.waiting.forget(key)
        return "error", 0.0
    try:
        at = await asyncio.wait_for(arrived, LOST_AFTER)
    except TimeoutError:
        target.waiting.forget(key)
        return "lost", 0.0
    return "ok", at - started


def askers(users: list[str], n: int, distinct: int) -> list[list[str]]:
    """N askers, each asking as `distinct` people in turn (one of the first n × distinct users each time)."""
    pool = users[: n * distinct]
    return [pool[i::n] for i in range(n)]


async def phase(
    http: aiohttp.ClientSession, target: Target, people: list[list[str]], seconds: float, tally: Tally | None
) -> None:
    """Every asker asks again (as the next of their people) as soon as their reply has come, until the time
    is up."""
    assert target.process is not None
    cpu_before, harness_before = target.process.cpu(), time.process_time()
    began = time.perf_counter()
    counted = began + RAMP  # the first moments, everyone asking at the same instant, are not counted
    deadline = counted + seconds

    async def asker(names: list[str]) -> None:
        asked = 0
        while (started := time.perf_counter()) < deadline:
            outcome, latency = await ask_once(http, target, names[asked % len(names)])
            asked += 1
            if tally is None:
                continue
            if outcome == "ok" and counted <= started + latency <= deadline:
                tally.answers += 1
            if started < counted:
                continue
            if outcome == "ok":
                tally.latencies.append(latency)
            elif outcome == "error":
                tally.errors += 1
                await asyncio.sleep(0.05)
            else:
                tally.lost += 1

    await asyncio.gather(*(asker(names) for names in people))
    if tally is not None:
        tally.seconds += deadline - counted
        tally.cpu += target.process.cpu() - cpu_before
        tally.harness_cpu += time.process_time() - harness_before


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def row(platform: str, n: int, name: str, tally: Tally) -> dict[str, Any]:
    ms = [x * 1000 for x in tally.latencies] or [float("nan")]
    return {
        "platform": platform, "askers": n, "server": name, "answers": len(tally.latencies),
        "per_second": tally.answers / tally.seconds if tally.seconds else 0.0,
        "p50": statistics.median(ms), "p95": percentile(ms, 95), "p99": percentile(ms, 99),
        "errors": tally.errors, "lost": tally.lost,
        "cpu_ms_per_answer": 1000 * tally.cpu / max(1, len(tally.latencies)),
        "harness_cpu_ms_per_answer": 1000 * tally.harness_cpu / max(1, len(tally.latencies)),
    }  # fmt: skip


# ---- the data ---------------------------------------------------------------------------------------------------


def database(rows: int) -> tuple[str, list[str]]:
    """The database URL (built if missing) and the initials of its directory."""
    from bench.large import build_large_database, people_and_units

    path = DATA / ("large.db" if rows == 1_000_000 else f"large_{rows}.db")
    url = f"sqlite:///{path}"
    if not path.exists():
        DATA.mkdir(parents=True, exist_ok=True)
        print(f"Bygger {path} (to lister à {rows:,} restanser) …", file=sys.stderr, flush=True)
        build_large_database(url, rows)
    return url, [p.initials for p in people_and_units(5000, 40)[1]]


def directory_files(folder: Path) -> list[Path]:
    """The directory of bench/large.py as the archive would export it, for `restansebot directory import`."""
    from bench.large import people_and_units

    units, people = people_and_units(5000, 40)
    enheter, personer = folder / "enheter.csv", folder / "personer.csv"
    with enheter.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, delimiter=";")
        w.writerow(["enhet", "navn", "overordnet", "ledere"])
        w.writerows([u.code, u.name, u.parent or "", ",".join(u.leaders)] for u in units)
    with personer.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, delimiter=";")
        w.writerow(["initialer", "navn", "epost", "enhet", "rolle"])
        w.writerows([p.initials, p.name, p.email, p.unit, p.role.value] for p in people)
    return [enheter, personer]


# ---- one platform ---------------------------------------------------------------------------------------------


async def run_platform(
    platform: str, args: argparse.Namespace, url: str, initials: list[str], logs: Path
) -> tuple[list[dict[str, Any]], dict[str, list[float]]]:
    side: SlackSide | TeamsSide = SlackSide() if platform == "slack" else TeamsSide()
    chosen = random.Random(13).sample(initials, max(args.askers) * args.distinct)
    people = {f"U{i}": f"{i.lower()}@bench.example" for i in chosen}
    users = list(people)
    others = {folder.name: folder.resolve() for folder in args.before}
    names = ("product", "floor", *others)
    targets = [await side.target(name, people) for name in names]
    results: list[dict[str, Any]] = []
    first_answers: dict[str, list[float]] = {}
    try:
        for target in targets:
            port = free_port()
            if target.name == "floor":
                command, env = side.floor_args(port, target.fake)
            else:
                root = others.get(target.name, ROOT)
                command, env = side.product_args(url, port, target.fake, root)
            target.process = await start(
                f"{platform} {target.name}", command, env, port, logs / f"{platform}-{target.name}.log"
            )
            target.url = f"http://127.0.0.1:{port}"
        connector = aiohttp.TCPConnector(limit=0)
        async with aiohttp.ClientSession(connector=connector) as http:
            for target in targets:  # everyone once (identities known), then a short burst to warm up
                for user in users:
                    outcome, _ = await ask_once(http, target, user)
                    if outcome != "ok":
                        raise SystemExit(f"{platform} {target.name}: the warm-up question failed ({outcome})")
                await phase(http, target, askers(users, min(args.askers), args.distinct), 2.0, None)
            rounds = max(1, round(args.seconds / args.phase))
            for n in args.askers:
                tallies = {t.name: Tally() for t in targets}
                for r in range(rounds):
                    k = r % len(targets)
                    for target in targets[k:] + targets[:k]:
                        everyone = askers(users, n, args.distinct)
                        await phase(http, target, everyone, args.seconds / rounds, tallies[target.name])
                results += [row(platform, n, t.name, tallies[t.name]) for t in targets]
                print_rows(results[-len(targets) :])
            if args.changes:
                products = [t for t in targets if t.name != "floor"]
                first_answers = await after_changes(http, products, users, url, args)
    finally:
        for target in targets:
            if target.process is not None:
                target.process.stop()
            await target.fake.stop()
    return results, first_answers


async def after_changes(
    http: aiohttp.ClientSession, products: list[Target], users: list[str], url: str, args: argparse.Namespace
) -> dict[str, list[float]]:
    """A new directory, `--settle` seconds, then one question to each product server: how long the first
    answer from the new data took."""
    timings: dict[str, list[float]] = {p.name: [] for p in products}
    with tempfile.TemporaryDirectory() as folder:
        files = directory_files(Path(folder))
        for k in range(args.changes):
            done = subprocess.run([sys.executable, "-m", "bot", "--db", url, "directory", "import", *map(str, files)],
                                  env=clean_env(), cwd=ROOT, capture_output=True, text=True)  # fmt: skip
            if done.returncode != 0:
                raise SystemExit(f"directory import failed: {done.stderr}")
            await asyncio.sleep(args.settle)
            for product in products:
                outcome, latency = await ask_once(http, product, users[k % len(users)])
                if outcome != "ok":
                    raise SystemExit(f"the question after the change failed ({outcome})")
                timings[product.name].append(latency * 1000)
                print(f"  {product.platform} {product.name}: first answer {args.settle:g} s after a directory "
                      f"change: {latency * 1000:.1f} ms", flush=True)  # fmt: skip
    return timings


def print_rows(rows: list[dict[str, Any]]) -> None:
    for r in rows:
        print(f"| {r['platform']} | {r['askers']} | {r['server']} | {r['answers']} | {r['per_second']:.0f} | "
              f"{r['p50']:.1f} | {r['p95']:.1f} | {r['p99']:.1f} | {r['errors']} | {r['lost']} | "
              f"{r['cpu_ms_per_answer']:.2f} | {r['harness_cpu_ms_per_answer']:.2f} |", flush=True)  # fmt: skip


async def main(args: argparse.Namespace) -> None:
    from bench.machine import describe

    url, initials = database(args.rows)
    logs = Path(tempfile.mkdtemp(prefix="burst-"))
    print(describe())
    print(f"{args.rows:,} restanser per list; {args.seconds:g} s per server and N, phases of {args.phase:g} s; "
          f"server logs in {logs}\n")  # fmt: skip
    print(
        "| platform | N | server | answers | answers/s | p50 ms | p95 ms | p99 ms | errors | lost "
        "| server CPU ms/answer | harness CPU ms/answer |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|", flush=True)
    every: list[dict[str, Any]] = []
    firsts: dict[str, dict[str, list[float]]] = {}
    for platform in args.platform:
        rows, firsts[platform] = await run_platform(platform, args, url, initials, logs)
        every += rows
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(f"\nharness CPU: {usage.ru_utime + usage.ru_stime:.0f} s; load average {os.getloadavg()[0]:.2f}")
    for r in every:
        if r["server"] == "floor":
            continue
        floor = next(
            f
            for f in every
            if f["server"] == "floor" and (f["platform"], f["askers"]) == (r["platform"], r["askers"])
        )
        print(f"{r['platform']}, {r['askers']} askers, {r['server']}: p95 {r['p95'] / floor['p95']:.2f}× the floor's, "
              f"{r['per_second'] / floor['per_second']:.0%} of its answers/s")  # fmt: skip
    for platform, servers in firsts.items():
        for name, timings in servers.items():
            print(
                f"{platform} {name}: first answer after a change: {', '.join(f'{t:.1f}' for t in timings)} ms"
            )
    if args.json:
        args.json.write_text(json.dumps({"results": every, "first_after_change": firsts}, indent=2))


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=1_000_000, help="restanser per list (default 1,000,000)")
    parser.add_argument("--platform", nargs="+", choices=("slack", "teams"), default=["slack", "teams"])
    parser.add_argument("--askers", type=int, nargs="+", default=[50, 200], help="people asking at once")
    parser.add_argument(
        "--distinct",
        type=int,
        default=1,
        metavar="K",
        help="each asker asks as K people in turn (default 1: the same person again; with N × K above the "
        "answers a server gives again, every question is worked out anew)",
    )
    parser.add_argument("--seconds", type=float, default=15.0, help="measured seconds per server and N")
    parser.add_argument("--phase", type=float, default=5.0, help="seconds per turn (the servers take turns)")
    parser.add_argument(
        "--changes", type=int, default=3, help="directory changes to time the first answer after"
    )
    parser.add_argument(
        "--settle", type=float, default=10.0, help="seconds between a change and the question"
    )
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument(
        "--before",
        type=Path,
        nargs="+",
        default=[],
        metavar="DIR",
        help="also serve the code in DIR, interleaved",
    )
    parser.add_argument("--serve-floor", choices=("slack", "teams"), help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--api", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


if __name__ == "__main__":
    arguments = parse()
    if arguments.serve_floor == "slack":
        serve_slack_floor(arguments.port, arguments.api)
    elif arguments.serve_floor == "teams":
        serve_teams_floor(arguments.port)
    else:
        asyncio.run(main(arguments))
