"""Resource bombs: a file that would take minutes and gigabytes is refused before it is read."""

from __future__ import annotations

import re
import struct
import zipfile
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from restanse_core.errors import UserError
from restanse_core.importers import import_snapshot
from restanse_core.settings import Settings
from tests.conftest import stored, write_csv
from tests.noark5_builders import JP, extract, saksmappe, write

HEADER = "Journalpostnr;Type;Jour.dato;Saksbehandler;Adm.enhet"


def run(url: str, path: Path, **settings: object):
    return import_snapshot(
        _engine(url),
        path,
        Settings(database_url=url, **settings),
        as_of=date(2019, 12, 16),
        imported_by="test",
        confirmed=True,
    )


def _engine(url: str):
    from restanse_core.store import make_engine, migrate

    engine = make_engine(url)
    migrate(engine)
    return engine


def bomb(path: Path, megabytes: int) -> Path:
    """A real workbook whose sheet is padded with `megabytes` MB of blanks: a few hundred kB on disk."""
    pd.DataFrame([["Jpnr", "Enhet"], ["2019/1-1", "LMA"]]).to_excel(path, header=False, index=False)
    padded = path.with_suffix(".tmp")
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(padded, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"<sheetData>", b"<sheetData>" + b" " * (megabytes << 20))
            target.writestr(item.filename, data)
    padded.replace(path)
    return path


def lie_about_sizes(path: Path) -> None:
    """Make every entry of the zip declare 1,000 bytes, whatever it holds (a crafted bomb)."""
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        entries = archive.infolist()
    for entry in entries:
        struct.pack_into("<I", data, entry.header_offset + 22, 1000)  # local header: uncompressed size
    central = data.find(b"PK\x01\x02")
    while central != -1:
        struct.pack_into("<I", data, central + 24, 1000)  # central directory: uncompressed size
        central = data.find(b"PK\x01\x02", central + 4)
    path.write_bytes(bytes(data))


@pytest.fixture
def no_excel_reading(monkeypatch: pytest.MonkeyPatch) -> None:
    """The refusal must come before the workbook is handed to the Excel reader."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the workbook was read")

    monkeypatch.setattr(pd, "read_excel", refuse)


def test_a_workbook_that_unpacks_past_the_limit_is_refused_before_it_is_read(
    sqlite_url, tmp_path, no_excel_reading
):
    path = bomb(tmp_path / "liste.xlsx", 40)
    assert path.stat().st_size < 1 << 20
    with pytest.raises(UserError, match=r"liste.xlsx pakker seg ut til mer enn 8 MB \(40 MB\), grensen"):
        run(sqlite_url, path, xlsx_max_uncompressed_mb=8)


def test_a_workbook_that_declares_less_than_it_holds_is_refused_too(sqlite_url, tmp_path, no_excel_reading):
    path = bomb(tmp_path / "liste.xlsx", 40)
    lie_about_sizes(path)
    with pytest.raises(UserError, match=re.escape("liste.xlsx pakker seg ut til mer enn 8 MB")):
        run(sqlite_url, path, xlsx_max_uncompressed_mb=8)


def test_a_workbook_within_the_limit_is_read(sqlite_url, tmp_path):
    assert run(sqlite_url, bomb(tmp_path / "liste.xlsx", 2), xlsx_max_uncompressed_mb=8).restanser == 1


def test_a_table_with_more_rows_than_import_max_rows_is_refused_and_nothing_is_stored(sqlite_url, tmp_path):
    lines = [HEADER] + [f"2019/{i}-1;I;01.11.2019;UKA;LMA" for i in range(250)]
    assert run(sqlite_url, write_csv(tmp_path / "ok.csv", lines), import_max_rows=250).restanser == 250
    before = stored(sqlite_url)
    with pytest.raises(
        UserError, match=re.escape("big.csv har mer enn 249 rader, grensen i innstillingen import_max_rows")
    ):
        run(sqlite_url, write_csv(tmp_path / "big.csv", lines), import_max_rows=249)
    assert stored(sqlite_url) == before


def test_an_extract_with_more_journalposter_than_the_limit_is_refused(sqlite_url, tmp_path):
    path = write(
        tmp_path / "arkivstruktur.xml", extract(saksmappe(*(JP(f"j{n}", nr=str(n)) for n in range(1, 6))))
    )
    with pytest.raises(UserError, match="har mer enn 4 journalposter"):
        run(sqlite_url, path, import_max_rows=4)
    assert stored(sqlite_url)["snapshots"] == []


def test_cli_refuses_the_bomb_through_the_setting_in_the_environment(restansebot, sqlite_url, tmp_path):
    path = bomb(tmp_path / "liste.xlsx", 40)
    result = restansebot(
        "--db",
        sqlite_url,
        "import",
        path,
        "--as-of",
        "16.12.2019",
        env={"RESTANSEBOT_XLSX_MAX_UNCOMPRESSED_MB": "8"},
    )
    assert result.code == 2
    assert "liste.xlsx pakker seg ut til mer enn 8 MB" in result.err and "Traceback" not in result.err
    assert stored(sqlite_url)["snapshots"] == []
