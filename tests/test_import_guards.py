"""The restanse list is refused, or stored only when confirmed, where it would silently damage the month.

The guards live in the core's import (`import_snapshot`), so the CLI and the chat upload share them; each group
of cases also runs once through `restansebot import` as a process with the clock pinned.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import text

from restanse_core.clock import FixedClock
from restanse_core.errors import MAX_MESSAGE_CHARS, ImportRefused, UserError
from restanse_core.importers import ListNeedsConfirmation, import_snapshot
from restanse_core.importers.guards import AmbiguousColumns, Check
from restanse_core.settings import Settings
from restanse_core.store import make_engine, migrate
from tests.conftest import stored, write_csv

HEADER = "Journalpostnr;Type;Jour.dato;Tittel;Saksbehandler;Adm.enhet;Tilg.kode"
CLOCK = FixedClock(datetime(2019, 12, 16, 10, 0))
DEC = date(2019, 12, 16)


def rows(n: int, start: int = 1, day: str = "01.11.2019", sb: str = "UKA") -> list[str]:
    return [f"2019/{i}-1;I;{day};Søknad nr. {i};{sb};LMA;" for i in range(start, start + n)]


@pytest.fixture
def lite(tmp_path: Path):
    """SQLite is enough for rules that do not touch what the database accepts."""
    url = f"sqlite:///{tmp_path / 'guards.db'}"
    engine = make_engine(url)
    migrate(engine)
    yield engine
    engine.dispose()


def run(engine, path: Path, settings: Settings | None = None, **kwargs):
    kwargs.setdefault("as_of", DEC)
    return import_snapshot(
        engine,
        path,
        settings or Settings(database_url="sqlite://"),
        imported_by="test",
        clock=CLOCK,
        **kwargs,
    )


def count(engine, sql: str = "SELECT count(*) FROM restanser") -> int:
    with engine.connect() as conn:
        return int(conn.execute(text(sql)).scalar() or 0)


def november(engine, tmp_path: Path, n: int = 100) -> None:
    """An earlier list of `n` restanser, as of 13.11.2019."""
    run(
        engine,
        write_csv(tmp_path / "nov.csv", [HEADER, *rows(n, day="01.10.2019")]),
        as_of=date(2019, 11, 13),
    )


# ---- columns ---------------------------------------------------------------------------------------------

MISSING = {
    "saksbehandler": (
        "Journalpostnr;Type;Jour.dato;Adm.enhet",
        "2019/1-1;I;01.11.2019;LMA",
        "alle restansene blir ufordelt, og ingen saksbehandler får påminnelse",
        "Lista har ingen kolonne for saksbehandler: alle restansene er ufordelt.",
    ),
    "type": (
        "Journalpostnr;Jour.dato;Saksbehandler;Adm.enhet",
        "2019/1-1;01.11.2019;UKA;LMA",
        "også utgående brev (U) og notater uten oppfølging (X)",
        "Lista har ingen kolonne for journalposttype: alle radene er regnet som restanser (I eller N).",
    ),
    "dato": (
        "Journalpostnr;Type;Saksbehandler;Adm.enhet",
        "2019/1-1;I;UKA;LMA",
        "restansene får ingen alder, og de eldste kan ikke vises først",
        "Lista har ingen kolonne for journaldato: restansene har ingen alder.",
    ),
}


@pytest.mark.parametrize("column", list(MISSING))
def test_a_list_without_a_key_column_is_stored_only_when_confirmed(lite, tmp_path, column):
    november(lite, tmp_path, n=1)
    header, line, consequence, assumption = MISSING[column]
    path = write_csv(tmp_path / "r.csv", [header, line])
    with pytest.raises(ListNeedsConfirmation) as refused:
        run(lite, path)
    message = refused.value.message
    assert consequence in message
    assert f"Overskriftene i fila er: «{header.replace(';', '», «')}»." in message
    assert "Ingenting er lagret." in message and "--" not in message  # chat shows it too: no CLI flags
    assert [w.field for w in refused.value.warnings] == [column]
    assert count(lite, "SELECT count(*) FROM snapshots") == 1  # only November

    summary = run(lite, path, confirmed=True)
    assert summary.stored and summary.restanser == 1
    assert summary.assumptions == [assumption]  # the summary states what was taken for granted


def test_an_export_that_really_lacks_the_type_column_is_configured_once(lite, tmp_path):
    path = write_csv(
        tmp_path / "r.csv", ["Journalpostnr;Jour.dato;Saksbehandler;Adm.enhet", "2019/1-1;01.11.2019;UKA;LMA"]
    )
    summary = run(lite, path, Settings(database_url="sqlite://", absent_columns=["type"]))
    assert summary.stored and summary.warnings == []
    assert summary.assumptions == [
        "Lista har ingen kolonne for journalposttype: alle radene er regnet som restanser (I eller N)."
    ]


def test_two_columns_recognised_as_the_same_field_are_refused_naming_both(lite, tmp_path):
    path = write_csv(
        tmp_path / "r.csv",
        [
            "Journalpostnr;Type;Jour.dato;Saksbehandler;Enhet;Adm.enhet",
            "2019/1-1;I;01.11.2019;UKA;SEKSJON;LMA",
        ],
    )
    with pytest.raises(
        AmbiguousColumns,
        match=re.escape("2 kolonner er gjenkjent som feltet «enhet»: «Enhet» og «Adm.enhet»"),
    ):
        run(lite, path)
    assert count(lite, "SELECT count(*) FROM snapshots") == 0
    run(lite, path, mapping={"enhet": "Adm.enhet"})  # the person says which one is meant
    with lite.connect() as conn:
        assert conn.execute(text("SELECT enhet FROM restanser")).scalar() == "LMA"


# ---- how much is in the list -----------------------------------------------------------------------------


def test_a_header_only_file_is_a_list_without_restanser_and_needs_confirmation(lite, tmp_path):
    november(lite, tmp_path, n=3)
    path = write_csv(tmp_path / "r.csv", ["Restanseliste", HEADER])
    with pytest.raises(ListNeedsConfirmation) as refused:
        run(lite, path)
    assert "Lista har ingen restanser. Forrige liste, per 13.11.2019, hadde 3." in refused.value.message
    assert [w.kind for w in refused.value.warnings] == [Check.NO_RESTANSER]
    assert count(lite) == 3  # November is all there is
    assert run(lite, path, confirmed=True).restanser == 0


def test_cr_only_line_endings_are_read_like_any_other(lite, tmp_path):
    lines = ["Restanseliste", "Utskrevet 16.12.2019", HEADER, *rows(5)]
    crlf = run(lite, write_csv(tmp_path / "crlf.csv", lines))
    cr = tmp_path / "cr.csv"
    cr.write_bytes("\r".join(lines).encode("cp1252"))
    summary = run(lite, cr)
    assert (summary.rows_read, summary.restanser) == (crlf.rows_read, crlf.restanser) == (5, 5)
    assert summary.printed is not None and summary.printed.day == DEC


@pytest.mark.parametrize(("now", "stored_"), [(50, True), (49, False)])
def test_far_fewer_restanser_than_the_newest_list_before_it_need_confirmation(lite, tmp_path, now, stored_):
    november(lite, tmp_path, n=100)
    path = write_csv(tmp_path / "r.csv", [HEADER, *rows(now)])
    if stored_:
        assert run(lite, path).restanser == 50  # exactly half (min_share_of_previous 0.5) is fine
        return
    with pytest.raises(ListNeedsConfirmation) as refused:
        run(lite, path)
    assert (
        "Lista har 49 restanser, færre enn 50 % av de 100 i forrige liste per 13.11.2019."
        in refused.value.message
    )
    assert count(lite) == 100
    assert run(lite, path, confirmed=True).previous == (date(2019, 11, 13), 100)


def test_the_share_is_a_setting(lite, tmp_path):
    november(lite, tmp_path, n=100)
    path = write_csv(tmp_path / "r.csv", [HEADER, *rows(80)])
    with pytest.raises(ListNeedsConfirmation, match="færre enn 90 %"):
        run(lite, path, Settings(database_url="sqlite://", min_share_of_previous=0.9))


# ---- the list's date -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "title",
    ["Utskrevet 16.12.2019 kl. 07:12 av ARK", "Utskriftsdato: 16.12.2019", "Dato;16.12.19", "Per 2019-12-16"],
)
def test_a_date_in_a_title_line_is_the_lists_date_and_the_summary_says_so(lite, tmp_path, title):
    path = write_csv(tmp_path / "r.csv", ["Restanseoppfølging", title, HEADER, *rows(2)])
    summary = run(lite, path, as_of=None)
    assert summary.as_of == DEC and summary.as_of_source == "file"
    assert summary.printed is not None and summary.printed.line.startswith(title.split(";")[0].split()[0])


def test_a_date_cell_in_a_title_row_of_a_workbook_is_the_lists_date(lite, tmp_path):
    path = tmp_path / "r.xlsx"
    pd.DataFrame(
        [
            ["Utskrevet", pd.Timestamp("2019-12-13"), None, None, None],
            ["Journalpostnr", "Type", "Jour.dato", "Saksbehandler", "Adm.enhet"],
            ["2019/1-1", "I", pd.Timestamp("2019-11-01"), "UKA", "LMA"],
        ]
    ).to_excel(path, header=False, index=False)
    summary = run(lite, path, as_of=None)
    assert (summary.as_of, summary.as_of_source) == (date(2019, 12, 13), "file")
    assert summary.printed is not None and summary.printed.line == "Utskrevet 13.12.2019"


def test_without_a_date_anywhere_the_list_is_todays(lite, tmp_path):
    summary = run(lite, write_csv(tmp_path / "r.csv", ["Restanser per enhet", HEADER, *rows(2)]), as_of=None)
    assert (summary.as_of, summary.as_of_source) == (DEC, "today")


def test_a_given_date_wins_over_the_title_line_and_the_clash_is_a_warning(lite, tmp_path):
    path = write_csv(tmp_path / "r.csv", ["Utskrevet 13.12.2019", HEADER, *rows(2)])
    with pytest.raises(ListNeedsConfirmation) as refused:
        run(lite, path, as_of=DEC)
    assert (
        "Du oppga 16.12.2019 som dato for lista, men fila sier «Utskrevet 13.12.2019»."
        in refused.value.message
    )
    assert run(lite, path, as_of=DEC, confirmed=True).as_of == DEC


def test_a_date_after_today_in_oslo_is_refused(lite, tmp_path):
    path = write_csv(tmp_path / "r.csv", [HEADER, *rows(2)])
    late_evening = FixedClock(datetime.fromisoformat("2019-12-16T23:30:00+00:00"))  # 17.12 00:30 in Oslo
    kwargs = {"imported_by": "test", "clock": late_evening}
    settings = Settings(database_url="sqlite://")
    assert import_snapshot(lite, path, settings, as_of=date(2019, 12, 17), **kwargs).stored
    with pytest.raises(UserError, match=r"Datoen for lista, 18.12.2019, er etter i dag \(17.12.2019\)"):
        import_snapshot(lite, path, settings, as_of=date(2019, 12, 18), confirmed=True, **kwargs)
    assert count(lite, "SELECT count(*) FROM snapshots") == 1


def test_a_title_line_date_after_today_is_refused_naming_the_line(lite, tmp_path):
    path = write_csv(tmp_path / "r.csv", ["Utskrevet 24.12.2019", HEADER, *rows(2)])
    with pytest.raises(
        UserError, match=r"Datoen i fila \(«Utskrevet 24.12.2019»\) er etter i dag \(16.12.2019\)"
    ):
        run(lite, path, as_of=None, confirmed=True)


def test_a_list_older_than_the_newest_one_needs_confirmation(lite, tmp_path):
    run(lite, write_csv(tmp_path / "des.csv", [HEADER, *rows(3)]))
    path = write_csv(tmp_path / "r.csv", [HEADER, *rows(3, day="01.10.2019")])
    with pytest.raises(
        ListNeedsConfirmation, match=re.escape("det finnes allerede en nyere liste per 16.12.2019")
    ):
        run(lite, path, as_of=date(2019, 11, 13))
    assert count(lite, "SELECT count(*) FROM snapshots") == 1
    assert run(lite, path, as_of=date(2019, 11, 13), confirmed=True).stored


def test_journal_dates_after_the_lists_date_or_before_1900_are_invalid_rows(lite, tmp_path):
    path = write_csv(
        tmp_path / "r.csv",
        [
            HEADER,
            "2019/1-1;I;01.11.2019;T;UKA;LMA;",
            "2019/1-2;I;17.12.2019;T;UKA;LMA;",
            "2019/1-3;I;31.12.1899;T;UKA;LMA;",
            "2019/1-4;U;17.12.2019;T;UKA;LMA;",  # not a restanse: its date does no harm
        ],
    )
    with pytest.raises(ImportRefused) as refused:
        run(lite, path)
    message = refused.value.message
    assert (
        "r.csv, rad 3, kolonne «Jour.dato»: «17.12.2019» — journaldato etter listas dato (16.12.2019)"
        in message
    )
    assert "r.csv, rad 4, kolonne «Jour.dato»: «31.12.1899» — journaldato før 1900" in message
    assert "rad 5" not in message
    assert count(lite, "SELECT count(*) FROM snapshots") == 0


# ---- preview and confirmation ----------------------------------------------------------------------------


def test_a_preview_reports_the_summary_and_warnings_and_stores_nothing(lite, tmp_path):
    november(lite, tmp_path, n=100)
    before = count(lite)
    path = write_csv(
        tmp_path / "r.csv", ["Journalpostnr;Jour.dato;Saksbehandler;Adm.enhet", "2019/1-1;01.11.2019;UKA;LMA"]
    )
    preview = run(lite, path, dry_run=True)
    assert not preview.stored and preview.restanser == 1 and preview.rows_read == 1
    assert [w.kind for w in preview.warnings] == [Check.MISSING_COLUMN, Check.SHRUNK]
    assert all(w.message for w in preview.warnings)
    assert count(lite) == before and count(lite, "SELECT count(*) FROM snapshots") == 1


def test_confirm_and_skip_invalid_are_independent(lite, tmp_path):
    november(lite, tmp_path, n=100)
    path = write_csv(tmp_path / "r.csv", [HEADER, *rows(3), "2019/9-9;I;i går;T;UKA;LMA;"])
    with pytest.raises(ImportRefused):
        run(lite, path, confirmed=True)  # confirming warnings does not let invalid rows through
    with pytest.raises(ListNeedsConfirmation):
        run(lite, path, skip_invalid=True)  # skipping invalid rows does not confirm the warnings
    summary = run(lite, path, confirmed=True, skip_invalid=True)
    assert (summary.restanser, summary.invalid_rows) == (3, 1)


# ---- what used to be a traceback -------------------------------------------------------------------------


@pytest.mark.parametrize("byte", [0x81, 0x8D, 0x8F, 0x90, 0x9D])
def test_a_byte_windows_1252_leaves_undefined_is_named_by_row_and_column(lite, tmp_path, byte):
    path = tmp_path / "r.csv"
    lines = [
        HEADER.encode(),
        b"2019/1-1;I;01.11.2019;S\xf8knad;UKA;LMA;",
        b"2019/1-2;I;01.11.2019;Bad" + bytes([byte]) + b";UKA;LMA;",
    ]
    path.write_bytes(b"\r\n".join(lines) + b"\r\n")
    with pytest.raises(ImportRefused) as refused:
        run(lite, path)
    assert (
        f"r.csv, rad 3, kolonne «Tittel»: «Bad\ufffd» — byten 0x{byte:02X} finnes ikke i Windows-1252"
        in refused.value.message
    )


def test_control_characters_are_removed_from_every_text_value_and_counted(engine, tmp_path):
    path = tmp_path / "r.csv"
    path.write_bytes(
        "\r\n".join(
            [
                HEADER,
                "2019/1-1;I;01.11.2019;Søknad\x00 om\x1b[2J tiltak;UKA;LMA;",
                '2019/1-2;I;01.11.2019;"To\tlinjer\nher";U\x07KA;LMA;',
                "2019/1-3;I;01.11.2019;Rent;UKA;LMA;\x9b",
            ]
        ).encode("utf-8")
        + b"\r\n"
    )
    summary = run(engine, path)
    assert summary.cleaned_values == 4
    with engine.connect() as conn:
        got = conn.execute(
            text("SELECT jp_id, title, saksbehandler, access_code FROM restanser ORDER BY jp_id")
        ).all()
    assert [tuple(r) for r in got] == [
        (
            "2019/1-1",
            "Søknad om[2J tiltak",
            "UKA",
            None,
        ),  # NUL and ESC gone: nothing left to drive a terminal
        ("2019/1-2", "To linjer her", "UKA", None),  # tab and line break are a space
        ("2019/1-3", "Rent", "UKA", None),  # an access code that was only a control character is none
    ]


def test_an_error_message_for_a_giant_line_is_capped(lite, tmp_path):
    giant = ";".join(f"Kolonne {i}" for i in range(40_000))  # one header line of hundreds of kilobytes
    path = write_csv(tmp_path / "r.csv", ["Journalpostnr;" + giant, "2019/1-1;x"])
    with pytest.raises(UserError) as refused:
        run(lite, path)
    assert len(refused.value.message) <= MAX_MESSAGE_CHARS and refused.value.message.endswith(" til.")
    huge_value = write_csv(tmp_path / "v.csv", [HEADER, "2019/1-1;I;" + "9" * 300_000 + ";T;UKA;LMA;"])
    with pytest.raises(ImportRefused) as refused:
        run(lite, huge_value)
    assert len(refused.value.message) < 1000 and "99999…" in refused.value.message


def test_a_line_with_more_fields_than_the_header_is_an_invalid_row_not_silently_cut(lite, tmp_path):
    path = write_csv(
        tmp_path / "r.csv",
        [
            HEADER,
            "2019/1-1;I;01.11.2019;Søknad; vedlegg;UKA;LMA;",
            *rows(2, 3),
        ],  # a ";" too many shifts the rest
    )
    with pytest.raises(ImportRefused, match="rad 2 — raden har 8 felt, men overskriftsraden har 7"):
        run(lite, path)
    summary = run(lite, path, skip_invalid=True)
    assert (summary.rows_read, summary.restanser, summary.invalid_rows) == (3, 2, 1)


# ---- through the command line, as a process --------------------------------------------------------------


def test_cli_refuses_a_list_without_saksbehandler_until_confirmed(restansebot, sqlite_url, tmp_path):
    november_file = write_csv(tmp_path / "nov.csv", [HEADER, *rows(3, day="01.10.2019")])
    assert restansebot("--db", sqlite_url, "import", november_file, "--as-of", "13.11.2019").code == 0
    before = stored(sqlite_url)
    path = write_csv(
        tmp_path / "des.csv",
        ["Utskrevet 16.12.2019", "Jpnr;Type;Jour.dato;Enhet", "2019/1-1;I;01.11.2019;LMA"],
    )
    result = restansebot("--db", sqlite_url, "import", path)
    assert result.code == 2, result.out
    assert "des.csv er ikke lagret" in result.err
    assert "Fant ingen kolonne for saksbehandler" in result.err
    assert "Overskriftene i fila er: «Jpnr», «Type», «Jour.dato», «Enhet»." in result.err
    assert "angi den med --column saksbehandler=OVERSKRIFT" in result.err and "--confirm" in result.err
    assert "Traceback" not in result.err
    assert stored(sqlite_url) == before
    result = restansebot("--db", sqlite_url, "import", path, "--confirm")
    assert result.code == 0, result.err
    assert "Restanselista per 16.12.2019 (datoen fra fila: «Utskrevet 16.12.2019») er lagret" in result.out
    assert "Merk: Lista har ingen kolonne for saksbehandler" in result.out
    assert "Bekreftet: Fant ingen kolonne for saksbehandler" in result.out


def test_cli_refuses_a_date_after_today_and_a_broken_byte_without_traceback(
    restansebot, sqlite_url, tmp_path
):
    november_file = write_csv(tmp_path / "nov.csv", [HEADER, *rows(3, day="01.10.2019")])
    assert restansebot("--db", sqlite_url, "import", november_file, "--as-of", "13.11.2019").code == 0
    before = stored(sqlite_url)
    path = write_csv(tmp_path / "r.csv", [HEADER, *rows(3)])
    result = restansebot("--db", sqlite_url, "import", path, "--as-of", "17.12.2019", "--confirm")
    assert result.code == 2 and "er etter i dag (16.12.2019)" in result.err
    broken = tmp_path / "b.csv"
    broken.write_bytes(HEADER.encode() + b"\r\n2019/1-1;I;01.11.2019;Bad\x81;UKA;LMA;\r\n")
    result = restansebot("--db", sqlite_url, "import", broken, "--as-of", "16.12.2019")
    assert result.code == 2
    assert "b.csv, rad 2, kolonne «Tittel»: «Bad\ufffd» — byten 0x81 finnes ikke i Windows-1252" in result.err
    assert "Traceback" not in result.err + result.out
    assert stored(sqlite_url) == before


def test_cli_adds_its_own_hints_to_the_cores_messages(restansebot, sqlite_url, tmp_path):
    invalid = write_csv(tmp_path / "r.csv", [HEADER, "2019/1-1;I;i går;T;UKA;LMA;"])
    result = restansebot("--db", sqlite_url, "import", invalid)
    assert result.code == 2
    assert "Rett fila og les den inn på nytt.\nEller bruk --skip-invalid" in result.err
    twice = write_csv(tmp_path / "t.csv", ["Jpnr;Enhet;Adm.enhet", "1;A;B"])
    result = restansebot("--db", sqlite_url, "import", twice)
    assert result.code == 2 and 'Velg den som gjelder med --column enhet="Adm.enhet".' in result.err
