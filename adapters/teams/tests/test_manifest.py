"""The Teams app package: a manifest Teams accepts (schema v1.30), icons of the sizes Teams demands."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from PIL import Image

from adapters.teams.manifest import MANIFEST_DIR, build_manifest, dumps, placeholder_manifest
from bot.cli import main
from bot.texts import Texts

REPO = Path(__file__).resolve().parents[3]
SCHEMA = REPO.parent / "shared" / "manifest-schemas" / "teams-v1.30.schema.json"
APP_ID = "8d1c2b3a-4e5f-4a6b-9c7d-0e1f2a3b4c5d"
BOT_ID = "5e6f7a8b-1111-4222-8333-944455556666"


def validate(manifest: dict) -> None:
    if not SCHEMA.is_file():
        pytest.skip(
            f"the Teams manifest schema is not here ({SCHEMA}); it lives in the shared folder beside the repo"
        )
    import jsonschema

    jsonschema.Draft4Validator(json.loads(SCHEMA.read_text(encoding="utf-8"))).validate(manifest)


def test_the_generated_manifest_is_valid_for_schema_1_30():
    manifest = build_manifest(app_id=APP_ID, bot_id=BOT_ID, public_url="https://restansebot.verdal.kommune.no/",
                              texts=Texts("nb"), developer="Verdal kommune")  # fmt: skip
    validate(manifest)
    assert manifest["manifestVersion"] == "1.30" and manifest["id"] == APP_ID
    [bot] = manifest["bots"]
    assert bot["botId"] == BOT_ID and set(bot["scopes"]) == {"personal", "team", "groupChat"}
    assert manifest["validDomains"] == ["restansebot.verdal.kommune.no"]
    assert manifest["developer"]["privacyUrl"] == "https://restansebot.verdal.kommune.no/guide"


def test_the_command_lists_offer_the_main_commands_in_every_scope():
    [bot] = placeholder_manifest()["bots"]
    scopes = [s for lst in bot["commandLists"] for s in lst["scopes"]]
    assert sorted(scopes) == ["groupChat", "personal", "team"]
    titles = [c["title"] for c in bot["commandLists"][0]["commands"]]
    assert titles == ["mine restanser", "enhet", "oversikt", "guide", "status", "hjelp"]
    enhet = bot["commandLists"][0]["commands"][1]
    assert "«enhet LMA»" in enhet["description"]


def test_the_committed_manifest_is_what_the_code_generates():
    committed = (MANIFEST_DIR / "manifest.json").read_text(encoding="utf-8")
    assert committed == dumps(placeholder_manifest()), "regenerate it: python -m adapters.teams.manifest"
    validate(json.loads(committed))


def test_the_icons_have_the_sizes_teams_requires_and_the_outline_is_white_on_transparent():
    with Image.open(MANIFEST_DIR / "color.png") as color:
        assert color.size == (192, 192)
    with Image.open(MANIFEST_DIR / "outline.png") as outline:
        assert outline.size == (32, 32) and outline.mode == "RGBA"
        data = outline.convert("RGBA").tobytes()
    pixels = [tuple(data[i : i + 4]) for i in range(0, len(data), 4)]
    visible = [p for p in pixels if p[3] > 0]
    assert visible and all(p[:3] == (255, 255, 255) for p in visible)
    assert any(p[3] == 0 for p in pixels)  # transparent background


def test_the_package_command_writes_a_zip_teams_can_upload(tmp_path, capsys):
    output = tmp_path / "restansebot.zip"
    with pytest.raises(SystemExit) as done:
        main(["--db", f"sqlite:///{tmp_path / 'db.sqlite'}", "teams", "package", "--app-id", APP_ID,
              "--bot-id", BOT_ID, "--public-url", "https://bot.example.no", "-o", str(output)])  # fmt: skip
    assert done.value.code == 0
    with zipfile.ZipFile(output) as archive:
        assert sorted(archive.namelist()) == ["color.png", "manifest.json", "outline.png"]
        manifest = json.loads(archive.read("manifest.json"))
    validate(manifest)
    assert (manifest["id"], manifest["bots"][0]["botId"], manifest["validDomains"]) == (
        APP_ID,
        BOT_ID,
        ["bot.example.no"],
    )


def test_the_package_command_refuses_an_app_id_that_is_not_a_guid(tmp_path, capsys):
    with pytest.raises(SystemExit) as done:
        main(["--db", f"sqlite:///{tmp_path / 'db.sqlite'}", "teams", "package", "--app-id", "restansebot",
              "-o", str(tmp_path / "x.zip")])  # fmt: skip
    assert done.value.code == 2 and "er ikke en GUID" in capsys.readouterr().err


def test_without_a_public_url_the_package_names_the_local_server_and_warns_about_https(
    tmp_path, capsys, monkeypatch
):
    monkeypatch.delenv("RESTANSEBOT_PUBLIC_URL", raising=False)
    output = tmp_path / "local.zip"
    with pytest.raises(SystemExit) as done:
        main(
            [
                "--db",
                f"sqlite:///{tmp_path / 'db.sqlite'}",
                "teams",
                "package",
                "--app-id",
                APP_ID,
                "-o",
                str(output),
            ]
        )
    assert done.value.code == 0 and "krever https" in capsys.readouterr().err
    with zipfile.ZipFile(output) as archive:
        manifest = json.loads(archive.read("manifest.json"))
    assert manifest["validDomains"] == ["127.0.0.1"] and manifest["bots"][0]["botId"] == APP_ID
    validate(manifest)
