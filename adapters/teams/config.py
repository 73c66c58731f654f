"""Teams settings: the Agents SDK's own CONNECTIONS__* variables, plus the bot's pacing and retry knobs.

Anonymous mode (CONNECTIONS__SERVICE_CONNECTION__SETTINGS__ANONYMOUS_ALLOWED=true, no credentials) is for
local trials only; the rules that keep it local are checked here, before anything is mounted.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from bot.network import is_loopback_host
from restanse_core.errors import UserError

SETTINGS_PREFIX = "CONNECTIONS__SERVICE_CONNECTION__SETTINGS__"
DEFAULT_FILE_HOSTS = "*.sharepoint.com"  # where a file uploaded in the personal chat is fetched from
SDK_PREFIXES = ("CONNECTIONS__", "CONNECTIONSMAP__", "AGENTAPPLICATION__")
# Any of these means a real Azure Bot identity is configured.
CREDENTIAL_KEYS = ("CLIENTID", "CLIENTSECRET", "CERTPFXFILE", "FEDERATEDCLIENTID", "FEDERATEDTOKENFILE")


def _setting(env: Mapping[str, str], key: str) -> str:
    return (env.get(SETTINGS_PREFIX + key) or "").strip()


def anonymous_allowed(env: Mapping[str, str]) -> bool:
    """Read as the SDK reads it: "true" or "1", any case; anything else is off."""
    return _setting(env, "ANONYMOUS_ALLOWED").lower() in ("true", "1")


def is_loopback_url(url: str | None) -> bool:
    try:
        return is_loopback_host(urlsplit(url or "").hostname)
    except ValueError:
        return False


def _float(env: Mapping[str, str], key: str, default: float) -> float:
    raw = env.get(key)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise UserError(f"{key} må være et tall, ikke «{raw}».") from None
    if value < 0:
        raise UserError(f"{key} kan ikke være negativ.")
    return value


@dataclass(frozen=True)
class Pacing:
    """Requests per second for proactive sending; 0 switches a limit off."""

    per_tenant: float = 50.0  # Teams: 50 requests per second per app per tenant
    per_conversation: float = 7.0  # Teams: 7 per second per conversation (thread)

    @property
    def rates(self) -> dict[str, float]:
        """For the shared pacer (bot.delivery.pacing)."""
        return {"tenant": self.per_tenant, "conversation": self.per_conversation}


@dataclass(frozen=True)
class Retry:
    attempts: int = 5  # in all, the first try included
    base_delay: float = 1.0  # seconds; doubled each attempt, with full jitter
    max_delay: float = 30.0  # one wait is never longer than this (a longer Retry-After ends the attempts)


def while_someone_waits(retry: Retry) -> Retry:
    """Retries inside a turn (a reply, a member look-up): Teams gives up on the turn after about 15 s."""
    return Retry(attempts=min(retry.attempts, 3), base_delay=0.5, max_delay=4.0)


@dataclass(frozen=True)
class TeamsConfig:
    sdk: dict[str, Any]  # what load_configuration_from_env makes of the CONNECTIONS__* variables
    anonymous: bool
    client_id: str | None
    tenant_id: str | None
    pacing: Pacing = field(default_factory=Pacing)
    retry: Retry = field(default_factory=Retry)
    service_hosts: tuple[str, ...] = ()  # extra hosts allowed as serviceUrl (besides Microsoft's)
    file_hosts: tuple[str, ...] = (DEFAULT_FILE_HOSTS,)  # where uploaded files may be downloaded from

    @classmethod
    def from_env(cls, env: Mapping[str, str], *, no_pacing: bool = False) -> TeamsConfig:
        """Read and check the settings; raises UserError for a combination the server must refuse."""
        from microsoft_agents.activity import (
            load_configuration_from_env,
        )  # the SDK loads slowly: only when serving

        anonymous = anonymous_allowed(env)
        credentials = [key for key in CREDENTIAL_KEYS if _setting(env, key)]
        if anonymous and credentials:
            raise UserError(
                "Teams: anonym modus (CONNECTIONS__SERVICE_CONNECTION__SETTINGS__ANONYMOUS_ALLOWED=true) kan ikke "
                "kombineres med legitimasjon (" + ", ".join(SETTINGS_PREFIX + k for k in credentials) + "). "
                "Fjern ANONYMOUS_ALLOWED i drift, eller fjern legitimasjonen for en lokal prøve."
            )
        if not anonymous and not _setting(env, "CLIENTID"):
            raise UserError(f"Teams: {SETTINGS_PREFIX}CLIENTID mangler (Azure Bot-ens app-id).")
        # Only the SDK's own keys: the parser nests on "__" and would trip over unrelated variables.
        sdk_env = {k: v for k, v in env.items() if k.startswith(SDK_PREFIXES)}
        pacing = Pacing(
            per_tenant=_float(env, "RESTANSEBOT_TEAMS_RATE_PER_TENANT", Pacing.per_tenant),
            per_conversation=_float(env, "RESTANSEBOT_TEAMS_RATE_PER_CONVERSATION", Pacing.per_conversation),
        )
        attempts = int(_float(env, "RESTANSEBOT_TEAMS_SEND_ATTEMPTS", Retry.attempts))
        hosts = tuple(
            h.strip() for h in env.get("RESTANSEBOT_TEAMS_SERVICE_HOSTS", "").split(",") if h.strip()
        )
        file_hosts = tuple(
            h.strip()
            for h in (env.get("RESTANSEBOT_TEAMS_FILE_HOSTS") or DEFAULT_FILE_HOSTS).split(",")
            if h.strip()
        )
        return cls(
            sdk=load_configuration_from_env(sdk_env),
            anonymous=anonymous,
            client_id=_setting(env, "CLIENTID") or None,
            tenant_id=_setting(env, "TENANTID") or None,
            pacing=Pacing(0, 0) if no_pacing else pacing,
            retry=Retry(attempts=max(1, attempts)),
            service_hosts=hosts,
            file_hosts=file_hosts,
        )

    def check_listening(self, host: str) -> None:
        """Anonymous mode answers without any token, so it may only be reachable from this machine."""
        if self.anonymous and not is_loopback_host(host):
            raise UserError(
                f"Teams i anonym modus lytter bare på loopback (127.0.0.1, ::1 eller localhost), ikke {host}. "
                "Anonym modus er for lokale prøver; sett opp Azure Bot-legitimasjon for drift."
            )


def configured(env: Mapping[str, str]) -> bool:
    """Teams is set up when the SDK's service connection names a client id or allows anonymous access."""
    return bool(_setting(env, "CLIENTID")) or anonymous_allowed(env)
