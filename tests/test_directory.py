"""The directory: units (a tree, with leaders) and people, from CSV or Excel, Norwegian or English headings."""

from __future__ import annotations

import pandas as pd
import pytest

from restanse_core.store import make_engine, repository
from tests.conftest import write_csv


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
