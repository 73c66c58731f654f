"""The records system's restanse report as .csv/.txt or .xlsx: header row found, headings recognised."""

from __future__ import annotations

import csv
import io
import re
import warnings
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import IO

import numpy as np
import pandas as pd

from restanse_core.errors import Problem, UserError
from restanse_core.importers.guards import AmbiguousColumns, MissingColumn, printed_date
from restanse_core.importers.headings import ambiguous_headings, looks_like_header, match_headings
from restanse_core.importers.source import ROW, Limits, Progress, RowSource
from restanse_core.importers.textfile import (
    detect_encoding,
    head_lines,
    offset_after_line,
    read_head,
    refuse_undefined_bytes,
    sniff_separator,
    split_line,
)
from restanse_core.importers.workbook import refuse_zip_bomb, unreadable_excel

CHUNK_ROWS = 100_000
HEADER_SEARCH_LINES = 50
TABULAR_SUFFIXES = {".csv", ".txt", ".tsv", ".xlsx", ".xlsm", ".xls"}
EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls"}
_BAD_LINE = re.compile(r"Skipping line (\d+): expected (\d+) fields, saw (\d+)")
_OPEN_QUOTE = re.compile(r"EOF inside string starting at row (\d+)")


def open_tabular(path: Path, mapping: Mapping[str, str], limits: Limits) -> RowSource:
    if path.suffix.lower() in EXCEL_SUFFIXES:
        return _open_excel(path, mapping, limits)
    return _open_text(path, mapping, limits)


def _open_text(path: Path, mapping: Mapping[str, str], limits: Limits) -> RowSource:
    head = read_head(path)
    encoding = detect_encoding(path)
    lines = head_lines(head, encoding, HEADER_SEARCH_LINES)
    header_index, sep = None, ";"
    for index, line in enumerate(lines):
        candidate_sep = sniff_separator(line)
        cells = split_line(line, candidate_sep) if line.strip() else []
        if looks_like_header(cells, mapping):
            header_index, sep = index, candidate_sep
            break
    if header_index is None:
        _refuse_without_header(path, [split_line(x, sniff_separator(x)) for x in lines if x.strip()], mapping)
    assert header_index is not None
    headings = split_line(lines[header_index], sep)
    fields = _require(path, headings, mapping)
    if encoding == "cp1252":
        refuse_undefined_bytes(path, sep, headings, header_index + 1)
    titles = [" ".join(split_line(x, sniff_separator(x))) for x in lines[:header_index]]
    start = offset_after_line(
        head, header_index
    )  # the title lines and the header: same bytes in both encodings
    total = path.stat().st_size
    used = sorted(fields.values())
    rejected: list[Problem] = []
    # pandas cuts a first data line with too many fields short (later ones it reports): count that one here.
    rest = io.StringIO(head[start:].decode(encoding, errors="replace"), newline="")
    first = next(csv.reader(rest, delimiter=sep), [])
    first_too_long = len(first) > len(headings)

    def chunks(progress: Progress | None) -> Iterator[pd.DataFrame]:
        with path.open("rb") as handle:
            handle.seek(start)
            if start >= total:
                return
            done = 0  # data lines (counted from the one after the header) given a row number so far
            bad: set[int] = set()
            seen = 0
            reader = None
            while True:
                with warnings.catch_warnings(record=True) as caught:
                    warnings.simplefilter("always", pd.errors.ParserWarning)
                    try:
                        # Made here, not before the loop: pandas may parse (and fail on) the first chunk at once.
                        reader = reader or _csv_reader(handle, encoding, sep, len(headings))
                        frame = next(reader)
                    except StopIteration:
                        break
                    except pd.errors.EmptyDataError:
                        return
                    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
                        raise unreadable_table(path.name, exc, header_index + 1) from None
                for line, _expected, saw in _bad_lines(caught):
                    bad.add(line)
                    rejected.append(_too_many_fields(path.name, header_index + 1 + line, saw, len(headings)))
                numbers = _line_numbers(done, len(frame), bad) + (header_index + 1)
                frame = frame[used].fillna("").rename(columns={pos: f for f, pos in fields.items()})
                frame[ROW] = numbers
                if first_too_long and done == 0 and len(frame):
                    rejected.append(_too_many_fields(path.name, header_index + 2, len(first), len(headings)))
                    frame = frame.iloc[1:]
                done = int(numbers[-1]) - header_index - 1 if len(numbers) else done
                seen += len(frame)
                if seen + len(rejected) > limits.max_rows:
                    raise limits.refuse_rows(path.name)
                frame = frame[(frame.drop(columns=ROW) != "").any(axis=1)]
                if progress:
                    progress(min(handle.tell(), total), total)
                yield frame

    return RowSource(
        name=path.name,
        headings={f: headings[pos] for f, pos in fields.items()},
        chunks=chunks,
        has_writeoff_dates="avskrevet_dato" in fields,
        found_headings=headings,
        printed=printed_date(titles),
        rejected=rejected,
    )


