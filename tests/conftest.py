"""Shared fixtures: real databases (SQLite always, PostgreSQL where reachable), the CLI in-process, sample files."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

import bot.store  # noqa: F401  (the bot's migrations)
from bot.cli import main
from restanse_core.settings import Settings
from restanse_core.store import make_engine, migrate

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
PG_URL = os.environ.get("RESTANSEBOT_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")


def _postgres_reachable() -> str | None:
    try:
        engine = create_engine(PG_URL.replace("postgresql://", "postgresql+psycopg://"), connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
        return None
    except Exception as exc:  # any failure means: no server to test against here
        return f"PostgreSQL is not reachable at {PG_URL} ({type(exc).__name__})"


_PG_PROBLEM = _postgres_reachable()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'restansebot.db'}"


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh schema in the test database, dropped afterwards."""
    if _PG_PROBLEM:
        if os.environ.get("RESTANSEBOT_REQUIRE_POSTGRES") == "1":
            pytest.fail(_PG_PROBLEM + " — CI requires it (RESTANSEBOT_REQUIRE_POSTGRES=1)")
        pytest.skip(_PG_PROBLEM)
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL.replace("postgresql://", "postgresql+psycopg://"))
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    yield f"{PG_URL}?options=-csearch_path%3D{schema}"
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest) -> str:
    """Each test using this runs against SQLite and against PostgreSQL."""
    if request.param == "sqlite":
        return request.getfixturevalue("sqlite_url")
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def engine(db_url: str):
    engine = make_engine(db_url)
    migrate(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def settings(db_url: str) -> Settings:
    return Settings(database_url=db_url)


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No setting leaks in from the developer's shell; the user's data directory is a temporary one."""
    for key in list(os.environ):
        if key.startswith(("RESTANSEBOT_", "SLACK_", "CONNECTIONS__")) and key not in (
            "RESTANSEBOT_TEST_POSTGRES", "RESTANSEBOT_REQUIRE_POSTGRES",
        ):  # fmt: skip
            monkeypatch.delenv(key)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))


@dataclass
class Result:
    code: int
    out: str
    err: str


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]):
    """Run `restansebot ARGS` in-process; returns exit code and what was printed."""

    def run(*args: str) -> Result:
        capsys.readouterr()
        try:
            main([str(a) for a in args])
            code = 0
        except SystemExit as exit_:
            code = int(exit_.code or 0)
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run


def write_csv(path: Path, lines: list[str], encoding: str = "utf-8") -> Path:
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return path


UNITS = ["enhet;navn;overordnet;ledere", "LMA;Landbruk, miljø og arealforvaltning;;LED", "TDR;Teknisk drift;;",
         "GDO;Geodata og oppmåling;TDR;", "SKOLE;Skole/SFO;;SKL"]  # fmt: skip
PEOPLE = [
    "initialer;navn;epost;enhet;rolle",
    "UKA;Unni Karlsen;unni.karlsen@kommune.no;LMA;saksbehandler",
    "ABC;Anne Berit Cappelen;anne.cappelen@kommune.no;LMA;",
    "TOR;Tor Olsen;tor.olsen@kommune.no;GDO;saksbehandler",
    "LED;Lise Eide;lise.eide@kommune.no;LMA;leder",
    "TDL;Trond Dahl;trond.dahl@kommune.no;TDR;leder",
    "SKL;Siri Kvam;siri.kvam@kommune.no;SKOLE;leder",
    "ARK;Arne Arkiv;arne.arkiv@kommune.no;TDR;arkiv",
]


@pytest.fixture
def directory_files(tmp_path: Path) -> tuple[Path, Path]:
    return write_csv(tmp_path / "enheter.csv", UNITS), write_csv(tmp_path / "personer.csv", PEOPLE)
