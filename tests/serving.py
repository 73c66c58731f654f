"""`restansebot serve` as a process on 127.0.0.1, for tests that go through the server as users run it."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

NOW = "2019-12-20T10:00:00+01:00"  # the demo data's month


@dataclass
class Served:
    url: str
    log_file: Path

    @property
    def log(self) -> str:
        """Everything the process wrote to stderr (its log), so far."""
        return self.log_file.read_text(encoding="utf-8", errors="replace")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def serving(db_url: str, tmp_path: Path, extra_env: dict[str, str]) -> Iterator[Served]:
    """Start the server, wait until /healthz answers, stop it (SIGTERM) on the way out."""
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("RESTANSEBOT_", "SLACK_", "CONNECTIONS__"))
    }
    env.update(HOME=str(tmp_path), XDG_DATA_HOME=str(tmp_path / "data"), RESTANSEBOT_NOW=NOW, **extra_env)
    port = free_port()
    served = Served(f"http://127.0.0.1:{port}", tmp_path / f"serve-{port}.log")
    with served.log_file.open("w", encoding="utf-8") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot", "--db", db_url, "serve", "--port", str(port)],
            env=env, stdout=subprocess.DEVNULL, stderr=log,
        )  # fmt: skip
        try:
            deadline = time.monotonic() + 60
            while True:
                assert process.poll() is None, f"serve stopped at start:\n{served.log}"
                try:
                    with urllib.request.urlopen(served.url + "/healthz", timeout=5) as health:
                        if health.status == 200:
                            break
                except OSError:
                    assert time.monotonic() < deadline, f"serve never answered:\n{served.log}"
                    time.sleep(0.1)
            yield served
        finally:
            process.terminate()
            process.wait(30)
