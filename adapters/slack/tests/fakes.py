"""A fake Slack for tests and benchmarks: the Web API, response URLs, file uploads and a Socket Mode websocket,
all on 127.0.0.1, recording every call. It can be told to fail a method, or to answer 429 with Retry-After."""

from __future__ import annotations

import asyncio
import copy
import hashlib
import hmac
import itertools
import json
import mimetypes
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import WSMsgType, web

BOT_TOKEN = "xoxb-test-0000-bot-token"
APP_TOKEN = "xapp-1-test-app-token"
SIGNING_SECRET = "test-signing-secret"
BOT_USER = "UBOT"
BOT_ID = "BBOT"
TEAM = "T0001"
PAYLOADS = Path(__file__).parent / "payloads"  # recorded requests; see payloads/SOURCES.md


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    at: float  # time.perf_counter() on arrival

    def __getitem__(self, key: str) -> Any:
        return self.params[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self.params.get(key, default)

    @property
    def everything(self) -> str:
        """All the text of the call, for "this must not appear anywhere" checks."""
        return json.dumps(self.params, ensure_ascii=False)


@dataclass
class SlackUser:
    id: str
    email: str | None
    is_bot: bool = False
    deleted: bool = False


@dataclass
class SlackFile:
    """A file uploaded the way files_upload_v2 does it: an upload URL, the bytes, then completed and shared."""

    id: str
    filename: str
    length: int
    alt_txt: str | None = None
    data: bytes | None = None  # None until uploaded to the upload URL
    title: str | None = None
    channels: list[str] = field(default_factory=list)  # where it was shared
    initial_comment: str | None = None


@dataclass
class SharedFile:
    """A file a person dropped into Slack, served at its url_private(_download) on the fake's file host."""

    id: str
    name: str
    content: bytes
    redirect_to: str | None = None  # answer 302 to this URL instead of the bytes


@dataclass
class Download:
    """A request to the fake's file host: which path, and the Authorization header it came with."""

    path: str
    authorization: str | None


@dataclass
class _Failure:
    error: str
    times: int
    status: int = 200
    retry_after: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)


