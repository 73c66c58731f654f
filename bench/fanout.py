"""Monthly fan-out: 5,000 direct messages through the outbox to the fake Slack Web API, pacing off.

    python -m bench.fanout [--messages 5000] [--concurrency 4] [--runs 3]

Two clients send the same 5,000 messages to the fake Slack Web API from the adapter's tests, each making the
same three calls per message, as a first month's fan-out does (nobody's Slack id or DM is known yet):
users.lookupByEmail → conversations.open → chat.postMessage (Block Kit, with the outbox reference in the
message metadata).

- floor: a bare `AsyncWebClient` loop — `concurrency` tasks over a shared list of ready-made messages
  (rendered to Block Kit beforehand), one HTTP session, nothing else;
- ours: what `restansebot nudges send` runs for the period's saksbehandler messages — `Delivery.run` over the
  outbox in SQLite (claim, in flight, the platform recorded, sent recorded; identities and DMs stored as they
  are learnt) with `adapters.slack.sender(runtime)`, pacing switched off (`RESTANSEBOT_SLACK_PACE_SECONDS=0`),
  with the same concurrency (default: the `delivery_concurrency` setting, 4).

The database (bench/data/fanout.db, built on the first run) holds a directory of `--messages` people in
40 units, each with 30–60 restanser in one snapshot (so every one of them is over the threshold of 30),
and the period planned from it by `plan_into_outbox` — the real texts and replies, as the archive previews
them. Only the delivery is timed, not the planning: a period is planned when the list is imported and sent
later. Every run starts from a fresh copy of that database and a fresh fake.

Each run is a fresh Python process (so its peak RSS, ru_maxrss, is its own), talking to the fake in this
process over 127.0.0.1 (as Slack is elsewhere: the fake does not share the client's event loop); the runs
alternate floor, ours, ours, floor, ... and the figures printed are medians. After every run the fake's
record is checked: every planned message arrived exactly once, in the right person's DM, with its reference.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import shutil
import statistics
import sys
import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent / "data"
TEMPLATE = DATA / "fanout.db"
RUN_DB = DATA / "fanout_run.db"
MESSAGES_FILE = DATA / "fanout_messages.json"
ROOT = Path(__file__).resolve().parent.parent
AS_OF, SEND_DAY = date(2024, 1, 15), date(2024, 1, 16)
PERIOD = "2024-01"
UNITS = 40
GUIDE = "https://arkiv.example.no/veileder/restanser"


def peak_rss_mb() -> float:
    """This process's peak RSS. VmHWM, not ru_maxrss: Linux keeps ru_maxrss across fork and exec, so a child
    would report this (larger) harness's peak; VmHWM belongs to the address space exec made."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024  # kB
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def rss_now_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def machine() -> str:
    """The machine and the versions that matter here, in one line (with the load average: compare only quiet runs)."""
    import platform
    import sqlite3

    import aiohttp
    import slack_sdk
    import sqlalchemy

    cpu = next(
        (line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
         if line.startswith("model name")),
        platform.processor() or "?",
    )  # fmt: skip
    return (
        f"nproc {len(os.sched_getaffinity(0))} ({cpu}), Python {platform.python_version()}, "
        f"slack-sdk {slack_sdk.version.__version__}, aiohttp {aiohttp.__version__}, "
        f"SQLAlchemy {sqlalchemy.__version__}, SQLite {sqlite3.sqlite_version}, "
        f"load average {os.getloadavg()[0]:.2f}"
    )


def settings_for(url: str, concurrency: int | None = None) -> Any:
    from restanse_core.settings import Contact, Settings

    return Settings(
        database_url=url,
        guide_url=GUIDE,
        contacts=[Contact(name="Arkivtjenesten", email="arkiv@bench.example", phone="12345678")],
        organisation_name="Benchmark kommune",
        delivery_concurrency=concurrency or 4,
    )


# ---- the database: a directory of people over the threshold, and the period planned ----------------------------


