"""A command loads only what it uses: `restansebot --help` and a question asked in the terminal start without
pandas, matplotlib, alembic (the schema being current) or the chat SDKs. No timings here: those are
bench/cli_startup.py's."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import NOW
from tests.processes import clean_env, organisation

# None of these commands uses them; aiohttp is for `serve` and the SDKs.
UNUSED = {
    "pandas",
    "numpy",
    "matplotlib",
    "alembic",
    "slack_bolt",
    "slack_sdk",
    "microsoft_agents",
    "aiohttp",
}


def imported(tmp_path: Path, *args: str) -> set[str]:
    """The top-level packages `restansebot ARGS` imported, read from Python's own import log (-X importtime)."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "bot", *args],
        capture_output=True,
        text=True,
        env=clean_env(tmp_path, RESTANSEBOT_NOW=NOW, COLUMNS="200"),
        timeout=120,
    )
    assert done.returncode in (0, 1), done.stderr  # doctor exits 1 for its blocking findings
    log = [line for line in done.stderr.splitlines() if line.startswith("import time:")]
    assert log, "no import log: was -X importtime honoured?"
    return {line.rsplit("|", 1)[1].strip().split(".")[0] for line in log[1:]}


@pytest.fixture
def small_archive(tmp_path: Path, cli, sqlite_url: str) -> str:
    """A directory and one list, imported through the CLI: the schema is current afterwards."""
    organisation(tmp_path, cli, sqlite_url)
    return sqlite_url


def test_help_loads_no_command_implementation(tmp_path):
    loaded = imported(tmp_path, "--help")
    assert not loaded & UNUSED
    assert not loaded & {"sqlalchemy", "pydantic", "jinja2", "babel", "holidays", "apscheduler"}


def test_a_question_in_the_terminal_loads_no_pandas_alembic_or_chat_sdk(tmp_path, small_archive):
    loaded = imported(tmp_path, "--db", small_archive, "ask", "--as", "ARK", "hjelp")
    assert "sqlalchemy" in loaded  # the question was answered from the database
    assert not loaded & UNUSED


def test_doctor_tells_a_current_schema_without_alembic(tmp_path, small_archive):
    loaded = imported(tmp_path, "--db", small_archive, "doctor")
    assert not loaded & {"pandas", "matplotlib", "alembic", "slack_bolt", "microsoft_agents"}
