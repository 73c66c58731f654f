"""Monthly fan-out by e-mail: 5,000 messages through the outbox to a real SMTP server (aiosmtpd), pacing off.

    python -m bench.mail_fanout [--messages 5000] [--concurrency 4] [--runs 3]

Two clients send the same 5,000 saksbehandler messages to aiosmtpd on 127.0.0.1, over STARTTLS with a
throw-away certificate and AUTH LOGIN, as a kommune's relay would take them:

- floor: a bare aiosmtplib loop — `concurrency` connections (each STARTTLS and login once), tasks taking the
  next of the ready-made MIME messages (built beforehand from the same outbox rows, exactly as ours builds
  them) and sending MAIL FROM / RCPT TO / DATA; nothing else;
- ours: what `restansebot nudges send` runs for the period's saksbehandler messages — `Delivery.run` over the
  outbox in SQLite (claim, in flight with the Message-ID and Date stored, sent recorded) with
  `adapters.epost.sender(runtime)`: the MIME message built per send, `RESTANSEBOT_SMTP_CONNECTIONS` equal to
  the concurrency, pacing off (`RESTANSEBOT_EMAIL_PER_MINUTE=0`).

The database (bench/data/mail_fanout.db, built on the first run) is bench.fanout's: `--messages` people in 40
units, each over the threshold, the period planned by `plan_into_outbox` — the real texts, replies and e-mails.
Each run is a fresh Python process (its peak RSS is its own) against the server in this process; the runs
alternate floor, ours, ours, floor, ... and the figures printed are medians. After every run the server's
record is checked: every message arrived exactly once, to its recipient, carrying its outbox reference.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import sys
import time
from collections import Counter
from email.parser import BytesParser
from email.policy import default
from pathlib import Path
from typing import Any

from bench.fanout import PERIOD, ROOT, build_database, cpu_seconds, peak_rss_mb, rss_now_mb, settings_for

DATA = Path(__file__).resolve().parent / "data"
TEMPLATE = DATA / "mail_fanout.db"
RUN_DB = DATA / "mail_fanout_run.db"
MESSAGES_FILE = DATA / "mail_fanout_messages.json"
SENDER = "arkiv@bench.example"


def machine() -> str:
    import platform
    import sqlite3

    import aiosmtpd
    import aiosmtplib
    import sqlalchemy

    from bench.fanout import machine as base

    cpu = base().split(", Python")[0]
    return (
        f"{cpu}, Python {platform.python_version()}, aiosmtplib {aiosmtplib.__version__}, "
        f"aiosmtpd {aiosmtpd.__version__}, SQLAlchemy {sqlalchemy.__version__}, SQLite {sqlite3.sqlite_version}"
    )


def prepare(people: int, env: dict[str, str]) -> list[dict[str, Any]]:
    """The template database (built once) and the MIME messages the floor sends (built as ours builds them)."""
    from adapters.epost.config import load_config
    from adapters.epost.render import render_message
    from bot.delivery.outbox import Outbox
    from bot.delivery.port import Mail
    from restanse_core.store import make_engine, repository

    url = f"sqlite:///{TEMPLATE}"
    if MESSAGES_FILE.exists() and TEMPLATE.exists():
        messages: list[dict[str, Any]] = json.loads(MESSAGES_FILE.read_text())
        if len(messages) == people:
            return messages
    for stale in DATA.glob("mail_fanout*"):
        stale.unlink()
    DATA.mkdir(parents=True, exist_ok=True)
    print(f"Bygger {TEMPLATE.relative_to(ROOT)} ({people} personer over terskelen) …", file=sys.stderr)
    build_database(url, people)
    engine = make_engine(url)
    with engine.connect() as conn:
        org = repository.load_organisation(conn)
    config = load_config(env)
    messages = []
    for item in Outbox(engine).items(PERIOD, ["saksbehandler"]):
        assert item.mail is not None
        person = org.people[item.recipient]
        mail = Mail.from_json(item.mail)
        _, raw = render_message(mail, config, person, str(item.id))
        messages.append({"ref": str(item.id), "to": person.email, "raw": raw.decode("ascii")})
    engine.dispose()
    MESSAGES_FILE.write_text(json.dumps(messages))
    return messages


# ---- the clients (each in a process of its own) --------------------------------------------------------------


async def floor(env: dict[str, str], concurrency: int) -> dict[str, Any]:
    import aiosmtplib

    messages = json.loads(MESSAGES_FILE.read_text())
    before = rss_now_mb()
    queue = iter(messages)

    async def worker() -> int:
        client = aiosmtplib.SMTP(
            hostname="127.0.0.1", port=int(env["RESTANSEBOT_SMTP_PORT"]), start_tls=True, timeout=60
        )
        await client.connect()
        await client.login(env["RESTANSEBOT_SMTP_USERNAME"], env["RESTANSEBOT_SMTP_PASSWORD"])
        sent = 0
        for m in queue:  # shared: each task takes the next message
            await client.mail(SENDER)
            await client.rcpt(m["to"])
            await client.data(m["raw"].encode("ascii"))
            sent += 1
        await client.quit()
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


async def ours(env: dict[str, str], concurrency: int, db: Path) -> dict[str, Any]:
    from bot.bootstrap import Platforms, bootstrap
    from restanse_core.clock import SystemClock

    settings = settings_for(f"sqlite:///{db}", concurrency).model_copy(update={"platforms": ["epost"]})
    runtime = bootstrap(settings, platforms=Platforms.SEND, clock=SystemClock(), env=env)
    assert list(runtime.senders) == ["epost"], runtime.senders
    delivery = runtime.deliveries.delivery()
    assert len(runtime.bot.org.people) > 0  # the directory is loaded before the clock starts
    before = rss_now_mb()
    started, cpu = time.perf_counter(), cpu_seconds()
    summary = await delivery.run(PERIOD, ["saksbehandler"])
    seconds, cpu = time.perf_counter() - started, cpu_seconds() - cpu
    for sender in runtime.senders.values():
        await sender.close()  # type: ignore[attr-defined]
    runtime.engine.dispose()
    counts = summary.counts
    return {"sent": counts.get("sent", 0), "counts": counts, "seconds": seconds, "cpu": cpu,
            "rss_before_mb": before, "peak_rss_mb": peak_rss_mb()}  # fmt: skip


def child(which: str, concurrency: int, db: Path) -> None:
    env = dict(os.environ)
    run = floor(env, concurrency) if which == "floor" else ours(env, concurrency, db)
    print(json.dumps(asyncio.run(run)))


# ---- this process: the SMTP server, the runs, the check ----------------------------------------------------------


def check(server: Any, messages: list[dict[str, Any]]) -> str | None:
    """Every message arrived exactly once, to its recipient, with its reference. None if so."""
    parser = BytesParser(policy=default)
    seen: Counter[str] = Counter()
    wrong = 0
    expected = {m["ref"]: m["to"] for m in messages}
    for received in server.received:
        headers = parser.parsebytes(received.raw, headersonly=True)
        ref = str(headers["X-Restansebot-Ref"])
        seen[ref] += 1
        wrong += expected.get(ref) not in received.rcpt_tos
    problems = []
    if twice := [r for r, n in seen.items() if n > 1]:
        problems.append(f"{len(twice)} sent twice")
    if missing := set(expected) - set(seen):
        problems.append(f"{len(missing)} missing")
    if wrong:
        problems.append(f"{wrong} to the wrong address")
    return "; ".join(problems) or None


def one_run(
    which: str, messages: list[dict[str, Any]], concurrency: int, server: Any, env: dict[str, str]
) -> dict[str, Any]:
    import subprocess

    for stale in DATA.glob(RUN_DB.name + "*"):
        stale.unlink()
    if which == "ours":
        shutil.copyfile(TEMPLATE, RUN_DB)
    server.received.clear()
    command = [sys.executable, "-m", "bench.mail_fanout", "--child", which, "--concurrency", str(concurrency),
               "--db", str(RUN_DB)]  # fmt: skip
    cpu = cpu_seconds()
    try:
        done = subprocess.run(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, check=False)
        if done.returncode != 0:
            raise SystemExit(f"{which}: the client process failed ({done.returncode})")
        result: dict[str, Any] = json.loads(done.stdout.decode().strip().splitlines()[-1])
        result["server_cpu"] = cpu_seconds() - cpu  # this process: the SMTP server (mostly)
        if problem := check(server, messages):
            raise SystemExit(f"{which}: {problem}")
    finally:
        for stale in DATA.glob(RUN_DB.name + "*"):
            stale.unlink()
    return result


def main_run(args: argparse.Namespace) -> None:
    import logging
    import tempfile

    from adapters.epost.tests.fakes import Authority, FakeSmtp

    logging.getLogger("mail.log").setLevel(logging.WARNING)
    authority = Authority(Path(tempfile.mkdtemp()))
    with FakeSmtp(authority) as server:
        env = {**os.environ, **server.env(RESTANSEBOT_EMAIL_FROM=SENDER,
               RESTANSEBOT_SMTP_CONNECTIONS=str(args.concurrency))}  # fmt: skip
        messages = prepare(args.messages, env)
        print(f"{machine()}, load average {os.getloadavg()[0]:.2f}", flush=True)
        runs: dict[str, list[dict[str, Any]]] = {"floor": [], "ours": []}
        for n in range(args.runs):
            for which in ("floor", "ours") if n % 2 == 0 else ("ours", "floor"):
                result = one_run(which, messages, args.concurrency, server, env)
                runs[which].append(result)
                print(f"run {n + 1} {which:5}: {result['sent']} sent in {result['seconds']:6.2f} s = "
                      f"{result['sent'] / result['seconds']:5.0f} mails/s (CPU {result['cpu']:5.2f} s; server CPU "
                      f"{result['server_cpu']:5.2f} s); RSS {result['rss_before_mb']:4.0f} MB before, "
                      f"peak {result['peak_rss_mb']:4.0f} MB; at the server: each exactly once", flush=True)  # fmt: skip
    rate = {w: statistics.median(r["sent"] / r["seconds"] for r in rs) for w, rs in runs.items()}
    cpu_per = {w: statistics.median(r["cpu"] / r["sent"] * 1000 for r in rs) for w, rs in runs.items()}
    peak = {w: statistics.median(r["peak_rss_mb"] for r in rs) for w, rs in runs.items()}
    before = {w: statistics.median(r["rss_before_mb"] for r in rs) for w, rs in runs.items()}
    print(
        f"\n{len(messages):,} e-mails, concurrency {args.concurrency}, pacing off: medians of {args.runs} runs"
    )
    print(f"{'':30} {'mails/s':>8} {'client CPU ms/mail':>19} {'RSS before':>11} {'peak RSS':>9}")
    for which, label in (("floor", "floor  bare aiosmtplib"), ("ours", "ours   outbox + EpostSender")):
        print(
            f"{label:30} {rate[which]:8.0f} {cpu_per[which]:19.2f} {before[which]:8.0f} MB {peak[which]:6.0f} MB"
        )
    pairs = sorted(
        o["sent"] / o["seconds"] / (f["sent"] / f["seconds"])
        for f, o in zip(runs["floor"], runs["ours"], strict=True)
    )
    print(f"load average at the end {os.getloadavg()[0]:.2f}; ratio round by round (a floor run and the ours "
          f"run next to it): {pairs[0]:.0%}–{pairs[-1]:.0%}")  # fmt: skip
    print(f"ratio  {rate['ours'] / rate['floor']:.0%} of the floor (target ≥ 25%); "
          f"Exchange Online takes 30 a minute from one mailbox: {args.messages / 30 / 60:.1f} h paced")  # fmt: skip


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--messages", type=int, default=5000, help="people over the threshold = e-mails")
    parser.add_argument("--concurrency", type=int, default=4, help="connections/tasks at once (default 4)")
    parser.add_argument("--runs", type=int, default=3, help="runs of each, alternating")
    parser.add_argument("--child", choices=("floor", "ours"), help=argparse.SUPPRESS)
    parser.add_argument("--db", type=Path, default=RUN_DB, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child, args.concurrency, args.db)
        return
    main_run(args)


if __name__ == "__main__":
    main()