def build_database(url: str, people: int) -> None:
    """Directory of `people` in 40 units, one snapshot with 30–60 restanser each, the period planned."""
    from bench.large import COLUMNS, people_and_units
    from bot.delivery.outbox import Outbox
    from bot.delivery.period import plan_into_outbox
    from bot.service import Restansebot
    from bot.store import migrate_schema
    from restanse_core.clock import FixedClock
    from restanse_core.store import make_engine, repository
    from restanse_core.store.bulk import insert_ignoring_duplicates
    from restanse_core.store.tables import RestanseRow

    engine = make_engine(url)
    migrate_schema(engine)
    units, persons = people_and_units(people, UNITS)
    rows: list[tuple[Any, ...]] = []
    with engine.begin() as conn:
        repository.replace_units(conn, units)
        repository.replace_people(conn, persons)
        repository.bump_directory_version(conn, "bench-fanout")
        sid = repository.begin_snapshot(
            conn, AS_OF, "fanout.csv", "0" * 64, "bench", datetime.now(UTC), False
        )
        n = 0
        for i, p in enumerate(persons):
            for k in range(30 + (i * 7) % 31):
                n += 1
                day = (AS_OF - timedelta(days=20 + (n * 13) % 1400)).isoformat()
                secret = n % 12 == 0
                jp = f"{2019 + n % 5}/{n // 7}-{n % 7 + 1}"
                rows.append((sid, jp, jp, p.initials, p.unit, "I" if k % 5 else "N", day, day,
                             None if secret else f"Søknad om tilskudd til tiltak nr. {n}",
                             "Unntatt offentlighet" if secret else None, "13 Ofl" if secret else None,
                             None, None))  # fmt: skip
        stored = insert_ignoring_duplicates(conn, RestanseRow.__tablename__, COLUMNS, rows)
        repository.finish_snapshot(conn, sid, len(rows), stored)
    bot = Restansebot(engine, settings_for(url), FixedClock(datetime(2024, 1, 15, 16, 0)))
    planned = plan_into_outbox(bot, Outbox(engine), None, SEND_DAY, "bench")
    assert planned == (PERIOD, True), planned
    engine.dispose()


def prepare(people: int) -> list[dict[str, Any]]:
    """The template database (built once) and the messages as the floor sends them (Block Kit, ready-made)."""
    from adapters.slack.render import render
    from bot import reply_json
    from bot.delivery.outbox import Outbox
    from bot.texts import Texts
    from restanse_core.store import make_engine, repository

    url = f"sqlite:///{TEMPLATE}"
    if MESSAGES_FILE.exists() and TEMPLATE.exists():
        messages: list[dict[str, Any]] = json.loads(MESSAGES_FILE.read_text())
        if len(messages) == people:
            return messages
    for stale in DATA.glob("fanout*"):
        stale.unlink()
    DATA.mkdir(parents=True, exist_ok=True)
    print(f"Bygger {TEMPLATE.relative_to(ROOT)} ({people} personer over terskelen) …", file=sys.stderr)
    started = time.perf_counter()
    build_database(url, people)
    engine = make_engine(url)
    with engine.connect() as conn:
        org = repository.load_organisation(conn)
    texts = Texts(settings_for(url).language)
    messages = []
    for item in Outbox(engine).items(PERIOD, ["saksbehandler"]):
        person = org.people[item.recipient]
        rendered = render(reply_json.loads(item.reply), more=lambda n: texts("common.more", n=n))
        messages.append({"ref": str(item.id), "initials": person.initials, "email": person.email,
                         "kwargs": rendered.as_kwargs()})  # fmt: skip
    engine.dispose()
    if len(messages) != people:
        raise SystemExit(f"the plan has {len(messages)} saksbehandler messages, not {people}")
    MESSAGES_FILE.write_text(json.dumps(messages, ensure_ascii=False))
    print(f"… ferdig på {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return messages


# ---- the clients (each run in a process of its own) ----------------------------------------------------------------


async def floor(api_url: str, concurrency: int) -> dict[str, Any]:
    import aiohttp
    from slack_sdk.web.async_client import AsyncWebClient

    from adapters.slack.tests.fakes import BOT_TOKEN

    messages = json.loads(MESSAGES_FILE.read_text())
    before = rss_now_mb()
    async with aiohttp.ClientSession() as session:
        client = AsyncWebClient(token=BOT_TOKEN, base_url=api_url, session=session)
        queue = iter(messages)

        async def worker() -> int:
            sent = 0
            for m in queue:  # shared: each task takes the next message
                user = (await client.users_lookupByEmail(email=m["email"]))["user"]["id"]
                channel = (await client.conversations_open(users=user))["channel"]["id"]
                metadata = {"event_type": "restansebot_outbox", "event_payload": {"ref": m["ref"]}}
                await client.chat_postMessage(channel=channel, metadata=metadata, **m["kwargs"])
                sent += 1
            return sent

        started, cpu = time.perf_counter(), cpu_seconds()
        sent = sum(await asyncio.gather(*(worker() for _ in range(concurrency))))
        seconds, cpu = time.perf_counter() - started, cpu_seconds() - cpu
    return {
        "sent": sent,
        "seconds": seconds,
        "cpu": cpu,
        "rss_before_mb": before,
        "peak_rss_mb": peak_rss_mb(),
    }


async def ours(api_url: str, concurrency: int, db: Path) -> dict[str, Any]:
    from adapters.slack.tests.fakes import BOT_TOKEN
    from bot.bootstrap import Platforms, bootstrap
    from restanse_core.clock import SystemClock

    url = f"sqlite:///{db}"
    settings = settings_for(url, concurrency)
    env = {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "RESTANSEBOT_SLACK_API_URL": api_url,
        "RESTANSEBOT_SLACK_PACE_SECONDS": "0",
    }
    runtime = bootstrap(settings, platforms=Platforms.SEND, clock=SystemClock(), env=env)
    bot, senders = runtime.bot, runtime.senders
    assert list(senders) == ["slack"], senders
    delivery = runtime.deliveries.delivery()
    assert delivery.concurrency == concurrency
    assert len(bot.org.people) > 0  # the directory is loaded before the clock starts, as in `nudges send`
    before = rss_now_mb()
    started, cpu = time.perf_counter(), cpu_seconds()
    summary = await delivery.run(PERIOD, ["saksbehandler"])
    seconds, cpu = time.perf_counter() - started, cpu_seconds() - cpu
    for sender in senders.values():
        await sender.close()  # type: ignore[attr-defined]
    counts = summary.counts
    runtime.engine.dispose()
    return {"sent": counts.get("sent", 0), "counts": counts, "seconds": seconds, "cpu": cpu,
            "rss_before_mb": before, "peak_rss_mb": peak_rss_mb()}  # fmt: skip


def child(which: str, api_url: str, concurrency: int, db: Path, profile: Path | None) -> None:
    run = floor(api_url, concurrency) if which == "floor" else ours(api_url, concurrency, db)
    if profile is not None:
        import cProfile
        import io
        import pstats

        profiler = cProfile.Profile()
        result = profiler.runcall(asyncio.run, run)
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out).strip_dirs()
        stats.sort_stats("tottime").print_stats(40)
        stats.sort_stats("cumulative").print_stats(80)
        profile.write_text(out.getvalue())
    else:
        result = asyncio.run(run)
    print(json.dumps(result))


