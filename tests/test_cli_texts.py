"""What the command line says, as processes: Norwegian like the rest (argparse's own words too), no library's
English, the report's gaps said out loud, counts in the right number, and the demo explaining itself (issue 15)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli.parser import ArgumentParser, translate
from tests.conftest import HEADER, _row, run_restansebot, write_csv


def run(*args: str, tmp_path: Path, env: dict[str, str] | None = None):
    return run_restansebot(*args, tmp_path=tmp_path, env=env)


# ---- argparse in Norwegian ---------------------------------------------------------------------------


def test_help_is_norwegian_through_and_through(tmp_path):
    result = run("--help", tmp_path=tmp_path)
    assert result.returncode == 0
    out = result.stdout
    assert out.startswith("bruk: restansebot") and "argumenter:" in out and "valg:" in out
    assert "-h, --help     vis denne hjelpen og avslutt" in out
    for english in ("usage:", "positional arguments", "options:", "show this help message"):
        assert english not in out
    report = run("report", "--help", tmp_path=tmp_path).stdout
    assert "bruk: restansebot report" in report and "--compare DATO" in report and "usage" not in report


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (
            ("report", "--format", "xml"),
            "restansebot report: --format: «xml» finnes ikke; velg mellom text, csv, json",
        ),
        (("ask",), "restansebot ask: du må oppgi --as, TEKST"),
        (("snapshots", "prune", "--months", "tre"), "--months: «tre» er ikke et heltall"),
        (("rapport",), "KOMMANDO: «rapport» finnes ikke; velg mellom db, import, directory, report, "),
        (("report", "--as-of"), "--as-of: mangler en verdi"),
        (("report", "--bogus"), "restansebot: forstår ikke --bogus"),
    ],
)
def test_usage_errors_are_norwegian(tmp_path, args, said):
    result = run(*args, tmp_path=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith("bruk: restansebot") and said in result.stderr
    assert "error" not in result.stderr and "invalid" not in result.stderr and "required" not in result.stderr


class _Said(Exception):
    pass


class _Recording(ArgumentParser):
    """Our parser, with its complaint caught instead of printed."""

    def error(self, message: str):  # type: ignore[override]
        raise _Said(message)


@pytest.mark.parametrize(
    ("argv", "norwegian"),
    [
        (["--n", "x", "--aa"], "--n: «x» er ikke et heltall"),
        (["--x"], "--x: mangler minst én verdi"),
        ([], "du må oppgi ett av --aa --ab"),
        (["--aa", "--ab"], "--ab: kan ikke brukes sammen med --aa"),
        (["--a"], "--a kan bety flere valg: --aa, --ab"),
        (["--aa=1"], "--aa: tar ingen verdi (fikk «1»)"),
        (["--aa", "y"], "forstår ikke y"),
        (["--aa", "--f", "pdf"], "--f: «pdf» finnes ikke; velg mellom text, csv"),
    ],
)
def test_argparses_own_messages_come_out_norwegian(argv, norwegian):
    """What this Python's argparse really says, through the translation the CLI uses."""
    parser = _Recording(prog="p")
    parser.add_argument("--n", type=int)
    parser.add_argument("--x", nargs="+")
    parser.add_argument("--f", choices=("text", "csv"))
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--aa", action="store_true")
    group.add_argument("--ab", action="store_true")
    with pytest.raises(_Said) as said:
        parser.parse_args(argv)
    assert translate(str(said.value)) == norwegian


# ---- no library's English in a message ---------------------------------------------------------------


def test_broken_files_are_explained_in_norwegian(scenario_db, tmp_path):
    not_excel = tmp_path / "liste.xlsx"
    not_excel.write_text("hei;hallo\n", encoding="utf-8")
    open_quote = write_csv(
        tmp_path / "sitat.csv", [HEADER, _row("2019/1-1", "UKA", "LMA"), '2019/1-2;I;"01.10.2019']
    )
    broken_gzip = tmp_path / "arkivstruktur.xml.gz"
    broken_gzip.write_bytes(b"\x1f\x8b garbage")
    said = {
        ("import", not_excel): "liste.xlsx kan ikke leses som et Excel-ark: fila er skadet",
        ("directory", "import", not_excel): "liste.xlsx kan ikke leses som et Excel-ark",
        ("import", open_quote): 'et anførselstegn (") åpnes på rad 3 og lukkes aldri',
        ("import", broken_gzip): "kan ikke leses som gzip-komprimert XML: fila er skadet",
    }
    for args, message in said.items():
        result = run("--db", scenario_db, *map(str, args), tmp_path=tmp_path)
        assert result.returncode != 0 and message in result.stderr, result.stderr
        for english in ("Cannot detect", "Error tokenizing", "C error", "compression method"):
            assert english not in result.stderr


