"""`restansebot report`: the procedure's table of restanser per unit, compared with a month earlier."""

from __future__ import annotations

import csv
import json

import pytest

from bot.spreadsheet import safe_cell
from tests.conftest import write_csv


def report(cli, db_url, *args):
    result = cli("--db", db_url, "report", *args)
    assert result.code == 0, result.err
    return result.out


def test_json_report_has_every_unit_the_comparison_and_the_total(cli, loaded):
    data = json.loads(report(cli, loaded, "--format", "json"))
    assert data["as_of"] == "2019-12-16" and data["compare"] == "2019-11-13"
    units = {u["code"]: u for u in data["units"]}
    assert units["LMA"] == {
        "code": "LMA",
        "name": "Landbruk, miljø og arealforvaltning",
        "count": 60,
        "previous": 60,
    }
    assert units["SKOLE"]["count"] == 0 and units["SKOLE"]["previous"] == 0  # a directory unit with none
    assert units["NYENHET"] == {
        "code": "NYENHET",
        "name": None,
        "count": 0,
        "previous": 1,
    }  # only in the list
    assert units["GDO"]["count"] == 2  # a sub-unit is its own row
    assert data["total"] == {"count": 93, "previous": 94}
    assert sum(u["count"] for u in data["units"]) == data["total"]["count"]


def test_first_snapshot_has_no_comparison(cli, loaded):
    data = json.loads(report(cli, loaded, "--format", "json", "--as-of", "2019-11-13"))
    assert data["compare"] is None and data["total"]["previous"] is None
    assert all(u["previous"] is None for u in data["units"])


def test_as_of_between_snapshots_takes_the_newest_before(cli, loaded):
    data = json.loads(report(cli, loaded, "--format", "json", "--as-of", "01.12.2019"))
    assert data["as_of"] == "2019-11-13"


def test_default_comparison_is_at_least_28_days_earlier(cli, loaded, tmp_path):
    mid = write_csv(tmp_path / "mid.csv", ["Jpnr;Enhet", "2019/1-1;LMA"])
    # Older than the newest list and far smaller than the one before it: stored only when confirmed.
    assert cli("--db", loaded, "import", mid, "--as-of", "2019-12-01").code == 2
    assert cli("--db", loaded, "import", mid, "--as-of", "2019-12-01", "--confirm").code == 0
    data = json.loads(report(cli, loaded, "--format", "json"))
    assert data["compare"] == "2019-11-13"
    data = json.loads(report(cli, loaded, "--format", "json", "--compare", "2019-12-01"))
    assert data["compare"] == "2019-12-01" and data["total"]["previous"] == 1


def test_csv_report_opens_in_norwegian_excel(cli, loaded):
    """The text table's columns in its order, the dates as headings, the sum row last."""
    result = cli("--db", loaded, "report", "--format", "csv")
    assert result.code == 0
    lines = result.out.lstrip("\ufeff").splitlines()
    assert lines[0] == "enhet;navn;13.11.2019;16.12.2019"
    assert "LMA;Landbruk, miljø og arealforvaltning;60;60" in lines
    assert "NYENHET;;1;0" in lines
    assert lines[-1] == "Sum;;94;93"
    text_order = [
        line.split()[0]
        for line in report(cli, loaded).splitlines()
        if line.startswith("  ") and "--" not in line
    ]
    assert [line.split(";")[0] for line in lines[1:]] == text_order[1:]


def test_csv_report_starts_with_a_byte_order_mark(loaded, tmp_path):
    import subprocess
    import sys

    out = subprocess.run(
        [sys.executable, "-m", "bot", "--db", loaded, "report", "--format", "csv"],
        capture_output=True,
        check=True,
    ).stdout
    assert out.startswith(b"\xef\xbb\xbfenhet;navn;13.11.2019;16.12.2019")


def test_text_report_looks_like_the_procedure_table(cli, loaded):
    text = report(cli, loaded)
    lines = text.splitlines()
    header = next(line for line in lines if "13.11.2019" in line)
    assert header.index("13.11.2019") < header.index("16.12.2019")
    lma = next(line for line in lines if line.strip().startswith("LMA"))
    assert lma.split()[-2:] == ["60", "60"]
    assert next(line for line in lines if line.strip().startswith("Sum")).split()[-2:] == ["94", "93"]
    assert "TDR med underenheter: 33 (forrige 33)" in text  # the roll-up of TDR and GDO


def test_report_without_snapshots_says_so(cli, db_url):
    result = cli("--db", db_url, "report")
    assert result.code != 0 and "ingen innleste restanselister" in result.err.lower()


def test_csv_cells_that_excel_would_run_as_formulas_are_written_as_text(restansebot, sqlite_url, tmp_path):
    units = write_csv(
        tmp_path / "enheter.csv",
        [
            "enhet;navn;overordnet;ledere",
            'LMA;"=HYPERLINK(""http://x.example"";""Klikk"")";;',
            "TDR;@SUM(A1);;",
        ],
    )
    assert restansebot("--db", sqlite_url, "directory", "import", units).code == 0
    listing = write_csv(
        tmp_path / "liste.csv",
        ["Jpnr;Type;Jour.dato;Sbh;Enhet"]
        + [
            f"2019/{n}-1;I;01.11.2019;UKA;{unit}"
            for n, unit in enumerate(["LMA", "=1+2", "-3", "+47", "LMA"])
        ],
    )
    assert restansebot("--db", sqlite_url, "import", listing, "--as-of", "16.12.2019").code == 0
    result = restansebot("--db", sqlite_url, "report", "--format", "csv")
    assert result.code == 0, result.err
    rows = list(csv.reader(result.out.lstrip("\ufeff").splitlines(), delimiter=";"))
    assert ["LMA", '\'=HYPERLINK("http://x.example";"Klikk")', "2"] in rows
    assert ["TDR", "'@SUM(A1)", "0"] in rows
    assert rows[-1] == ["Sum", "", "5"]
    assert [r[0] for r in rows[:-1] if r[1] == ""] == [
        "'+47",
        "'-3",
        "'=1+2",
    ]  # codes seen only in the list, as text
    assert all(r[2].isdigit() for r in rows[1:])  # the counts stay numbers


@pytest.mark.parametrize(
    ("value", "written"),
    [("=1+2", "'=1+2"), ("\tLMA", "'\tLMA"), ("\rLMA", "'\rLMA"), ("LMA-2", "LMA-2"), (-5, -5), (1.5, 1.5)],
)
def test_one_function_makes_every_spreadsheet_cell_safe(value, written):
    assert safe_cell(value) == written
