"""Files the bot writes for spreadsheets: cells that Excel cannot take for formulas (CSV injection)."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> object:
    """A text cell Excel would read as a formula gets a leading apostrophe; numbers stay numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def write_csv(rows: list[Sequence[object]], header: Sequence[str]) -> str:
    """Semicolon-separated with a BOM (Norwegian Excel opens it right), every cell made safe."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([safe_cell(h) for h in header])
    writer.writerows([safe_cell(c) for c in row] for row in rows)
    return "\ufeff" + buffer.getvalue()