# ---- this process: the fake Slack, the runs, the check ----------------------------------------------------------


def indexed_fake() -> Any:
    """The adapter's FakeSlack with users.lookupByEmail from a dict (the original scans every user per call,
    which for 5,000 users would make the fake, not the clients, the thing measured)."""
    from adapters.slack.tests.fakes import FakeSlack, SlackUser

    class IndexedFakeSlack(FakeSlack):
        def __init__(self) -> None:
            super().__init__()
            self.by_email: dict[str, SlackUser] = {}

        def add_user(self, user_id: str, email: str | None, **flags: bool) -> SlackUser:
            user = super().add_user(user_id, email, **flags)
            if user.email:
                self.by_email[user.email] = user
            return user

        def _users_lookupByEmail(self, params: dict[str, Any]) -> dict[str, Any]:
            user = self.by_email.get(str(params.get("email", "")).lower())
            return (
                {"ok": True, "user": self._user_json(user)}
                if user
                else {"ok": False, "error": "users_not_found"}
            )

    return IndexedFakeSlack()


def check(fake: Any, messages: list[dict[str, Any]]) -> str | None:
    """Every planned message arrived exactly once, in its recipient's DM; the same look-ups. None if so."""
    posts = fake.calls_to("chat.postMessage")
    refs = Counter(c["metadata"]["event_payload"]["ref"] for c in posts)
    expected = {m["ref"]: "DU" + m["initials"] for m in messages}
    twice = [r for r, n in refs.items() if n > 1]
    missing = set(expected) - set(refs)
    unknown = set(refs) - set(expected)
    wrong = [c["metadata"]["event_payload"]["ref"] for c in posts
             if expected.get(c["metadata"]["event_payload"]["ref"]) not in (None, c["channel"])]  # fmt: skip
    lookups, opens = len(fake.calls_to("users.lookupByEmail")), len(fake.calls_to("conversations.open"))
    problems = []
    if twice:
        problems.append(f"{len(twice)} sent twice")
    if missing:
        problems.append(f"{len(missing)} missing")
    if unknown:
        problems.append(f"{len(unknown)} unknown refs")
    if wrong:
        problems.append(f"{len(wrong)} in the wrong DM")
    if lookups != len(messages) or opens != len(messages):
        problems.append(f"{lookups} users.lookupByEmail and {opens} conversations.open for {len(messages)}")
    return "; ".join(problems) or None


