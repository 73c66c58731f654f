"""E-mail settings, from the environment only (like the Slack and Teams credentials).

RESTANSEBOT_EMAIL_TRANSPORT (smtp or graph; unset: no e-mail), RESTANSEBOT_EMAIL_FROM, RESTANSEBOT_EMAIL_REPLY_TO;
SMTP: RESTANSEBOT_SMTP_HOST, _PORT, _SECURITY (starttls, tls, none), _AUTH (login, xoauth2, none), _USERNAME,
_PASSWORD; Microsoft Entra ID (Graph, and XOAUTH2 for SMTP): RESTANSEBOT_EMAIL_TENANT_ID, _CLIENT_ID,
_CLIENT_SECRET, RESTANSEBOT_EMAIL_AUTHORITY; RESTANSEBOT_GRAPH_URL. See «E-post» in README.md.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.utils import parseaddr
from urllib.parse import urlsplit

from bot.network import is_loopback_host
from restanse_core.errors import UserError

TRANSPORT = "RESTANSEBOT_EMAIL_TRANSPORT"
DEFAULT_GRAPH_URL = "https://graph.microsoft.com"
DEFAULT_AUTHORITY = "https://login.microsoftonline.com"
OUTLOOK_SCOPE = "https://outlook.office365.com/.default"  # SMTP AUTH XOAUTH2 against Exchange Online
DEFAULT_PER_MINUTE = 30.0  # Exchange Online: 30 messages a minute from one mailbox
DEFAULT_CONNECTIONS = 3
_ADDRESS = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class Entra:
    """An app registration in Microsoft Entra ID, for tokens by client credentials (MSAL)."""

    tenant_id: str
    client_id: str
    client_secret: str = field(repr=False)
    authority: str = DEFAULT_AUTHORITY

    @property
    def authority_url(self) -> str:
        return f"{self.authority.rstrip('/')}/{self.tenant_id}"


@dataclass(frozen=True)
class Smtp:
    host: str
    port: int
    security: str  # starttls | tls | none
    auth: str  # login | xoauth2 | none
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    connections: int = DEFAULT_CONNECTIONS


@dataclass(frozen=True)
class EmailConfig:
    transport: str  # smtp | graph
    sender: str  # the archive's address: From, and the mailbox Graph sends as
    sender_name: str | None = None
    reply_to: str | None = None
    smtp: Smtp | None = None
    entra: Entra | None = None
    graph_url: str = DEFAULT_GRAPH_URL
    per_minute: float = DEFAULT_PER_MINUTE

    @property
    def pacing(self) -> dict[str, float]:
        """For the shared pacer: messages per second from the sending mailbox (0 = not paced)."""
        return {"mailbox": self.per_minute / 60.0}

    @property
    def where(self) -> str:
        """The service, as the reports name it (no credentials)."""
        if self.smtp is not None:
            return f"{self.smtp.host}:{self.smtp.port}"
        return urlsplit(self.graph_url).netloc


def configured(env: Mapping[str, str]) -> bool:
    return bool(env.get(TRANSPORT, "").strip())


def _get(env: Mapping[str, str], key: str) -> str:
    return env.get(key, "").strip()


def _choice(env: Mapping[str, str], key: str, choices: tuple[str, ...], default: str) -> str:
    value = _get(env, key).lower() or default
    if value not in choices:
        raise UserError(f"{key} må være {' eller '.join(choices)}, ikke «{_get(env, key)}».")
    return value


def _number(env: Mapping[str, str], key: str, default: float, low: float, high: float) -> float:
    text = _get(env, key)
    try:
        value = float(text) if text else default
    except ValueError:
        raise UserError(f"{key} må være et tall, ikke «{text}».") from None
    if not low <= value <= high:
        raise UserError(f"{key} må være mellom {low:g} og {high:g}, ikke {value:g}.")
    return value


def _address(env: Mapping[str, str], key: str, required: bool) -> tuple[str | None, str | None]:
    """(display name, address) from «Arkivet <arkiv@kommune.no>» or a bare address."""
    text = _get(env, key)
    if not text:
        if required:
            raise UserError(f"{key} mangler: arkivets e-postadresse, som påminnelsene sendes fra.")
        return None, None
    name, address = parseaddr(text)
    if not _ADDRESS.match(address):
        raise UserError(f"{key} er ikke en e-postadresse: «{text}».")
    return name or None, address.lower()


def _https(env: Mapping[str, str], key: str, default: str) -> str:
    url = (_get(env, key) or default).rstrip("/")
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.netloc:
        raise UserError(f"{key} må være en https-adresse, ikke «{url}».")
    return url


def _entra(env: Mapping[str, str], why: str) -> Entra:
    keys = ("RESTANSEBOT_EMAIL_TENANT_ID", "RESTANSEBOT_EMAIL_CLIENT_ID", "RESTANSEBOT_EMAIL_CLIENT_SECRET")
    missing = [k for k in keys if not _get(env, k)]
    if missing:
        raise UserError(
            f"{why} trenger en app-registrering i Microsoft Entra ID: {', '.join(missing)} mangler."
        )
    tenant, client, secret = (_get(env, k) for k in keys)
    return Entra(tenant, client, secret, _https(env, "RESTANSEBOT_EMAIL_AUTHORITY", DEFAULT_AUTHORITY))


def _smtp(env: Mapping[str, str], sender: str) -> Smtp:
    host = _get(env, "RESTANSEBOT_SMTP_HOST")
    if not host:
        raise UserError("RESTANSEBOT_SMTP_HOST mangler: e-posttjenesten boten sender gjennom.")
    security = _choice(env, "RESTANSEBOT_SMTP_SECURITY", ("starttls", "tls", "none"), "starttls")
    port = int(_number(env, "RESTANSEBOT_SMTP_PORT", 465 if security == "tls" else 587, 1, 65535))
    username = _get(env, "RESTANSEBOT_SMTP_USERNAME") or None
    password = env.get("RESTANSEBOT_SMTP_PASSWORD") or None
    auth = _choice(
        env,
        "RESTANSEBOT_SMTP_AUTH",
        ("login", "xoauth2", "none"),
        "login" if username or password else "none",
    )
    if auth == "login" and not (username and password):
        raise UserError(
            "RESTANSEBOT_SMTP_AUTH=login trenger RESTANSEBOT_SMTP_USERNAME og RESTANSEBOT_SMTP_PASSWORD."
        )
    if auth != "none" and security == "none" and not is_loopback_host(host):
        raise UserError(
            f"RESTANSEBOT_SMTP_SECURITY=none sender innloggingen ukryptert til {host}: det nekter jeg. "
            "Bruk starttls eller tls, eller RESTANSEBOT_SMTP_AUTH=none mot en relay som kjenner igjen serveren."
        )
    connections = int(_number(env, "RESTANSEBOT_SMTP_CONNECTIONS", DEFAULT_CONNECTIONS, 1, 20))
    user = username or (sender if auth == "xoauth2" else None)
    return Smtp(host, port, security, auth, user, password if auth == "login" else None, connections)


def load_config(env: Mapping[str, str]) -> EmailConfig:
    """Read and check the e-mail settings; a mistake is a UserError naming the variable."""
    transport = _choice(env, TRANSPORT, ("smtp", "graph"), "")
    name, sender = _address(env, "RESTANSEBOT_EMAIL_FROM", required=True)
    assert sender is not None
    _, reply_to = _address(env, "RESTANSEBOT_EMAIL_REPLY_TO", required=False)
    per_minute = _number(env, "RESTANSEBOT_EMAIL_PER_MINUTE", DEFAULT_PER_MINUTE, 0, 100_000)
    if transport == "smtp":
        smtp = _smtp(env, sender)
        entra = _entra(env, "RESTANSEBOT_SMTP_AUTH=xoauth2") if smtp.auth == "xoauth2" else None
        return EmailConfig(transport, sender, name, reply_to, smtp=smtp, entra=entra, per_minute=per_minute)
    graph_url = _https(env, "RESTANSEBOT_GRAPH_URL", DEFAULT_GRAPH_URL)
    entra = _entra(env, "RESTANSEBOT_EMAIL_TRANSPORT=graph")
    return EmailConfig(
        transport, sender, name, reply_to, entra=entra, graph_url=graph_url, per_minute=per_minute
    )