class FakeSlack:
    """Start with `await fake.start()` (or `async with FakeSlack() as fake`); `fake.api_url` is the Web API base."""

    def __init__(self) -> None:
        self.users: dict[str, SlackUser] = {}
        self.calls: list[Call] = []
        self.history: dict[str, list[dict[str, Any]]] = defaultdict(list)  # channel → messages, newest last
        # Uploaded files, by id. A file shared in a channel is a message there too, kept here and not in
        # `history`: that holds what the bot posted with chat.postMessage (tests count messages per outbox row).
        self.files: dict[str, SlackFile] = {}
        self.socket_acks: list[dict[str, Any]] = []
        self.shared: dict[str, SharedFile] = {}  # files people dropped into Slack, by id
        self.file_objects: dict[str, dict[str, Any]] = {}  # their file objects, as files.info gives them
        self.downloads: list[Download] = []  # every request to the file host, served or not
        self.on_call: Callable[[Call], None] | None = None  # told of every call as it arrives (benchmarks)
        self._failures: dict[str, list[_Failure]] = defaultdict(list)
        self._ts = itertools.count(1)
        self._file_ids = itertools.count(1)
        self._changed = asyncio.Condition()
        self._sockets: list[web.WebSocketResponse] = []
        self._runner: web.AppRunner | None = None
        self.port = 0

    # ---- set-up -------------------------------------------------------------------------------------------

    def add_user(self, user_id: str, email: str | None, **flags: bool) -> SlackUser:
        user = SlackUser(user_id, email.lower() if email else None, **flags)
        self.users[user_id] = user
        return user

    def share_file(
        self, name: str, content: bytes, *, user: str = "U000", redirect_to: str | None = None
    ) -> dict[str, Any]:
        """A file `user` dropped into Slack: the file object of a `file_share` message event, in the shape of
        the recorded payloads/event_message_file_share_im.json, its URLs on this fake's file host (which
        serves the bytes to the bot token only, as files.slack.com does)."""
        file_id = f"F{next(self._file_ids):06d}"
        self.shared[file_id] = SharedFile(file_id, name, content, redirect_to)
        recorded = json.loads((PAYLOADS / "event_message_file_share_im.json").read_text(encoding="utf-8"))
        file: dict[str, Any] = copy.deepcopy(recorded["event"]["files"][0])
        kind = name.rsplit(".", 1)[-1].lower()
        private = f"{self.url}/files-pri/{TEAM}-{file_id}"
        file.update(
            id=file_id, name=name, title=name, user=user, user_team=TEAM, size=len(content), mode="hosted",
            mimetype=mimetypes.guess_type(name)[0] or "application/octet-stream", filetype=kind,
            pretty_type=kind.upper(), url_private=f"{private}/{name}",
            url_private_download=f"{private}/download/{name}",
            permalink=f"https://example.slack.com/files/{user}/{file_id}/{name}",
        )  # fmt: skip
        for snippet_only in ("preview", "preview_highlight", "lines", "lines_more", "preview_is_truncated"):
            file.pop(snippet_only, None)
        file.pop("edit_link", None)
        self.file_objects[file_id] = file
        return file

    def fail(self, method: str, error: str, *, times: int = 1, **extra: Any) -> None:
        """The next `times` calls to `method` answer {"ok": false, "error": error}.

        `method` "upload" is the upload to the URL files.getUploadURLExternal gave: it answers HTTP 500."""
        self._failures[method].append(_Failure(error, times, extra=extra))

    def rate_limit(self, method: str, *, retry_after: int = 0, times: int = 1) -> None:
        """The next `times` calls to `method` answer 429 with Retry-After."""
        self._failures[method].append(_Failure("ratelimited", times, status=429, retry_after=retry_after))

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_url(self) -> str:
        return f"{self.url}/api/"

    def response_url(self, name: str = "r1") -> str:
        return f"{self.url}/response/{name}"

    async def start(self) -> FakeSlack:
        app = web.Application()
        app.router.add_post("/api/{method}", self._api)
        app.router.add_get("/api/{method}", self._api)
        app.router.add_post("/response/{name}", self._response_url)
        app.router.add_post("/upload/{file_id}", self._upload)
        app.router.add_get("/socket", self._socket)
        app.router.add_get("/files-pri/{team_file}/download/{name}", self._download)
        app.router.add_get("/files-pri/{team_file}/{name}", self._download)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def stop(self) -> None:
        for ws in list(self._sockets):
            await ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    async def __aenter__(self) -> FakeSlack:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # ---- what happened ------------------------------------------------------------------------------------

    def calls_to(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    def files_in(self, channel: str) -> list[SlackFile]:
        """The files shared in a channel or DM, in the order they were shared."""
        return [f for f in self.files.values() if channel in f.channels]

    async def wait_for(
        self, method: str, count: int = 1, timeout: float = 5.0, where: Callable[[Call], bool] | None = None
    ) -> list[Call]:
        """Wait until at least `count` calls to `method` (that match `where`) have arrived; returns them."""

        def matching() -> list[Call]:
            return [c for c in self.calls_to(method) if where is None or where(c)]

        async def arrived() -> None:
            async with self._changed:
                await self._changed.wait_for(lambda: len(matching()) >= count)

        try:
            await asyncio.wait_for(arrived(), timeout)
        except TimeoutError:
            seen = [c.method for c in self.calls]
            raise AssertionError(
                f"expected {count} call(s) to {method} within {timeout}s; got {seen}"
            ) from None
        return matching()

    async def _record(self, method: str, params: dict[str, Any]) -> None:
        call = Call(method, params, time.perf_counter())
        self.calls.append(call)
        if self.on_call is not None:
            self.on_call(call)
        async with self._changed:
            self._changed.notify_all()

    # ---- the Web API ------------------------------------------------------------------------------------------

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params = await _params(request)
        await self._record(method, params)
        failure = self._next_failure(method)
        if failure is not None:
            headers = {"Retry-After": str(failure.retry_after)} if failure.retry_after is not None else {}
            body = {"ok": False, "error": failure.error, **failure.extra}
            return web.json_response(body, status=failure.status, headers=headers)
        expected = APP_TOKEN if method == "apps.connections.open" else BOT_TOKEN
        if request.headers.get("Authorization") != f"Bearer {expected}":
            return web.json_response({"ok": False, "error": "invalid_auth"})
        handler = getattr(self, "_" + method.replace(".", "_"), None)
        if handler is None:
            return web.json_response({"ok": True})
        return web.json_response(handler(params))

    def _next_failure(self, method: str) -> _Failure | None:
        queue = self._failures.get(method)
        if not queue:
            return None
        failure = queue[0]
        failure.times -= 1
        if failure.times <= 0:
            queue.pop(0)
        return failure

    def _auth_test(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "user_id": BOT_USER, "bot_id": BOT_ID, "team_id": TEAM, "user": "restansebot"}

    def _user_json(self, user: SlackUser) -> dict[str, Any]:
        profile = {"email": user.email} if user.email else {}
        return {
            "id": user.id,
            "team_id": TEAM,
            "is_bot": user.is_bot,
            "deleted": user.deleted,
            "profile": profile,
        }

    def _users_info(self, params: dict[str, Any]) -> dict[str, Any]:
        user = self.users.get(params.get("user", ""))
        return (
            {"ok": True, "user": self._user_json(user)} if user else {"ok": False, "error": "user_not_found"}
        )

    def _users_lookupByEmail(self, params: dict[str, Any]) -> dict[str, Any]:
        email = str(params.get("email", "")).lower()
        user = next((u for u in self.users.values() if u.email == email), None)
        return (
            {"ok": True, "user": self._user_json(user)} if user else {"ok": False, "error": "users_not_found"}
        )

    def _conversations_open(self, params: dict[str, Any]) -> dict[str, Any]:
        user = str(params.get("users", ""))
        if user not in self.users:
            return {"ok": False, "error": "user_not_found"}
        return {"ok": True, "channel": {"id": "D" + user}}

    def _chat_postMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = str(params.get("channel"))
        ts = f"{1700000000 + next(self._ts)}.000100"
        message = {
            "type": "message",
            "user": BOT_USER,
            "bot_id": BOT_ID,
            "ts": ts,
            "text": params.get("text"),
        }
        if params.get("metadata"):
            metadata = params["metadata"]
            message["metadata"] = json.loads(metadata) if isinstance(metadata, str) else metadata
        self.history[channel].append(message)
        return {"ok": True, "channel": channel, "ts": ts, "message": message}

    def _chat_postEphemeral(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "message_ts": f"{1700000000 + next(self._ts)}.000200"}

    def _conversations_history(self, params: dict[str, Any]) -> dict[str, Any]:
        messages = list(reversed(self.history.get(str(params.get("channel")), [])))
        if str(params.get("include_all_metadata")).lower() not in ("1", "true"):
            messages = [{k: v for k, v in m.items() if k != "metadata"} for m in messages]
        start = int(params.get("cursor") or 0)
        limit = int(params.get("limit") or 100)
        page = messages[start : start + limit]
        more = start + limit < len(messages)
        return {"ok": True, "messages": page, "has_more": more,
                "response_metadata": {"next_cursor": str(start + limit) if more else ""}}  # fmt: skip

    # files_upload_v2: files.getUploadURLExternal, a POST of the bytes to that URL, files.completeUploadExternal.

    def _files_info(self, params: dict[str, Any]) -> dict[str, Any]:
        """files.info: the full file object of a file shared with `share_file`."""
        file = self.file_objects.get(str(params.get("file")))
        return {"ok": True, "file": file} if file else {"ok": False, "error": "file_not_found"}

    def _files_getUploadURLExternal(self, params: dict[str, Any]) -> dict[str, Any]:
        if not params.get("filename") or not str(params.get("length", "")).isdigit():
            return {"ok": False, "error": "invalid_arguments"}
        file_id = f"F{next(self._file_ids):06d}"
        file = SlackFile(file_id, str(params["filename"]), int(params["length"]), params.get("alt_txt"))
        self.files[file.id] = file
        return {"ok": True, "upload_url": f"{self.url}/upload/{file.id}", "file_id": file.id}

    def _files_completeUploadExternal(self, params: dict[str, Any]) -> dict[str, Any]:
        done = []
        for entry in params.get("files") or []:
            file = self.files.get(str(entry.get("id")))
            if file is None or file.data is None:
                return {"ok": False, "error": "file_not_found"}
            done.append((file, entry))
        if not done:
            return {"ok": False, "error": "invalid_arguments"}
        channel = params.get("channel_id")
        for file, entry in done:
            file.title = entry.get("title") or file.filename
            if channel:
                file.channels.append(str(channel))
                file.initial_comment = params.get("initial_comment")
        files = [{"id": f.id, "name": f.filename, "title": f.title, "size": f.length} for f, _ in done]
        return {"ok": True, "files": files}

    async def _upload(self, request: web.Request) -> web.Response:
        """The upload URL: the bytes as the request body, answered in plain text as Slack's file servers do."""
        data = await request.read()
        file_id = request.match_info["file_id"]
        await self._record("upload", {"file_id": file_id, "size": len(data)})
        if self._next_failure("upload") is not None:
            return web.Response(status=500, text="upload failed")
        file = self.files.get(file_id)
        if file is None:
            return web.Response(status=404, text="no such upload")
        file.data = data
        return web.Response(text=f"OK - {len(data)}")

    async def _download(self, request: web.Request) -> web.Response:
        """The file host (files.slack.com): the bytes to a request with the bot token; anything else is turned
        away, as Slack sends a visitor without a token to its login page."""
        self.downloads.append(Download(request.path, request.headers.get("Authorization")))
        await self._record("file.download", {"path": request.path})
        file = self.shared.get(request.match_info["team_file"].rpartition("-")[2])
        if file is None:
            return web.Response(status=404, text="file not found")
        if request.headers.get("Authorization") != f"Bearer {BOT_TOKEN}":
            return web.Response(status=302, headers={"Location": "https://example.slack.com/?redir=login"})
        if file.redirect_to is not None:
            return web.Response(status=302, headers={"Location": file.redirect_to})
        return web.Response(body=file.content, content_type="application/octet-stream")

    def _apps_connections_open(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "url": f"ws://127.0.0.1:{self.port}/socket"}

    # ---- response_url (slash commands and buttons) ---------------------------------------------------------------

    async def _response_url(self, request: web.Request) -> web.Response:
        params = await _params(request)
        params["response_url"] = request.match_info["name"]
        await self._record("response_url", params)
        return web.Response(text="ok")

    # ---- Socket Mode ---------------------------------------------------------------------------------------

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        self._sockets.append(ws)
        await self._record("socket.connected", {})
        await ws.send_json({"type": "hello", "num_connections": 1, "connection_info": {"app_id": "A0001"}})
        async for message in ws:
            if message.type == WSMsgType.TEXT:
                ack = json.loads(message.data)
                self.socket_acks.append(ack)
                await self._record("socket.ack", ack)
        self._sockets.remove(ws)
        return ws

    async def socket_send(self, kind: str, payload: dict[str, Any], envelope_id: str) -> None:
        """Send an envelope ("events_api", "slash_commands", "interactive") to every connected client."""
        envelope = {
            "envelope_id": envelope_id,
            "type": kind,
            "payload": payload,
            "accepts_response_payload": False,
        }
        for ws in self._sockets:
            await ws.send_json(envelope)


async def _params(request: web.Request) -> dict[str, Any]:
    params: dict[str, Any] = dict(request.query)
    if request.can_read_body:
        raw = await request.text()
        if request.content_type == "application/json":
            params.update(json.loads(raw or "{}"))
        else:
            params.update(parse_qsl(raw, keep_blank_values=True))
    for key in ("blocks", "metadata", "view", "files"):
        if isinstance(params.get(key), str) and params[key].startswith(("[", "{")):
            params[key] = json.loads(params[key])
    return params


# ---- requests as Slack sends them ---------------------------------------------------------------------------


def signed_headers(body: str, *, secret: str = SIGNING_SECRET, timestamp: int | None = None,
                   content_type: str = "application/json") -> dict[str, str]:  # fmt: skip
    ts = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
    return {
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": f"v0={digest}",
        "Content-Type": content_type,
    }


_event_ids = itertools.count(1)


def event_callback(event: dict[str, Any], *, event_id: str | None = None) -> dict[str, Any]:
    return {
        "token": "legacy",
        "team_id": TEAM,
        "api_app_id": "A0001",
        "type": "event_callback",
        "event_id": event_id or f"Ev{next(_event_ids):08d}",
        "event_time": int(time.time()),
        "authorizations": [{"team_id": TEAM, "user_id": BOT_USER, "is_bot": True}],
        "event": event,
    }


def direct_message(user: str, text: str, **extra: Any) -> dict[str, Any]:
    event = {"type": "message", "channel_type": "im", "channel": "D" + user, "user": user, "text": text,
             "ts": f"{time.time():.6f}", **extra}  # fmt: skip
    return event_callback(event)


def file_share(
    user: str, file: dict[str, Any], *, channel: str | None = None, text: str = ""
) -> dict[str, Any]:
    """A person drops a file into the DM with the bot (or, with `channel`, into a channel): the recorded
    payloads/event_message_file_share_im.json (or _channel.json) with this user, file and channel."""
    where = "im" if channel is None else "channel"
    recorded = json.loads((PAYLOADS / f"event_message_file_share_{where}.json").read_text(encoding="utf-8"))
    event = copy.deepcopy(recorded["event"])
    ts = f"{time.time():.6f}"
    event.update(user=user, channel=channel or "D" + user, files=[file], text=text, ts=ts, event_ts=ts)
    event.pop("blocks", None)
    event.pop("client_msg_id", None)
    return event_callback(event)


def mention(user: str, channel: str, text: str, **extra: Any) -> dict[str, Any]:
    event = {"type": "app_mention", "channel": channel, "user": user, "text": f"<@{BOT_USER}> {text}",
             "ts": f"{time.time():.6f}", **extra}  # fmt: skip
    return event_callback(event)


def slash_command(user: str, channel: str, text: str, response_url: str) -> dict[str, str]:
    return {
        "token": "legacy", "team_id": TEAM, "channel_id": channel, "channel_name": "privategroup",
        "user_id": user, "user_name": user.lower(), "command": "/restanser", "text": text,
        "api_app_id": "A0001", "response_url": response_url, "trigger_id": "1.2.3",
    }  # fmt: skip


def button_press(user: str, action_id: str, value: str = "", *, channel: str | None = None,
                 response_url: str = "", in_home: bool = False, url: str | None = None,
                 typed: dict[str, str] | None = None, message_ts: str = "1.1") -> dict[str, Any]:  # fmt: skip
    action: dict[str, Any] = {"type": "button", "action_id": action_id, "block_id": "b1", "action_ts": "1.2"}
    if value:
        action["value"] = value
    if url:
        action["url"] = url
    body: dict[str, Any] = {
        "type": "block_actions",
        "team": {"id": TEAM},
        "user": {"id": user},
        "api_app_id": "A0001",
        "trigger_id": "1.2.3",
        "actions": [action],
        "response_url": response_url,
    }
    if in_home:
        body["container"] = {"type": "view", "view_id": "V1"}
        body["view"] = {"id": "V1", "type": "home"}
    else:
        body["container"] = {
            "type": "message",
            "channel_id": channel,
            "message_ts": message_ts,
            "is_ephemeral": False,
        }
        body["channel"] = {"id": channel}
        body["message"] = {"type": "message", "ts": message_ts}
    if typed is not None:  # the message's input blocks, as Slack sends them with every press (block → action)
        body["state"] = {
            "values": {k: {k: {"type": "plain_text_input", "value": v}} for k, v in typed.items()}
        }
    return body
