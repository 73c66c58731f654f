"""Slack's error codes as DeliveryError: permanent (trying again cannot help) or not, with a reason for the arkiv."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import aiohttp
from slack_sdk.errors import SlackApiError

from bot.delivery.port import DeliveryError
from bot.texts import Texts

AUTH = frozenset({
    "invalid_auth", "not_authed", "token_revoked", "token_expired", "account_inactive", "org_login_required",
    "team_access_not_granted", "ekm_access_denied", "not_allowed_token_type",
})  # fmt: skip
USER_GONE = frozenset(
    {"users_not_found", "user_not_found", "user_disabled", "user_not_visible", "cannot_dm_bot"}
)
CHANNEL = frozenset(
    {"channel_not_found", "not_in_channel", "is_archived", "restricted_action", "no_permission"}
)
REJECTED = frozenset({
    "invalid_blocks", "invalid_blocks_format", "msg_too_long", "no_text", "invalid_arguments",
    "invalid_metadata_format", "invalid_metadata_schema", "metadata_too_large", "too_many_attachments",
})  # fmt: skip


def from_slack(exc: SlackApiError, texts: Texts, *, target: str) -> DeliveryError:
    """`target` names who or what the message was for, as the arkiv knows it (a name, a channel)."""
    error = str(exc.response.get("error") or "unknown_error")
    if error == "ratelimited":
        retry_after = _retry_after(exc)
        return DeliveryError(texts("slack.rate_limited"), permanent=False, retry_after=retry_after)
    if error in AUTH:
        return DeliveryError(texts("slack.auth", error=error), permanent=True)
    if error == "missing_scope":
        needed = str(exc.response.get("needed") or "?")
        return DeliveryError(texts("slack.missing_scope", scope=needed), permanent=True)
    if error in USER_GONE:
        return DeliveryError(texts("slack.user_unreachable", who=target, error=error), permanent=True)
    if error == "not_in_channel":
        return DeliveryError(texts("slack.not_in_channel", channel=target), permanent=True)
    if error in CHANNEL:
        return DeliveryError(texts("slack.channel_unreachable", channel=target, error=error), permanent=True)
    if error in REJECTED:
        return DeliveryError(texts("slack.rejected", error=error), permanent=True)
    return DeliveryError(texts("slack.unavailable", error=error), permanent=False)


def _retry_after(exc: SlackApiError) -> float | None:
    headers = getattr(exc.response, "headers", None) or {}
    for key, value in dict(headers).items():
        if key.lower() == "retry-after":
            try:
                return float(value[0] if isinstance(value, list) else value)
            except (TypeError, ValueError):
                return None
    return None


@asynccontextmanager
async def as_delivery_errors(texts: Texts, *, target: str) -> AsyncIterator[None]:
    """Inside: every Slack or network failure comes out as a DeliveryError."""
    try:
        yield
    except SlackApiError as exc:
        raise from_slack(exc, texts, target=target) from exc
    except (TimeoutError, aiohttp.ServerDisconnectedError, aiohttp.ServerTimeoutError) as exc:
        # The request may have been received before the answer was lost.
        raise DeliveryError(
            texts("slack.unavailable", error=type(exc).__name__), permanent=False, maybe_sent=True
        ) from exc
    except (aiohttp.ClientError, OSError) as exc:
        raise DeliveryError(texts("slack.unavailable", error=type(exc).__name__), permanent=False) from exc
