"""Importing the monthly restanse list from CSV and Excel, as archives export it."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import text

from restanse_core.errors import ImportRefused, UserError
from restanse_core.importers import import_snapshot
from restanse_core.settings import Avskrivningskode, Settings
from tests.conftest import write_csv

AS_OF = date(2019, 12, 16)
HEADER = "Journalpostnr;Type;Jour.dato;Tittel;Offentlig tittel;Saksbehandler;Adm.enhet;Tilg.kode"


def rows(
    engine,
    sql: str = "SELECT jp_id, saksbehandler, enhet, jp_type, journal_date, title, public_title, access_code FROM restanser ORDER BY jp_id, saksbehandler",
):
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(sql))]


def run(engine, settings, path: Path, **kwargs):
    """Import confirmed: these tests are about reading files; the guards are tested in test_import_guards.py."""
    kwargs.setdefault("confirmed", True)
    return import_snapshot(
        engine, path, settings, as_of=kwargs.pop("as_of", AS_OF), imported_by="test", **kwargs
    )


def test_restanser_are_stored_with_their_fields(engine, settings, tmp_path):
    f = write_csv(tmp_path / "r.csv", [HEADER, "2019/1234-5;I;13.10.2019;Søknad om dispensasjon;;UKA;LMA;"])
    summary = run(engine, settings, f)
    assert summary.restanser == 1
    jp_id, sb, enhet, jp_type, journal, title, _public, _access = rows(engine)[0]
    assert (jp_id, sb, enhet, jp_type, title) == ("2019/1234-5", "UKA", "LMA", "I", "Søknad om dispensasjon")
    assert str(journal)[:10] == "2019-10-13"


def test_title_of_entry_with_access_code_is_not_stored(engine, settings, tmp_path):
    f = write_csv(
        tmp_path / "r.csv",
        [
            HEADER,
            "2019/1-1;I;01.11.2019;Barnevernssak for Ola Nordmann;Henvendelse fra privatperson;UKA;LMA;13 Ofl",
            "2019/1-2;I;01.11.2019;Klage fra Kari;;UKA;LMA;U",
        ],
    )
    run(engine, settings, f)
    stored = rows(engine)
    assert [(r[5], r[6], r[7]) for r in stored] == [
        (None, "Henvendelse fra privatperson", "13 Ofl"),
        (None, None, "U"),
    ]
    with engine.connect() as conn:
        everything = " ".join(str(v) for r in conn.execute(text("SELECT * FROM restanser")) for v in r)
    assert "Ola Nordmann" not in everything and "Klage fra Kari" not in everything


def test_title_lines_above_the_header_are_skipped(engine, settings, tmp_path):
    f = write_csv(
        tmp_path / "r.csv",
        ["Restanseoppfølging;;", "Utskrevet 16.12.2019;;", "", HEADER, "2019/1-1;I;01.11.2019;T;;UKA;LMA;"],
    )
    assert run(engine, settings, f).restanser == 1


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
@pytest.mark.parametrize("sep", [";", ",", "\t"])
def test_encodings_and_separators(engine, settings, tmp_path, encoding, sep):
    lines = [
        HEADER.replace(";", sep),
        sep.join(["2019/1-1", "I", "01.11.2019", "Søknad om løyve", "", "ØÆÅ", "LMA", ""]),
    ]
    run(engine, settings, write_csv(tmp_path / "r.csv", lines, encoding))
    assert [(r[1], r[5]) for r in rows(engine)] == [("ØÆÅ", "Søknad om løyve")]


def test_headings_are_recognised_ignoring_case_spaces_and_punctuation(engine, settings, tmp_path):
    header = "JP-NR;dok.TYPE;Reg. dato;INNHOLD;saksbeh.;Administrativ enhet;Tilgangsrestriksjon"
    run(engine, settings, write_csv(tmp_path / "r.csv", [header, "2019/1-1;N;2019-11-01;Notat;UKA;LMA;"]))
    assert [(r[0], r[1], r[2], r[3], r[5]) for r in rows(engine)] == [
        ("2019/1-1", "UKA", "LMA", "N", "Notat")
    ]


def test_saksnr_and_doknr_are_joined_into_the_id(engine, settings, tmp_path):
    run(engine, settings, write_csv(tmp_path / "r.csv", ["Saksnr;Dok.nr;Enhet;Sbh", "2019/1234;5;LMA;UKA"]))
    assert rows(engine)[0][0] == "2019/1234-5"


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("13.11.2019", "2019-11-13"),
        ("13.11.19", "2019-11-13"),
        ("2019-11-13", "2019-11-13"),
        ("2019-11-13T10:22:00+01:00", "2019-11-13"),
        ("13.11.2019 10:22", "2019-11-13"),
    ],
)
def test_date_formats(engine, settings, tmp_path, written, expected):
    run(engine, settings, write_csv(tmp_path / "r.csv", [HEADER, f"2019/1-1;I;{written};T;;UKA;LMA;"]))
    assert str(rows(engine)[0][4])[:10] == expected


def test_only_i_and_n_are_restanser_and_the_others_are_counted(engine, settings, tmp_path):
    f = write_csv(
        tmp_path / "r.csv",
        [
            HEADER,
            "2019/1-1;I;01.11.2019;T;;UKA;LMA;",
            "2019/1-2;Utgående dokument;01.11.2019;T;;UKA;LMA;",
            "2019/1-3;X;01.11.2019;T;;UKA;LMA;",
            "2019/1-4;Organinternt dokument for oppfølging;01.11.2019;T;;UKA;LMA;",
            "2019/1-5;S;01.11.2019;T;;UKA;LMA;",
            "2019/1-6;inngående dokument;01.11.2019;T;;UKA;LMA;",
        ],
    )
    summary = run(engine, settings, f)
    assert sorted((r[0], r[3]) for r in rows(engine)) == [
        ("2019/1-1", "I"),
        ("2019/1-4", "N"),
        ("2019/1-6", "I"),
    ]
    assert summary.skipped_types == {"U": 1, "X": 1, "S": 1}


def test_n_note_to_several_recipients_is_a_restanse_per_recipient(engine, settings, tmp_path):
    f = write_csv(
        tmp_path / "r.csv",
        [HEADER] + [f"2019/7-1;N;01.11.2019;Notat;;{sb};LMA;" for sb in ("UKA", "ABC", "TOR")],
    )
    assert run(engine, settings, f).restanser == 3
    assert [r[1] for r in rows(engine)] == ["ABC", "TOR", "UKA"]


def test_repeated_id_and_saksbehandler_counts_once_and_is_reported(engine, settings, tmp_path):
    f = write_csv(tmp_path / "r.csv", [HEADER] + ["2019/7-1;I;01.11.2019;T;;UKA;LMA;"] * 3)
    summary = run(engine, settings, f)
    assert (summary.restanser, summary.duplicates) == (1, 2)


def test_empty_saksbehandler_is_an_unassigned_restanse_of_the_unit(engine, settings, tmp_path):
    run(engine, settings, write_csv(tmp_path / "r.csv", [HEADER, "2019/1-1;I;01.11.2019;T;;;LMA;"]))
    assert [(r[1], r[2]) for r in rows(engine)] == [("", "LMA")]


def test_written_off_rows_are_not_restanser(engine, settings, tmp_path):
    f = write_csv(
        tmp_path / "r.csv",
        [
            "Jpnr;Type;Sbh;Enhet;Avskrivningsdato;Avskrivningsmåte",
            "2019/1-1;I;UKA;LMA;;",
            "2019/1-2;I;UKA;LMA;10.12.2019;TE",
            "2019/1-3;I;UKA;LMA;;BU",
            "2019/1-4;I;UKA;LMA;;***",
        ],
    )
    summary = run(engine, settings, f)
    assert sorted(r[0] for r in rows(engine)) == ["2019/1-1", "2019/1-4"]  # *** is a temporary answer
    assert summary.written_off == 2


def test_temporary_answer_can_be_configured_to_write_off(engine, db_url, tmp_path):
    settings = Settings(database_url=db_url, temporary_keeps_restanse=False)
    f = write_csv(
        tmp_path / "r.csv",
        ["Jpnr;Type;Sbh;Enhet;Avskrivningsmåte", "2019/1-4;I;UKA;LMA;***", "2019/1-5;I;UKA;LMA;FS"],
    )
    settings.avskrivningskoder["FS"] = Avskrivningskode(label="Foreløpig svar", temporary=True)
    run(engine, settings, f)
    assert rows(engine) == []


def test_saksbehandler_and_unit_are_matched_to_the_directory_by_name(
    engine, settings, tmp_path, directory_files, cli, db_url
):
    assert cli("--db", db_url, "directory", "import", *directory_files).code == 0
    f = write_csv(
        tmp_path / "r.csv",
        [
            HEADER,
            "2019/1-1;I;01.11.2019;T;;Unni Karlsen;Landbruk, miljø og arealforvaltning;",
            "2019/1-2;I;01.11.2019;T;;uka;lma;",
        ],
    )
    summary = run(engine, settings, f)
    assert [(r[1], r[2]) for r in rows(engine)] == [("UKA", "LMA"), ("UKA", "LMA")]
    assert summary.unknown_people == [] and summary.unknown_units == []


def test_people_and_units_not_in_the_directory_are_counted_and_listed(engine, settings, tmp_path):
    summary = run(
        engine, settings, write_csv(tmp_path / "r.csv", [HEADER, "2019/1-1;I;01.11.2019;T;;XYZ;NYENHET;"])
    )
    assert summary.restanser == 1
    assert (summary.unknown_people, summary.unknown_units) == (["XYZ"], ["NYENHET"])


def test_importing_again_for_the_same_date_replaces_the_snapshot(engine, settings, tmp_path):
    run(engine, settings, write_csv(tmp_path / "a.csv", [HEADER, "2019/1-1;I;01.11.2019;T;;UKA;LMA;"]))
    summary = run(
        engine, settings, write_csv(tmp_path / "b.csv", [HEADER, "2019/2-1;I;01.11.2019;T;;UKA;LMA;"])
    )
    assert summary.replaced
    assert [r[0] for r in rows(engine)] == ["2019/2-1"]
    assert rows(engine, "SELECT count(*) FROM snapshots") == [(1,)]


def test_invalid_rows_refuse_the_whole_file_naming_row_column_and_value(engine, settings, tmp_path):
    run(engine, settings, write_csv(tmp_path / "old.csv", [HEADER, "2019/9-9;I;01.11.2019;T;;UKA;LMA;"]))
    f = write_csv(
        tmp_path / "r.csv",
        [
            "Restanser",
            HEADER,
            "2019/1-1;I;01.11.2019;T;;UKA;LMA;",
            "2019/1-2;I;31.02.2019;T;;UKA;LMA;",
            "2019/1-3;Q;01.11.2019;T;;UKA;LMA;",
            ";I;01.11.2019;T;;UKA;LMA;",
            "2019/1-5;I;01.11.2019;T;;UKA;;",
        ],
    )
    with pytest.raises(ImportRefused) as refused:
        run(engine, settings, f)
    message = refused.value.message
    assert "r.csv, rad 4, kolonne «Jour.dato»: «31.02.2019»" in message
    assert "rad 5, kolonne «Type»: «Q»" in message
    assert "rad 6, kolonne «Journalpostnr»" in message
    assert "rad 7, kolonne «Adm.enhet»" in message
    assert "Ingenting er lagret" in message
    assert [r[0] for r in rows(engine)] == ["2019/9-9"]  # the earlier snapshot is untouched
    assert rows(engine, "SELECT count(*) FROM snapshots") == [(1,)]


def test_many_problems_are_listed_up_to_twenty_then_counted(engine, settings, tmp_path):
    f = write_csv(tmp_path / "r.csv", [HEADER] + [f"2019/1-{i};I;99.99.2019;T;;UKA;LMA;" for i in range(25)])
    with pytest.raises(ImportRefused) as refused:
        run(engine, settings, f)
    assert refused.value.message.count("99.99.2019") == 20
    assert "og 5 til" in refused.value.message


def test_skip_invalid_stores_the_valid_rows_and_lists_the_rest(engine, settings, tmp_path):
    f = write_csv(
        tmp_path / "r.csv", [HEADER, "2019/1-1;I;01.11.2019;T;;UKA;LMA;", "2019/1-2;I;dato;T;;UKA;LMA;"]
    )
    summary = run(engine, settings, f, skip_invalid=True)
    assert summary.restanser == 1 and summary.invalid_rows == 1
    assert "rad 3" in str(summary.skipped_problems[0])


def test_missing_required_column_names_the_field_and_the_headings_found(engine, settings, tmp_path):
    f = write_csv(tmp_path / "r.csv", ["Journalpostnr;Type;Saksbehandler", "2019/1-1;I;UKA"])
    with pytest.raises(UserError) as error:
        run(engine, settings, f)
    assert "«enhet»" in error.value.message
    assert "«Journalpostnr», «Type», «Saksbehandler»" in error.value.message
    assert "--" not in error.value.message  # the chat shows it too; the CLI adds its --column hint


def test_explicit_column_mapping_for_unknown_headings(engine, settings, tmp_path):
    f = write_csv(tmp_path / "r.csv", ["Nummer;Seksjon;Ansvarlig", "2019/1-1;LMA;UKA"])
    run(engine, settings, f, mapping={"id": "Nummer", "enhet": "Seksjon", "saksbehandler": "Ansvarlig"})
    assert [(r[0], r[1], r[2]) for r in rows(engine)] == [("2019/1-1", "UKA", "LMA")]


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("bilde.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00"),
        ("tom.csv", b""),
        ("tekst.txt", "Hei på deg\nbare tekst\n".encode()),
    ],
)
def test_garbage_gets_a_one_line_message(engine, settings, tmp_path, name, content):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(UserError) as error:
        run(engine, settings, path)
    assert "\n" not in error.value.message
    assert name in error.value.message


def test_unknown_file_type_is_refused(engine, settings, tmp_path):
    path = tmp_path / "liste.pdf"
    path.write_bytes(b"%PDF-1.4")
    with pytest.raises(UserError, match="ukjent filtype"):
        run(engine, settings, path)


def test_excel_export_with_date_cells_and_title_rows(engine, settings, tmp_path):
    path = tmp_path / "r.xlsx"
    frame = pd.DataFrame(
        [
            ["Restanser per 16.12.2019", None, None, None, None],
            ["Journalpostnr", "Type", "Jour.dato", "Saksbehandler", "Adm.enhet"],
            ["2019/1-1", "I", pd.Timestamp("2019-11-13"), "UKA", "LMA"],
            ["2019/1-2", "N", "14.11.2019", "ABC", "LMA"],
            [None, None, None, None, None],
            [2019, "I", 43782, "TOR", "GDO"],
        ],
    )
    frame.to_excel(path, header=False, index=False)
    summary = run(engine, settings, path)
    assert summary.restanser == 3
    assert [(r[0], str(r[4])[:10]) for r in rows(engine)] == [
        ("2019", "2019-11-13"),
        ("2019/1-1", "2019-11-13"),
        ("2019/1-2", "2019-11-14"),
    ]


def test_excel_problem_names_the_spreadsheet_row(engine, settings, tmp_path):
    path = tmp_path / "r.xlsx"
    pd.DataFrame([["Jpnr", "Enhet", "Jour.dato"], ["2019/1-1", "LMA", "i går"]]).to_excel(
        path, header=False, index=False
    )
    with pytest.raises(ImportRefused, match=r"r.xlsx, rad 2, kolonne «Jour.dato»: «i går»"):
        run(engine, settings, path)