def test_configuration_errors_are_norwegian(scenario_db, tmp_path):
    config = tmp_path / "restansebot.toml"
    config.write_text("language = nn\n", encoding="utf-8")
    result = run("--db", scenario_db, "--config", str(config), "report", tmp_path=tmp_path)
    assert "er ikke gyldig TOML på linje 1, kolonne 12" in result.stderr and "Invalid" not in result.stderr
    env = {
        "RESTANSEBOT_THRESHOLD": "tretti",
        "RESTANSEBOT_LIST_LENGTH": "0",
        "RESTANSEBOT_SEND_TIME": "25:00",
        "RESTANSEBOT_SCHEDULE": "0 9 *",
    }
    result = run("--db", scenario_db, "report", tmp_path=tmp_path, env=env)
    assert "threshold (RESTANSEBOT_THRESHOLD): «tretti» er ikke et heltall" in result.stderr
    assert "list_length (RESTANSEBOT_LIST_LENGTH): må være minst 1" in result.stderr
    assert "«25:00» er ikke et klokkeslett på formen TT:MM" in result.stderr
    assert "«0 9 *» er ikke et gyldig cron-uttrykk: skriv fem felt" in result.stderr
    assert "Input should" not in result.stderr and "Wrong number" not in result.stderr
    result = run(
        "--db", scenario_db, "report", tmp_path=tmp_path, env={"RESTANSEBOT_PLATFORMS": "teams, epost"}
    )
    assert result.returncode == 0  # platforms takes a comma list as well as JSON
    result = run("--db", scenario_db, "report", tmp_path=tmp_path, env={"RESTANSEBOT_CLOSED_DAYS": "12-24"})
    assert "closed_days (RESTANSEBOT_CLOSED_DAYS): ventet en JSON-liste" in result.stderr


# ---- the report ----------------------------------------------------------------------------------------


def test_report_before_the_first_list_names_the_first(scenario_db, tmp_path):
    result = run("--db", scenario_db, "report", "--as-of", "01.11.2019", tmp_path=tmp_path)
    assert result.returncode != 0
    assert (
        "Det finnes ingen restanseliste per 01.11.2019 eller tidligere. Den første er per 13.11.2019."
        in result.stderr
    )
    assert "ingen innleste" not in result.stderr


def test_a_missing_comparison_is_said_not_silently_dropped(scenario_db, tmp_path):
    first = run("--db", scenario_db, "report", "--as-of", "13.11.2019", tmp_path=tmp_path).stdout
    assert "Ingen sammenligning: det finnes ingen restanseliste før 13.11.2019." in first
    csv = run("--db", scenario_db, "report", "--compare", "01.10.2019", "--format", "csv", tmp_path=tmp_path)
    assert csv.stdout.lstrip("\ufeff").startswith("enhet;navn;16.12.2019\n")
    assert "Ingen sammenligning: det finnes ingen restanseliste per 01.10.2019 eller tidligere." in csv.stderr
    same = run("--db", scenario_db, "report", "--compare", "20.12.2019", tmp_path=tmp_path).stdout
    assert "Velg en tidligere dato med --compare." in same


def test_roll_ups_carry_the_previous_figure_said_once(scenario_db, tmp_path):
    out = run("--db", scenario_db, "report", tmp_path=tmp_path).stdout
    assert out.count("med underenheter") == 1 and "TDR med underenheter: 33 (forrige 33)" in out
    assert out.count("Restanser per enhet") == 1


def test_snapshots_list_has_labelled_columns(scenario_db, tmp_path):
    out = run("--db", scenario_db, "snapshots", "list", tmp_path=tmp_path, env={"USER": "arkivaren"}).stdout
    lines = out.splitlines()
    assert lines[0].split()[:9] == ["Lista", "per", "Restanser", "Fil", "Lest", "inn", "Lest", "inn", "av"]
    assert lines[2].startswith("13.11.2019") and "restanser-nov.csv" in lines[2] and "94" in lines[2]


# ---- counts in the right number -------------------------------------------------------------------------


def test_one_is_singular_in_the_cli(scenario_db, tmp_path):
    units = write_csv(tmp_path / "en-enhet.csv", ["enhet;navn;overordnet;ledere", "LMA;Landbruk;;"])
    assert (
        "en-enhet.csv: 1 enhet lest inn"
        in run("--db", scenario_db, "directory", "import", str(units), tmp_path=tmp_path).stdout
    )
    plan = run("--db", scenario_db, "nudges", "plan", "--date", "2019-12-17", tmp_path=tmp_path).stdout
    assert ": 1 saksbehandler, 1 leder, 1 i arkivet." in plan  # LED still leads LMA
    bad = write_csv(tmp_path / "feil.csv", [HEADER, _row("2019/1-1", "UKA", "LMA", day="31.02.2019")])
    refused = run("--db", scenario_db, "import", str(bad), tmp_path=tmp_path).stderr
    assert "ble avvist: 1 ugyldig verdi." in refused and "Rett fila og les den inn på nytt." in refused


# ---- the demo ------------------------------------------------------------------------------------------


def test_the_demo_says_one_sentence_per_role_and_where_its_database_is(tmp_path):
    demo = run("demo", "--no-shell", tmp_path=tmp_path)
    assert demo.returncode == 0, demo.stderr
    hint = demo.stdout + demo.stderr
    assert "Vil du se det en saksbehandler ser, start med «restansebot demo --as KAB»." in hint
    assert "Vil du se det en leder ser, start med «restansebot demo --as LMLED»." in hint
    assert "Vil du se det arkivet ser, start med «restansebot demo --as ARK1»." in hint
    leader = run("demo", "--as", "LMLED", tmp_path=tmp_path, env={}).stderr
    assert "Du chatter som" in leader and "leder for LMA" in leader and "--as LMLED»" not in leader
    report = run("report", tmp_path=tmp_path)
    assert report.returncode != 0
    demo_db = f"sqlite:///{tmp_path / 'data' / 'restansebot' / 'demo.db'}"
    assert "Det finnes ingen innleste restanselister ennå." in report.stderr
    assert (
        f"Demoen har sin egen database. Se tallene der med «restansebot --db {demo_db} report»"
        in report.stderr
    )
    shown = run("--db", demo_db, "report", tmp_path=tmp_path).stdout
    assert "1200" in shown and "1232" in shown