async def one_run(which: str, messages: list[dict[str, Any]], concurrency: int,
                  profile: Path | None = None) -> dict[str, Any]:  # fmt: skip
    for stale in DATA.glob(RUN_DB.name + "*"):
        stale.unlink()
    if which == "ours":
        shutil.copyfile(TEMPLATE, RUN_DB)
    fake = await indexed_fake().start()
    for m in messages:
        fake.add_user("U" + m["initials"], m["email"])
    command = [sys.executable, "-m", "bench.fanout", "--child", which, "--api-url", fake.api_url,
               "--concurrency", str(concurrency), "--db", str(RUN_DB)]  # fmt: skip
    if profile is not None:
        command += ["--profile", str(profile)]
    cpu = cpu_seconds()
    try:
        process = await asyncio.create_subprocess_exec(*command, cwd=ROOT, stdout=asyncio.subprocess.PIPE)
        out, _ = await process.communicate()
        if process.returncode != 0:
            raise SystemExit(f"{which}: the client process failed ({process.returncode})")
        result: dict[str, Any] = json.loads(out.decode().strip().splitlines()[-1])
        result["fake_cpu"] = cpu_seconds() - cpu  # this process: the fake (mostly)
        posts = fake.calls_to("chat.postMessage")
        result["fake_seconds"] = posts[-1].at - fake.calls[0].at if posts else 0.0
        problem = check(fake, messages)
        if problem:
            raise SystemExit(f"{which}: {problem}")
    finally:
        await fake.stop()
        for stale in DATA.glob(RUN_DB.name + "*"):
            stale.unlink()
    return result


async def main_async(args: argparse.Namespace) -> None:
    messages = prepare(args.messages)
    if args.profile:
        result = await one_run("ours", messages, args.concurrency, Path(args.profile))
        print(f"ours: {len(messages) / result['seconds']:.0f} msgs/s; profile in {args.profile}")
        return
    print(machine(), flush=True)
    runs: dict[str, list[dict[str, Any]]] = {"floor": [], "ours": []}
    for n in range(args.runs):
        for which in ("floor", "ours") if n % 2 == 0 else ("ours", "floor"):
            result = await one_run(which, messages, args.concurrency)
            runs[which].append(result)
            print(f"run {n + 1} {which:5}: {result['sent']} sent in {result['seconds']:6.2f} s = "
                  f"{result['sent'] / result['seconds']:6.0f} msgs/s (CPU {result['cpu']:5.2f} s; fake CPU "
                  f"{result['fake_cpu']:5.2f} s); RSS {result['rss_before_mb']:4.0f} MB before, "
                  f"peak {result['peak_rss_mb']:4.0f} MB; at the fake: each exactly once", flush=True)  # fmt: skip
    rate = {w: statistics.median(r["sent"] / r["seconds"] for r in rs) for w, rs in runs.items()}
    cpu_per = {w: statistics.median(r["cpu"] / r["sent"] * 1000 for r in rs) for w, rs in runs.items()}
    fake_per = {w: statistics.median(r["fake_cpu"] / r["sent"] * 1000 for r in rs) for w, rs in runs.items()}
    peak = {w: statistics.median(r["peak_rss_mb"] for r in rs) for w, rs in runs.items()}
    before = {w: statistics.median(r["rss_before_mb"] for r in rs) for w, rs in runs.items()}
    print(
        f"\n{len(messages):,} direct messages, concurrency {args.concurrency}, pacing off: medians of {args.runs} runs"
    )
    print(
        f"{'':28} {'msgs/s':>8} {'client CPU ms/msg':>18} {'fake CPU ms/msg':>16} {'RSS before':>11} {'peak RSS':>9}"
    )
    for which, label in (("floor", "floor  bare AsyncWebClient"), ("ours", "ours   outbox + SlackSender")):
        print(f"{label:28} {rate[which]:8.0f} {cpu_per[which]:18.2f} {fake_per[which]:16.2f} "
              f"{before[which]:8.0f} MB {peak[which]:6.0f} MB")  # fmt: skip
    ratio = rate["ours"] / rate["floor"]
    pairs = sorted(
        o["sent"] / o["seconds"] / (f["sent"] / f["seconds"])
        for f, o in zip(runs["floor"], runs["ours"], strict=True)
    )
    print(
        f"load average at the end {os.getloadavg()[0]:.2f}; ratio round by round (a floor run and the ours "
        f"run next to it): {pairs[0]:.0%}–{pairs[-1]:.0%}"
    )
    print(
        f"ratio  {ratio:.0%} of the floor (target ≥ 25%); {rate['ours'] / 50:.0f}× Teams' 50 msgs/s per tenant"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--messages", type=int, default=5000, help="people over the threshold = messages")
    parser.add_argument(
        "--concurrency", type=int, default=4, help="tasks sending at once (default: the setting's 4)"
    )
    parser.add_argument("--runs", type=int, default=3, help="runs of each, alternating")
    parser.add_argument(
        "--profile", metavar="FILE", help="one run of ours under cProfile, the report to FILE"
    )
    parser.add_argument("--child", choices=("floor", "ours"), help=argparse.SUPPRESS)
    parser.add_argument("--api-url", help=argparse.SUPPRESS)
    parser.add_argument("--db", type=Path, default=RUN_DB, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(
            args.child, args.api_url, args.concurrency, args.db, Path(args.profile) if args.profile else None
        )
        return
    asyncio.run(main_async(args))


if __name__ == "__main__":
    main()
