"""Configuration: RESTANSEBOT_* environment variables and an optional TOML file with the same keys."""

from __future__ import annotations

import json
import os
import re
import tomllib
from pathlib import Path
from typing import Annotated, Any, Literal

from platformdirs import user_data_dir
from pydantic import BaseModel, Field, ValidationError, field_validator, model_validator
from pydantic_core import ErrorDetails
from pydantic_settings import (
    BaseSettings,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    SettingsError,
)

from restanse_core.errors import UserError, shown
from restanse_core.fields import FIELDS
from restanse_core.plugins import plugins

ABSENT_COLUMNS = ("saksbehandler", "type", "dato")
"""Columns an archive's export may really lack (listed in `absent_columns`); any other is asked for."""


class Avskrivningskode(BaseModel):
    label: str
    temporary: bool = False
    chat: bool = False  # offered when writing off from the bot


DEFAULT_CODES: dict[str, Avskrivningskode] = {
    "BU": Avskrivningskode(label="Besvart med utgående brev"),
    "BE": Avskrivningskode(label="Besvart med e-post"),
    "TLF": Avskrivningskode(label="Besvart per telefon"),
    "BN": Avskrivningskode(label="Besvart med notat"),
    "NN": Avskrivningskode(label="Besvart med notat"),
    "TE": Avskrivningskode(label="Tatt til etterretning", chat=True),
    "TO": Avskrivningskode(label="Tatt til orientering", chat=True),
    "SA": Avskrivningskode(label="Saken avsluttet"),
    "***": Avskrivningskode(label="Foreløpig svar", temporary=True),
}


class Contact(BaseModel):
    name: str
    email: str | None = None
    phone: str | None = None


def default_data_dir() -> Path:
    return Path(user_data_dir("restansebot", appauthor=False))


def default_database_url() -> str:
    return f"sqlite:///{default_data_dir() / 'restansebot.db'}"


