"""A fake Public 360 SIF RPC/JSON service on 127.0.0.1 (real HTTP), speaking the public shapes (FINT's Public 360
adapter's JSON, Vestfold og Telemark's production restanse query) and recording what it received.

The behaviour it assumes where the shapes say nothing is listed in docs/P360.md for the first pilot to confirm:
pages numbered from 0 (`page_base`), a server-side page size (`page_size`), errors as HTTP 200 with
`Successful: false`, GetDocuments' `GT`/`LT` as strict comparisons, `SignOffDocument` per document (every
recipient at once), and `ADContextUser` accepted for any active user.
"""

from __future__ import annotations

import asyncio
import json
import math
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from aiohttp import web

KEY = "test-authkey-0123456789"
CLIENT_ID = "restansebot-test"
PATH = "/Biz/v2/api/call/SI.Data.RPC/SI.Data.RPC/{service}/{operation}"

# Response codes as Vestfold og Telemark's archive has them (recno: code); *** is a temporary answer.
RESPONSE_CODES = {1: "BU", 2: "NN", 3: "TLF", 4: "TE", 5: "TO", 6: "***", 7: "SA", 8: "BI", 9: "GG"}
INCOMING, NOTE, OUTGOING = 110, 113, 111


@dataclass
class Call:
    service: str
    operation: str
    parameter: Any
    authorised: bool


def enterprise(code: str, recno: int = 200000, name: str | None = None) -> dict[str, Any]:
    return {"Recno": recno, "Name": name or f"Enhet {code}", "ExternalId": f"X-{code}", "Referencenumber": code,
            "Email": None, "Url": "", "Domain": 0}  # fmt: skip


def person(name: str, email: str, recno: int, user_id: str = "") -> dict[str, Any]:
    return {"Recno": recno, "Name": name, "Email": email, "UserId": user_id or email.split("@")[0],
            "ExternalId": "", "Referencenumber": "", "Url": "", "Domain": 0}  # fmt: skip


def contact(role: str, name: str, email: str = "", kind: str = "Kontaktperson", recno: int = 0,
            reference: str = "") -> dict[str, Any]:  # fmt: skip
    return {"Role": role, "SearchName": name, "Email": email, "ContactType": kind, "ContactRecno": str(recno),
            "ExternalId": "", "ReferenceNumber": reference, "Address": "", "Country": "", "ZipCode": "", "ZipPlace": ""}  # fmt: skip


def document(
    recno: int,
    number: str,
    *,
    category: int = INCOMING,
    journal_date: str = "2019-10-01",
    title: str = "Søknad om tiltak",
    official_title: str | None = None,
    access_code: str = "",
    unit: dict[str, Any] | None = None,
    responsible: dict[str, Any] | None = None,
    contacts: list[dict[str, Any]] | None = None,
    response_code: int | None = None,
    status: int = 1,
    archive: int = 1,
) -> dict[str, Any]:
    """A document as GetDocuments returns it; `_`-keys are the fake's own state (response code, status)."""
    names = {INCOMING: "Dokument inn", NOTE: "Internt notat med oppfølging", OUTGOING: "Dokument ut"}
    return {
        "Recno": recno,
        "DocumentNumber": number,
        "CaseNumber": number.rsplit("-", 1)[0],
        "Title": title,
        "OfficialTitle": title if official_title is None else official_title,
        "DocumentDate": f"{journal_date}T00:00:00",
        "JournalDate": f"{journal_date}T00:00:00",
        "Category": {
            "Recno": category,
            "Code": names.get(category, "Annet"),
            "Description": names.get(category, ""),
        },
        "Type": {"Recno": 0, "Code": "", "Description": ""},
        "StatusCode": "J",
        "StatusDescription": "Journalført",
        "AccessCodeCode": access_code,
        "AccessCodeDescription": "",
        "AccessCodeRecno": "",
        "Paragraph": "",
        "ResponsibleEnterprise": unit or enterprise("LMA"),
        "ResponsiblePerson": responsible,
        "Contacts": contacts or [],
        "DocumentArchive": {"Recno": archive, "Code": "", "Description": ""},
        "URL": f"https://360.example/locator/DMS/Document/Details/Simplified/2/{recno}",
        "AccessGroup": "Alle",
        "_response_code": response_code,
        "_status": status,
    }


