"""A real SMTP server (aiosmtpd) and a fake Microsoft Graph with its token endpoint, both on 127.0.0.1 over real
TLS with a throw-away certificate authority (trustme). They record what arrived, parsed as a mail program
would, and can be told to refuse, defer, drop or throttle."""

from __future__ import annotations

import asyncio
import base64
import email
import itertools
import json
import socket
import ssl
from collections import defaultdict
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import default
from pathlib import Path
from typing import Any

import trustme
from aiohttp import web
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

USER = "restansebot@k.no"
PASSWORD = "hemmelig-passord"
TENANT = "11111111-2222-3333-4444-555555555555"
CLIENT_ID = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"
CLIENT_SECRET = "klient-hemmelighet"


class Authority:
    """A throw-away certificate authority and a certificate for 127.0.0.1 and localhost."""

    def __init__(self, folder: Path) -> None:
        self.ca = trustme.CA()
        self.cert = self.ca.issue_cert("127.0.0.1", "localhost")
        self.bundle = folder / "test-ca.pem"
        self.ca.cert_pem.write_to_path(str(self.bundle))

    def server_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self.cert.configure_cert(context)
        return context

    @property
    def env(self) -> dict[str, str]:
        """What makes a client trust it: OpenSSL's default store (ssl, aiohttp, aiosmtplib) and requests' (MSAL)."""
        return {"SSL_CERT_FILE": str(self.bundle), "REQUESTS_CA_BUNDLE": str(self.bundle)}


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    raw: bytes

    @property
    def message(self) -> EmailMessage:
        parsed = email.message_from_bytes(self.raw, policy=default)
        assert isinstance(parsed, EmailMessage)
        return parsed


def mail_parts(message: EmailMessage) -> dict[str, Any]:
    """What the person sees: subject, the plain text, the HTML, and the inline pictures by Content-ID."""
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    pictures = {
        str(part["Content-ID"]).strip("<>"): part.get_content()
        for part in message.walk()
        if part.get_content_maintype() == "image"
    }
    return {
        "subject": str(message["Subject"]),
        "text": text.get_content().replace("\r\n", "\n") if text is not None else "",  # as a reader shows it
        "html": html.get_content().replace("\r\n", "\n") if html is not None else "",
        "pictures": pictures,
    }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class FakeSmtp:
    """aiosmtpd on 127.0.0.1, in a thread of its own: STARTTLS (or implicit TLS), AUTH LOGIN and XOAUTH2 over
    TLS only, and answers set per recipient."""

    def __init__(self, authority: Authority, *, security: str = "starttls", auth: bool = True) -> None:
        self.authority = authority
        self.security = security
        self.auth = auth
        self.port = free_port()
        self.received: list[Received] = []
        self.deferred: list[Received] = []  # what came with a DATA answered 451
        self.logins: list[tuple[str, str]] = []  # (mechanism, user)
        self.refusals: dict[str, str] = {}  # recipient → RCPT reply
        self.deferrals: dict[str, int] = defaultdict(int)  # recipient → 451s left at DATA
        self.drops: dict[str, int] = defaultdict(int)  # recipient → times the connection drops after DATA
        self.bearers: set[str] = set()  # the XOAUTH2 tokens it accepts
        self.data_delay = 0.0
        self.controller: Controller | None = None

    def start(self) -> FakeSmtp:
        context = self.authority.server_context()
        kwargs: dict[str, Any] = {
            "authenticator": self._authenticate,
            "auth_required": self.auth and self.security == "starttls",
            "auth_require_tls": self.security == "starttls",  # with implicit TLS, aiosmtpd cannot tell
            "auth_exclude_mechanism": ["PLAIN"],  # so the client shows it can do AUTH LOGIN
            "decode_data": False,
        }
        if self.security == "starttls":
            kwargs.update(tls_context=context, require_starttls=True)
        self.controller = Controller(
            _Handler(self),
            hostname="127.0.0.1",
            port=self.port,
            ssl_context=context if self.security == "tls" else None,
            **kwargs,
        )
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()

    def __enter__(self) -> FakeSmtp:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def env(self, **extra: str) -> dict[str, str]:
        """The settings that send through this server."""
        return {
            "RESTANSEBOT_EMAIL_TRANSPORT": "smtp",
            "RESTANSEBOT_EMAIL_FROM": "Arkivet <arkiv@k.no>",
            "RESTANSEBOT_SMTP_HOST": "127.0.0.1",
            "RESTANSEBOT_SMTP_PORT": str(self.port),
            "RESTANSEBOT_SMTP_SECURITY": self.security,
            "RESTANSEBOT_SMTP_USERNAME": USER,
            "RESTANSEBOT_SMTP_PASSWORD": PASSWORD,
            "RESTANSEBOT_EMAIL_PER_MINUTE": "0",
            **self.authority.env,
            **extra,
        }

    def to(self, address: str) -> list[EmailMessage]:
        return [r.message for r in self.received if address in r.rcpt_tos]

    def _authenticate(
        self, server: Any, session: Any, envelope: Any, mechanism: str, data: Any
    ) -> AuthResult:
        assert isinstance(data, LoginPassword)
        self.logins.append((mechanism, data.login.decode()))
        ok = data.login.decode() == USER and data.password.decode() == PASSWORD
        return AuthResult(success=ok, handled=False)  # not handled: aiosmtpd answers 535 itself


