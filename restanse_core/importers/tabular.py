"""The records system's restanse report as .csv/.txt or .xlsx: header row found, headings recognised."""

from __future__ import annotations

import codecs
import csv
import re
from collections.abc import Iterator, Mapping
from pathlib import Path

import pandas as pd

from restanse_core.errors import UserError
from restanse_core.importers.headings import looks_like_header, match_headings
from restanse_core.importers.source import ROW, Progress, RowSource

CHUNK_ROWS = 100_000
HEADER_SEARCH_LINES = 50
TABULAR_SUFFIXES = {".csv", ".txt", ".tsv", ".xlsx", ".xlsm", ".xls"}


def open_tabular(path: Path, mapping: Mapping[str, str] | None = None) -> RowSource:
    suffix = path.suffix.lower()
    if suffix in {".xlsx", ".xlsm", ".xls"}:
        return _open_excel(path, mapping or {})
    return _open_text(path, mapping or {})


def detect_encoding(path: Path) -> str:
    """UTF-8 (with or without BOM) if the whole file decodes as such, else Windows-1252."""
    utf8 = codecs.getincrementaldecoder("utf-8-sig")()
    with path.open("rb") as handle:
        try:
            while block := handle.read(1 << 22):
                utf8.decode(block)
            utf8.decode(b"", final=True)
            return "utf-8-sig"
        except UnicodeDecodeError:
            return "cp1252"


def _sniff_separator(line: str) -> str:
    counts = {sep: line.count(sep) for sep in (";", "\t", ",")}
    return max(counts, key=lambda s: counts[s])


def _split(line: str, sep: str) -> list[str]:
    return next(csv.reader([line], delimiter=sep))


def _open_text(path: Path, mapping: Mapping[str, str]) -> RowSource:
    with path.open("rb") as handle:
        head = handle.read(1 << 16)
    if b"\x00" in head or head.startswith((b"PK\x03\x04", b"%PDF", b"\x89PNG")):
        raise UserError(
            f"{path.name} ser ikke ut som en tabell (CSV eller Excel). Eksporter restanselista som .csv eller .xlsx."
        )
    encoding = detect_encoding(path)
    lines = head.decode(encoding, errors="replace").splitlines()[:HEADER_SEARCH_LINES]
    header_index, sep = None, ";"
    for index, line in enumerate(lines):
        candidate_sep = _sniff_separator(line)
        cells = _split(line, candidate_sep) if line.strip() else []
        if looks_like_header(cells, mapping):
            header_index, sep = index, candidate_sep
            break
    if header_index is None:
        _refuse_without_header(path, [_split(x, _sniff_separator(x)) for x in lines if x.strip()], mapping)
    assert header_index is not None
    headings = _split(lines[header_index], sep)
    fields = match_headings(headings, mapping)
    _require(path, fields, headings)
    total = path.stat().st_size

    def chunks(progress: Progress | None) -> Iterator[pd.DataFrame]:
        with path.open("rb") as handle:
            for _ in range(header_index + 1):
                handle.readline()  # the title lines and the header: the same bytes in UTF-8 and Windows-1252
            reader = pd.read_csv(
                handle,
                encoding=encoding,
                sep=sep,
                header=None,
                names=list(range(len(headings))),
                usecols=sorted(fields.values()),
                dtype=str,
                keep_default_na=False,
                skip_blank_lines=False,
                chunksize=CHUNK_ROWS,
                engine="c",
                quotechar='"',
                on_bad_lines="warn",
            )
            first_line = header_index + 2  # 1-based line of the first data row
            seen = 0
            try:
                for frame in reader:
                    frame = frame.rename(columns={pos: f for f, pos in fields.items()})
                    frame[ROW] = range(first_line + seen, first_line + seen + len(frame))
                    seen += len(frame)
                    frame = frame[(frame.drop(columns=ROW) != "").any(axis=1)]
                    if progress:
                        progress(min(handle.tell(), total), total)
                    yield frame
            except pd.errors.ParserError as exc:
                raise unreadable_table(path.name, exc, first_line) from None

    return RowSource(
        name=path.name,
        headings={f: headings[pos] for f, pos in fields.items()},
        chunks=chunks,
        has_writeoff_dates="avskrevet_dato" in fields,
    )


_OPEN_QUOTE = re.compile(r"EOF inside string starting at row (\d+)")


