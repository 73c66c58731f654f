"""The bot's sending port for Slack: direct messages to people, posts to channels, and "was it sent?".

Every message carries the outbox reference in its metadata, so after a crash mid-send `was_sent` can look
for it in the bot's direct-message history (needs the im:history scope). A chart the reply has as a local
file is uploaded into the same conversation right after the message (see `upload.py`).
"""

from __future__ import annotations

from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.errors import as_delivery_errors
from adapters.slack.identity import SlackIdentities
from adapters.slack.render import render
from adapters.slack.upload import split_upload, upload
from bot.delivery.pacing import Pacer
from bot.delivery.port import DeliveryError, Mail, Sent
from bot.replies import Reply
from bot.texts import Texts
from restanse_core.model import Person

EVENT_TYPE = "restansebot_outbox"
HISTORY_PAGES = 5  # was_sent looks at the newest 5 × 200 messages of a DM
HISTORY_PAGE_SIZE = 200


def metadata(ref: str) -> dict[str, Any]:
    return {"event_type": EVENT_TYPE, "event_payload": {"ref": ref}}


def carries_ref(message: dict[str, Any], ref: str) -> bool:
    meta = message.get("metadata") or {}
    return meta.get("event_type") == EVENT_TYPE and (meta.get("event_payload") or {}).get("ref") == ref


class SlackSender:
    platform = "slack"

    def __init__(
        self, client: AsyncWebClient, identities: SlackIdentities, texts: Texts, pacer: Pacer
    ) -> None:
        self.client = client
        self.identities = identities
        self.texts = texts
        self.pacer = pacer
        self._own_session: aiohttp.ClientSession | None = None

    def _open(self) -> None:
        """One HTTP session for all calls; inside the server the adapter has set one up already."""
        if self.client.session is None:
            self._own_session = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=self.client.timeout)
            )
            self.client.session = self._own_session

    async def close(self) -> None:
        """Close the HTTP session this sender opened itself (the standalone sender of `nudges send`)."""
        if self._own_session is not None:
            await self._own_session.close()
            if self.client.session is self._own_session:
                self.client.session = None
            self._own_session = None

    def _more(self, n: int) -> str:
        return self.texts("common.more", n=n)

    async def can_reach(self, person: Person) -> bool:
        """Whether Slack has a user with the person's e-mail. Raises DeliveryError if Slack cannot say now."""
        self._open()
        try:
            async with as_delivery_errors(self.texts, target=person.name):
                return await self.identities.user_of(person) is not None
        except DeliveryError as exc:
            if exc.permanent:
                return False
            raise

    async def send_direct(
        self, person: Person, reply: Reply, *, ref: str, proactive: bool = True, mail: Mail | None = None
    ) -> Sent:
        """`mail`, the e-mail rendition, is not for chat: the reply is rendered for the platform."""
        target = f"{person.name} ({person.initials})"
        if not person.email:
            raise DeliveryError(self.texts("slack.no_email", who=target), permanent=True)
        self._open()
        async with as_delivery_errors(self.texts, target=target):
            user = await self.identities.user_of(person)
            if user is None:
                raise DeliveryError(
                    self.texts("slack.no_user", who=target, email=person.email), permanent=True
                )
            channel = await self.identities.dm(user)
            if proactive:
                await self.pacer.wait(channel=channel)
            try:
                return await self._post(channel, reply, ref, paced=proactive)
            except SlackApiError as exc:
                if exc.response.get("error") in ("channel_not_found", "user_disabled"):
                    self.identities.forget_user(person)  # look the person up afresh next month
                raise

    async def post_channel(self, channel: str, reply: Reply, *, ref: str) -> Sent:
        """A channel gets only what anyone may read there: sensitive blocks never leave."""
        public = reply.without_sensitive()
        self._open()
        async with as_delivery_errors(self.texts, target=channel):
            await self.pacer.wait(channel=channel)
            return await self._post(channel, public, ref, use_summary=not reply.has_sensitive)

    async def _post(
        self, channel: str, reply: Reply, ref: str, *, use_summary: bool = True, paced: bool = True
    ) -> Sent:
        """The message, then its chart as a file where the reply has one (instead of an image block)."""
        reply, chart = split_upload(reply)
        message = render(reply, more=self._more, use_summary=use_summary)
        try:
            response = await self.client.chat_postMessage(
                channel=channel, metadata=metadata(ref), **message.as_kwargs()
            )
        except SlackApiError as exc:
            # Slack refuses the whole message when it cannot fetch an image (the chart): send it with a link.
            if exc.response.get("error") != "invalid_blocks" or not any(
                b["type"] == "image" for b in message.blocks
            ):
                raise
            message = render(reply, more=self._more, use_summary=use_summary, images=False)
            response = await self.client.chat_postMessage(
                channel=channel, metadata=metadata(ref), **message.as_kwargs()
            )
        sent = Sent(self.platform, str(response.get("channel") or channel), response.get("ts"))
        if chart is not None:
            if paced:
                await self.pacer.wait(
                    channel=sent.conversation
                )  # the file is a second message in the conversation
            await upload(self.client, sent.conversation, chart)
        return sent

    async def was_sent(self, person: Person | None, channel: str | None, ref: str) -> bool | None:
        """Looks in the person's DM with the bot. A channel's history is not read (no channels:history): None.

        Raises DeliveryError when Slack cannot answer now; None when it never can (e.g. a missing scope)."""
        if person is None:
            return None
        target = f"{person.name} ({person.initials})"
        self._open()
        try:
            async with as_delivery_errors(self.texts, target=target):
                user = await self.identities.user_of(person)
                if user is None:
                    return False
                return await self._in_history(await self.identities.dm(user), ref)
        except DeliveryError as exc:
            if exc.permanent:
                return None
            raise

    async def _in_history(self, channel: str, ref: str) -> bool:
        cursor: str | None = None
        for _ in range(HISTORY_PAGES):
            response = await self.client.conversations_history(
                channel=channel, include_all_metadata=True, limit=HISTORY_PAGE_SIZE, cursor=cursor
            )
            if any(carries_ref(m, ref) for m in response.get("messages") or []):
                return True
            cursor = (response.get("response_metadata") or {}).get("next_cursor") or None
            if not response.get("has_more") or not cursor:
                break
        return False
