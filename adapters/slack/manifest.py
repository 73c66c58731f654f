"""`restansebot slack manifest`: the app manifest in manifests/slack/manifest.yml with the bot's address filled in."""

from __future__ import annotations

import argparse
import copy
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from adapters.slack.config import EVENTS_PATH
from restanse_core.errors import UserError

if TYPE_CHECKING:
    from bot.cli.context import Cli

MANIFEST = Path(__file__).resolve().parents[2] / "manifests" / "slack" / "manifest.yml"


def load_manifest(path: Path = MANIFEST) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UserError(f"Finner ikke Slack-manifestet {path}.") from None
    if not isinstance(data, dict):
        raise UserError(f"{path} er ikke et Slack-manifest.")
    return data


def fill_in(manifest: dict[str, Any], public_url: str | None, *, socket_mode: bool = False) -> dict[str, Any]:
    """The manifest for one installation: request URLs at `public_url`, or none at all with Socket Mode."""
    out = copy.deepcopy(manifest)
    settings = out.setdefault("settings", {})
    commands = out.get("features", {}).get("slash_commands", [])
    places = [settings.get("event_subscriptions", {}), settings.get("interactivity", {})]
    if socket_mode:
        settings["socket_mode_enabled"] = True
        for place in places:
            place.pop("request_url", None)
        for command in commands:
            command.pop("url", None)
        return out
    if not public_url:
        raise UserError(
            "Oppgi bottens offentlige adresse med --public-url (eller RESTANSEBOT_PUBLIC_URL), "
            "eller bruk --socket-mode."
        )
    url = public_url.rstrip("/") + EVENTS_PATH
    settings["socket_mode_enabled"] = False
    for place in places:
        place["request_url"] = url
    for command in commands:
        command["url"] = url
    return out


def dump(manifest: dict[str, Any]) -> str:
    header = (
        "# Restansebot's Slack app manifest, written by `restansebot slack manifest`.\n"
        "# Why each scope is there: manifests/slack/manifest.yml in the project.\n"
    )
    return header + yaml.safe_dump(manifest, sort_keys=False, allow_unicode=True, width=110)


def run_manifest_command(cli: Cli, args: argparse.Namespace) -> int:
    public_url = args.public_url or cli.settings.public_url
    if public_url and not public_url.startswith(("https://", "http://")):
        raise UserError(f"--public-url må begynne med https:// (fikk «{public_url}»).")
    text = dump(fill_in(load_manifest(), public_url, socket_mode=args.socket_mode))
    if public_url and public_url.startswith("http://") and not args.socket_mode:
        print("Merk: Slack krever https:// for adresser utenfor testmiljøer.", file=sys.stderr)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
        print(f"Skrev Slack-manifestet til {args.output}.", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0
