"""Properties of the tabular import (hypothesis): whatever the layout, the restanser that come out are right."""

from __future__ import annotations

import string
from datetime import date

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from restanse_core.importers.dates import parse_dates
from restanse_core.importers.pipeline import Pipeline, Resolver
from restanse_core.importers.source import ROW, Limits, RowSource
from restanse_core.importers.tabular import open_tabular
from restanse_core.settings import Settings

LIMITS = Limits.of(Settings(database_url="sqlite://"))

initials = st.text(string.ascii_uppercase, min_size=2, max_size=4)
types = st.sampled_from(
    ["I", "N", "U", "X", "S", "Inngående dokument", "Organinternt dokument for oppfølging"]
)
days = st.dates(min_value=date(1990, 1, 1), max_value=date(2040, 12, 31))
titles = st.text(alphabet=string.ascii_letters + " æøåÆØÅ-.,", max_size=40).map(str.strip)
row = st.tuples(
    st.integers(1, 400),
    st.integers(1, 9),
    types,
    days,
    initials,
    st.sampled_from(["LMA", "TDR", "GDO"]),
    st.booleans(),
    titles,
)


@given(
    rows=st.lists(row, min_size=1, max_size=40),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]),
    sep=st.sampled_from([";", ",", "\t"]),
    date_format=st.sampled_from(["%d.%m.%Y", "%Y-%m-%d", "%d.%m.%y"]),
    title_lines=st.integers(0, 3),
)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_any_layout_gives_the_same_restanser(tmp_path_factory, rows, encoding, sep, date_format, title_lines):
    folder = tmp_path_factory.mktemp("prop")
    header = [
        "Saksnr",
        "Dok.nr",
        "Dokumenttype",
        "Journaldato",
        "Saksbehandler",
        "Enhet",
        "Tilgangskode",
        "Tittel",
    ]
    lines = [f"Rapport {i}" for i in range(title_lines)] + [sep.join(header)]
    for sak, dok, jp_type, day, sb, unit, secret, title in rows:
        cells = [
            f"2019/{sak}",
            str(dok),
            jp_type,
            day.strftime(date_format),
            sb,
            unit,
            "U" if secret else "",
            title,
        ]
        lines.append(sep.join(f'"{c}"' if sep in c else c for c in cells))
    path = folder / "liste.csv"
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))

    source = open_tabular(path, {}, LIMITS)
    pipeline = Pipeline(source, Resolver(), {"***"}, True, as_of=date(2041, 1, 1))
    results = [pipeline.prepare(chunk) for chunk in source.chunks(None)]
    stored = pd.concat([r.restanser for r in results])

    expected = {}
    for sak, dok, jp_type, _day, sb, unit, secret, title in rows:
        if jp_type in ("I", "N", "Inngående dokument", "Organinternt dokument for oppfølging"):
            key = (f"2019/{sak}-{dok}", sb)
            expected.setdefault(key, (unit, None if secret else (title or None)))
    got = stored.drop_duplicates(["jp_id", "saksbehandler"])
    assert {(r.jp_id, r.saksbehandler) for r in got.itertuples()} == set(expected)
    for r in got.itertuples():
        unit, title = expected[(r.jp_id, r.saksbehandler)]
        assert r.enhet == unit
        assert r.title == title  # a confidential entry's title is never kept
    assert sum(r.problems == [] for r in results) == len(results)
    assert list(stored[ROW]) == sorted(stored[ROW])  # row numbers follow the file


@given(st.lists(days, min_size=1, max_size=20), st.sampled_from(["%d.%m.%Y", "%Y-%m-%d", "%d.%m.%y"]))
def test_dates_round_trip_in_every_accepted_format(values, fmt):
    parsed, bad = parse_dates(pd.Series([d.strftime(fmt) for d in values], dtype="str"))
    assert not bad.any()
    for day, got in zip(values, parsed, strict=True):
        if fmt == "%d.%m.%y":  # two-digit years: 69–99 are the 1900s, 00–68 the 2000s
            century = 1900 if day.year % 100 >= 69 else 2000
            day = day.replace(year=century + day.year % 100)
        assert got.date() == day


def test_nonsense_dates_are_flagged_not_guessed():
    parsed, bad = parse_dates(pd.Series(["31.02.2019", "i går", "2019-13-01", "", "  "], dtype="str"))
    assert list(bad) == [True, True, True, False, False]
    assert parsed.isna().all()


def test_rowsource_contract_is_what_the_pipeline_reads():
    frame = pd.DataFrame({"id": ["1"], "enhet": ["LMA"], ROW: [2]})
    source = RowSource("x.csv", {"id": "Id", "enhet": "Enhet"}, lambda progress: iter([frame]))
    result = Pipeline(source, Resolver(), set(), True, as_of=date(2019, 12, 16)).prepare(frame)
    assert list(result.restanser["jp_id"]) == ["1"]