def unreadable_table(name: str, exc: Exception, first_line: int = 1) -> UserError:
    """The CSV reader's complaint in Norwegian, with the line it concerns where it says (its own words are English)."""
    if match := _OPEN_QUOTE.search(str(exc)):
        where = f'et anførselstegn («"») på linje {first_line + int(match[1])} blir aldri lukket'
    else:
        where = "fila er ikke en tabell med kolonner skilt av semikolon, komma eller tabulator"
    return UserError(f"{name} kan ikke leses som en tabell: {where}. Ingenting er lagret.")


def unreadable_excel(name: str) -> UserError:
    return UserError(
        f"{name} kan ikke leses som et Excel-ark: fila er skadet, passordbeskyttet eller ikke en Excel-fil. "
        "Åpne den i Excel og lagre den på nytt som .xlsx, eller eksporter lista som .csv. Ingenting er lagret."
    )


def _cell_text(value: object) -> object:
    """Excel cells: whole numbers without '.0', dates kept as timestamps, empty as ''."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, pd.Timestamp):
        return value
    if hasattr(value, "year") and hasattr(value, "month"):
        return pd.Timestamp(str(value))
    return str(value).strip()


def _open_excel(path: Path, mapping: Mapping[str, str]) -> RowSource:
    try:
        sheet = pd.read_excel(path, engine="calamine", header=None, dtype=object)
    except Exception:  # calamine raises its own error types (in English) for every kind of broken file
        raise unreadable_excel(path.name) from None
    header_index = None
    for index in range(min(HEADER_SEARCH_LINES, len(sheet))):
        if looks_like_header(sheet.iloc[index].map(_cell_text).tolist(), mapping):
            header_index = index
            break
    if header_index is None:
        rows = [
            [str(c) for c in sheet.iloc[i].map(_cell_text).tolist() if c != ""]
            for i in range(min(10, len(sheet)))
        ]
        _refuse_without_header(path, rows, mapping)
    assert header_index is not None
    headings = [str(_cell_text(v)) for v in sheet.iloc[header_index].tolist()]
    fields = match_headings(headings, mapping)
    _require(path, fields, headings)

    def chunks(progress: Progress | None) -> Iterator[pd.DataFrame]:
        data = sheet.iloc[header_index + 1 :, sorted(fields.values())]
        data = data.rename(columns={pos: f for f, pos in fields.items()})
        for column in data.columns:
            data[column] = data[column].map(_cell_text)
        data[ROW] = data.index + 1  # Excel's own row numbers
        data = data[(data.drop(columns=ROW).astype(str) != "").any(axis=1)]
        for start in range(0, len(data), CHUNK_ROWS):
            if progress:
                progress(min(start + CHUNK_ROWS, len(data)), len(data))
            yield data.iloc[start : start + CHUNK_ROWS]

    return RowSource(
        name=path.name,
        headings={f: headings[pos] for f, pos in fields.items()},
        chunks=chunks,
        has_writeoff_dates="avskrevet_dato" in fields,
    )


def _require(path: Path, fields: Mapping[str, int], headings: list[str]) -> None:
    found = ", ".join(f"«{h}»" for h in headings if str(h).strip()) or "(ingen)"
    if "id" not in fields and not {"saksnr", "doknr"} <= fields.keys():
        raise UserError(
            f"{path.name}: fant ingen kolonne for feltet «id» (journalpostnummer), og heller ikke «saksnr» + «doknr». "
            f"Overskriftene i fila er: {found}. Angi kolonnen med --column id=OVERSKRIFT."
        )
    if "enhet" not in fields:
        raise UserError(
            f"{path.name}: fant ingen kolonne for feltet «enhet» (administrativ enhet). "
            f"Overskriftene i fila er: {found}. Angi kolonnen med --column enhet=OVERSKRIFT."
        )


def _refuse_without_header(path: Path, rows: list[list[str]], mapping: Mapping[str, str]) -> None:
    if not rows or all(len(r) <= 1 for r in rows):
        raise UserError(f"{path.name} ser ikke ut som en tabell: fant ingen rad med kolonneoverskrifter.")
    widest = max(rows[:10], key=len)
    fields = match_headings(widest, mapping)
    _require(path, fields, widest)
    raise UserError(f"{path.name}: fant ingen rad med kjente kolonneoverskrifter.")