class _Handler:
    def __init__(self, owner: FakeSmtp) -> None:
        self.owner = owner

    async def auth_XOAUTH2(self, server: Any, args: list[str]) -> AuthResult:
        fields = dict(
            part.split("=", 1) for part in base64.b64decode(args[1]).decode().split("\x01") if "=" in part
        )
        self.owner.logins.append(("XOAUTH2", fields.get("user", "")))
        ok = fields.get("auth", "").removeprefix("Bearer ") in self.owner.bearers
        return AuthResult(success=ok, handled=False)

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        refusal = self.owner.refusals.get(address.lower())
        if refusal:
            return refusal
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        owner = self.owner
        recipient = envelope.rcpt_tos[0].lower()
        if owner.deferrals[recipient] > 0:
            owner.deferrals[recipient] -= 1
            owner.deferred.append(
                Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content)
            )
            return "451 4.3.0 Midlertidig feil, prøv igjen senere"
        if owner.data_delay:
            await asyncio.sleep(owner.data_delay)
        owner.received.append(
            Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content)
        )
        if owner.drops[recipient] > 0:  # the message is in, the answer never comes
            owner.drops[recipient] -= 1
            server.transport.abort()
        return "250 2.0.0 OK: queued"


@dataclass
class GraphCall:
    path: str
    authorization: str | None
    raw: bytes | None = None

    @property
    def message(self) -> EmailMessage:
        assert self.raw is not None
        parsed = email.message_from_bytes(self.raw, policy=default)
        assert isinstance(parsed, EmailMessage)
        return parsed


@dataclass
class Failure:
    status: int
    times: int
    headers: dict[str, str] = field(default_factory=dict)
    code: str = "ErrorFake"


def fake_jwt(**claims: Any) -> str:
    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")

    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}.c2lnbmF0dXI"


class FakeGraph:
    """Microsoft Entra ID's token endpoint and Graph's sendMail, over HTTPS on 127.0.0.1."""

    def __init__(self, authority: Authority) -> None:
        self.authority = authority
        self.tokens_issued: list[str] = []  # the scope of each
        self.valid: set[str] = set()  # tokens sendMail accepts
        self.calls: list[GraphCall] = []
        self.failures: list[Failure] = []
        self.roles = ["Mail.Send"]
        self.url = ""
        self._counter = itertools.count(1)
        self._runner: web.AppRunner | None = None

    def fail(
        self, status: int, *, times: int = 1, retry_after: str | None = None, code: str = "ErrorFake"
    ) -> None:
        headers = {"Retry-After": retry_after} if retry_after is not None else {}
        self.failures.append(Failure(status, times, headers, code))

    async def start(self) -> FakeGraph:
        app = web.Application()
        app.router.add_get("/{tenant}/v2.0/.well-known/openid-configuration", self._openid)
        app.router.add_post("/{tenant}/oauth2/v2.0/token", self._token)
        app.router.add_post("/v1.0/users/{sender}/sendMail", self._send_mail)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0, ssl_context=self.authority.server_context())
        await site.start()
        self.url = f"https://127.0.0.1:{self._runner.addresses[0][1]}"
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def env(self, **extra: str) -> dict[str, str]:
        return {
            "RESTANSEBOT_EMAIL_TRANSPORT": "graph",
            "RESTANSEBOT_EMAIL_FROM": "arkiv@k.no",
            "RESTANSEBOT_EMAIL_TENANT_ID": TENANT,
            "RESTANSEBOT_EMAIL_CLIENT_ID": CLIENT_ID,
            "RESTANSEBOT_EMAIL_CLIENT_SECRET": CLIENT_SECRET,
            "RESTANSEBOT_EMAIL_AUTHORITY": self.url,
            "RESTANSEBOT_GRAPH_URL": self.url,
            "RESTANSEBOT_EMAIL_PER_MINUTE": "0",
            **self.authority.env,
            **extra,
        }

    @property
    def sent(self) -> list[GraphCall]:
        return [c for c in self.calls if c.raw is not None]

    def to(self, address: str) -> list[EmailMessage]:
        return [c.message for c in self.sent if address in str(c.message["To"])]

    async def _openid(self, request: web.Request) -> web.Response:
        base = f"{self.url}/{request.match_info['tenant']}"
        return web.json_response(
            {
                "token_endpoint": f"{base}/oauth2/v2.0/token",
                "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
                "issuer": f"{base}/v2.0",
            }
        )

    async def _token(self, request: web.Request) -> web.Response:
        form = await request.post()
        if form.get("client_id") != CLIENT_ID or form.get("client_secret") != CLIENT_SECRET:
            return web.json_response(
                {"error": "invalid_client", "error_description": "AADSTS7000215"}, status=401
            )
        scope = str(form.get("scope", ""))
        self.tokens_issued.append(scope)
        token = fake_jwt(aud=scope, roles=self.roles, n=next(self._counter))
        self.valid.add(token)
        return web.json_response({"token_type": "Bearer", "expires_in": 3599, "access_token": token})

    async def _send_mail(self, request: web.Request) -> web.Response:
        authorization = request.headers.get("Authorization")
        body = await request.read()
        for failure in self.failures:
            if failure.times > 0:
                failure.times -= 1
                self.calls.append(GraphCall(request.path, authorization))
                error = {"error": {"code": failure.code, "message": f"fake {failure.status}"}}
                return web.json_response(error, status=failure.status, headers=failure.headers)
        if (authorization or "").removeprefix("Bearer ") not in self.valid:
            self.calls.append(GraphCall(request.path, authorization))
            return web.json_response({"error": {"code": "InvalidAuthenticationToken"}}, status=401)
        self.calls.append(GraphCall(request.path, authorization, base64.b64decode(body)))
        return web.Response(status=202)
