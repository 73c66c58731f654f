"""The app manifest (valid against Slack's schema) and `restansebot slack manifest`; Slack's settings."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from adapters.slack.config import DEFAULT_API_URL, api_url, configured, load_config
from adapters.slack.manifest import MANIFEST, fill_in, load_manifest
from bot.cli import build_parser, main
from restanse_core.errors import UserError

REPO = Path(__file__).resolve().parents[3]
SCHEMA = REPO.parent / "shared" / "manifest-schemas" / "slack-manifest.schema.1.0.0.json"


def _validate(manifest: dict) -> None:
    if not SCHEMA.is_file():
        pytest.skip(
            f"Slack's manifest schema is not here ({SCHEMA}): the shared folder beside the project is absent"
        )
    import jsonschema

    jsonschema.validate(manifest, json.loads(SCHEMA.read_text(encoding="utf-8")))


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as done:
        main(list(argv))
    out, err = capsys.readouterr()
    return int(done.value.code or 0), out, err


def test_the_manifest_in_the_repository_is_valid() -> None:
    assert MANIFEST == REPO / "manifests" / "slack" / "manifest.yml"
    _validate(load_manifest())


def test_the_manifest_asks_for_the_scopes_and_events_the_features_need() -> None:
    manifest = load_manifest()
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    assert scopes == {
        "app_mentions:read", "chat:write", "commands", "im:history", "im:write", "users:read", "users:read.email",
        "files:read", "files:write",
    }  # fmt: skip
    assert set(manifest["settings"]["event_subscriptions"]["bot_events"]) == {
        "app_home_opened",
        "app_mention",
        "message.im",
    }
    assert manifest["features"]["slash_commands"][0]["command"] == "/restanser"
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True
    assert manifest["settings"]["interactivity"]["is_enabled"] is True
    for line in MANIFEST.read_text(encoding="utf-8").splitlines():  # every scope says why it is there
        if line.strip().startswith("- ") and any(
            line.strip() == f"- {s}" or line.strip().startswith(f"- {s} ") for s in scopes
        ):
            assert "#" in line, line


def test_slack_manifest_fills_in_the_public_url(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "slack", "manifest", "--public-url", "https://restansebot.verdal.kommune.no/")
    assert code == 0
    manifest = yaml.safe_load(out)
    url = "https://restansebot.verdal.kommune.no/slack/events"
    assert manifest["settings"]["event_subscriptions"]["request_url"] == url
    assert manifest["settings"]["interactivity"]["request_url"] == url
    assert manifest["features"]["slash_commands"][0]["url"] == url
    assert manifest["settings"]["socket_mode_enabled"] is False
    assert "example.no" not in out
    _validate(manifest)


def test_slack_manifest_for_socket_mode_has_no_urls(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "slack.yml"
    code, _, _ = _run(capsys, "slack", "manifest", "--socket-mode", "--output", str(target))
    assert code == 0
    manifest = yaml.safe_load(target.read_text(encoding="utf-8"))
    assert manifest["settings"]["socket_mode_enabled"] is True
    assert "request_url" not in manifest["settings"]["event_subscriptions"]
    assert "url" not in manifest["features"]["slash_commands"][0]
    _validate(manifest)


def test_slack_manifest_without_an_address_says_what_is_missing(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("RESTANSEBOT_PUBLIC_URL", raising=False)
    code, _, err = _run(capsys, "slack", "manifest")
    assert code == 2
    assert "--public-url" in err


def test_fill_in_leaves_the_template_alone() -> None:
    template = load_manifest()
    fill_in(template, "https://a.example")
    assert template == load_manifest()


def test_serve_has_the_socket_mode_option() -> None:
    args = build_parser().parse_args(["serve", "--slack-socket-mode"])
    assert args.slack_socket_mode is True
    assert build_parser().parse_args(["serve"]).slack_socket_mode is False


def test_the_api_url_gets_its_trailing_slash() -> None:
    assert api_url({}) == DEFAULT_API_URL == "https://slack.com/api/"
    assert api_url({"RESTANSEBOT_SLACK_API_URL": "http://127.0.0.1:9/api"}) == "http://127.0.0.1:9/api/"
    assert api_url({"RESTANSEBOT_SLACK_API_URL": "http://127.0.0.1:9/api/"}) == "http://127.0.0.1:9/api/"


def test_a_bot_token_is_enough_to_send_and_a_way_in_is_needed_to_answer() -> None:
    assert not configured({})
    assert configured({"SLACK_BOT_TOKEN": "xoxb-1"})  # enough to send
    assert not configured({"SLACK_SIGNING_SECRET": "s", "SLACK_APP_TOKEN": "xapp-1"})
    assert not load_config({"SLACK_BOT_TOKEN": "xoxb-1"}).receives
    assert load_config({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s"}).receives
    both = {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1"}
    assert load_config(both, {"slack_socket_mode": True}).receives


def test_missing_or_wrong_slack_settings_are_explained() -> None:
    with pytest.raises(UserError, match="SLACK_APP_TOKEN"):
        load_config({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s"}, {"slack_socket_mode": True})
    with pytest.raises(UserError, match="--slack-socket-mode"):
        load_config({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1"})
    with pytest.raises(UserError, match="RESTANSEBOT_SLACK_PACE_SECONDS"):
        load_config(
            {"SLACK_BOT_TOKEN": "x", "SLACK_SIGNING_SECRET": "s", "RESTANSEBOT_SLACK_PACE_SECONDS": "fast"}
        )


def test_the_settings_never_show_the_secrets() -> None:
    config = load_config({"SLACK_BOT_TOKEN": "xoxb-secret", "SLACK_SIGNING_SECRET": "sign-secret"})
    assert "secret" not in repr(config)
    assert config.pace_seconds == 1.0
