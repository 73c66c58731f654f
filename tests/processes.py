"""Real processes for end-to-end tests: fake platforms in threads of their own, the scenario's organisation,
`restansebot serve` started as the production command, and what the fakes and the database saw."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path
from typing import Any

from sqlalchemy import text

from adapters.slack.tests.fakes import FakeSlack
from restanse_core.store import make_engine
from tests.conftest import write_csv
from tests.fakes import Running

__all__ = ["PEOPLE", "Proxy", "Running", "Serve", "add_users", "clean_env", "organisation", "outbox"]

PEOPLE = 24  # saksbehandlere with 30 or more: 24 direct messages, plus leaders and the arkiv


def organisation(tmp_path: Path, cli, db_url: str) -> list[str]:
    people = [f"S{i:02d}" for i in range(PEOPLE)]
    units = write_csv(
        tmp_path / "enheter.csv",
        ["enhet;navn;overordnet;ledere", "LMA;Landbruk;;LED", "TDR;Teknisk drift;;TDL"],
    )
    persons = [
        "initialer;navn;epost;enhet;rolle",
        "LED;Lise Eide;led@k.no;LMA;leder",
        "TDL;Trond Dahl;tdl@k.no;TDR;leder",
        "ARK;Arne Arkiv;ark@k.no;TDR;arkiv",
    ] + [f"{p};Person {p};{p.lower()}@k.no;LMA;" for p in people]
    rows = ["Jpnr;Type;Sbh;Enhet;Jour.dato"] + [
        f"2019/{n}-{i};I;{p};LMA;01.10.2019" for n, p in enumerate(people) for i in range(30)
    ]
    for args in (
        ("directory", "import", units, write_csv(tmp_path / "personer.csv", persons)),
        ("import", write_csv(tmp_path / "liste.csv", rows), "--as-of", "2019-12-16"),
    ):
        assert cli("--db", db_url, *args).code == 0
    return [*people, "LED", "TDL", "ARK"]


def outbox(db_url: str) -> dict[str, str]:
    with make_engine(db_url).connect() as conn:
        return {
            f"{r.kind}:{r.recipient}": r.status
            for r in conn.execute(text("SELECT kind, recipient, status FROM outbox"))
        }


def posts_per_ref(fake: FakeSlack) -> Counter[str]:
    """Messages that landed (a rate-limited attempt lands nowhere), per outbox row id in their metadata."""
    refs: Counter[str] = Counter()
    for messages in fake.history.values():
        for message in messages:
            refs[str(message.get("metadata", {}).get("event_payload", {}).get("ref"))] += 1
    return refs


def add_users(fake: FakeSlack, initials: list[str]) -> None:
    for i, who in enumerate(initials):
        fake.add_user(f"U{i:03d}", f"{who.lower()}@k.no")


def clean_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """The process environment without the developer's settings, with its own data directory."""
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("RESTANSEBOT_", "SLACK_", "CONNECTIONS__"))
    }
    env.update(HOME=str(tmp_path), XDG_DATA_HOME=str(tmp_path / "data"))
    return {**env, **extra}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Serve:
    """`restansebot serve` as a subprocess, as it runs in production."""

    def __init__(self, db_url: str, env: dict[str, str], *args: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = Path(env["HOME"]) / f"serve-{self.port}.log"
        self._log = self.log.open("w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot", "--db", db_url, "-v", "serve", "--port", str(self.port), *args],
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.wait_ready()

    def get(self, path: str) -> tuple[int, dict[str, Any]]:
        try:
            with urllib.request.urlopen(self.url + path, timeout=10) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as exc:
            return exc.code, json.loads(exc.read())

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while True:
            assert self.process.poll() is None, f"serve stopped: {self.output()}"
            try:
                if self.get("/readiness")[0] == 200:
                    return
            except (OSError, ValueError):
                pass
            assert time.monotonic() < deadline, f"serve never got ready: {self.output()}"
            time.sleep(0.1)

    def output(self) -> str:
        self._log.flush()
        return self.log.read_text()

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        self._log.close()
        return self.process.returncode

    def __enter__(self) -> Serve:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def wait_until(check: Any, timeout: float = 60, what: str = "it") -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"{what} never happened"
        time.sleep(0.05)


class Proxy:
    """A TCP forwarder in front of the PostgreSQL server, so a test can cut the database away from a process."""

    def __init__(self, postgres_url: str) -> None:
        from sqlalchemy.engine import make_url

        url = make_url(postgres_url)
        self.target = (url.host or "127.0.0.1", url.port or 5432)
        self.listener = socket.create_server(("127.0.0.1", 0))
        port = self.listener.getsockname()[1]
        self.url = postgres_url.replace(f"{url.host}:{url.port or 5432}", f"127.0.0.1:{port}", 1)
        self.sockets: list[socket.socket] = []
        self.open = True
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while self.open:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if not self.open:
                client.close()
                return
            upstream = socket.create_connection(self.target)
            self.sockets += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)

    def cut(self) -> None:
        """The database is gone: no new connections, and the open ones are broken."""
        self.open = False
        self.listener.close()
        for s in self.sockets:
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
            s.close()

    def __enter__(self) -> Proxy:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.open:
            self.cut()
