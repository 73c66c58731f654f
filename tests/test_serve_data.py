"""`restansebot serve` as a process: new data — an import, a directory change — are noticed and prepared
(everyone's figures worked out) in the background, before the first question is answered from them."""

from __future__ import annotations

import asyncio
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

from adapters.slack.tests.fakes import BOT_TOKEN, SIGNING_SECRET, FakeSlack, direct_message, signed_headers
from adapters.slack.tests.harness import all_text
from tests.conftest import HEADER, PEOPLE, _row, scenario_files, write_csv
from tests.fakes import Running

UKA = ("UUKA", "unni.karlsen@kommune.no")
NEW = ("UNYP", "nils.ny@kommune.no")  # joins the directory while the bot runs


class Serve:
    """`restansebot -v serve` with Slack pointed at the fake; its log is read line by line as it comes."""

    def __init__(self, db_url: str, fake: FakeSlack, tmp_path: Path) -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("RESTANSEBOT_", "SLACK_", "CONNECTIONS__"))
        }
        env.update(HOME=str(tmp_path), SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_SIGNING_SECRET=SIGNING_SECRET,
                   RESTANSEBOT_SLACK_API_URL=fake.api_url, RESTANSEBOT_NOW="2019-12-20T10:00:00+01:00")  # fmt: skip
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot", "--db", db_url, "-v", "serve", "--port", str(self.port)],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        self.log: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.log.append(line)

    def prepared_lines(self) -> list[str]:
        return [line for line in self.log if "Nye data klargjort" in line]

    def health(self) -> dict[str, Any] | None:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=5) as response:
                return dict(json.load(response))
        except OSError:
            return None

    def dm(self, user: str, text: str) -> None:
        body = json.dumps(direct_message(user, text))
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}/slack/events", data=body.encode(), headers=signed_headers(body)
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.status == 200

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(20)
        self._reader.join(5)


def until(condition: Any, what: str, serve: Serve, timeout: float = 60) -> Any:
    """Poll until `condition()` is truthy (the timeout only keeps a broken test from hanging)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := condition():
            return value
        assert serve.process.poll() is None, "serve stopped:\n" + "".join(serve.log)
        time.sleep(0.1)
    raise AssertionError(f"{what} did not happen; serve's log:\n" + "".join(serve.log))


def reply_to(running: Running, fake: FakeSlack, channel: str, count: int) -> dict[str, Any]:
    """The `count`-th chat.postMessage to `channel`."""
    waiting = fake.wait_for("chat.postMessage", count, 30, where=lambda c: c["channel"] == channel)
    calls = asyncio.run_coroutine_threadsafe(waiting, running.loop).result(40)
    return calls[count - 1].params


def test_serve_prepares_an_import_and_a_directory_change_before_anyone_asks(
    cli, db_url, directory_files, tmp_path
):
    nov, dec = scenario_files(tmp_path)
    assert cli("--db", db_url, "directory", "import", *directory_files).code == 0
    assert cli("--db", db_url, "import", nov, "--as-of", "13.11.2019").code == 0
    fake = FakeSlack()
    fake.add_user(*UKA)
    fake.add_user(*NEW)
    running = Running(fake)
    with running:
        serve = Serve(db_url, fake, tmp_path)
        try:
            until(lambda: (h := serve.health()) and h["prepared"] and h["snapshot"] == "2019-11-13",
                  "the first list prepared", serve)  # fmt: skip
            # Asked twice from the first list: the same answer (the second given again, not worked out again).
            serve.dm(UKA[0], "mine restanser")
            serve.dm(UKA[0], "mine restanser")
            first, again = reply_to(running, fake, "D" + UKA[0], 1), reply_to(running, fake, "D" + UKA[0], 2)
            assert first["text"].endswith("per 13.11.2019.")
            assert (again["text"], again["blocks"]) == (first["text"], first["blocks"])

            # A new list while the bot runs: the bot switches to it only once everyone's figures are worked out.
            assert cli("--db", db_url, "import", dec, "--as-of", "2019-12-16").code == 0
            seen: list[dict[str, Any]] = []

            def switched() -> bool:
                health = serve.health()
                if health is not None and health["snapshot"] == "2019-12-16":
                    seen.append(health)
                return bool(seen)

            until(switched, "the new list noticed", serve)
            # Nobody has asked yet: the figures were worked out in the background, before the switch.
            assert seen[0]["prepared"] is True
            until(
                lambda: any("lista 16.12.2019" in line for line in serve.prepared_lines()),
                "the log line",
                serve,
            )
            serve.dm(UKA[0], "mine restanser")  # (an answer given before is never given from new data)
            answer = reply_to(running, fake, "D" + UKA[0], 3)
            assert answer["text"] == "Du har 30 restanser per 16.12.2019."
            text = all_text(answer["blocks"]).replace("\n", "")
            assert "Siden 13.11.2019 er 5 journalposter ikke lenger restanse hos deg" in text

            # A directory change (someone new) is prepared the same way, before the newcomer asks.
            before = len(serve.prepared_lines())
            people = write_csv(
                tmp_path / "personer2.csv", [*PEOPLE, f"NYP;Nils Ny;{NEW[1]};LMA;saksbehandler"]
            )
            assert cli("--db", db_url, "directory", "import", people).code == 0
            until(lambda: len(serve.prepared_lines()) > before, "the new directory prepared", serve)
            health = serve.health()
            assert (health["platforms"], health["snapshot"], health["prepared"]) == (
                ["slack"],
                "2019-12-16",
                True,
            )
            serve.dm(NEW[0], "mine restanser")
            assert reply_to(running, fake, "D" + NEW[0], 1)["text"] == "Du har 0 restanser per 16.12.2019."
        finally:
            serve.stop()


def test_the_first_page_from_prepared_data_is_the_page_the_database_gives(
    cli, db_url, directory_files, tmp_path
):
    """`serve` answers the first page of «mine restanser» from what it prepared; `ask` reads the database.
    Same entries, same order: oldest first, those without a journal date last."""
    days = [
        "03.10.2019",
        "01.02.2018",
        "",
        "15.06.2019",
        "01.02.2018",
        "",
        "30.12.2016",
        "",
        "07.07.2019",
        "",
        "",
    ]
    rows = [HEADER] + [_row(f"2019/9{n:02d}-1", "UKA", "LMA", day) for n, day in enumerate(days)]
    assert cli("--db", db_url, "directory", "import", *directory_files).code == 0
    assert (
        cli("--db", db_url, "import", write_csv(tmp_path / "liste.csv", rows), "--as-of", "16.12.2019").code
        == 0
    )
    from_database = cli("--db", db_url, "ask", "--as", "UKA", "mine restanser")
    assert from_database.code == 0, from_database.err
    fake = FakeSlack()
    fake.add_user(*UKA)
    running = Running(fake)
    with running:
        serve = Serve(db_url, fake, tmp_path)
        try:
            until(lambda: (h := serve.health()) and h["prepared"], "the list prepared", serve)
            serve.dm(UKA[0], "mine restanser")
            answer = all_text(reply_to(running, fake, "D" + UKA[0], 1)["blocks"])
        finally:
            serve.stop()
    shown = re.findall(r"2019/9\d\d-1", answer)
    assert shown == re.findall(r"2019/9\d\d-1", from_database.out)
    assert shown == ["2019/906-1", "2019/901-1", "2019/904-1", "2019/903-1", "2019/908-1", "2019/900-1",
                     "2019/902-1", "2019/905-1", "2019/907-1", "2019/909-1"]  # fmt: skip
