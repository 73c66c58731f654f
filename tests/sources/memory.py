"""The in-memory source: the port's reference adapter, a records system that lives in a list of rows.

It writes off per recipient (each recipient's part of an N note on its own) and rows carry initials, as an
ePhorte export does; the conformance suite runs against it beside the real adapters.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Collection
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

import pandas as pd

from restanse_core.importers.source import JP_KEY, ROW
from restanse_core.sources.port import CANONICAL_FIELDS, Outcome, SourceError, WriteOff, WriteOffResult


@dataclass
class MemorySource:
    name: str = "minnet"
    row_label: str = "post"
    headings: dict[str, str] = field(default_factory=dict)
    per_recipient: bool = True
    needs_login: bool = True
    multi_recipient_notes: Literal["refuse", "confirm"] = "refuse"
    rows: list[dict[str, Any]] = field(default_factory=list)
    refusals: dict[str, str] = field(default_factory=dict)  # jp_id → the system's reason
    late: bool = False  # writes off, but the answer is lost
    lookups_fail: bool = False
    unreadable: str | None = None  # read raises SourceError with this message
    logins_by_email: dict[str, str] = field(default_factory=dict)
    calls: list[WriteOff] = field(default_factory=list)
    written: dict[str, str] = field(default_factory=dict)  # jp_id → code

    def add(self, jp_key: str, jp_id: str, **fields: str) -> None:
        row = {f: "" for f in CANONICAL_FIELDS}
        row.update(fields)
        self.rows.append({JP_KEY: jp_key, ROW: len(self.rows) + 1, **row, "_open": True})

    def _open(self) -> list[dict[str, Any]]:
        return [r for r in self.rows if r["_open"]]

    async def read(self, as_of: date) -> AsyncIterator[pd.DataFrame]:
        if self.unreadable:
            raise SourceError(self.unreadable)
        # Like a records system's API (and unlike an export), the title of a restricted item is not handed out.
        rows = [
            {k: ("" if k == "tittel" and r["tilgangskode"] else v) for k, v in r.items() if k != "_open"}
            for r in self._open()
        ]
        yield pd.DataFrame(rows, columns=[JP_KEY, ROW, *CANONICAL_FIELDS])

    async def write_off(self, item: WriteOff) -> WriteOffResult:
        self.calls.append(item)
        if item.jp_id in self.refusals:
            return WriteOffResult(Outcome.REFUSED, self.refusals[item.jp_id])
        parts = [
            r
            for r in self._open()
            if r[JP_KEY] == item.jp_key and (not self.per_recipient or r["saksbehandler"] == item.recipient)
        ]
        if not parts:
            return WriteOffResult(Outcome.REFUSED, f"{item.jp_id} er ikke åpen")
        for r in parts:
            r["_open"] = False
        self.written[item.jp_id] = item.code
        return WriteOffResult(Outcome.UNCERTAIN if self.late else Outcome.DONE)

    async def is_open(self, jp_key: str) -> bool | None:
        if self.lookups_fail:
            return None
        return any(r[JP_KEY] == jp_key for r in self._open())

    async def logins(self, emails: Collection[str]) -> dict[str, str]:
        return {e: login for e, login in self.logins_by_email.items() if e in emails}

    async def close(self) -> None:
        return None
