"""What every reader hands to the import pipeline: chunks of rows in the canonical fields."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pandas as pd

from restanse_core.errors import Problem, UserError
from restanse_core.importers.guards import PrintedDate
from restanse_core.settings import Settings

ROW = "_row"
"""Column with the row (or line) number the user sees in the file."""
JP_KEY = "jp_key"
"""Optional column that keeps entries apart internally (Noark 5 systemID); defaults to the shown id."""

Progress = Callable[[int, int], None]
"""progress(done, total), in the reader's own unit (bytes of the file)."""


@dataclass(frozen=True)
class Limits:
    """How much one import may read: rows of a table (journalposter of an extract), and what an .xlsx unpacks to."""

    max_rows: int
    xlsx_max_bytes: int

    @classmethod
    def of(cls, settings: Settings) -> Limits:
        return cls(settings.import_max_rows, settings.xlsx_max_uncompressed_mb << 20)

    def refuse_rows(self, name: str, what: str = "rader") -> UserError:
        return UserError(
            f"{name} har mer enn {self.max_rows:,} {what}".replace(",", " ")
            + ", grensen i innstillingen import_max_rows. Er det riktig fil? Ingenting er lagret."
        )


@dataclass
class RowSource:
    """A readable input: which fields it has, under which headings, and its rows in chunks."""

    name: str
    headings: dict[str, str]  # field → heading as written in the file
    chunks: Callable[[Progress | None], Iterator[pd.DataFrame]]
    has_writeoff_dates: bool = False
    kind: str = "tabell"
    row_label: str = "rad"  # what the user calls a position in the file: a spreadsheet row, an XML line
    found_headings: list[str] = field(default_factory=list)  # every heading of the header row, for messages
    printed: PrintedDate | None = None  # the date a title line gives the list
    rejected: list[Problem] = field(default_factory=list)  # lines the reader could not split into the columns
