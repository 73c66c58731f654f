"""`restansebot teams package`: the app package (manifest.json and the two icons in a zip) to upload to Teams."""

from __future__ import annotations

import argparse
import re
import sys
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from adapters.teams.manifest import MANIFEST_DIR, build_manifest, dumps
from restanse_core.errors import UserError

if TYPE_CHECKING:
    from bot.cli.context import Cli

GUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
ICONS = ("color.png", "outline.png")
DEFAULT_URL = "http://127.0.0.1:3978"


def _guid(text: str) -> str:
    if not GUID.match(text.strip()):
        raise argparse.ArgumentTypeError(f"«{text}» er ikke en GUID (for eksempel 3f2a…-…-…-…-…)")
    return text.strip().lower()


def add_package_command(teams: argparse._SubParsersAction) -> None:
    p = teams.add_parser("package", help="lag app-pakken (zip) som lastes opp i Teams")
    p.add_argument("--app-id", type=_guid, required=True, metavar="GUID", help="Teams-appens id")
    p.add_argument("--bot-id", type=_guid, metavar="GUID", help="Azure Bot-ens app-id (standard: --app-id)")
    p.add_argument("--public-url", metavar="URL",
                   help=f"adressen boten nås på (standard: RESTANSEBOT_PUBLIC_URL, ellers {DEFAULT_URL})")  # fmt: skip
    p.add_argument("-o", "--output", type=Path, default=Path("restansebot.zip"), metavar="FIL")
    p.set_defaults(func=package_command)


def write_package(output: Path, manifest: dict[str, Any], icons: Path = MANIFEST_DIR) -> None:
    missing = [name for name in ICONS if not (icons / name).is_file()]
    if missing:
        raise UserError(
            f"Finner ikke ikonene {', '.join(missing)} i {icons}. Lag dem med «python manifests/teams/make_icons.py»."
        )
    output.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(output, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", dumps(manifest))
        for name in ICONS:
            archive.write(icons / name, name)


def package_command(cli: Cli, args: argparse.Namespace) -> int:
    # As for `serve`: RESTANSEBOT_PUBLIC_URL, else the server's own default address (for a local trial only).
    public_url = (args.public_url or cli.settings.public_url or DEFAULT_URL).strip().rstrip("/")
    if not public_url.startswith(("https://", "http://")):
        raise UserError(f"--public-url må begynne med https://, ikke «{public_url}».")
    manifest = build_manifest(
        app_id=args.app_id,
        bot_id=args.bot_id or args.app_id,
        public_url=public_url,
        texts=cli.bot.texts,
        developer=cli.settings.organisation_name,
    )
    write_package(args.output, manifest)
    print(f"Skrev {args.output}: last den opp i Teams (Apper → Behandle appene dine → Last opp en app).")
    if not public_url.startswith("https://"):
        print("Merk: Teams krever https i drift; http duger bare for lokale prøver.", file=sys.stderr)
    return 0
