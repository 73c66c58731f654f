"""Slack settings, from Slack's usual environment variables and the serve options."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from restanse_core.errors import UserError

DEFAULT_API_URL = "https://slack.com/api/"
EVENTS_PATH = "/slack/events"  # Events API, slash commands and interactivity
DEFAULT_PACE_SECONDS = 1.0
DEFAULT_FILE_HOSTS = "files.slack.com"  # the bot token is sent to these hosts only  # Slack allows about one message per second per channel


@dataclass(frozen=True)
class SlackConfig:
    bot_token: str
    signing_secret: str | None
    app_token: str | None
    api_url: str = DEFAULT_API_URL
    socket_mode: bool = False
    pace_seconds: float = DEFAULT_PACE_SECONDS
    file_hosts: tuple[str, ...] = (DEFAULT_FILE_HOSTS,)  # where files shared with the bot may be fetched

    @property
    def pacing(self) -> dict[str, float]:
        """For the shared pacer: messages per second to one channel (0 = not paced)."""
        return {"channel": 1.0 / self.pace_seconds if self.pace_seconds > 0 else 0.0}

    @property
    def receives(self) -> bool:
        """Whether Slack can reach the bot: on /slack/events (signed) or over Socket Mode."""
        return bool(self.signing_secret) or self.socket_mode

    def __repr__(self) -> str:  # never show the secrets, not even in a traceback
        return (
            f"SlackConfig(api_url={self.api_url!r}, socket_mode={self.socket_mode}, pace={self.pace_seconds})"
        )


def configured(env: Mapping[str, str]) -> bool:
    """A bot token is enough to send; answering needs a signing secret (HTTP) or Socket Mode besides."""
    return bool(env.get("SLACK_BOT_TOKEN"))


def api_url(env: Mapping[str, str]) -> str:
    """The Web API base URL as slack_sdk takes it: ending in a slash."""
    url = (env.get("RESTANSEBOT_SLACK_API_URL") or DEFAULT_API_URL).strip()
    return url if url.endswith("/") else url + "/"


def load_config(
    env: Mapping[str, str], options: Mapping[str, Any] | None = None, *, receiving: bool = True
) -> SlackConfig:
    """Slack's settings. Without a signing secret and Socket Mode the bot only sends (nothing to verify
    requests with); `receiving=False` for the sending port alone (`nudges send`)."""
    options = options or {}
    socket_mode = bool(options.get("slack_socket_mode"))
    signing_secret = env.get("SLACK_SIGNING_SECRET") or None
    app_token = env.get("SLACK_APP_TOKEN") or None
    if not env.get("SLACK_BOT_TOKEN"):
        raise UserError("SLACK_BOT_TOKEN mangler (bot-tokenet fra Slack-appen, xoxb-…).")
    if receiving and socket_mode and not app_token:
        raise UserError(
            "--slack-socket-mode trenger SLACK_APP_TOKEN (et app-nivå-token som begynner med xapp-)."
        )
    if receiving and app_token and not socket_mode and not signing_secret:
        raise UserError(
            "SLACK_APP_TOKEN er satt, men ikke SLACK_SIGNING_SECRET: start med --slack-socket-mode "
            "(eller sett SLACK_SIGNING_SECRET for å ta imot på /slack/events)."
        )
    pace = env.get("RESTANSEBOT_SLACK_PACE_SECONDS", "").strip()
    try:
        pace_seconds = float(pace) if pace else DEFAULT_PACE_SECONDS
    except ValueError:
        raise UserError(
            f"RESTANSEBOT_SLACK_PACE_SECONDS må være et tall (sekunder), ikke «{pace}»."
        ) from None
    if pace_seconds < 0:
        raise UserError("RESTANSEBOT_SLACK_PACE_SECONDS kan ikke være negativ.")
    return SlackConfig(
        bot_token=env["SLACK_BOT_TOKEN"],
        signing_secret=signing_secret,
        app_token=app_token,
        api_url=api_url(env),
        socket_mode=socket_mode,
        pace_seconds=pace_seconds,
        file_hosts=tuple(
            h.strip()
            for h in (env.get("RESTANSEBOT_SLACK_FILE_HOSTS") or DEFAULT_FILE_HOSTS).split(",")
            if h.strip()
        ),
    )
