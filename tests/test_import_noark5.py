"""Importing a Noark 5 arkivuttrekk (arkivstruktur.xml): what is stored for whom, and what is refused.

Real public samples (shared/noark5-testdata, see SOURCES.md there) where present; synthetic extracts built by
tests/noark5_builders.py for every rule.
"""

from __future__ import annotations

import gzip
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hyp_settings
from hypothesis import strategies as st
from sqlalchemy import Engine, text

from restanse_core.errors import ImportRefused, UserError
from restanse_core.importers import ImportSummary, import_snapshot, open_source
from restanse_core.importers.source import Limits
from restanse_core.model import Enhet, Person
from restanse_core.settings import Avskrivningskode, Settings
from restanse_core.store import make_engine, migrate, repository
from tests.noark5_builders import JP, extract, klasse, line_of, part, saksmappe, skjerming, write, writeoff

SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "noark5-testdata"
AS_OF = date(2024, 3, 1)


def sample(name: str) -> Path:
    path = SAMPLES / f"{name}__arkivstruktur.xml"
    if not path.is_file():
        pytest.skip(f"the public Noark 5 sample {path.name} is not in {SAMPLES} (see SOURCES.md there)")
    return path


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    engine = make_engine(f"sqlite:///{tmp_path / 'restanser.db'}")
    migrate(engine)
    with engine.begin() as conn:
        repository.replace_units(
            conn,
            [
                Enhet("LMA", "Landbruk, miljø og arealforvaltning"),
                Enhet("OKO", "Økonomi"),
                Enhet("ARK", "Arkivtjenesten"),
                Enhet("DT", "Digitale tjenester"),
            ],
        )
        repository.replace_people(
            conn,
            [
                Person("UKA", "Ulla Karin Aas", unit="LMA"),
                Person("PEO", "Per Olsen", unit="OKO"),
                Person("LHH", "Lars H. Hansen", unit="ARK"),
                Person("ETO", "Espen Tønnessen", unit="DT"),
            ],
        )
    return engine


def run(engine: Engine, path: Path, settings: Settings | None = None, **kwargs: Any) -> ImportSummary:
    """Import confirmed: these tests are about the Noark 5 rules (many extracts hold no restanse at all)."""
    kwargs.setdefault("confirmed", True)
    return import_snapshot(
        engine,
        path,
        settings or Settings(database_url="sqlite://"),
        as_of=AS_OF,
        imported_by="arkiv",
        **kwargs,
    )


def imported(engine: Engine, tmp_path: Path, *content: object, **kwargs: Any) -> ImportSummary:
    return run(engine, write(tmp_path / "arkivstruktur.xml", extract(*content)), **kwargs)


def restanser(engine: Engine) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        result = conn.execute(text("SELECT * FROM restanser ORDER BY jp_id, saksbehandler, enhet"))
        return [dict(r._mapping) for r in result]


def owners(engine: Engine) -> set[tuple[str, str, str]]:
    return {(r["jp_id"], r["saksbehandler"], r["enhet"]) for r in restanser(engine)}


def written_off(engine: Engine) -> set[tuple[str, str, str | None]]:
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT jp_key, saksbehandler, method FROM written_off"))
        return {(r.jp_key, r.saksbehandler, r.method) for r in rows}


