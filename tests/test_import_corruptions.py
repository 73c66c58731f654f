"""Property: a damaged export never gives a traceback, and never changes stored data unless the import says it
succeeded — and a success always reports counts that add up and match what was stored.

The exports are shaped as records systems write them (title lines, ePhorte's headings, Windows-1252, quoted
titles with separators in them, write-offs, confidential entries; a Noark 5 extract), then damaged the way
files get damaged: cut short, bytes flipped or inserted, a column removed or doubled, line endings changed,
saved in another encoding.
"""

from __future__ import annotations

import shutil
from datetime import date, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from restanse_core.clock import FixedClock
from restanse_core.errors import MAX_MESSAGE_CHARS, UserError
from restanse_core.importers import import_snapshot
from restanse_core.model import Enhet, Person
from restanse_core.settings import Settings
from restanse_core.store import make_engine, migrate, repository
from tests.conftest import stored
from tests.noark5_builders import JP, extract, part, saksmappe, skjerming, writeoff

CLOCK = FixedClock(datetime(2019, 12, 16, 10, 0))
HEADER = [
    "Journalpostnr", "Type", "Jour.dato", "Dok.dato", "Tittel", "Offentlig tittel", "Saksbehandler",
    "Adm.enhet", "Tilg.kode", "Avsender/mottaker", "Avskrivningsdato", "Avskrivningsmåte",
]  # fmt: skip


def export_rows() -> list[list[str]]:
    """Thirty entries of every kind a restanse report holds."""
    rows = []
    for i in range(1, 31):
        confidential = i % 7 == 0
        written = i % 5 == 0
        rows.append(
            [
                f"2019/{1000 + i}-{i % 4 + 1}",
                "IUNXIIN"[i % 7],
                f"{i % 28 + 1:02d}.{i % 11 + 1:02d}.2019",
                f"{i % 28 + 1:02d}.{i % 11 + 1:02d}.2019",
                "" if confidential else f"Søknad om løyve; vedlegg {i} – «Ærfugl»",
                "Henvendelse fra privatperson" if confidential else "",
                ["UKA", "ABC", "Tor Olsen", ""][i % 4],
                ["LMA", "TDR", "Geodata og oppmåling"][i % 3],
                "13 Ofl" if confidential else "",
                "" if confidential else f"Kari Nordmann {i}",
                "10.12.2019" if written else "",
                ["TE", "***", "BU"][i % 3] if written or i % 9 == 0 else "",
            ]
        )
    return rows


def csv_lines(columns: list[int], sep: str) -> list[str]:
    def cell(value: str) -> str:
        return f'"{value}"' if sep in value or '"' in value else value

    table = [HEADER, *export_rows()]
    return [
        "Restanseoppfølging – Verdal kommune",
        "Utskrevet 16.12.2019 kl. 07:12 av ARK",
        "",
        *(sep.join(cell(row[c]) for c in columns) for row in table),
    ]


def noark5_text() -> str:
    entries = [
        JP(f"jp-{i}", nr=str(i), journaldato=f"2019-{i % 11 + 1:02d}-15", type=t, skjerming=s, writeoffs=w)
        for i, (t, s, w) in enumerate(
            [
                ("Inngående dokument", None, []),
                ("Organinternt dokument for oppfølging", None, []),
                ("Utgående dokument", None, []),
                ("Inngående dokument", skjerming(), []),
                ("Inngående dokument", None, [writeoff("2019-12-01")]),
            ]
            * 4,
            start=1,
        )
    ]
    for jp in entries[::3]:
        jp.parts = [
            part("Intern mottaker", sbh="ABC", unit="TDR"),
            part("Intern mottaker", sbh="UKA", unit="LMA"),
        ]
    return extract(
        saksmappe(*entries[:10], saksaar="2019"), saksmappe(*entries[10:], saksaar="2019", sekvens="18")
    )


@st.composite
def column_layout(draw: st.DrawFn) -> list[int]:
    """The export's columns: usually all of them, sometimes one removed, doubled or moved."""
    order = list(range(len(HEADER)))
    change = draw(st.sampled_from(["none", "none", "none", "remove", "double", "move"]))
    at = draw(st.integers(0, len(order) - 1))
    if change == "remove":
        del order[at]
    elif change == "double":
        order.insert(draw(st.integers(0, len(order))), order[at])
    elif change == "move":
        order.insert(draw(st.integers(0, len(order) - 1)), order.pop(at))
    return order


