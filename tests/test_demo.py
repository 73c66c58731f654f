"""`restansebot demo`: a realistic organisation whose figures are exactly the procedure's table."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import SHARED

PROCEDURE = SHARED / "mission" / "restanseoppfolging-prosedyre.txt"


def procedure_table() -> dict[str, tuple[str, int, int]]:
    """The table in the archive's procedure: code → (name, 13.11.2019, 16.12.2019)."""
    cells = [c.strip() for c in PROCEDURE.read_text(encoding="utf-8").split("\n") if c.strip()]
    start = cells.index("16.12.2019") + 1
    table = {}
    i = start
    while cells[i] != "Sum":
        code, name, before, after = cells[i : i + 4]
        table[code] = (name, int(before), int(after))
        i += 4
    assert (int(cells[i + 1]), int(cells[i + 2])) == (1200, 1232)
    return table


def run(
    *args: str, stdin: str = "", db: str | None = None, tmp_path: Path
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "data"), "HOME": str(tmp_path)}
    env = {k: v for k, v in env.items() if not k.startswith("RESTANSEBOT_")}
    command = [sys.executable, "-m", "bot", *(["--db", db] if db else []), *args]
    return subprocess.run(command, input=stdin, capture_output=True, text=True, env=env, timeout=300)


@pytest.mark.skipif(not PROCEDURE.exists(), reason=f"the procedure is not at {PROCEDURE}")
def test_demo_reproduces_the_procedures_table(tmp_path):
    demo = run("demo", "--no-shell", tmp_path=tmp_path)
    assert demo.returncode == 0, demo.stderr
    db = f"sqlite:///{tmp_path / 'data' / 'restansebot' / 'demo.db'}"
    report = json.loads(run("report", "--format", "json", db=db, tmp_path=tmp_path).stdout)
    expected = procedure_table()
    assert len(expected) == 37
    got = {u["code"]: (u["name"], u["previous"], u["count"]) for u in report["units"]}
    assert got == expected
    assert report["total"] == {"count": 1232, "previous": 1200}
    assert (report["as_of"], report["compare"]) == ("2019-12-16", "2019-11-13")


def test_piped_demo_answers_and_never_touches_the_configured_database(tmp_path):
    configured = tmp_path / "data" / "restansebot" / "restansebot.db"
    result = run("demo", stdin="oversikt\nmine restanser\n", tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    assert re.search(r"Sum\s+1200\s+1232", result.stdout)
    assert "Du har" in result.stdout and "restanser per 16.12.2019" in result.stdout
    assert not configured.exists()


def test_demo_case_officer_has_more_than_30(tmp_path):
    result = run("demo", stdin="mine restanser\n", tmp_path=tmp_path)
    count = int(re.search(r"Du har (\d+) restanser per 16\.12\.2019", result.stdout).group(1))
    assert count > 30
    assert "Du har 30 eller flere restanser" in result.stdout


def test_demo_can_load_into_a_given_database(tmp_path, cli):
    db = f"sqlite:///{tmp_path / 'egen.db'}"
    result = run("demo", "--no-shell", db=db, tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "egen.db").exists()
    assert not (tmp_path / "data" / "restansebot" / "demo.db").exists()


def test_demo_loads_its_lists_confirmed_into_a_database_with_a_newer_list(tmp_path, cli):
    # Its lists are older than the one already there: an import would ask first; the demo need not.
    db = f"sqlite:///{tmp_path / 'egen.db'}"
    newer = tmp_path / "januar.csv"
    newer.write_text("Jpnr;Type;Jour.dato;Sbh;Enhet\n2020/1-1;I;02.01.2020;UKA;LMA\n", encoding="utf-8")
    assert cli("--db", db, "import", newer, "--as-of", "2020-01-15").code == 0
    result = run("demo", "--no-shell", db=db, tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    listed = run("snapshots", "list", db=db, tmp_path=tmp_path).stdout
    assert "13.11.2019" in listed and "16.12.2019" in listed and "15.01.2020" in listed