class Settings(BaseSettings):
    """Every setting the archive can change. Errors are reported by key when the program starts."""

    model_config = SettingsConfigDict(env_prefix="RESTANSEBOT_", extra="forbid", env_nested_delimiter="__")

    database_url: str = Field(default_factory=default_database_url)
    threshold: int = Field(30, ge=1)
    deadline_days: int = Field(14, ge=0, le=365)
    language: Literal["nb", "nn", "en"] = "nb"
    records_link: str | None = None
    guide_url: str | None = None
    guide_file: Path | None = None
    list_length: int = Field(10, ge=1, le=200)
    contacts: list[Contact] = Field(default_factory=list)
    closed_days: list[str] = Field(default_factory=lambda: ["12-24", "12-31"])
    avskrivningskoder: dict[str, Avskrivningskode] = Field(default_factory=lambda: dict(DEFAULT_CODES))
    temporary_keeps_restanse: bool = True
    columns: dict[str, str] = Field(default_factory=dict)
    # Columns this archive's export really lacks: the import then makes its assumption without asking.
    absent_columns: list[Literal["saksbehandler", "type", "dato"]] = Field(default_factory=list)
    # A list with fewer restanser than this share of the newest earlier list is stored only when confirmed.
    min_share_of_previous: float = Field(0.5, ge=0, le=1)
    # Resource bounds: the benchmark files (1,000,000 rows, 1,000,000 journalposter) fit well inside them.
    import_max_rows: int = Field(2_000_000, ge=1)  # rows of a table, journalposter of a Noark 5 extract
    xlsx_max_uncompressed_mb: int = Field(500, ge=1)  # an .xlsx is a zip: what it unpacks to, checked first
    retention_months: int = Field(24, ge=1)
    upload_expiry_hours: int = Field(24, ge=1)  # a file dropped into the chat waits this long for «Lagre»
    test_recipient: str | None = (
        None  # initials: every message of a run goes to this person instead (test mode)
    )
    skip_leaders_without_restanser: bool = False
    public_url: str | None = None
    organisation_name: str = "kommunen"
    archive_name: str | None = None  # who signs the reminders («Arkivet i Verdal kommune»); default «Arkivet»
    template_dir: Path | None = None
    # Monthly reminders (the bot's delivery): where and when.
    # The channels in the order they are tried for a person: the first that finds them gets their messages;
    # one that cannot (not found, app not installed) hands the message on to the next. In the environment
    # as JSON (["teams", "epost"]) or a comma list (teams,epost). Which names exist is the bot's business.
    platforms: Annotated[list[str], NoDecode] = Field(default_factory=lambda: ["teams", "slack", "epost"])
    # Unit code → PLATFORM:CHANNEL, e.g. "slack:C0123" or "teams:19:…@thread.tacv2": the unit's totals go there.
    channels: dict[str, str] = Field(default_factory=dict)
    send_time: str = "09:00"
    schedule: str | None = None  # a cron expression instead of "the first working day after an import"
    schedule_working_day: bool = True  # move a cron send day to the next working day
    missing_list_day: int = Field(20, ge=1, le=28)  # remind the arkiv if no list has come this month by then
    delivery_concurrency: int = Field(4, ge=1, le=64)
    # Slack answers about 50 e-mail look-ups a minute: a first month of thousands of new people takes hours.
    delivery_give_up_minutes: float = Field(180, gt=0)
    # A live source: the records system read on a schedule, and items written off from the bot.
    source: str | None = None  # e.g. "p360"; its own settings are the keys starting with "p360_"
    source_options: dict[str, dict[str, Any]] = Field(default_factory=dict)  # gathered from those keys
    sync_schedule: str = "0 5 * * *"  # cron, Europe/Oslo: nightly, before the working day
    monthly_list_day: int = Field(1, ge=1, le=28)  # the month's list is the first sync on or after this day
    daily_retention_days: int = Field(35, ge=1)  # daily lists; the months' lists are kept retention_months
    writeoff_by: Literal["saksbehandler", "leder"] = "saksbehandler"  # "leder": also the unit's leaders
    writeoff_log_days: int = Field(400, ge=1)

    @model_validator(mode="before")
    @classmethod
    def _gather_source_options(cls, data: Any) -> Any:
        """Keys named after a records-system adapter («p360_base_url») are that adapter's to check."""
        if not isinstance(data, dict):
            return data
        names = source_names()
        gathered: dict[str, dict[str, Any]] = {}
        for key in list(data):
            prefix, sep, rest = str(key).partition("_")
            if sep and prefix in names:
                gathered.setdefault(prefix, {})[rest] = data.pop(key)
        if gathered:
            data = {**data, "source_options": {**data.get("source_options", {}), **gathered}}
        return data

    @field_validator("source")
    @classmethod
    def _source_is_known(cls, value: str | None) -> str | None:
        if value and value not in source_names():
            known = ", ".join(sorted(source_names())) or "(ingen er installert)"
            raise ValueError(f"ukjent kilde «{value}»; kjente kilder: {known}")
        return value or None

    @field_validator("closed_days")
    @classmethod
    def _closed_days_are_month_day(cls, value: list[str]) -> list[str]:
        out = []
        for item in value:
            text = item.strip()
            parts = text.replace(".", "-").split("-")
            if len(parts) == 2 and "." in text:  # 24.12 → 12-24
                parts = [parts[1], parts[0]]
            try:
                month, day = int(parts[0]), int(parts[1])
                assert len(parts) == 2 and 1 <= month <= 12 and 1 <= day <= 31
            except (ValueError, AssertionError, IndexError):
                raise ValueError(f"«{item}» er ikke en dag på formen MM-DD eller dd.mm") from None
            out.append(f"{month:02d}-{day:02d}")
        return out

    @field_validator("platforms", mode="before")
    @classmethod
    def _platforms_json_or_comma_list(cls, value: object) -> object:
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                try:
                    return json.loads(text)
                except json.JSONDecodeError as exc:
                    raise ValueError(f"«{value}» er ikke en gyldig JSON-liste: {exc.msg}") from None
            return [part for part in (p.strip() for p in text.split(",")) if part]
        return value

    @field_validator("platforms")
    @classmethod
    def _platforms_are_names(cls, value: list[str]) -> list[str]:
        names = [name.strip().lower() for name in value]
        for name in names:
            if not name.isalpha():
                raise ValueError(f"«{name}» er ikke et kanalnavn (for eksempel teams, slack eller epost)")
        return list(dict.fromkeys(names))

    @field_validator("columns")
    @classmethod
    def _columns_name_known_fields(cls, value: dict[str, str]) -> dict[str, str]:
        for key in value:
            if key not in FIELDS:
                raise ValueError(f"ukjent felt «{key}»; kjente felt: {', '.join(FIELDS)}")
        return value

    @field_validator("channels")
    @classmethod
    def _channels_name_a_platform(cls, value: dict[str, str]) -> dict[str, str]:
        for unit, target in value.items():
            # Which platforms exist is the bot's business; here only the form PLATTFORM:KANAL-ID is checked.
            platform, sep, channel = target.partition(":")
            if not sep or not channel.strip() or not platform.isalpha() or not platform.islower():
                raise ValueError(
                    f"kanalen for {unit} må skrives PLATTFORM:KANAL-ID, for eksempel «slack:C0123ABCD», ikke «{target}»"
                )
        return {unit.upper(): target for unit, target in value.items()}

    @field_validator("send_time")
    @classmethod
    def _send_time_is_a_time_of_day(cls, value: str) -> str:
        if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", value.strip()):
            raise ValueError(f"«{value}» er ikke et klokkeslett på formen TT:MM, for eksempel 09:00")
        return value.strip()

    @field_validator("schedule", "sync_schedule")
    @classmethod
    def _schedule_is_cron(cls, value: str | None) -> str | None:
        if value:
            from apscheduler.triggers.cron import CronTrigger

            try:
                CronTrigger.from_crontab(value)
            except ValueError:
                raise ValueError(
                    f"«{value}» er ikke et gyldig cron-uttrykk: skriv fem felt, minutt time dag måned ukedag, "
                    "for eksempel «0 9 16 * *» (klokka 09.00 den 16. hver måned)"
                ) from None
        return value

    @field_validator("guide_file")
    @classmethod
    def _guide_file_exists(cls, value: Path | None) -> Path | None:
        if value is not None and not value.is_file():
            raise ValueError(f"fila {value} finnes ikke")
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
        return (init_settings, env_settings)

    def writing_off_codes(self) -> set[str]:
        """Codes whose answer ends a restanse: every code but a temporary one (unless that does not keep it)."""
        return {
            code.upper()
            for code, c in self.avskrivningskoder.items()
            if not c.temporary or not self.temporary_keeps_restanse
        }

    def chat_codes(self) -> dict[str, Avskrivningskode]:
        """The codes a person may choose when writing off from the bot (`chat = true`, never a temporary one)."""
        return {code.upper(): c for code, c in self.avskrivningskoder.items() if c.chat and not c.temporary}

    def temporary_codes(self) -> set[str]:
        """Codes and labels of temporary answers: an export may carry either («***» or «Foreløpig svar»)."""
        return {
            text
            for code, c in self.avskrivningskoder.items()
            if c.temporary
            for text in (code.upper(), c.label)
        }