@dataclass
class Fake360:
    """Start with `await fake.start()`; `fake.base_url` is what `p360_base_url` should be."""

    key: str = KEY
    client_id: str = CLIENT_ID
    auth: str = "header"
    page_size: int = 100
    page_base: int = 0
    documents: dict[int, dict[str, Any]] = field(default_factory=dict)
    response_codes: dict[int, str] = field(default_factory=lambda: dict(RESPONSE_CODES))
    users: list[dict[str, Any]] = field(default_factory=list)  # Login, IsActive, ContactRecno, IsServiceUser
    contacts: list[dict[str, Any]] = field(default_factory=list)  # Recno, Email, Categories
    refuse_signoff: dict[str, str] = field(default_factory=dict)  # DocumentNumber → ErrorMessage
    signoff_delay: float = 0.0  # answer SignOffDocument this late (after doing it): a timeout for the caller
    lookups_fail: bool = (
        False  # GetDocuments by Recno answers HTTP 503 (the look-up after a timeout fails too)
    )
    vanish_after_first_page: bool = False  # a document on the first page goes: the later pages shift
    status_for: dict[str, int] = field(default_factory=dict)  # "Service/Operation" → a bare HTTP status
    cache_queries: bool = False  # the benchmark: filter 100,000 documents once per query, not once per page
    calls: list[Call] = field(default_factory=list)
    signed_off: dict[str, str] = field(default_factory=dict)  # DocumentNumber → code, per SignOffDocument

    def __post_init__(self) -> None:
        self._runner: web.AppRunner | None = None
        self._found: dict[str, list[dict[str, Any]]] = {}
        self.port = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def add(self, *documents: dict[str, Any]) -> None:
        for d in documents:
            self.documents[d["Recno"]] = d

    def calls_to(self, operation: str) -> list[Call]:
        return [c for c in self.calls if c.operation == operation]

    def code_recno(self, code: str) -> int | None:
        return next((r for r, c in self.response_codes.items() if c == code), None)

    # ---- server ----------------------------------------------------------------------------------------

    async def start(self) -> Fake360:
        app = web.Application(client_max_size=64 * 1024**2)
        app.router.add_post(PATH.format(service="{service}", operation="{operation}"), self._call)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def _authorised(self, request: web.Request) -> bool:
        if self.auth == "query":
            return request.query.get("authkey") == self.key
        return (
            request.headers.get("Authorization") == f"authkey {self.key}"
            and request.headers.get("clientid") == self.client_id
        )

    async def _call(self, request: web.Request) -> web.StreamResponse:
        service, operation = request.match_info["service"], request.match_info["operation"]
        body = await request.json() if request.can_read_body else None
        parameter = (body or {}).get("parameter") if isinstance(body, dict) else None
        authorised = self._authorised(request)
        self.calls.append(Call(service, operation, parameter, authorised))
        if not authorised:
            return web.Response(status=401, text="Unauthorized")
        if (status := self.status_for.get(f"{service}/{operation}")) is not None:
            return web.Response(status=status, text="Service Unavailable")
        handler = getattr(self, f"_{service}_{operation}", None)
        if handler is None:
            return web.json_response(self._refusal(f"Unknown operation {service}/{operation}"))
        return await handler(parameter or {})

    @staticmethod
    def _refusal(message: str) -> dict[str, Any]:
        return {"Successful": False, "ErrorMessage": message, "ErrorDetails": "fake"}

    # ---- SupportService --------------------------------------------------------------------------------

    async def _SupportService_Ping(self, parameter: dict[str, Any]) -> web.Response:
        return web.Response(status=200)

    async def _SupportService_GetSIFVersion(self, parameter: dict[str, Any]) -> web.Response:
        return web.json_response("4.1.0-fake")

    async def _SupportService_GetCodeTableRows(self, parameter: dict[str, Any]) -> web.Response:
        if parameter.get("CodeTableName") != "code table: Response Code":
            return web.json_response(self._refusal(f"Unknown code table {parameter.get('CodeTableName')}"))
        rows = [{"Recno": r, "Code": c, "Description": c, "IsExpired": False, "Language": "nb"}
                for r, c in self.response_codes.items()]  # fmt: skip
        return web.json_response({"CodeTableRows": rows, "Successful": True, "ErrorMessage": None})

    # ---- DocumentService -------------------------------------------------------------------------------

    def _matches(self, d: dict[str, Any], parameter: dict[str, Any]) -> bool:
        if "Recno" in parameter and d["Recno"] != parameter["Recno"]:
            return False
        journal = datetime.fromisoformat(d["JournalDate"])
        for criterion in parameter.get("DateCriteria") or []:
            assert criterion["DateName"] == "JournalDate", criterion
            value = datetime.combine(date.fromisoformat(criterion["DateValue"][:10]), datetime.min.time())
            ok = {
                "GT": journal > value,
                "LT": journal < value,
                "GE": journal >= value,
                "LE": journal <= value,
            }
            if not ok[criterion["Operator"]]:
                return False
        current = {
            "ToDocumentCategory": d["Category"]["Recno"],
            "ToJournalStatus": d["_status"],
            "ToDocumentArchive": d["DocumentArchive"]["Recno"],
            "ToResponseCode": d["_response_code"],
        }
        for f in parameter.get("AdditionalListFields") or []:
            if current[f["Name"]] not in f["Value"]:
                return False
        for f in parameter.get("AdditionalFields") or []:
            assert f.get("OperatorType") == "!=", f
            if current[f["Name"]] == f["Value"]:
                return False
        return True

    async def _DocumentService_GetDocuments(self, parameter: dict[str, Any]) -> web.Response:
        if self.lookups_fail and "Recno" in parameter:
            return web.Response(status=503, text="Service Unavailable")
        query = json.dumps({k: v for k, v in parameter.items() if k != "Page"}, sort_keys=True)
        found = self._found.get(query) if self.cache_queries else None
        if found is None:
            matching = (d for d in self.documents.values() if self._matches(d, parameter))
            found = sorted(matching, key=lambda d: d["Recno"])
            if self.cache_queries:
                self._found[query] = found
        page = int(parameter.get("Page") or self.page_base) - self.page_base
        pages = math.ceil(len(found) / self.page_size)
        shown = found[page * self.page_size : (page + 1) * self.page_size]
        if self.vanish_after_first_page and page == 0 and len(found) > self.page_size:
            self.documents.pop(found[0]["Recno"])  # written off by someone while the list is being read
        public = [{k: v for k, v in d.items() if not k.startswith("_")} for d in shown]
        return web.json_response(
            {
                "Documents": public,
                "TotalPageCount": pages,
                "TotalCount": len(found),
                "Successful": True,
                "ErrorMessage": None,
                "ErrorDetails": None,
            }
        )

    def _active_logins(self) -> set[str]:
        return {u["Login"] for u in self.users if u.get("IsActive")}

    async def _DocumentService_SignOffDocument(self, parameter: dict[str, Any]) -> web.Response:
        number = parameter.get("Document")
        d = next((d for d in self.documents.values() if d["DocumentNumber"] == number), None)
        if d is None:
            return web.json_response(self._refusal(f"Document '{number}' not found"))
        if number in self.refuse_signoff:
            return web.json_response(self._refusal(self.refuse_signoff[number]))
        user = parameter.get("ADContextUser")
        if user is not None and user not in self._active_logins():
            return web.json_response(self._refusal(f"Invalid ADContextUser '{user}'"))
        recno = self.code_recno(str(parameter.get("ResponseCode")))
        if recno is None:
            return web.json_response(
                self._refusal(f"Unknown response code '{parameter.get('ResponseCode')}'")
            )
        d["_response_code"] = recno  # the whole document, for every recipient
        self.signed_off[number] = str(parameter.get("ResponseCode"))
        if self.signoff_delay:
            await asyncio.sleep(self.signoff_delay)
        return web.json_response({"Successful": True, "ErrorMessage": None, "ErrorDetails": None})

    # ---- users and contacts ----------------------------------------------------------------------------

    def _paged(self, items: list[dict[str, Any]], parameter: dict[str, Any], key: str) -> web.Response:
        page = int(parameter.get("Page") or self.page_base) - self.page_base
        shown = items[page * self.page_size : (page + 1) * self.page_size]
        return web.json_response({key: shown, "TotalPageCount": math.ceil(len(items) / self.page_size),
                                  "TotalCount": len(items), "Successful": True})  # fmt: skip

    async def _UserService_GetUsers(self, parameter: dict[str, Any]) -> web.Response:
        return self._paged(self.users, parameter, "Users")

    async def _ContactService_GetContactPersons(self, parameter: dict[str, Any]) -> web.Response:
        wanted = set(parameter.get("Categories") or [])
        found = [c for c in self.contacts if not wanted or wanted & set(c.get("Categories", []))]
        return self._paged(found, parameter, "ContactPersons")
