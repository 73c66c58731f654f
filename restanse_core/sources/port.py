"""The port to a records system: read the open items, write one off. Adapters implement it; the core uses it.

Reading gives rows in the same canonical fields a file import produces (`restanse_core.importers.source`), so
the import pipeline applies the same rules to both: only types I and N, write-off codes (a temporary `***`
keeps the restanse), no title stored for a restricted entry, one row per recipient of an N note, and matching
to the directory (by e-mail where the records system knows it, else initials or name).

Errors are values: a write-off answers with an outcome and a message written for the person who pressed; a
read that cannot complete raises `SourceError` with a plain message, and the last good list stays.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Collection
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING, Literal, Protocol, runtime_checkable

if TYPE_CHECKING:
    import pandas as pd

CANONICAL_FIELDS = (
    "id", "type", "dato", "dokdato", "tittel", "offentlig_tittel", "saksbehandler", "epost", "enhet",
    "enhet_fra_katalog", "tilgangskode", "avsender", "forfall", "avskrevet_dato", "avskrivningsmaate",
)  # fmt: skip
"""What a source's rows may hold (all text; dates as ISO), besides `jp_key` (the item's key in the records
system, used to write it off) and `_row` (a number that locates the item for the arkiv, e.g. its record number).
`epost` is the saksbehandler's e-mail; `enhet_fra_katalog` = "1" counts a recipient in their own unit."""


class SourceError(Exception):
    """The records system could not be read (unreachable, refused, inconsistent). Nothing is stored."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Outcome(StrEnum):
    DONE = "done"  # the records system said yes
    REFUSED = "refused"  # it said no (its reason in the message); nothing changed
    FAILED = "failed"  # it could not be asked (unreachable, bad configuration); nothing changed
    UNCERTAIN = "uncertain"  # asked, but no answer came (a timeout): look the item up before saying anything


@dataclass(frozen=True)
class WriteOffResult:
    outcome: Outcome
    message: str = ""  # plain Norwegian, for the person who pressed


@dataclass(frozen=True)
class WriteOff:
    """One item written off on a person's behalf."""

    jp_key: str  # the item's key in the records system (360: Recno)
    jp_id: str  # the id people see (360: DocumentNumber)
    recipient: str  # whose part of the item (the saksbehandler's code; "" = ufordelt)
    code: str  # avskrivningskode, e.g. TE
    note: str | None  # free text for the records system; the bot does not keep it
    login: str | None  # the acting person's login in the records system
    acting_name: str  # the acting person's name, for a note when the system writes off as a service account


@runtime_checkable
class RestanseSource(Protocol):
    """A records system the bot reads restanser from and writes items off in."""

    name: str  # shown to people: «Public 360»
    row_label: str  # what a position is called in messages about bad data: «dokument»
    headings: dict[str, str]  # canonical field → the records system's own name for it, for those messages
    per_recipient: bool  # True: a write-off ends one recipient's part; False: the whole item, for everyone
    needs_login: bool  # whether writing off needs the acting person's login
    multi_recipient_notes: Literal["refuse", "confirm"]  # per-document systems: notes to several people

    def read(self, as_of: date) -> AsyncIterator[pd.DataFrame]:
        """The open items as of the day, in chunks of canonical rows. Raises SourceError."""
        ...

    async def write_off(self, item: WriteOff) -> WriteOffResult:
        """Write the item off. Never retried by the caller: an uncertain answer is checked with `is_open`."""
        ...

    async def is_open(self, jp_key: str) -> bool | None:
        """Whether the item is still open (None: the records system could not be asked)."""
        ...

    async def logins(self, emails: Collection[str]) -> dict[str, str]:
        """Logins of people by e-mail (lower case), for those the records system knows. Raises SourceError."""
        ...

    async def close(self) -> None: ...
