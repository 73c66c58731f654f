"""The Teams app manifest (schema v1.30), built from the command registry so its command lists never drift.

`manifests/teams/manifest.json` is this manifest with placeholder ids; regenerate it after changing commands:
    python -m adapters.teams.manifest
"""

from __future__ import annotations

import json
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from bot.texts import Texts

MANIFEST_DIR = Path(__file__).resolve().parents[2] / "manifests" / "teams"
SCHEMA_URL = "https://developer.microsoft.com/en-us/json-schemas/teams/v1.30/MicrosoftTeams.schema.json"
PLACEHOLDER_ID = "00000000-0000-0000-0000-000000000000"
PLACEHOLDER_URL = "https://restansebot.example.kommune.no"
# The commands offered in Teams' command menu, in this order (each list allows at most 12).
MAIN_COMMANDS = ("mine", "enhet", "oversikt", "guide", "status", "hjelp")
ACCENT = "#1F4E79"


def app_version() -> str:
    try:
        return version("restansebot")
    except PackageNotFoundError:
        return "0.1.0"


def _commands(texts: Texts) -> list[dict[str, str]]:
    from bot.commands import build_registry  # not when `restansebot --help` builds the parser

    registry = build_registry()
    out = []
    for command_id in MAIN_COMMANDS:
        command = registry.get(command_id)
        assert command is not None, command_id
        description = texts(command.help_key)
        if command.argument:  # e.g. "enhet LMA": say what the argument is and show an example
            examples = command.examples(texts)
            example = f" {texts('hjelp.examples')}: «{examples[0]}»." if examples else ""
            description = f"{description} ({texts(command.argument)}){example}"
        out.append({"title": command.name(texts)[:128], "description": description[:4000]})
    return out


def build_manifest(
    *, app_id: str, bot_id: str, public_url: str, texts: Texts, developer: str = "Restansebot"
) -> dict[str, Any]:
    base = public_url.rstrip("/")
    host = urlsplit(base).hostname or "localhost"
    commands = _commands(texts)
    return {
        "$schema": SCHEMA_URL,
        "manifestVersion": "1.30",
        "version": app_version(),
        "id": app_id,
        "developer": {
            "name": developer[:32],
            "websiteUrl": base,
            "privacyUrl": f"{base}/guide",
            "termsOfUseUrl": f"{base}/guide",
        },
        "name": {"short": "Restansebot", "full": "Restansebot – oppfølging av restanser"},
        "description": {
            "short": "Dine restanser i Teams: oversikt, påminnelser og avskrivingsveiledning.",
            "full": (
                "Restansebot hjelper saksbehandlere, ledere og arkivet å følge opp restanser: journalposter (I og N) "
                "som ikke er besvart eller avskrevet. Skriv «mine restanser» for din liste, «enhet LMA» for en "
                "enhet, «oversikt» for hele organisasjonen og «guide» for veiledningen om avskriving. Boten sender "
                "månedlige påminnelser til den som har mange restanser, og tabeller til ledere. I kanaler viser den "
                "bare tall; titler og navn sendes privat til den som spør."
            ),
        },
        "icons": {"color": "color.png", "outline": "outline.png"},
        "accentColor": ACCENT,
        "bots": [
            {
                "botId": bot_id,
                "scopes": ["personal", "team", "groupChat"],
                "isNotificationOnly": False,
                "supportsFiles": False,
                "supportsCalling": False,
                "supportsVideo": False,
                "commandLists": [
                    {"scopes": ["personal"], "commands": commands},
                    {"scopes": ["team", "groupChat"], "commands": commands},
                ],
            }
        ],
        "permissions": ["identity", "messageTeamMembers"],
        "validDomains": [host],
        "defaultInstallScope": "personal",
    }


def placeholder_manifest() -> dict[str, Any]:
    from bot.texts import Texts

    return build_manifest(
        app_id=PLACEHOLDER_ID, bot_id=PLACEHOLDER_ID, public_url=PLACEHOLDER_URL, texts=Texts("nb")
    )


def dumps(manifest: dict[str, Any]) -> str:
    return json.dumps(manifest, ensure_ascii=False, indent=2) + "\n"


if __name__ == "__main__":
    (MANIFEST_DIR / "manifest.json").write_text(dumps(placeholder_manifest()), encoding="utf-8")
    print(f"Skrev {MANIFEST_DIR / 'manifest.json'}")
