"""The command line as a person uses it: exit codes, messages, no tracebacks for their mistakes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from restanse_core.store import make_engine
from tests.conftest import write_csv


def test_ask_prints_the_answer(cli, loaded):
    result = cli("--db", loaded, "ask", "--as", "uka", "mine restanser")
    assert result.code == 0
    assert "Du har 30 restanser per 16.12.2019." in result.out


def test_ask_as_someone_not_in_the_directory_still_exits_zero(cli, loaded):
    result = cli("--db", loaded, "ask", "--as", "NOBODY", "mine restanser")
    assert result.code == 0 and "finner deg ikke i katalogen" in result.out


def test_shell_reads_lines_from_standard_input(cli, loaded, monkeypatch):
    import io

    monkeypatch.setattr(sys, "stdin", io.StringIO("oversikt\n\nenhet LMA\navslutt\nmine restanser\n"))
    result = cli("--db", loaded, "shell", "--as", "LED")
    assert result.code == 0
    assert "Restanser per enhet" in result.out and "UKA" in result.out
    assert "Dine restanser" not in result.out  # stopped at «avslutt»


def test_db_upgrade_creates_the_schema(cli, db_url):
    assert cli("--db", db_url, "db", "upgrade").code == 0
    tables = set(inspect(make_engine(db_url)).get_table_names())
    assert {
        "units",
        "people",
        "snapshots",
        "restanser",
        "written_off",
        "chat_identities",
        "alembic_version",
    } <= tables


def test_database_url_from_the_environment(cli, sqlite_url, monkeypatch):
    monkeypatch.setenv("RESTANSEBOT_DATABASE_URL", sqlite_url)
    assert cli("db", "upgrade").code == 0
    assert Path(sqlite_url.removeprefix("sqlite:///")).exists()


def test_default_database_is_in_the_users_data_directory(cli, tmp_path):
    assert cli("db", "upgrade").code == 0
    assert (tmp_path / "xdg-data" / "restansebot" / "restansebot.db").exists()


def test_refused_import_exits_non_zero_without_traceback_and_stores_nothing(cli, db_url, tmp_path):
    bad = write_csv(tmp_path / "liste.csv", ["Jpnr;Enhet;Jour.dato", "2019/1-1;LMA;32.13.2019"])
    result = cli("--db", db_url, "import", bad)
    assert result.code != 0
    assert "liste.csv, rad 2, kolonne «Jour.dato»: «32.13.2019»" in result.err
    assert "Traceback" not in result.err + result.out
    with make_engine(db_url).connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM snapshots")).scalar() == 0


def test_import_summary(cli, db_url, tmp_path, directory_files):
    cli("--db", db_url, "directory", "import", *directory_files)
    f = write_csv(
        tmp_path / "r.csv", ["Jpnr;Type;Sbh;Enhet", "1;I;UKA;LMA", "1;I;UKA;LMA", "2;U;UKA;LMA", "3;I;QQ;ZZ"]
    )
    result = cli("--db", db_url, "import", f, "--as-of", "2019-12-16", "--confirm")
    assert result.code == 0
    assert "Restanser lagret:    2" in result.out
    assert "Merk: Lista har ingen kolonne for journaldato" in result.out  # the assumption confirmed
    assert "Hoppet over, type U: 1" in result.out
    assert "Duplikater" in result.out
    assert "Enheter som ikke er i katalogen (1): ZZ" in result.out
    assert "Saksbehandlere som ikke er i katalogen (1): QQ" in result.out


def test_column_option_maps_a_heading(cli, db_url, tmp_path):
    f = write_csv(tmp_path / "r.csv", ["Nr;Seksjon", "1;LMA"])
    assert (
        cli("--db", db_url, "import", f, "--column", "id=Nr", "--column", "enhet=Seksjon", "--confirm").code
        == 0
    )
    result = cli("--db", db_url, "import", f, "--column", "avdeling=Seksjon")
    assert result.code != 0 and "ukjent felt «avdeling»" in result.err


def test_bad_date_option_is_a_clear_message(cli, db_url, tmp_path):
    result = cli("--db", db_url, "report", "--as-of", "i går")
    assert result.code != 0 and "«i går» er ikke en dato" in result.err


def test_configuration_errors_are_reported_by_key_at_start(cli, db_url, tmp_path, monkeypatch):
    monkeypatch.setenv("RESTANSEBOT_THRESHOLD", "tretti")
    result = cli("--db", db_url, "report")
    assert result.code != 0
    assert "threshold (RESTANSEBOT_THRESHOLD)" in result.err and "Traceback" not in result.err
    monkeypatch.delenv("RESTANSEBOT_THRESHOLD")
    config = tmp_path / "c.toml"
    config.write_text('closed_days = ["31.13"]\nlanguage = "de"\n', encoding="utf-8")
    result = cli("--db", db_url, "--config", config, "report")
    assert "closed_days" in result.err and "language" in result.err
    config.write_text('[channels]\nLMA = "C0123"\n', encoding="utf-8")
    result = cli("--db", db_url, "--config", config, "report")
    assert "channels (RESTANSEBOT_CHANNELS)" in result.err and "PLATTFORM:KANAL-ID" in result.err


def test_unreachable_database_is_a_clear_message(cli):
    result = cli("--db", "postgresql://nobody@127.0.0.1:1/none", "report")
    assert result.code != 0 and "Får ikke kontakt med databasen" in result.err


def test_snapshots_are_pruned_after_the_retention_period(cli, loaded, monkeypatch):
    monkeypatch.setenv("RESTANSEBOT_NOW", "2021-01-20T10:00:00+01:00")
    result = cli("--db", loaded, "snapshots", "prune", "--months", "12")
    assert (
        result.code == 0
        and "Slettet 1 liste eldre enn 21.01.2020: 13.11.2019" in result.out
        and "13.11.2019" in result.out
    )
    listed = cli("--db", loaded, "snapshots", "list").out
    assert "16.12.2019" in listed and "13.11.2019" not in listed  # the newest is always kept


def test_installed_console_script_runs(loaded):
    exe = Path(sys.executable).with_name("restansebot")
    if not exe.exists():
        pytest.skip("restansebot is not installed in this environment (pip install -e .)")
    out = subprocess.run(
        [exe, "--db", loaded, "ask", "--as", "UKA", "status"],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "200"},
        check=True,
    )
    assert "16.12.2019" in out.stdout


def test_serve_on_a_port_in_use_is_a_clear_message(cli, db_url):
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = cli("--db", db_url, "serve", "--port", str(port))
    assert result.code != 0 and f"Kan ikke lytte på 127.0.0.1:{port}" in result.err
    assert "Traceback" not in result.err


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        (
            "CLOSED_DAYS",
            "12-24,12-31",
            "closed_days (RESTANSEBOT_CLOSED_DAYS): ventet en JSON-liste, for eksempel",
        ),
        ("CHANNELS", "LMA=slack:C1", "channels (RESTANSEBOT_CHANNELS): ventet et JSON-objekt, for eksempel"),
        ("ABSENT_COLUMNS", '["tittel"]', "absent_columns.0 (RESTANSEBOT_ABSENT_COLUMNS)"),
    ],
)
def test_a_malformed_list_or_dict_setting_in_the_environment_is_reported_by_key(
    restansebot, sqlite_url, key, value, expected
):
    result = restansebot("--db", sqlite_url, "report", env={f"RESTANSEBOT_{key}": value})
    assert result.code == 2
    assert result.err.startswith("Feil i konfigurasjonen:") and expected in result.err
    assert "Traceback" not in result.err