def source_names() -> set[str]:
    """The records-system adapters installed (entry points `restansebot.sources`): names only, nothing imported."""
    return {ep.name for ep in plugins("restansebot.sources")}


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise UserError(f"Finner ikke konfigurasjonsfila {path}.") from None
    except tomllib.TOMLDecodeError as exc:
        where = re.search(r"at line (\d+), column (\d+)", str(exc))
        at = f" på linje {where[1]}, kolonne {where[2]}" if where else ""
        raise UserError(
            f"Konfigurasjonsfila {path} er ikke gyldig TOML{at}. Tekst skrives i anførselstegn "
            '(language = "nn"), lister i hakeparenteser (closed_days = ["12-24"]).'
        ) from None


def load_settings(config_file: str | Path | None = None, **overrides: Any) -> Settings:
    """Settings from the TOML file (if any), overridden by the environment, then by explicit overrides."""
    path = config_file or os.environ.get("RESTANSEBOT_CONFIG")
    from_file = _read_toml(Path(path)) if path else {}
    from_env = {k for k in os.environ if k.startswith("RESTANSEBOT_")}
    # The environment wins over the file: drop file keys that the environment sets.
    file_values = {k: v for k, v in from_file.items() if f"RESTANSEBOT_{k.upper()}" not in from_env}
    try:
        return Settings(**{**file_values, **{k: v for k, v in overrides.items() if v is not None}})
    except SettingsError as exc:  # a list or dict in the environment that is not JSON
        raise UserError(_malformed_environment(exc)) from None
    except ValidationError as exc:
        lines = ["Feil i konfigurasjonen:"]
        for err in exc.errors():
            key = ".".join(str(p) for p in err["loc"]) or "?"
            env = "RESTANSEBOT_" + str(err["loc"][0]).upper() if err["loc"] else ""
            lines.append(f"  • {key} ({env}): {_problem(err)}")
        raise UserError("\n".join(lines)) from None