def _csv_reader(handle: IO[bytes], encoding: str, sep: str, columns: int) -> Iterator[pd.DataFrame]:
    return pd.read_csv(
        handle,
        encoding=encoding,
        sep=sep,
        header=None,
        # Every column, not usecols: a line with more fields than the header (a separator too many, which
        # shifts the columns after it) is then reported instead of silently cut short.
        names=list(range(columns)),
        index_col=False,  # never take extra leading fields of the first row as an index
        dtype=str,
        keep_default_na=False,
        skip_blank_lines=False,
        chunksize=CHUNK_ROWS,
        engine="c",
        quotechar='"',
        on_bad_lines="warn",
    )


def _bad_lines(caught: list[warnings.WarningMessage]) -> Iterator[tuple[int, int, int]]:
    """(line, fields expected, fields seen) for each line pandas skipped as having too many fields."""
    for warning in caught:
        for match in _BAD_LINE.finditer(str(warning.message)):
            yield int(match.group(1)), int(match.group(2)), int(match.group(3))


def _too_many_fields(name: str, row: int, fields: int, columns: int) -> Problem:
    return Problem(
        name,
        row,
        None,
        None,
        f"raden har {fields} felt, men overskriftsraden har {columns} (et skilletegn eller anførselstegn for mye?)",
    )


def _line_numbers(done: int, count: int, bad: set[int]) -> np.ndarray:
    """The data line numbers of the next `count` rows: the lines after `done`, less the ones skipped as bad."""
    candidates = np.arange(done + 1, done + 1 + count + len(bad), dtype=np.int64)
    if bad:
        candidates = candidates[~np.isin(candidates, list(bad))]
    return candidates[:count]


def unreadable_table(name: str, exc: Exception, header_line: int = 1) -> UserError:
    """The CSV reader's complaint in Norwegian, with the line it concerns where it says (its own words are
    English and never shown)."""
    quote = _OPEN_QUOTE.search(str(exc))
    if quote:
        line = header_line + int(quote.group(1)) + 1  # pandas counts the lines after the header from 0
        return UserError(
            f'{name} kan ikke leses som en tabell: et anførselstegn (") åpnes på rad {line} og lukkes aldri. '
            "Er fila avkuttet? Ingenting er lagret."
        )
    return UserError(
        f"{name} kan ikke leses som en tabell: fila er ikke en tabell med kolonner skilt av semikolon, "
        "komma eller tabulator. Ingenting er lagret."
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


def _title_text(values: list[object]) -> str:
    """A title row of a sheet as one line of text, date cells written as dd.mm.yyyy."""
    cells = [_cell_text(v) for v in values]
    return " ".join(
        c.strftime("%d.%m.%Y") if isinstance(c, pd.Timestamp) else str(c) for c in cells if c != ""
    )


def _open_excel(path: Path, mapping: Mapping[str, str], limits: Limits) -> RowSource:
    refuse_zip_bomb(path, limits.xlsx_max_bytes)
    try:
        sheet = pd.read_excel(path, engine="calamine", header=None, dtype=object)
    except Exception:  # calamine raises its own error types (in English) for every kind of broken file
        raise unreadable_excel(path.name) from None
    if len(sheet) > limits.max_rows + HEADER_SEARCH_LINES:
        raise limits.refuse_rows(path.name)
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
    fields = _require(path, headings, mapping)
    titles = [_title_text(sheet.iloc[i].tolist()) for i in range(header_index)]

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
        found_headings=headings,
        printed=printed_date(titles),
    )


def _require(path: Path, headings: list[str], mapping: Mapping[str, str]) -> dict[str, int]:
    """The fields of the header row; refused when one is ambiguous or the id or the unit is missing."""
    for field, names in ambiguous_headings(headings, mapping).items():
        raise AmbiguousColumns(path.name, field, names)
    fields = match_headings(headings, mapping)
    if "id" not in fields and not {"saksnr", "doknr"} <= fields.keys():
        raise MissingColumn(path.name, "id", "journalpostnummer, eller «saksnr» og «doknr» sammen", headings)
    if "enhet" not in fields:
        raise MissingColumn(path.name, "enhet", "administrativ enhet", headings)
    return fields


def _refuse_without_header(path: Path, rows: list[list[str]], mapping: Mapping[str, str]) -> None:
    if not rows or all(len(r) <= 1 for r in rows):
        raise UserError(f"{path.name} ser ikke ut som en tabell: fant ingen rad med kolonneoverskrifter.")
    _require(path, max(rows[:10], key=len), mapping)
    raise UserError(f"{path.name}: fant ingen rad med kjente kolonneoverskrifter.")
