"""Text files as archives export them, at the byte level: encoding, line endings, bytes that cannot be read."""

from __future__ import annotations

import codecs
import csv
import re
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from restanse_core.errors import MAX_PROBLEMS_SHOWN, ImportRefused, Problem, UserError

HEAD_BYTES = 1 << 16
LINE_END = re.compile(r"\r\n|\r|\n")
_LINE_END_BYTES = re.compile(rb"\r\n|\r|\n")
# Windows-1252 leaves five bytes undefined; Python refuses to decode them.
_UNDEFINED_CP1252 = re.compile(rb"[\x81\x8d\x8f\x90\x9d]")


def read_head(path: Path) -> bytes:
    """The first bytes of a text file, refused at once if it is a binary file or UTF-16 (Excel's «Unicode text»)."""
    with path.open("rb") as handle:
        head = handle.read(HEAD_BYTES)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise UserError(
            f"{path.name} er lagret som UTF-16 («Unicode-tekst»). Lagre den som CSV UTF-8 eller CSV (semikolondelt)."
        )
    # A few NUL bytes in a value are cleaned away; a file made of them is not text.
    if head.startswith((b"PK\x03\x04", b"%PDF", b"\x89PNG")) or head.count(b"\x00") * 10 > len(head):
        raise UserError(
            f"{path.name} ser ikke ut som en tabell (CSV eller Excel). Eksporter lista som .csv eller .xlsx."
        )
    return head


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


def head_lines(head: bytes, encoding: str, limit: int) -> list[str]:
    """The first lines, split the way the CSV reader splits them (CR LF, LF or a lone CR)."""
    return LINE_END.split(head.decode(encoding, errors="replace"))[:limit]


def offset_after_line(head: bytes, index: int) -> int:
    """The byte where line `index + 1` (0-based) starts: the data after the header row."""
    for n, match in enumerate(_LINE_END_BYTES.finditer(head)):
        if n == index:
            return match.end()
    return len(head)


def sniff_separator(line: str) -> str:
    counts = {sep: line.count(sep) for sep in (";", "\t", ",")}
    return max(counts, key=lambda s: counts[s])


def split_line(line: str, sep: str) -> list[str]:
    try:
        return next(csv.reader([line], delimiter=sep), [])
    except csv.Error:  # a stray CR inside the line: the plain split is good enough to name a column
        return line.split(sep)


def refuse_undefined_bytes(path: Path, sep: str, headings: list[str], header_line: int) -> None:
    """A Windows-1252 file with a byte that encoding leaves undefined: refused with row and column.

    Most files have none: the file is searched block by block, and only read line by line when there is one.
    """
    with path.open("rb") as handle:
        if not any(_UNDEFINED_CP1252.search(block) for block in iter(lambda: handle.read(1 << 22), b"")):
            return
    problems: list[Problem] = []
    total = 0
    with path.open("rb") as handle:
        newline = b"\n" if b"\n" in handle.read(HEAD_BYTES) else b"\r"
        handle.seek(0)
        for number, raw in enumerate(_lines(handle, newline), start=1):
            found = _UNDEFINED_CP1252.search(raw)
            if not found:
                continue
            total += 1
            if len(problems) >= MAX_PROBLEMS_SHOWN:
                continue
            text = raw.decode("cp1252", errors="replace").strip("\r\n")
            cells = split_line(text, sep) if number > header_line else [text]
            position = next((i for i, cell in enumerate(cells) if "\ufffd" in cell), 0)
            column = headings[position] if number > header_line and position < len(headings) else None
            problems.append(
                Problem(
                    path.name,
                    number,
                    column,
                    cells[position] if position < len(cells) else text,
                    f"byten 0x{found.group()[0]:02X} finnes ikke i Windows-1252. "
                    "Lagre fila som CSV UTF-8 og les den inn på nytt",
                )
            )
    raise ImportRefused(path.name, problems, total=total)


def _lines(handle: IO[bytes], newline: bytes) -> Iterator[bytes]:
    """The file's lines split on one line ending, read in blocks (a CR-only file has no LF to split on)."""
    rest = b""
    while block := handle.read(1 << 22):
        parts = (rest + block).split(newline)
        rest = parts.pop()
        yield from parts
    if rest:
        yield rest