@st.composite
def damaged_export(draw: st.DrawFn) -> tuple[str, bytes]:
    """(file name, bytes): a real-shaped export with zero or more kinds of damage."""
    if draw(st.integers(0, 4)) == 0:
        name, data = "arkivstruktur.xml", noark5_text().encode("utf-8")
    else:
        chosen = draw(column_layout())
        sep = draw(st.sampled_from([";", ";", ",", "\t"]))
        ending = draw(st.sampled_from(["\r\n", "\n", "\r"]))
        encoding = draw(
            st.sampled_from(["cp1252", "cp1252", "utf-8", "utf-8", "utf-8-sig", "latin-1", "utf-16"])
        )
        lines = csv_lines(chosen, sep)
        keep = draw(st.one_of(st.just(len(lines)), st.integers(4, len(lines))))  # whole, or the end cut off
        name = "restanser.csv"
        data = (ending.join(lines[:keep]) + ending).encode(encoding, errors="replace")
    data = bytearray(data)
    for _ in range(draw(st.sampled_from([0, 0, 1, 1, 2, 3]))):
        damage = draw(st.sampled_from(["flip", "insert", "cut", "control"]))
        if not data:
            break
        at = draw(st.integers(0, len(data) - 1))
        if damage == "flip":
            data[at] = draw(st.integers(0, 255))
        elif damage == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=8))
        elif damage == "control":
            data[at:at] = bytes([draw(st.sampled_from([0x00, 0x1B, 0x07, 0x0B, 0x81, 0x9D, 0x8D]))])
        else:
            del data[at:]
    return name, bytes(data)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database with the directory and a November list: the month that a damaged file must not hurt."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    migrate(engine)
    with engine.begin() as conn:
        repository.replace_units(conn, [Enhet("LMA", "Landbruk"), Enhet("TDR", "Teknisk drift")])
        repository.replace_people(
            conn, [Person("UKA", "Unni Karlsen", "uka@k.no"), Person("ABC", "Anne Cappelen", "abc@k.no")]
        )
    november = path.with_name("november.csv")
    november.write_bytes("\r\n".join(csv_lines(list(range(len(HEADER))), ";")).encode("cp1252"))
    import_snapshot(
        engine,
        november,
        Settings(database_url="sqlite://"),
        as_of=date(2019, 11, 29),
        imported_by="t",
        clock=CLOCK,
        confirmed=True,  # the file says «Utskrevet 16.12.2019»
    )
    engine.dispose()
    return path


def stored_in(engine, as_of: date, table: str) -> int:
    with engine.connect() as conn:
        return int(
            conn.execute(
                text(
                    f"SELECT count(*) FROM {table} t JOIN snapshots s ON s.id = t.snapshot_id WHERE s.as_of = :d"
                ),
                {"d": as_of},
            ).scalar()
            or 0
        )


@given(
    export=damaged_export(),
    as_of=st.sampled_from(
        [None, date(2019, 12, 16), date(2019, 11, 29), date(2019, 10, 1), date(2019, 12, 24)]
    ),
    confirmed=st.booleans(),
    skip_invalid=st.booleans(),
    dry_run=st.booleans(),
)
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_damaged_exports_never_crash_and_never_change_data_unless_the_import_succeeds(
    template, tmp_path_factory, export, as_of, confirmed, skip_invalid, dry_run
):
    folder = tmp_path_factory.mktemp("damaged")
    db = folder / "restansebot.db"
    shutil.copy(template, db)
    url = f"sqlite:///{db}"
    name, data = export
    path = folder / name
    path.write_bytes(data)
    before = stored(url)
    engine = make_engine(url)
    try:
        summary = import_snapshot(
            engine,
            path,
            Settings(database_url=url),
            as_of=as_of,
            imported_by="test",
            confirmed=confirmed,
            skip_invalid=skip_invalid,
            dry_run=dry_run,
            clock=CLOCK,
        )
    except UserError as refused:  # any other exception is a traceback the user would see
        event(refused.message[:50])
        assert refused.message.strip() and len(refused.message) <= MAX_MESSAGE_CHARS
        assert stored(url) == before
        return
    finally:
        engine.dispose()
    event("stored" if summary.stored else "preview")
    skipped = sum(summary.skipped_types.values())
    assert summary.rows_read == (
        summary.restanser + summary.written_off + summary.duplicates + skipped + summary.invalid_rows
    )
    assert min(summary.restanser, summary.written_off, summary.duplicates, summary.invalid_rows) >= 0
    if dry_run:
        assert not summary.stored and stored(url) == before
        return
    assert summary.stored and (confirmed or not summary.warnings)
    assert summary.invalid_rows == 0 or skip_invalid
    engine = make_engine(url)
    assert stored_in(engine, summary.as_of, "restanser") == summary.restanser
    assert stored_in(engine, summary.as_of, "written_off") == summary.written_off
    engine.dispose()
    after = stored(url)
    assert {t: after[t] for t in ("units", "unit_leaders", "people")} == {
        t: before[t] for t in ("units", "unit_leaders", "people")
    }