def _problem(err: ErrorDetails) -> str:
    """pydantic's complaint about one setting, in Norwegian (our own validators already speak it)."""
    ctx = err.get("ctx") or {}
    value = err.get("input")
    shown = f"«{value}»" if isinstance(value, str | int | float) else "verdien"
    match err["type"]:
        case "value_error":
            return str(ctx.get("error", err["msg"]))
        case "missing":
            return "mangler"
        case "extra_forbidden":
            return "ukjent innstilling"
        case "int_parsing" | "int_type" | "int_from_float":
            return f"{shown} er ikke et heltall"
        case "float_parsing" | "float_type":
            return f"{shown} er ikke et tall"
        case "bool_parsing" | "bool_type":
            return f"{shown} er verken true eller false"
        case "literal_error":
            return f"{shown} er ikke en av {str(ctx.get('expected', '')).replace(' or ', ' eller ')}"
        case "greater_than_equal":
            return f"må være minst {ctx.get('ge'):g}"
        case "greater_than":
            return f"må være større enn {ctx.get('gt'):g}"
        case "less_than_equal":
            return f"kan være høyst {ctx.get('le'):g}"
        case "list_type":
            return "skal være en liste"
        case "dict_type" | "model_type":
            return "skal være en tabell"
        case "string_type":
            return "skal være tekst"
    return f"{shown} er ugyldig"


_EXAMPLES = {
    "closed_days": '["12-24", "12-31"]',
    "absent_columns": '["type"]',
    "contacts": '[{"name": "Unni Karlgård", "email": "unni.karlgard@kommune.no"}]',
    "columns": '{"enhet": "Ansvarlig enhet"}',
    "channels": '{"LMA": "slack:C0123ABCD"}',
    "avskrivningskoder": '{"FS": {"label": "Foreløpig svar", "temporary": true}}',
}


def _malformed_environment(exc: SettingsError) -> str:
    """pydantic-settings names the field in its English text; say by key which form the value must have."""
    match = re.search(r'field "(\w+)"', str(exc))
    key = match.group(1) if match else "?"
    env = f"RESTANSEBOT_{key.upper()}"
    kind = "en JSON-liste" if _EXAMPLES.get(key, "[").startswith("[") else "et JSON-objekt"
    example = _EXAMPLES.get(key, "[…]")
    value = os.environ.get(env, "")
    return (
        "Feil i konfigurasjonen:\n"
        f"  • {key} ({env}): ventet {kind}, for eksempel {env}='{example}', ikke «{shown(value)}»"
    )
