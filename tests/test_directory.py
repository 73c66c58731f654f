"""The directory: units (a tree, with leaders) and people, from CSV or Excel, Norwegian or English headings."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from restanse_core.store import make_engine, repository
from tests.conftest import PEOPLE, UNITS, stored, write_csv


def org_of(db_url: str):
    engine = make_engine(db_url)
    with engine.connect() as conn:
        return repository.load_organisation(conn)


def test_units_and_people_are_imported(cli, db_url, directory_files):
    result = cli("--db", db_url, "directory", "import", *directory_files)
    assert result.code == 0, result.err
    assert "5 enheter" not in result.out and "4 enheter" in result.out and "7 personer" in result.out
    org = org_of(db_url)
    assert org.units["GDO"].parent == "TDR"
    assert org.descendants("TDR") == ["TDR", "GDO"]
    assert org.people["UKA"].email == "unni.karlsen@kommune.no"
    assert org.people["ABC"].role == "saksbehandler"  # empty rolle means saksbehandler
    assert org.people["ARK"].role == "arkiv"


def test_a_leader_named_by_no_unit_leads_their_own_unit(cli, db_url, directory_files):
    cli("--db", db_url, "directory", "import", *directory_files)
    org = org_of(db_url)
    assert org.units["LMA"].leaders == ("LED",)  # named in the units file
    assert org.units["TDR"].leaders == ("TDL",)  # rolle leder, unit TDR, named by none


def test_english_headings_and_roles_in_excel(cli, db_url, tmp_path):
    units = tmp_path / "units.xlsx"
    pd.DataFrame(
        {"code": ["A", "B"], "name": ["Alpha", "Beta"], "parent": ["", "A"], "leaders": ["BOSS", ""]}
    ).to_excel(units, index=False)
    people = write_csv(
        tmp_path / "people.csv",
        [
            "initials,name,email,unit,role",
            "BOSS,Big Boss,boss@x.no,A,leader",
            "ARC,Archie,arc@x.no,A,archive",
        ],
    )
    assert cli("--db", db_url, "directory", "import", units, people).code == 0
    org = org_of(db_url)
    assert org.people["BOSS"].role == "leder" and org.people["ARC"].role == "arkiv"
    assert org.units["B"].parent == "A"


def test_a_new_people_file_replaces_all_people(cli, db_url, directory_files, tmp_path):
    cli("--db", db_url, "directory", "import", *directory_files)
    cli(
        "--db",
        db_url,
        "directory",
        "import",
        write_csv(tmp_path / "p2.csv", ["initialer;navn;epost;enhet;rolle", "NEW;Ny Person;;LMA;"]),
    )
    assert sorted(org_of(db_url).people) == ["NEW"]
    assert "LMA" in org_of(db_url).units  # units are untouched


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (
            ["initialer;navn;epost;enhet;rolle", "UKA;Unni;unni@x.no;LMA;sjef"],
            "personer.csv, rad 2, kolonne «rolle»: «sjef»",
        ),
        (
            ["initialer;navn;epost;enhet;rolle", "UKA;Unni;ikke-epost;LMA;"],
            "rad 2, kolonne «epost»: «ikke-epost»",
        ),
        (
            ["initialer;navn;epost;enhet;rolle", "UKA;Unni;;LMA;", "uka;Unni 2;;LMA;"],
            "rad 3, kolonne «initialer»: «UKA»",
        ),
    ],
)
def test_bad_people_file_is_refused_with_row_column_value_and_nothing_changes(
    cli, db_url, directory_files, tmp_path, lines, expected
):
    cli("--db", db_url, "directory", "import", *directory_files)
    result = cli("--db", db_url, "directory", "import", write_csv(tmp_path / "personer.csv", lines))
    assert result.code != 0
    assert expected in result.err
    assert "Traceback" not in result.err
    assert "UKA" in org_of(db_url).people and len(org_of(db_url).people) == 7


def test_unit_with_unknown_parent_is_refused(cli, db_url, tmp_path):
    result = cli(
        "--db",
        db_url,
        "directory",
        "import",
        write_csv(tmp_path / "e.csv", ["enhet;navn;overordnet", "A;Alfa;ZZZ"]),
    )
    assert result.code != 0 and "«ZZZ»" in result.err and "overordnet enhet finnes ikke" in result.err


def test_unrecognised_file_lists_its_headings(cli, db_url, tmp_path):
    result = cli("--db", db_url, "directory", "import", write_csv(tmp_path / "x.csv", ["foo;bar", "1;2"]))
    assert result.code != 0 and "«foo», «bar»" in result.err


# ---- what the directory refuses (issue «Every door refuses bad input») ------------------------------------


def test_a_restanse_list_is_never_read_as_a_people_file(restansebot, sqlite_url, directory_files, tmp_path):
    assert restansebot("--db", sqlite_url, "directory", "import", *directory_files).code == 0
    before = stored(sqlite_url)
    listing = write_csv(
        tmp_path / "restanser.csv",
        ["Journalpostnr;Type;Jour.dato;Saksbehandler;Adm.enhet", "2019/1-1;I;01.11.2019;UKA;LMA"],
    )
    result = restansebot("--db", sqlite_url, "directory", "import", listing)
    assert result.code == 2
    assert (
        "restanser.csv ser ut som en restanseliste (overskriftene «Journalpostnr», «Type», «Jour.dato»)"
        in result.err
    )
    assert "Traceback" not in result.err
    assert stored(sqlite_url) == before  # everyone is still there


def test_a_people_file_needs_a_name_or_an_email_column(cli, db_url, tmp_path):
    result = cli(
        "--db", db_url, "directory", "import", write_csv(tmp_path / "p.csv", ["Initialer;Enhet", "UKA;LMA"])
    )
    assert result.code == 2
    assert "p.csv: en personfil trenger en kolonne for navn eller e-post" in result.err
    assert "«Initialer», «Enhet»" in result.err


def test_people_without_email_are_named_at_import_and_the_plan_says_they_cannot_be_reached(
    cli, loaded, tmp_path
):
    people = [line for line in PEOPLE if not line.startswith(("UKA;", "LED;"))]
    people += ["UKA;Unni Karlsen;;LMA;saksbehandler", "LED;Lise Eide;;LMA;leder"]
    result = cli("--db", loaded, "directory", "import", write_csv(tmp_path / "personer.csv", people))
    assert result.code == 0
    assert "Merk: 2 personer uten e-postadresse: UKA, LED. De kan ikke få påminnelser" in result.out
    plan = json.loads(cli("--db", loaded, "nudges", "plan", "--format", "json", "--date", "2019-12-17").out)
    assert {m["recipient"] for m in plan["messages"]} & {"UKA", "LED"} == set()
    assert {(u["recipient"], u["reason"]) for u in plan["unreachable"]} >= {
        ("UKA", "no_email"),
        ("LED", "leader_no_email"),
    }
    text = cli("--db", loaded, "nudges", "plan", "--date", "2019-12-17").out
    assert "Kan ikke nås: UKA (30) – mangler e-postadresse i katalogen" in text
    arkiv = next(m["text"] for m in plan["messages"] if m["kind"] == "arkiv")
    assert "Ingen saksbehandlere har 30 eller flere" in arkiv  # UKA is not said to get a message
    assert "• UKA: 30 restanser – mangler e-postadresse i katalogen" in arkiv


def test_two_people_with_the_same_email_are_refused(cli, db_url, directory_files, tmp_path):
    cli("--db", db_url, "directory", "import", *directory_files)
    lines = [*PEOPLE, "UK2;Unni K.;Unni.Karlsen@kommune.no;LMA;"]
    result = cli("--db", db_url, "directory", "import", write_csv(tmp_path / "personer.csv", lines))
    assert result.code == 2
    assert (
        "personer.csv, rad 9, kolonne «epost»: «Unni.Karlsen@kommune.no» — samme e-postadresse som UKA på rad 2"
        in result.err
    )
    assert "UK2" not in org_of(db_url).people


@pytest.mark.parametrize(
    ("name", "header", "what"),
    [("enheter.csv", "enhet;navn;overordnet;ledere", "enhetene"), ("personer.csv", PEOPLE[0], "personene")],
)
def test_a_header_only_file_empties_the_directory_only_when_confirmed(
    restansebot, sqlite_url, directory_files, tmp_path, name, header, what
):
    assert restansebot("--db", sqlite_url, "directory", "import", *directory_files).code == 0
    before = stored(sqlite_url)
    (tmp_path / "tom").mkdir()
    empty = write_csv(tmp_path / "tom" / name, [header])
    result = restansebot("--db", sqlite_url, "directory", "import", empty)
    assert result.code == 2
    assert f"{name} har bare overskriftsraden. Lagres den, fjernes alle {what} fra katalogen." in result.err
    assert "Ingenting er lagret." in result.err and "--confirm" in result.err
    assert stored(sqlite_url) == before
    assert restansebot("--db", sqlite_url, "directory", "import", empty, "--confirm").code == 0
    assert stored(sqlite_url) != before


def test_a_ring_of_parent_units_is_refused_naming_it(cli, db_url, tmp_path):
    units = ["enhet;navn;overordnet", "TOPP;Toppen;", "A;Alfa;C", "B;Beta;A", "C;Gamma;B", "D;Delta;D"]
    result = cli("--db", db_url, "directory", "import", write_csv(tmp_path / "enheter.csv", units))
    assert result.code == 2
    assert (
        "enheter.csv, rad 3, kolonne «overordnet»: «C» — enhetene står over hverandre i ring (enhet → overordnet): A → C → B → A"
        in (result.err)
    )
    assert (
        "rad 6, kolonne «overordnet»: «D» — enhetene står over hverandre i ring (enhet → overordnet): D → D"
        in result.err
    )
    assert org_of(db_url).units == {}


def test_directory_errors_end_with_fix_and_retry_and_name_no_option_the_command_lacks(cli, db_url, tmp_path):
    result = cli(
        "--db",
        db_url,
        "directory",
        "import",
        write_csv(tmp_path / "personer.csv", ["initialer;navn;epost;enhet;rolle", "UKA;Unni;;LMA;sjef"]),
    )
    assert result.code == 2
    assert result.err.rstrip().endswith("Rett fila og les den inn på nytt.")
    assert "--skip-invalid" not in result.err


def test_cr_only_files_and_broken_bytes_in_the_directory(cli, db_url, tmp_path):
    units = tmp_path / "enheter.csv"
    units.write_bytes("\r".join(UNITS).encode("cp1252") + b"\r")
    assert cli("--db", db_url, "directory", "import", units).code == 0
    assert sorted(org_of(db_url).units) == ["GDO", "LMA", "SKOLE", "TDR"]
    broken = tmp_path / "personer.csv"
    broken.write_bytes(b"initialer;navn;epost\r\nUKA;Unni Karls\x8fen;u@x.no\r\n")
    result = cli("--db", db_url, "directory", "import", broken)
    assert result.code == 2
    assert "personer.csv, rad 2, kolonne «navn»: «Unni Karls\ufffden» — byten 0x8F finnes ikke" in result.err
