"""Shared fixtures: real databases (SQLite always, PostgreSQL where reachable), the CLI in-process, sample files."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from bot.cli import main
from bot.store import migrate_schema
from restanse_core.settings import Settings
from restanse_core.store import make_engine

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
PG_URL = os.environ.get("RESTANSEBOT_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")


def _postgres_reachable() -> str | None:
    try:
        engine = create_engine(
            PG_URL.replace("postgresql://", "postgresql+psycopg://"), connect_args={"connect_timeout": 3}
        )
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
    migrate_schema(engine)
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
            "RESTANSEBOT_TEST_POSTGRES",
            "RESTANSEBOT_REQUIRE_POSTGRES",
        ):
            monkeypatch.delenv(key)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))


@dataclass
class Result:
    code: int
    out: str
    err: str


NOW = "2019-12-16T10:00:00+01:00"
"""The clock of the process tests: the day the scenario's December list was printed."""


@pytest.fixture
def restansebot():
    """Run the `restansebot` console script as a process, with the clock pinned (RESTANSEBOT_NOW)."""

    def run(*args: object, env: dict[str, str] | None = None, now: str = NOW) -> Result:
        exe = Path(sys.executable).with_name("restansebot")
        command = [str(exe)] if exe.exists() else [sys.executable, "-m", "bot"]
        finished = subprocess.run(
            [*command, *(str(a) for a in args)],
            capture_output=True,
            text=True,
            env={**os.environ, "RESTANSEBOT_NOW": now, "COLUMNS": "200", **(env or {})},
            timeout=300,
        )
        return Result(finished.returncode, finished.stdout, finished.stderr)

    return run


def stored(db_url: str) -> dict[str, list[tuple]]:
    """Everything the domain keeps (directory and snapshots), to show that a refusal changed nothing."""
    engine = make_engine(db_url)
    tables = ("units", "unit_leaders", "people", "snapshots", "restanser", "written_off")
    with engine.connect() as conn:
        dump = {t: sorted(map(tuple, conn.execute(text(f"SELECT * FROM {t}"))), key=repr) for t in tables}
    engine.dispose()
    return dump


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


UNITS = [
    "enhet;navn;overordnet;ledere",
    "LMA;Landbruk, miljø og arealforvaltning;;LED",
    "TDR;Teknisk drift;;",
    "GDO;Geodata og oppmåling;TDR;",
    "SKOLE;Skole/SFO;;SKL",
]
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


HEADER = "Journalpostnr;Type;Jour.dato;Tittel;Offentlig tittel;Saksbehandler;Adm.enhet;Tilg.kode;Avskrivningsdato;Avskrivningsmåte"


def _row(
    jp: str,
    sb: str,
    unit: str,
    day: str = "01.10.2019",
    title: str = "Søknad om tiltak",
    public: str = "",
    code: str = "",
    written: str = "",
    method: str = "",
    jp_type: str = "I",
) -> str:
    return ";".join([jp, jp_type, day, title, public, sb, unit, code, written, method])


def scenario_files(folder: Path) -> tuple[Path, Path]:
    """Two monthly lists. 13.11.2019: UKA 30 (exactly the threshold), ABC 29, TOR 2 in GDO, XYZ (not in the
    directory) 31 in TDR, one ufordelt in LMA, one in a unit not in the directory. 16.12.2019: UKA has lost five
    (three written off in the export) and got five new, two of them confidential and old."""
    first = [HEADER]
    first += [_row(f"2019/100-{i}", "UKA", "LMA", f"{i:02d}.10.2019") for i in range(1, 31)]
    first += [_row(f"2019/200-{i}", "ABC", "LMA") for i in range(1, 30)]
    first += [_row(f"2019/300-{i}", "TOR", "GDO") for i in range(1, 3)]
    first += [_row(f"2019/400-{i}", "XYZ", "TDR") for i in range(1, 32)]
    first += [
        _row("2019/500-1", "", "LMA"),
        _row("2019/600-1", "TOR", "NYENHET"),
        _row("2019/650-1", "UKA", "LMA", jp_type="U"),
    ]
    second = [HEADER]
    second += [_row(f"2019/100-{i}", "UKA", "LMA", f"{i:02d}.10.2019") for i in range(6, 31)]
    second += [_row(f"2019/100-{i}", "UKA", "LMA", written="10.12.2019", method="TE") for i in range(1, 4)]
    second += [
        _row(
            "2019/700-1",
            "UKA",
            "LMA",
            "01.01.2018",
            "Barnevern for Ola Nordmann",
            "Henvendelse fra privatperson",
            "13 Ofl",
        ),
        _row("2019/700-2", "UKA", "LMA", "02.01.2018", "Klage fra Kari Hansen", "", "U"),
    ]
    second += [_row(f"2019/700-{i}", "UKA", "LMA", "01.12.2019", f"Ny sak {i}") for i in range(3, 6)]
    second += [_row(f"2019/200-{i}", "ABC", "LMA") for i in range(1, 30)]
    second += [_row(f"2019/300-{i}", "TOR", "GDO") for i in range(1, 3)]
    second += [_row(f"2019/400-{i}", "XYZ", "TDR") for i in range(1, 32)]
    second += [_row("2019/500-1", "", "LMA")]
    return write_csv(folder / "restanser-nov.csv", first, "cp1252"), write_csv(
        folder / "restanser-des.csv", second, "cp1252"
    )


@pytest.fixture
def loaded(cli, db_url: str, directory_files, tmp_path: Path) -> str:
    """The directory and both monthly lists imported through the CLI; returns the database URL."""
    nov, dec = scenario_files(tmp_path)
    for args in (
        ("directory", "import", *directory_files),
        ("import", nov, "--as-of", "13.11.2019"),
        ("import", dec, "--as-of", "2019-12-16"),
    ):
        result = cli("--db", db_url, *args)
        assert result.code == 0, result.err
    return db_url


def run_restansebot(
    *args: str, tmp_path: Path, stdin: str = "", env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """`restansebot ARGS` as its own process, with a data directory of its own."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("RESTANSEBOT_")}
    environment.update(XDG_DATA_HOME=str(tmp_path / "data"), HOME=str(tmp_path), **(env or {}))
    command = [sys.executable, "-m", "bot", *args]
    result = subprocess.run(
        command, input=stdin, capture_output=True, text=True, env=environment, timeout=300
    )
    assert "Traceback" not in result.stderr, result.stderr
    return result


@pytest.fixture
def scenario_db(cli, sqlite_url: str, directory_files, tmp_path: Path) -> str:
    """The two monthly lists of the test scenario (UKA has 30 restanser), in SQLite."""
    nov, dec = scenario_files(tmp_path)
    for args in (
        ("directory", "import", *directory_files),
        ("import", nov, "--as-of", "13.11.2019"),
        ("import", dec, "--as-of", "2019-12-16"),
    ):
        assert cli("--db", sqlite_url, *args).code == 0
    return sqlite_url
