"""A fake Bot Framework connector on 127.0.0.1, and Teams activities as Teams sends them.

The connector accepts what the bot calls: POST /v3/conversations (create a 1:1), POST
/v3/conversations/{id}/activities[/{replyToId}] (send, reply) and GET /v3/conversations/{id}/members/{userId}
(member look-up). It records every call and can be told to answer 429, 403 or anything else.

It is also the OneDrive/SharePoint host of files uploaded in a personal chat: `share_file` gives the
attachment Teams sends, whose pre-authenticated `downloadUrl` serves the bytes to whoever holds it.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from microsoft_agents.hosting.core import RestChannelServiceClientFactory
from microsoft_agents.hosting.core.connector.teams import TeamsConnectorClient

BOT_ID = "28:restansebot"
TENANT = "72f988bf-0000-4000-8000-000000000001"


@dataclass
class Call:
    method: str
    path: str
    conversation: str | None
    body: Any
    authorization: str | None
    at: float  # time.perf_counter() on arrival (for the benchmark)

    @property
    def is_activity(self) -> bool:
        return self.method == "POST" and "/activities" in self.path

    @property
    def text(self) -> str:
        """Everything the recipient would see, as one string (card JSON included)."""
        return json.dumps(self.body, ensure_ascii=False)

    @property
    def card(self) -> dict[str, Any] | None:
        for attachment in (self.body or {}).get("attachments") or []:
            if attachment.get("contentType") == "application/vnd.microsoft.card.adaptive":
                return attachment["content"]
        return None


@dataclass
class Download:
    """A request for an uploaded file: which path, and the Authorization header it came with (there should
    be none: the downloadUrl is pre-authenticated)."""

    path: str
    authorization: str | None


@dataclass
class Failure:
    pattern: re.Pattern[str]
    status: int
    times: int
    headers: dict[str, str] = field(default_factory=dict)


class FakeConnector:
    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.members: dict[str, dict[str, Any]] = {}
        self.files: dict[str, tuple[str, bytes]] = {}  # uploaded files by their tempauth: (name, bytes)
        self.downloads: list[Download] = []
        self._failures: list[Failure] = []
        self._ids = itertools.count(1)
        self._arrived = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self.url = ""

    # ---- set-up -------------------------------------------------------------------------------------

    def member(self, user_id: str, email: str | None, upn: str | None = None, name: str = "") -> None:
        self.members[user_id] = {
            "id": user_id, "name": name or user_id, "aadObjectId": f"aad-{user_id}", "email": email,
            "userPrincipalName": upn or email, "tenantId": TENANT,
        }  # fmt: skip

    def share_file(self, name: str, content: bytes) -> dict[str, Any]:
        """A file uploaded in the personal chat: the `file.download.info` attachment as Teams sends it, its
        `downloadUrl` on this fake (pre-authenticated by the `tempauth` in it, as SharePoint's are)."""
        unique, tempauth = str(uuid.uuid4()).upper(), uuid.uuid4().hex
        self.files[tempauth] = (name, content)
        return {
            "contentType": "application/vnd.microsoft.teams.file.download.info",
            "contentUrl": f"{self.url}personal/ark_k_no/Documents/Microsoft Teams-chatfiler/{name}",
            "name": name,
            "content": {
                "downloadUrl": f"{self.url}personal/ark_k_no/_layouts/15/download.aspx"
                f"?UniqueId={unique}&Translate=false&tempauth={tempauth}&ApiVersion=2.0",
                "uniqueId": unique,
                "fileType": name.rsplit(".", 1)[-1].lower(),
                "etag": f'"{{{unique}}},1"',
            },
        }

    def fail(self, path: str, status: int, *, times: int = 1, retry_after: str | None = None) -> None:
        """The next `times` calls whose path matches the regex `path` get `status`."""
        headers = {"Retry-After": retry_after} if retry_after is not None else {}
        self._failures.append(Failure(re.compile(path), status, times, headers))

    async def start(self) -> str:
        app = web.Application()
        app.router.add_post("/v3/conversations", self._create)
        app.router.add_post("/v3/conversations/{conversation}/activities", self._activity)
        app.router.add_post("/v3/conversations/{conversation}/activities/{reply_to}", self._activity)
        app.router.add_put("/v3/conversations/{conversation}/activities/{activity_id}", self._update)
        app.router.add_get("/v3/conversations/{conversation}/members/{user}", self._member)
        app.router.add_get("/personal/{owner}/_layouts/15/download.aspx", self._download)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.url = f"http://127.0.0.1:{port}/"
        return self.url

    async def stop(self) -> None:
        if self._runner:
            await self._runner.cleanup()

    # ---- what arrived -------------------------------------------------------------------------------

    @property
    def activities(self) -> list[Call]:
        return [c for c in self.calls if c.is_activity]

    def sent_to(self, conversation: str) -> list[Call]:
        return [c for c in self.activities if c.conversation == conversation]

    @property
    def created(self) -> list[Call]:
        return [c for c in self.calls if c.method == "POST" and c.path == "/v3/conversations"]

    @property
    def lookups(self) -> list[Call]:
        return [c for c in self.calls if c.method == "GET" and "/members/" in c.path]

    async def wait_for_activities(self, n: int, timeout: float = 10.0) -> list[Call]:
        """Until n activities have arrived (the timeout only keeps a broken test from hanging)."""
        async with self._arrived:
            await asyncio.wait_for(self._arrived.wait_for(lambda: len(self.activities) >= n), timeout)
        return self.activities

    def clear(self) -> None:
        self.calls.clear()

    # ---- handlers -----------------------------------------------------------------------------------

    async def _record(self, request: web.Request) -> web.Response | None:
        body = await request.json() if request.can_read_body else None
        call = Call(request.method, request.path, request.match_info.get("conversation"), body,
                    request.headers.get("Authorization"), time.perf_counter())  # fmt: skip
        self.calls.append(call)
        async with self._arrived:
            self._arrived.notify_all()
        for failure in self._failures:
            if failure.times > 0 and failure.pattern.search(request.path):
                failure.times -= 1
                return web.json_response(
                    {"error": {"code": "Failure", "message": f"fake {failure.status}"}},
                    status=failure.status, headers=failure.headers,
                )  # fmt: skip
        return None

    async def _create(self, request: web.Request) -> web.Response:
        if failed := await self._record(request):
            return failed
        return web.json_response({"id": f"a:created-{next(self._ids)}"}, status=201)

    async def _activity(self, request: web.Request) -> web.Response:
        if failed := await self._record(request):
            return failed
        return web.json_response({"id": f"m-{next(self._ids)}"})

    async def _update(self, request: web.Request) -> web.Response:
        """UpdateActivity: a card replaced in place (recorded as a PUT; `updates` lists them)."""
        if failed := await self._record(request):
            return failed
        return web.json_response({"id": request.match_info["activity_id"]})

    def updates(self) -> list[Call]:
        return [c for c in self.calls if c.method == "PUT" and "/activities/" in c.path]

    async def _download(self, request: web.Request) -> web.Response:
        self.downloads.append(Download(request.path_qs, request.headers.get("Authorization")))
        async with self._arrived:
            self._arrived.notify_all()
        found = self.files.get(request.query.get("tempauth", ""))
        if found is None:
            return web.json_response({"error": {"code": "accessDenied"}}, status=401)
        return web.Response(body=found[1], content_type="application/octet-stream")

    async def _member(self, request: web.Request) -> web.Response:
        if failed := await self._record(request):
            return failed
        member = self.members.get(request.match_info["user"])
        if member is None:
            return web.json_response({"error": {"code": "MemberNotFoundInConversation"}}, status=404)
        return web.json_response(member)


def activity(
    text: str | None = "mine restanser",
    *,
    service_url: str,
    user: str = "29:kari",
    conversation: str = "a:kari",
    kind: str = "personal",
    team: str | None = None,
    channel: str | None = None,
    value: dict[str, Any] | None = None,
    type: str = "message",
    action: str | None = None,
    name: str | None = None,
    activity_id: str = "1700000000001",
    reply_to: str | None = None,
) -> dict[str, Any]:
    """An activity as Teams POSTs it to the bot."""
    channel_data: dict[str, Any] = {"tenant": {"id": TENANT}}
    if team:
        channel_data["team"] = {"id": team, "name": "Landbruk"}
    if channel:
        channel_data["channel"] = {"id": channel, "name": "Generelt"}
    body: dict[str, Any] = {
        "type": type,
        "id": activity_id,
        "timestamp": "2019-12-20T09:00:00.000Z",
        "channelId": "msteams",
        "serviceUrl": service_url,
        "from": {"id": user, "aadObjectId": f"aad-{user}", "name": user},
        "conversation": {
            "id": conversation,
            "conversationType": kind,
            "tenantId": TENANT,
            **({"isGroup": True} if kind != "personal" else {}),
        },
        "recipient": {"id": BOT_ID, "name": "Restansebot"},
        "channelData": channel_data,
        "locale": "nb-NO",
    }
    if text is not None:
        body["text"] = text
        if kind != "personal":
            body["text"] = f"<at>Restansebot</at> {text}"
            body["entities"] = [
                {
                    "type": "mention",
                    "text": "<at>Restansebot</at>",
                    "mentioned": {"id": BOT_ID, "name": "Restansebot"},
                }
            ]
    if value is not None:
        body["value"] = value
    if action is not None:
        body["action"] = action
    if name is not None:
        body["name"] = name
    if reply_to is not None:  # a press on a card: the card's own activity id
        body["replyToId"] = reply_to
    return body


class TokenlessClientFactory(RestChannelServiceClientFactory):
    """Stands in for MSAL in tests with credentials: outbound calls carry a fixed token; nothing asks Entra ID."""

    TOKEN = "outbound-test-token"

    def __init__(self) -> None:
        super().__init__(connection_manager=None)  # type: ignore[arg-type]  # never asked for a token

    async def create_connector_client(self, context, claims_identity, service_url, audience, scopes=None,
                                      use_anonymous=False):  # fmt: skip
        return TeamsConnectorClient(endpoint=service_url, token=self.TOKEN)

    async def create_user_token_client(self, context, claims_identity, use_anonymous=False):
        return await super().create_user_token_client(context, claims_identity, True)
