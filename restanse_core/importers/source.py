"""What every reader hands to the import pipeline: chunks of rows in the canonical fields."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pandas as pd

ROW = "_row"
"""Column with the row (or line) number the user sees in the file."""
JP_KEY = "jp_key"
"""Optional column that keeps entries apart internally (Noark 5 systemID); defaults to the shown id."""

Progress = Callable[[int, int], None]
"""progress(done, total), in the reader's own unit (bytes of the file)."""


@dataclass
class RowSource:
    """A readable input: which fields it has, under which headings, and its rows in chunks."""

    name: str
    headings: dict[str, str]  # field → heading as written in the file
    chunks: Callable[[Progress | None], Iterator[pd.DataFrame]]
    has_writeoff_dates: bool = False
    kind: str = "tabell"
    row_label: str = "rad"  # what the user calls a position in the file: a spreadsheet row, an XML line