def snapshot_count(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT count(*) FROM snapshots")).scalar_one())


# ---- the real public samples -----------------------------------------------------------------------------


def test_sample_with_an_open_incoming_letter_gives_one_restanse_matched_by_full_name(engine: Engine) -> None:
    summary = run(engine, sample("arkade5__Noark5Archive"))
    assert summary.kind == "noark5"
    # "Lars H.Hansen" in the file is "Lars H. Hansen" (LHH) in the directory; "arkivtjenesten" is ARK.
    assert owners(engine) == {("2012/1-2012", "LHH", "ARK")}
    (row,) = restanser(engine)
    assert (row["jp_type"], str(row["journal_date"]), row["title"]) == ("I", "2012-10-10", "klage på vei")
    assert row["correspondent"] == "Knut Nærum"
    assert summary.skipped_types == {"U": 2}
    assert summary.written_off == 1
    assert summary.unknown_people == [] and summary.unknown_units == []


def test_sample_open_internal_note_dated_1863_is_refused_naming_its_line(engine: Engine) -> None:
    # The sample's one open N note has journaldato 1863-08-09T00:00:00+01:00: read as that day, and no
    # restanse can be that old (a typing or export error), so the file is refused at that line.
    with pytest.raises(ImportRefused) as refused:
        run(engine, sample("noark5-tester__noark5-open"))
    assert (
        "noark5-tester__noark5-open__arkivstruktur.xml, linje 81, kolonne «journaldato»: «1863-08-09"
        in refused.value.message
    )
    assert "journaldato før 1900" in refused.value.message
    assert restanser(engine) == [] and snapshot_count(engine) == 0


def test_sample_notes_with_several_write_offs_leave_nothing_open(engine: Engine) -> None:
    summary = run(engine, sample("arkade5__StructureValidation-custom"))
    assert restanser(engine) == []
    assert summary.rows_read == 4 and summary.restanser == 0
    assert {method for _, _, method in written_off(engine)} == {"BE", "TO"}


def test_sample_skips_the_moeteregistrering_and_hides_titles_under_a_skjermet_arkivdel(
    engine: Engine,
) -> None:
    summary = run(engine, sample("kdrs-noark5-validator__uttrekk2"))
    assert summary.rows_read == 4  # four journalposter; the moeteregistrering is not one
    (row,) = restanser(engine)
    assert (row["jp_id"], row["saksbehandler"]) == ("2012/1-2012", "LHH")
    assert row["title"] is None and row["access_code"] == "Unntatt offentlighet"
    assert row["public_title"] == "klage på vei drammensveien"


@pytest.mark.parametrize(
    "name",
    [
        "arkade5__Small",
        "arkade5__Version5_5",
        "noark5-tester__noark5-enkel",
    ],
)
def test_samples_where_everything_is_written_off_store_an_empty_snapshot(engine: Engine, name: str) -> None:
    summary = run(engine, sample(name))
    assert summary.restanser == 0 and summary.invalid_rows == 0 and summary.written_off >= 1
    assert snapshot_count(engine) == 1


def test_sample_note_to_a_copy_recipient_only_belongs_to_the_saksansvarlig(engine: Engine) -> None:
    run(engine, sample("arkade5__Small"))
    # The N note's only korrespondansepart is a Kopimottaker: the saksansvarlig owns it (written off).
    assert ("journpost57d6608566c0b0.29878286", "ETO", "BE") in written_off(engine)


# ---- which registreringer are journalposter, and where they sit ------------------------------------------


def test_only_incoming_and_internal_notes_for_follow_up_are_restanser(engine: Engine, tmp_path: Path) -> None:
    summary = imported(
        engine,
        tmp_path,
        saksmappe(
            JP("a", type="Inngående dokument", nr="1"),
            JP(
                "b",
                type="Organinternt dokument for oppfølging",
                nr="2",
                parts=[part("Intern mottaker", sbh="UKA")],
            ),
            JP("c", type="Utgående dokument", nr="3"),
            JP("d", type="Organinternt dokument uten oppfølging", nr="4"),
            JP("e", type="Saksframlegg", nr="5"),
            JP("f", type="I", nr="6"),
        ),
    )
    assert owners(engine) == {
        ("2024/17-1", "UKA", "LMA"),
        ("2024/17-2", "UKA", "LMA"),
        ("2024/17-6", "UKA", "LMA"),
    }
    assert {r["jp_type"] for r in restanser(engine)} == {"I", "N"}
    assert summary.skipped_types == {"U": 1, "X": 1, "S": 1}


def test_arkivnotat_and_moeteregistrering_are_not_journalposter(engine: Engine, tmp_path: Path) -> None:
    summary = imported(
        engine,
        tmp_path,
        saksmappe(JP("a", kind="arkivnotat"), JP("b", kind="moeteregistrering"), JP("c", nr="3")),
    )
    assert owners(engine) == {("2024/17-3", "UKA", "LMA")}
    assert summary.rows_read == 1


def test_journalposter_are_found_in_nested_mapper_klasser_and_directly_in_the_arkivdel(
    engine: Engine, tmp_path: Path
) -> None:
    imported(
        engine,
        tmp_path,
        klasse(
            saksmappe(JP("a", nr="1"), saksmappe(JP("b", nr="1"), sekvens="18"), JP("c", nr="2")),
            saksmappe(JP("d", nr="4"), xsi_type="mappe"),  # a plain mappe: no case number
            JP("e", registrerings_id="2024/99-1", nr="1"),  # a registrering directly in the klasse
        ),
    )
    imported_ids = {r["jp_id"] for r in restanser(engine)}
    assert imported_ids == {"2024/17-1", "2024/18-1", "2024/17-2", "reg-d", "2024/99-1"}


def test_a_plain_mappe_inside_a_saksmappe_takes_the_saksmappes_number(engine: Engine, tmp_path: Path) -> None:
    imported(engine, tmp_path, saksmappe(saksmappe(JP("a", nr="3"), xsi_type="mappe"), sekvens="5"))
    assert owners(engine) == {("2024/5-3", "UKA", "LMA")}


def test_journalposts_in_the_v31_layout_read_the_same(engine: Engine, tmp_path: Path) -> None:
    imported(engine, tmp_path, saksmappe(JP("a", layout="3.1"), JP("b", nr="2", layout="5.0")))
    assert owners(engine) == {("2024/17-1", "UKA", "LMA"), ("2024/17-2", "UKA", "LMA")}


def test_cancelled_journalposts_are_not_restanser(engine: Engine, tmp_path: Path) -> None:
    imported(engine, tmp_path, saksmappe(JP("a", status="Utgår"), JP("b", nr="2")))
    assert owners(engine) == {("2024/17-2", "UKA", "LMA")}


# ---- who owns a restanse ---------------------------------------------------------------------------------


def test_copy_recipients_never_own_a_restanse(engine: Engine, tmp_path: Path) -> None:
    parts = [
        part("Avsender", "Kari Nordmann", sbh="UKA", unit="LMA"),
        part("Kopimottaker", sbh="PEO", unit="OKO"),
        part("Intern kopimottaker", sbh="LHH", unit="ARK"),
    ]
    imported(engine, tmp_path, saksmappe(JP("a", parts=parts)))
    assert owners(engine) == {("2024/17-1", "UKA", "LMA")}


def test_n_note_gives_one_restanse_per_internal_recipient(engine: Engine, tmp_path: Path) -> None:
    parts = [
        part("Intern avsender", sbh="LHH", unit="ARK"),
        part("Intern mottaker", sbh="UKA", unit="LMA"),
        part("Intern mottaker", sbh="PEO", unit="OKO"),
        part("Intern kopimottaker", sbh="ETO", unit="DT"),
    ]
    imported(engine, tmp_path, saksmappe(JP("n", type="Organinternt dokument for oppfølging", parts=parts)))
    assert owners(engine) == {("2024/17-1", "UKA", "LMA"), ("2024/17-1", "PEO", "OKO")}


def test_n_note_to_a_unit_without_a_person_is_the_units_unassigned_restanse(
    engine: Engine, tmp_path: Path
) -> None:
    parts = [part("Intern mottaker", sbh="UKA", unit="LMA"), part("Intern mottaker", unit="Økonomi")]
    imported(engine, tmp_path, saksmappe(JP("n", type="N", parts=parts)))
    assert owners(engine) == {("2024/17-1", "UKA", "LMA"), ("2024/17-1", "", "OKO")}


def test_without_any_saksbehandler_the_saksansvarlig_owns_the_restanse(
    engine: Engine, tmp_path: Path
) -> None:
    parts = [part("Avsender", "Kari Nordmann"), part("Kopimottaker", sbh="PEO", unit="OKO")]
    imported(engine, tmp_path, saksmappe(JP("a", parts=parts), ansvarlig="Per Olsen", unit="Økonomi"))
    assert owners(engine) == {("2024/17-1", "PEO", "OKO")}


def test_without_saksbehandler_or_saksansvarlig_the_unit_gets_an_unassigned_restanse(
    engine: Engine, tmp_path: Path
) -> None:
    imported(engine, tmp_path, JP("a", registrerings_id="R-1", parts=[part("Avsender", "Kari", unit="LMA")]))
    assert owners(engine) == {("R-1", "", "LMA")}


def test_a_row_without_a_unit_takes_the_saksmappes_unit(engine: Engine, tmp_path: Path) -> None:
    imported(engine, tmp_path, saksmappe(JP("a", parts=[part("Avsender", "Kari", sbh="PEO")]), unit="OKO"))
    assert owners(engine) == {("2024/17-1", "PEO", "OKO")}


def test_saksbehandler_and_unit_match_the_directory_by_initials_code_or_name(
    engine: Engine, tmp_path: Path
) -> None:
    summary = imported(
        engine,
        tmp_path,
        saksmappe(
            JP("a", nr="1", parts=[part("Avsender", "X", sbh="uka", unit="lma")]),
            JP("b", nr="2", parts=[part("Avsender", "X", sbh="Per  Olsen", unit="økonomi")]),
            JP("c", nr="3", parts=[part("Avsender", "X", sbh="Lars H.Hansen", unit="Arkivtjenesten")]),
            JP("d", nr="4", parts=[part("Avsender", "X", sbh="Ola Ukjent", unit="Ukjent enhet")]),
            JP("e", nr="5", parts=[part("Avsender", "X", sbh="ZZZ", unit="QQ")]),
        ),
    )
    assert owners(engine) == {
        ("2024/17-1", "UKA", "LMA"),
        ("2024/17-2", "PEO", "OKO"),
        ("2024/17-3", "LHH", "ARK"),
        ("2024/17-4", "Ola Ukjent", "Ukjent enhet"),
        ("2024/17-5", "ZZZ", "QQ"),
    }
    assert summary.unknown_people == ["Ola Ukjent", "ZZZ"]
    assert summary.unknown_units == ["QQ", "Ukjent enhet"]


# ---- write-offs ------------------------------------------------------------------------------------------

_TWO_RECIPIENTS = [
    part("Intern mottaker", "Ulla Karin Aas", sbh="UKA", unit="LMA", system_id="kp-uka"),
    part("Intern mottaker", "Per Olsen", sbh="PEO", unit="OKO", system_id="kp-peo"),
]


def test_a_write_off_without_recipient_reference_writes_off_every_recipient(
    engine: Engine, tmp_path: Path
) -> None:
    summary = imported(
        engine, tmp_path, saksmappe(JP("n", type="N", parts=_TWO_RECIPIENTS, writeoffs=[writeoff()]))
    )
    assert restanser(engine) == []
    assert written_off(engine) == {("n", "UKA", "BE"), ("n", "PEO", "BE")}
    assert summary.written_off == 2


@pytest.mark.parametrize("ref", ["kp-peo", "Per Olsen", "PEO"])
def test_a_write_off_referring_to_a_korrespondansepart_writes_off_that_recipient_only(
    engine: Engine, tmp_path: Path, ref: str
) -> None:
    jp = JP(
        "n", type="N", parts=_TWO_RECIPIENTS, writeoffs=[writeoff(method="Tatt til etterretning", ref=ref)]
    )
    imported(engine, tmp_path, saksmappe(jp))
    assert owners(engine) == {("2024/17-1", "UKA", "LMA")}
    assert written_off(engine) == {("n", "PEO", "TE")}


def test_a_write_off_referring_to_nobody_known_leaves_the_restanse_open(
    engine: Engine, tmp_path: Path
) -> None:
    jp = JP("n", type="N", parts=_TWO_RECIPIENTS, writeoffs=[writeoff(ref="kp-someone-else")])
    imported(engine, tmp_path, saksmappe(jp))
    assert owners(engine) == {("2024/17-1", "UKA", "LMA"), ("2024/17-1", "PEO", "OKO")}


@pytest.mark.parametrize("method", ["***", "Foreløpig svar"])
def test_a_temporary_answer_keeps_the_restanse_as_configured(
    engine: Engine, tmp_path: Path, method: str
) -> None:
    imported(engine, tmp_path, saksmappe(JP("a", writeoffs=[writeoff(method=method)])))
    assert owners(engine) == {("2024/17-1", "UKA", "LMA")}


def test_a_temporary_answer_writes_off_where_configured_so(engine: Engine, tmp_path: Path) -> None:
    settings = Settings(database_url="sqlite://", temporary_keeps_restanse=False)
    path = write(tmp_path / "a.xml", extract(saksmappe(JP("a", writeoffs=[writeoff(method="***")]))))
    run(engine, path, settings)
    assert restanser(engine) == []


def test_an_archives_own_temporary_code_keeps_the_restanse(engine: Engine, tmp_path: Path) -> None:
    codes = {"FS": Avskrivningskode(label="Foreløpig svar sendt", temporary=True)}
    settings = Settings(database_url="sqlite://", avskrivningskoder=codes)
    path = write(tmp_path / "a.xml", extract(saksmappe(JP("a", writeoffs=[writeoff(method="FS")]))))
    run(engine, path, settings)
    assert owners(engine) == {("2024/17-1", "UKA", "LMA")}


def test_a_final_write_off_after_a_temporary_answer_writes_off(engine: Engine, tmp_path: Path) -> None:
    offs = [writeoff("2024-02-10", "Besvart med brev"), writeoff("2024-02-01", "***")]
    imported(engine, tmp_path, saksmappe(JP("a", writeoffs=offs)))
    assert restanser(engine) == []
    assert written_off(engine) == {("a", "UKA", "BU")}


@given(
    written=st.lists(st.booleans(), min_size=1, max_size=5),
    everyone=st.booleans(),
)
@hyp_settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_each_recipient_is_open_unless_a_write_off_applies_to_them(
    tmp_path_factory: pytest.TempPathFactory, written: list[bool], everyone: bool
) -> None:
    tmp = tmp_path_factory.mktemp("prop")
    engine = make_engine(f"sqlite:///{tmp / 'p.db'}")
    migrate(engine)
    people = [f"P{i}" for i in range(len(written))]
    parts = [part("Intern mottaker", sbh=p, unit="LMA") for p in people]
    offs = [writeoff(ref=p) for p, w in zip(people, written, strict=True) if w]
    offs += [writeoff()] if everyone else []
    run(engine, write(tmp / "p.xml", extract(saksmappe(JP("n", type="N", parts=parts, writeoffs=offs)))))
    expected = set() if everyone else {p for p, w in zip(people, written, strict=True) if not w}
    assert {r["saksbehandler"] for r in restanser(engine)} == expected


# ---- ids, duplicates, privacy, dates ---------------------------------------------------------------------


def test_shown_id_is_case_number_and_document_number_else_registrerings_id(
    engine: Engine, tmp_path: Path
) -> None:
    imported(
        engine,
        tmp_path,
        saksmappe(JP("a", nr="007"), saksaar="2023", sekvens="00042"),
        saksmappe(JP("b", nr=None, registrerings_id="2024/5-9"), sekvens="5"),
        JP("c", registrerings_id="JP-ohne-sak"),
    )
    assert {r["jp_id"] for r in restanser(engine)} == {"2023/42-7", "2024/5-9", "JP-ohne-sak"}


def test_system_id_keeps_entries_with_the_same_shown_id_apart(engine: Engine, tmp_path: Path) -> None:
    summary = imported(
        engine,
        tmp_path,
        saksmappe(JP("sys-1", registrerings_id="R"), JP("sys-2", registrerings_id="R")),
    )
    assert [(r["jp_key"], r["jp_id"]) for r in restanser(engine)] == [
        ("sys-1", "2024/17-1"),
        ("sys-2", "2024/17-1"),
    ]
    assert summary.duplicates == 0


def test_the_same_system_id_and_recipient_twice_is_stored_once(engine: Engine, tmp_path: Path) -> None:
    summary = imported(engine, tmp_path, saksmappe(JP("sys-1"), JP("sys-1", nr="2")))
    assert len(restanser(engine)) == 1
    assert summary.duplicates == 1


def test_skjerming_hides_the_title_and_correspondent_but_keeps_the_public_title(
    engine: Engine, tmp_path: Path
) -> None:
    imported(
        engine,
        tmp_path,
        saksmappe(
            JP(
                "a",
                nr="1",
                title="Barnevernssak Ola",
                public_title="Barnevernssak",
                skjerming=skjerming("Klientsaker"),
            ),
            JP("b", nr="2", title="Personalsak", public_title=None, skjerming=skjerming("13 Ofl")),
            JP("c", nr="3", title="Åpen sak"),  # only its dokumentbeskrivelse is skjermet
        ),
    )
    by_id = {r["jp_id"]: r for r in restanser(engine)}
    assert (by_id["2024/17-1"]["title"], by_id["2024/17-1"]["public_title"]) == (None, "Barnevernssak")
    assert by_id["2024/17-1"]["access_code"] == "Klientsaker"
    assert by_id["2024/17-1"]["correspondent"] is None
    assert (by_id["2024/17-2"]["title"], by_id["2024/17-2"]["access_code"]) == (None, "13 Ofl")
    assert (by_id["2024/17-3"]["title"], by_id["2024/17-3"]["access_code"]) == ("Åpen sak", None)


def test_a_skjermet_saksmappe_makes_its_journalposter_confidential(engine: Engine, tmp_path: Path) -> None:
    imported(
        engine, tmp_path, saksmappe(JP("a", title="Hemmelig"), mappe_skjerming=skjerming("Personalsaker"))
    )
    (row,) = restanser(engine)
    assert (row["title"], row["access_code"]) == (None, "Personalsaker")


@pytest.mark.parametrize(
    "value",
    ["2024-01-15", "2024-01-15Z", "2024-01-15+01:00", "2024-01-15T23:30:00", "2024-01-15T23:30:00+02:00"],
)
def test_dates_with_or_without_time_and_zone_are_read_as_the_day(
    engine: Engine, tmp_path: Path, value: str
) -> None:
    imported(engine, tmp_path, saksmappe(JP("a", journaldato=value, dokdato=value, forfall=value)))
    (row,) = restanser(engine)
    assert [str(row[c]) for c in ("journal_date", "doc_date", "due_date")] == ["2024-01-15"] * 3


@pytest.mark.parametrize(
    ("bom", "gz", "name"), [(True, False, "a.xml"), (False, True, "a.xml.gz"), (True, True, "a.xml.gz")]
)
def test_files_with_bom_and_gzip_compressed_files_are_read(
    engine: Engine, tmp_path: Path, bom: bool, gz: bool, name: str
) -> None:
    run(engine, write(tmp_path / name, extract(saksmappe(JP("a"))), bom=bom, gz=gz))
    assert owners(engine) == {("2024/17-1", "UKA", "LMA")}


def test_the_extract_is_read_in_chunks_while_the_file_is_being_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from restanse_core.importers import noark5

    monkeypatch.setattr(noark5, "CHUNK_ROWS", 50)
    monkeypatch.setattr(noark5, "READ_BYTES", 4096)
    mapper = [
        saksmappe(*(JP(f"s{s}-{n}", nr=str(n)) for n in range(1, 11)), sekvens=str(s)) for s in range(1, 101)
    ]
    path = write(tmp_path / "big.xml.gz", extract(*mapper), gz=True)
    positions: list[int] = []
    source = open_source(path, {}, Limits.of(Settings(database_url="sqlite://")))
    sizes = [len(frame) for frame in source.chunks(lambda done, total: positions.append(done))]
    assert sum(sizes) == 1000 and len(sizes) >= 20
    total = path.stat().st_size
    assert positions[-1] == total and positions[0] < total and positions == sorted(positions)


# ---- refusals --------------------------------------------------------------------------------------------


def test_a_file_that_is_not_xml_is_refused_in_one_line(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "restanser.xml"
    path.write_text("Journalpostnr;Saksbehandler;Enhet\n2024/1-1;UKA;LMA\n", encoding="utf-8")
    with pytest.raises(UserError) as caught:
        run(engine, path)
    assert "ikke gyldig XML" in caught.value.message and "linje 1" in caught.value.message
    assert "\n" not in caught.value.message
    assert snapshot_count(engine) == 0


def test_a_broken_gzip_file_is_refused(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "a.xml.gz"
    path.write_bytes(gzip.compress(extract(saksmappe(JP("a"))).encode())[:-30])
    with pytest.raises(UserError, match=r"a\.xml\.gz"):
        run(engine, path)
    assert snapshot_count(engine) == 0


def test_an_xml_error_deep_in_the_file_is_refused_with_its_line_and_nothing_is_stored(
    engine: Engine, tmp_path: Path
) -> None:
    good = extract(saksmappe(JP("a")), saksmappe(JP("b"), sekvens="18"))
    broken = good.replace("<systemID>b</systemID>", "<systemID>b</systemID><uavsluttet>", 1)
    with pytest.raises(UserError) as caught:
        run(engine, write(tmp_path / "a.xml", broken))
    assert f"på linje {line_of(broken, '<uavsluttet>')}:" in caught.value.message
    assert "\n" not in caught.value.message
    assert snapshot_count(engine) == 0 and restanser(engine) == []


@pytest.mark.parametrize(
    ("root", "namespace", "expected"),
    [
        ("arkiv", "http://example.org/annet", "navnerommet «http://example.org/annet»"),
        ("arkiv", "", "navnerommet «(ingen)»"),
        (
            "loependeJournal",
            "http://www.arkivverket.no/standarder/noark5/loependeJournal",
            "Importer arkivstruktur.xml",
        ),
        ("addml", "http://www.arkivverket.no/standarder/addml", "uttrekksbeskrivelsen"),
        ("html", "http://www.w3.org/1999/xhtml", "rotelementet er <html>"),
    ],
)
def test_xml_that_is_not_a_noark5_arkivstruktur_is_refused(
    engine: Engine, tmp_path: Path, root: str, namespace: str, expected: str
) -> None:
    text_ = extract(saksmappe(JP("a")), namespace=namespace, root=root)
    if not namespace:
        text_ = text_.replace(' xmlns=""', "")
    with pytest.raises(UserError) as caught:
        run(engine, write(tmp_path / "a.xml", text_))
    assert expected in caught.value.message and "\n" not in caught.value.message
    assert snapshot_count(engine) == 0


def test_an_empty_file_is_refused(engine: Engine, tmp_path: Path) -> None:
    (tmp_path / "a.xml").write_bytes(b"")
    with pytest.raises(UserError):
        run(engine, tmp_path / "a.xml")


def test_an_extract_without_journalposter_is_refused(engine: Engine, tmp_path: Path) -> None:
    with pytest.raises(UserError, match="uten journalposter"):
        imported(engine, tmp_path, saksmappe(JP("a", kind="arkivnotat")))
    assert snapshot_count(engine) == 0


def test_journalposts_missing_what_a_restanse_needs_refuse_the_file_with_line_numbers(
    engine: Engine, tmp_path: Path
) -> None:
    doc = extract(
        saksmappe(JP("ok", nr="1"), JP("no-type", nr="2", type=None)),
        JP("no-unit", registrerings_id="R-9", parts=[part("Avsender", "Kari", sbh="UKA")]),
        JP("no-id", nr=None, registrerings_id="", parts=[part("Avsender", "Kari", sbh="UKA", unit="LMA")]),
        saksmappe(
            JP("bad-date", journaldato="2024-13-45", nr="1"),
            JP("odd-type", type="Sakskart", nr="2"),
            sekvens="9",
        ),
    )
    path = write(tmp_path / "arkivstruktur.xml", doc)
    with pytest.raises(ImportRefused) as caught:
        run(engine, path)
    problems = {(p.row, p.column, p.expected.split(" (")[0]) for p in caught.value.problems}
    assert problems == {
        (line_of(doc, "<systemID>no-type<"), "journalposttype", "ukjent journalposttype"),
        (line_of(doc, "<systemID>no-unit<"), "administrativEnhet", "mangler enhet"),
        (line_of(doc, "<systemID>no-id<"), "registreringsID", "mangler journalpostnummer"),
        (line_of(doc, "<systemID>bad-date<"), "journaldato", "ugyldig dato"),
        (line_of(doc, "<systemID>odd-type<"), "journalposttype", "ukjent journalposttype"),
    }
    assert "linje " in caught.value.message and "Ingenting er lagret" in caught.value.message
    assert snapshot_count(engine) == 0 and restanser(engine) == []


def test_skip_invalid_stores_the_valid_journalposts(engine: Engine, tmp_path: Path) -> None:
    summary = imported(
        engine, tmp_path, saksmappe(JP("ok", nr="1"), JP("bad", nr="2", type="Tull")), skip_invalid=True
    )
    assert owners(engine) == {("2024/17-1", "UKA", "LMA")}
    assert summary.invalid_rows == 1


def test_outgoing_letters_need_neither_id_nor_unit(engine: Engine, tmp_path: Path) -> None:
    summary = imported(
        engine,
        tmp_path,
        JP("u", type="Utgående dokument", registrerings_id="", nr=None, parts=[]),
        JP("i", registrerings_id="R1", parts=[part("Avsender", "K", sbh="UKA", unit="LMA")]),
    )
    assert summary.invalid_rows == 0 and summary.skipped_types == {"U": 1}
    assert owners(engine) == {("R1", "UKA", "LMA")}
