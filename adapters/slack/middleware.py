"""Bolt middleware, one concern each, in the order they run (after Bolt's signature check and auth).

Each either passes the request on (`next()`) or answers Slack with an empty 200: "got it, nothing to do".
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.middleware.async_middleware import AsyncMiddleware
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse

from adapters.slack.identity import IdentityUnavailable, SlackIdentities

Next = Callable[[], Awaitable[BoltResponse]]
ASKER = "asker"  # context key: the Person asking, or None
WHO_UNKNOWN = "asker_unavailable"  # context key: True when Slack could not say who is asking

# Message subtypes that are a person writing; every other subtype is an edit, a deletion, a join, a bot...
PERSON_SUBTYPES = frozenset({None, "file_share", "thread_broadcast"})
SLACKBOT = "USLACKBOT"  # Slack's own system messages ("You have been removed from #…") in the bot's DMs


def _done() -> BoltResponse:
    return BoltResponse(status=200, body="")


class DropRetriedEvents(AsyncMiddleware):
    """Slack sends an event again when our answer was slow or lost; each event id is handled once.

    Remembers the last `size` event ids, in memory: retries come within minutes."""

    def __init__(self, size: int = 10_000) -> None:
        self.size = size
        self._seen: OrderedDict[str, None] = OrderedDict()

    async def async_process(
        self, *, req: AsyncBoltRequest, resp: BoltResponse, next: Next
    ) -> BoltResponse | None:
        event_id = req.body.get("event_id")
        if not event_id:
            return await next()
        if event_id in self._seen:
            return _done()
        self._seen[event_id] = None
        if len(self._seen) > self.size:
            self._seen.popitem(last=False)
        return await next()


class IgnoreNonPersonMessages(AsyncMiddleware):
    """Only what a person wrote is a question: not bots (ours included), Slackbot, edits, deletions or joins."""

    async def async_process(
        self, *, req: AsyncBoltRequest, resp: BoltResponse, next: Next
    ) -> BoltResponse | None:
        event: dict[str, Any] = req.body.get("event") or {}
        if event.get("type") in ("message", "app_mention") and (
            event.get("bot_id")
            or event.get("subtype") not in PERSON_SUBTYPES
            or event.get("user") == SLACKBOT
        ):
            return _done()
        return await next()


class ResolveAsker(AsyncMiddleware):
    """Puts the person behind the Slack user in the context (`context["asker"]`, None if unknown).

    When Slack cannot say who a new user is, the request still goes on, marked, so that the answer can say
    "try again" rather than "you are not in the directory"."""

    def __init__(self, identities: SlackIdentities) -> None:
        self.identities = identities

    async def async_process(
        self, *, req: AsyncBoltRequest, resp: BoltResponse, next: Next
    ) -> BoltResponse | None:
        user_id = req.context.user_id
        req.context[ASKER] = None
        if user_id:
            try:
                req.context[ASKER] = await self.identities.person(user_id, _dm_channel(req.body))
            except IdentityUnavailable:
                req.context[WHO_UNKNOWN] = True
        return await next()


def is_direct(event: dict[str, Any]) -> bool:
    """A message in a DM with the bot: Slack says channel_type "im"; DM channel ids start with D."""
    kind = event.get("channel_type")
    return kind == "im" if kind else str(event.get("channel", "")).startswith("D")


def _dm_channel(body: dict[str, Any]) -> str | None:
    """The DM channel of a message written to the bot in its DM (stored with the writer's identity)."""
    event = body.get("event") or {}
    if event.get("type") == "message" and event.get("channel") and is_direct(event):
        return str(event["channel"])
    return None
