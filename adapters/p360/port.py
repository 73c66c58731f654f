"""Public 360 as a restanse source: GetDocuments in JournalDate windows, paged and counted; SignOffDocument per
document; logins from UserService/GetUsers matched through the person's contact by e-mail."""

from __future__ import annotations

from collections.abc import AsyncIterator, Collection
from datetime import date, timedelta
from typing import Any, Literal

import pandas as pd

from adapters.p360.client import SifClient, SifError, SifNoAnswer, SifRefused, SifUnreachable
from adapters.p360.config import P360Config
from adapters.p360.documents import HEADINGS, base_filter, to_rows, window_query, windows
from restanse_core.settings import Settings
from restanse_core.sources.port import Outcome, SourceError, WriteOff, WriteOffResult


class P360Source:
    """The port (restanse_core.sources.port.RestanseSource) for Public 360's SIF RPC/JSON service."""

    name = "360"
    row_label = "dokument"
    headings = HEADINGS
    per_recipient = False  # SignOffDocument has no recipient: the whole document, for everyone

    def __init__(self, config: P360Config, settings: Settings) -> None:
        self.config = config
        self.options = config.settings
        self.settings = settings
        self.client = SifClient(config)
        self.needs_login = self.options.context_user == "person"
        self.multi_recipient_notes: Literal["refuse", "confirm"] = self.options.multi_recipient_notes
        self._filter: dict[str, Any] | None = None
        self.unlisted_codes: list[str] = []  # 360's response codes the archive's list does not name

    # ---- reading ---------------------------------------------------------------------------------------

    async def response_codes(self) -> list[dict[str, Any]]:
        answer = await self.client.call(
            "SupportService",
            "GetCodeTableRows",
            {"CodeTableName": self.options.response_code_table, "IncludeExpiredValues": True},
        )
        return list((answer or {}).get("CodeTableRows") or [])

    async def query_filter(self) -> dict[str, Any]:
        """The query's filter, with the archive's codes that end a restanse resolved to 360's record numbers."""
        if self._filter is None:
            ending = self.settings.writing_off_codes()
            known = {c.upper() for c in self.settings.avskrivningskoder}
            rows = await self.response_codes()
            excluded = {int(r["Recno"]) for r in rows if str(r.get("Code", "")).strip().upper() in ending}
            self.unlisted_codes = sorted(
                {
                    str(r.get("Code", "")).strip()
                    for r in rows
                    if str(r.get("Code", "")).strip().upper() not in known
                }
                - {""}
            )
            self._filter = base_filter(self.options, excluded)
        return self._filter

    async def read(self, as_of: date) -> AsyncIterator[pd.DataFrame]:
        try:
            base = await self.query_filter()
            seen: set[int] = set()
            for start, stop in windows(
                self.options.from_date, as_of + timedelta(days=1), self.options.window_days
            ):
                async for frame in self._window(base, start, stop, seen):
                    yield frame
        except SifError as exc:
            raise SourceError(exc.message) from None

    async def _window(
        self, base: dict[str, Any], start: date, stop: date, seen: set[int]
    ) -> AsyncIterator[pd.DataFrame]:
        """One window, page by page. The documents received must add up to the TotalCount 360 gave on the
        first page: a document written off while the pages are read shifts the later pages, and one is lost."""
        page: int = self.options.page_base
        received, pages, total = 0, 1, None
        while page - self.options.page_base < pages:
            answer = await self.client.call(
                "DocumentService", "GetDocuments", window_query(base, start, stop, page)
            )
            documents = list((answer or {}).get("Documents") or [])
            received += len(documents)
            pages = int((answer or {}).get("TotalPageCount") or 0)
            if total is None:
                total = int((answer or {}).get("TotalCount") or 0)
            if documents:
                yield to_rows(documents, self.options, seen)
            page += 1
        if received != total:
            raise SourceError(
                f"360 oppga {total} dokumenter journalført {start:%d.%m.%Y}–{stop - timedelta(days=1):%d.%m.%Y}, "
                f"men sendte {received}. Lista endret seg kanskje mens den ble lest; prøv igjen."
            )

    # ---- writing off -----------------------------------------------------------------------------------

    async def write_off(self, item: WriteOff) -> WriteOffResult:
        parameter: dict[str, Any] = {"Document": item.jp_id, "ResponseCode": item.code}
        note = (item.note or "").strip()
        if self.options.context_user == "person":
            parameter["ADContextUser"] = item.login
        else:
            signed = f"Avskrevet i Restansebot av {item.acting_name}"
            note = f"{signed}: {note}" if note else signed
            if self.options.service_user:
                parameter["ADContextUser"] = self.options.service_user
        if note:
            parameter["Note"] = note
        try:
            await self.client.call(
                "DocumentService", "SignOffDocument", parameter, timeout=self.options.writeoff_timeout_seconds
            )
        except SifRefused as exc:
            return WriteOffResult(Outcome.REFUSED, exc.message)
        except SifNoAnswer as exc:
            return WriteOffResult(Outcome.UNCERTAIN, exc.message)
        except SifUnreachable as exc:
            return WriteOffResult(Outcome.FAILED, exc.message)
        return WriteOffResult(Outcome.DONE)

    async def is_open(self, jp_key: str) -> bool | None:
        """Asked again by record number, with the same filter as the list: gone means written off."""
        try:
            base = await self.query_filter()
            answer = await self.client.call(
                "DocumentService",
                "GetDocuments",
                {**base, "Recno": int(jp_key), "Page": self.options.page_base},
            )
        except (SifError, ValueError):
            return None
        return int((answer or {}).get("TotalCount") or 0) > 0

    # ---- logins ----------------------------------------------------------------------------------------

    async def _paged(
        self, service: str, operation: str, parameter: dict[str, Any], key: str
    ) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        page: int = self.options.page_base
        pages = 1
        while page - self.options.page_base < pages:
            answer = await self.client.call(service, operation, {**parameter, "Page": page}) or {}
            out += list(answer.get(key) or [])
            pages = int(answer.get("TotalPageCount") or 1)
            page += 1
        return out

    async def logins(self, emails: Collection[str]) -> dict[str, str]:
        """Login by e-mail: UserService/GetUsers (Login, IsActive, ContactRecno) through the contact's e-mail.

        None with `p360_login_from = "upn"`: then the bot takes the UPN from the Teams member look-up."""
        if self.options.login_from == "upn":
            return {}
        wanted = {e.lower() for e in emails}
        try:
            users = await self._paged("UserService", "GetUsers", {}, "Users")
            contacts = await self._paged(
                "ContactService",
                "GetContactPersons",
                {"Categories": self.options.contact_categories},
                "ContactPersons",
            )
        except SifError as exc:
            raise SourceError(exc.message) from None
        email_of = {c.get("Recno"): str(c.get("Email") or "").strip().lower() for c in contacts}
        found: dict[str, str] = {}
        for user in users:
            if not user.get("IsActive") or user.get("IsServiceUser"):
                continue
            email = email_of.get(user.get("ContactRecno"), "")
            if email in wanted and user.get("Login"):
                found.setdefault(email, str(user["Login"]))
        return found

    async def close(self) -> None:
        await self.client.close()
