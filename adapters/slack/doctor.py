"""`restansebot doctor` for Slack: the token Slack accepts, the settings that belong together, an https address."""

from __future__ import annotations

from collections.abc import Mapping

from adapters.slack.config import EVENTS_PATH, api_url
from bot.doctor import Finding, Severity


async def check(env: Mapping[str, str], public_url: str) -> list[Finding]:
    token = env.get("SLACK_BOT_TOKEN")
    partial = [key for key in ("SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN") if env.get(key)]
    if not token:
        if not partial:
            return []
        return [
            Finding(
                Severity.BLOCKING,
                f"Slack: {' og '.join(partial)} er satt, men SLACK_BOT_TOKEN mangler – uten det kan boten "
                "verken svare eller sende i Slack.",
                "Kopier «Bot User OAuth Token» (xoxb-…) fra Slack-appen (OAuth & Permissions) til SLACK_BOT_TOKEN.",
            )
        ]
    # The SDK (and aiohttp under it) only where Slack is set up: doctor checks every installed platform.
    from slack_sdk.errors import SlackApiError
    from slack_sdk.web.async_client import AsyncWebClient

    findings = []
    client = AsyncWebClient(token=token, base_url=api_url(env), timeout=10)
    try:
        auth = await client.auth_test()
        findings.append(
            Finding(
                Severity.OK,
                f"Slack godtar bot-tokenet (arbeidsområde {auth.get('team')}, bot {auth.get('user')}).",
            )
        )
    except SlackApiError as exc:
        findings.append(
            Finding(
                Severity.BLOCKING,
                f"Slack avviser bot-tokenet ({exc.response.get('error')}).",
                "Installer appen på nytt i arbeidsområdet og kopier det nye tokenet til SLACK_BOT_TOKEN.",
            )
        )
    except OSError as exc:
        findings.append(
            Finding(
                Severity.BLOCKING,
                f"Får ikke kontakt med Slack ({api_url(env)}): {type(exc).__name__}.",
                "Sjekk at serveren når slack.com (brannmur, mellomtjener).",
            )
        )
    if env.get("SLACK_SIGNING_SECRET") and not public_url.startswith("https://"):
        findings.append(
            Finding(
                Severity.BLOCKING,
                f"Slack sender bare til https-adresser, men den offentlige adressen er {public_url}.",
                f"Sett RESTANSEBOT_PUBLIC_URL til https-adressen der {EVENTS_PATH} nås (bak omvendt mellomtjener), "
                "eller bruk Socket Mode.",
            )
        )
    return findings
