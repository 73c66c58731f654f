"""Public 360 settings: `p360_*` keys in the configuration (or RESTANSEBOT_P360_* in the environment), and the
key and client id from the environment only."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from restanse_core.errors import UserError

ENV_PREFIX = "RESTANSEBOT_P360_"
KEY_ENV = "RESTANSEBOT_P360_AUTHKEY"
CLIENT_ENV = "RESTANSEBOT_P360_CLIENTID"


class P360Settings(BaseSettings):
    """What differs between 360 sites. Record numbers (categories, statuses, archives) are the site's own."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="forbid")

    base_url: str
    auth: Literal["header", "query"] = "header"
    from_date: date  # the oldest journal date read
    window_days: int = Field(180, ge=1, le=3660)  # GetDocuments is asked one JournalDate window at a time
    categories_incoming: list[int] = Field(default_factory=lambda: [110])  # e.g. 110 Dokument inn, E-post inn
    categories_note: list[int] = Field(default_factory=lambda: [113])  # internt notat med oppfølging
    journal_statuses: list[int] = Field(default_factory=list)  # only these (empty: all)
    journal_statuses_exclude: list[int] = Field(default_factory=list)  # e.g. 8 Utgår
    archives: list[int] = Field(default_factory=list)  # only these document archives (empty: all)
    archives_exclude: list[int] = Field(default_factory=list)  # e.g. 7 Importarkiv
    contact_categories: list[str] = Field(default_factory=lambda: ["Intern"])  # whose e-mails give logins
    # "email": logins from UserService/GetUsers through the contact's e-mail at each sync; "upn": the UPN the
    # Teams member look-up gives is the login (filled by the bot, see bot.sources.logins_from_upn)
    login_from: Literal["email", "upn"] = "email"
    unit_key: Literal["Referencenumber", "ExternalId", "Recno", "Name"] = "Referencenumber"
    context_user: Literal["person", "service"] = "person"
    service_user: str | None = None  # ADContextUser when writing off as the service account
    multi_recipient_notes: Literal["refuse", "confirm"] = "refuse"
    response_code_table: str = "code table: Response Code"
    page_base: Literal[0, 1] = 0  # the number of the first page (see docs/P360.md)
    timeout_seconds: float = Field(120, gt=0)
    writeoff_timeout_seconds: float = Field(30, gt=0)

    @field_validator("base_url")
    @classmethod
    def _url(cls, value: str) -> str:
        value = value.strip().rstrip("/")
        if not value.startswith(("https://", "http://")):
            raise ValueError(f"«{value}» er ikke en adresse (ventet https://…)")
        return value

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (env_settings, init_settings)  # the environment wins over the file, as for every setting


@dataclass(frozen=True)
class P360Config:
    settings: P360Settings
    key: str
    client_id: str | None

    def __repr__(self) -> str:  # never show the key, not even in a traceback
        return f"P360Config(base_url={self.settings.base_url!r}, auth={self.settings.auth!r})"


def load_config(options: Mapping[str, Any], env: Mapping[str, str]) -> P360Config:
    """The 360 settings from the `p360_*` keys, checked; the key and client id from the environment."""
    for secret in ("authkey", "clientid", "key", "client_id"):
        if secret in options:
            raise UserError(
                f"Feil i konfigurasjonen: p360_{secret} hører ikke hjemme i fila. Nøkkelen og klient-id-en "
                f"leses bare fra miljøet ({KEY_ENV} og {CLIENT_ENV})."
            )
    try:
        settings = P360Settings(**options)
    except ValidationError as exc:
        lines = ["Feil i 360-innstillingene:"]
        for err in exc.errors():
            key = "p360_" + ".".join(str(p) for p in err["loc"]) if err["loc"] else "p360"
            env_name = ENV_PREFIX + str(err["loc"][0]).upper() if err["loc"] else ""
            msg = "må settes" if err["type"] == "missing" else err["msg"].removeprefix("Value error, ")
            lines.append(f"  • {key} ({env_name}): {msg}")
        raise UserError("\n".join(lines)) from None
    key = env.get(KEY_ENV, "").strip()
    client_id = env.get(CLIENT_ENV, "").strip() or None
    if not key:
        raise UserError(f"{KEY_ENV} mangler: nøkkelen (authkey) til 360s SIF-tjeneste.")
    if settings.auth == "header" and not client_id:
        raise UserError(f'{CLIENT_ENV} mangler: klient-id-en til 360s SIF-tjeneste (p360_auth = "header").')
    return P360Config(settings, key, client_id)
