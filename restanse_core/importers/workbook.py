"""Guarding the Excel reader: an .xlsx is a zip, and a small one can unpack to gigabytes (a zip bomb).

What the workbook unpacks to is measured before the reader sees it: first the sizes the zip declares, then the
bytes its entries really inflate to (a zip can declare less than it holds), stopping as soon as the limit is
passed. Memory stays at one block.
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from pathlib import Path
from typing import IO

from restanse_core.errors import UserError

_BLOCK = 1 << 20
_LOCAL_HEADER = 30  # bytes before the file name in a zip's local file header


def refuse_zip_bomb(path: Path, max_bytes: int) -> None:
    """Refuse an .xlsx/.xlsm whose contents would unpack to more than `max_bytes`."""
    if path.suffix.lower() == ".xls":  # the old binary format is no zip; its size on disk is what is read
        return
    try:
        with path.open("rb") as raw, zipfile.ZipFile(raw) as archive:
            entries = archive.infolist()
            declared = sum(e.file_size for e in entries)
            if declared > max_bytes:
                raise _too_big(path, declared, max_bytes)
            inflated = 0
            for entry in entries:
                inflated += _inflated_size(raw, entry, max_bytes - inflated)
                if inflated > max_bytes:
                    raise _too_big(path, inflated, max_bytes)
    except (zipfile.BadZipFile, zlib.error, struct.error, EOFError):
        raise UserError(
            f"{path.name} kan ikke leses som et Excel-ark: fila er skadet eller ikke en .xlsx."
        ) from None


def _too_big(path: Path, size: int, max_bytes: int) -> UserError:
    limit, found = max_bytes // (1 << 20), size // (1 << 20)
    return UserError(
        f"{path.name} pakker seg ut til mer enn {limit} MB"
        + (f" ({found} MB)" if found > limit else "")
        + ", grensen i innstillingen xlsx_max_uncompressed_mb. Eksporter lista som CSV i stedet."
    )


def _inflated_size(raw: IO[bytes], entry: zipfile.ZipInfo, budget: int) -> int:
    """How many bytes the entry inflates to, counted up to just past `budget`."""
    raw.seek(entry.header_offset)
    header = raw.read(_LOCAL_HEADER)
    if len(header) < _LOCAL_HEADER or header[:4] != b"PK\x03\x04":
        raise zipfile.BadZipFile(entry.filename)
    name_length, extra_length = struct.unpack("<HH", header[26:30])
    raw.seek(entry.header_offset + _LOCAL_HEADER + name_length + extra_length)
    if entry.compress_type == zipfile.ZIP_STORED:
        return entry.compress_size
    if entry.compress_type != zipfile.ZIP_DEFLATED:
        raise zipfile.BadZipFile(entry.filename)  # Excel writes only stored and deflated entries
    inflate = zlib.decompressobj(-zlib.MAX_WBITS)
    left, produced = entry.compress_size, 0
    while left > 0 and produced <= budget:
        block = raw.read(min(_BLOCK, left))
        if not block:
            break
        left -= len(block)
        while block and produced <= budget:
            produced += len(inflate.decompress(block, _BLOCK))
            block = inflate.unconsumed_tail
    return produced
