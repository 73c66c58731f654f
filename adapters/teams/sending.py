"""The sending port for Teams: direct messages and channel posts on the bot's own initiative.

A direct message continues the person's stored 1:1 conversation, or creates one first and then sends (the
SDK's create-with-handler path fails in 1.9.0, and its adapter-level create asks for a token even in anonymous
mode; here the channel service client factory is told when to be anonymous). Every failure becomes a
DeliveryError that says whether trying again can help, with a reason the arkiv can act on.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

import aiohttp
from microsoft_agents.activity import (
    Activity,
    ChannelAccount,
    ConversationAccount,
    ConversationParameters,
)
from microsoft_agents.hosting.core import ChannelServiceClientFactoryBase
from microsoft_agents.hosting.core.authorization import AuthenticationConstants, ClaimsIdentity
from microsoft_agents.hosting.core.connector import ConnectorClientBase

from adapters.teams import cards
from adapters.teams.config import TeamsConfig, while_someone_waits
from adapters.teams.references import Reference, References
from adapters.teams.retry import GaveUp, with_retries
from bot.delivery.pacing import Pacer
from bot.delivery.port import DeliveryError, Mail, Sent
from bot.replies import Reply
from bot.texts import Texts
from restanse_core.model import Person

log = logging.getLogger("restansebot.teams")
T = TypeVar("T")
CLIENT_LIFETIME = 600.0  # seconds a connector client (and the token in it) is reused
RETIRED_GRACE = 60.0  # seconds a replaced client stays open for requests still using it


class TeamsSender:
    """Implements bot.delivery.port.Sender for Teams."""

    platform = "teams"

    def __init__(
        self,
        *,
        references: References,
        factory: ChannelServiceClientFactoryBase,
        config: TeamsConfig,
        texts: Texts,
        pacer: Pacer | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.references = references
        self.factory = factory
        self.config = config
        self.texts = texts
        self.pacer = pacer or Pacer(config.pacing.rates)
        self._sleep = sleep
        self._clients: dict[str, tuple[ConnectorClientBase, float]] = {}
        self._retired: list[tuple[ConnectorClientBase, float]] = []
        self._lock = asyncio.Lock()

    # ---- the port -----------------------------------------------------------------------------------

    async def can_reach(self, person: Person) -> bool:
        ref = self.references.for_email(person.email)
        return ref is not None and ref.installed

    async def send_direct(
        self, person: Person, reply: Reply, *, ref: str, proactive: bool = True, mail: Mail | None = None
    ) -> Sent:
        """`mail`, the e-mail rendition, is not for chat: the reply is rendered for the platform."""
        if not person.email:
            raise DeliveryError(self.texts("teams.no_email"), permanent=True)
        user = self.references.for_email(person.email)
        if user is None:
            raise DeliveryError(self.texts("teams.not_installed"), permanent=True)
        return await self.send_to_user(user, reply, proactive=proactive)

    async def post_channel(self, channel: str, reply: Reply, *, ref: str) -> Sent:
        target = self.references.channel(channel)
        team = self.references.get(f"team:{target.team_id}") if target and target.team_id else None
        if target is None or not target.installed or (team is not None and not team.installed):
            raise DeliveryError(self.texts("teams.channel_unknown", channel=channel), permanent=True)
        try:
            return await self._send(target, target.conversation_id or channel, cards.for_channel(reply), True)
        except aiohttp.ClientResponseError as exc:
            raise self._error(exc, channel=channel) from None

    async def was_sent(self, person: Person | None, channel: str | None, ref: str) -> bool | None:
        """Teams has no way to look for a message by our reference: the outbox marks it uncertain."""
        return None

    # ---- a person's 1:1 -----------------------------------------------------------------------------

    async def send_to_user(self, user: Reference, reply: Reply, *, proactive: bool) -> Sent:
        """Continue the stored 1:1 with this user, or create one first; then send."""
        if not user.installed:
            raise DeliveryError(self.texts("teams.uninstalled"), permanent=True)
        assert user.user_id is not None
        conversation = user.conversation_id or await self._create_conversation(user, proactive)
        try:
            return await self._send(user, conversation, reply, proactive)
        except aiohttp.ClientResponseError as exc:
            if exc.status == 404 and user.conversation_id:
                # The stored 1:1 is gone: make a new one, once.
                self.references.forget_conversation(user.user_id)
                conversation = await self._create_conversation(user, proactive)
                try:
                    return await self._send(user, conversation, reply, proactive)
                except aiohttp.ClientResponseError as again:
                    exc = again
            if exc.status == 403:
                self.references.set_installed(f"user:{user.user_id}", False)
            raise self._error(exc) from None

    async def _send(self, target: Reference, conversation: str, reply: Reply, paced: bool) -> Sent:
        activity = self._activity(reply, target, conversation)
        response = await self._call(
            target,
            conversation,
            lambda c: c.conversations.send_to_conversation(conversation, activity),
            paced,
        )
        return Sent(self.platform, conversation, response.id or None)

    async def _create_conversation(self, user: Reference, proactive: bool) -> str:
        assert user.user_id is not None
        parameters = ConversationParameters(
            is_group=False, bot=ChannelAccount(id=user.bot_id), members=[ChannelAccount(id=user.user_id)]
        )
        if user.tenant_id:
            parameters.tenant_id = user.tenant_id
            parameters.channel_data = {"tenant": {"id": user.tenant_id}}
        try:
            created = await self._call(
                user, None, lambda c: c.conversations.create_conversation(parameters), proactive
            )
        except aiohttp.ClientResponseError as exc:
            if exc.status == 403:
                self.references.set_installed(f"user:{user.user_id}", False)
            raise self._error(exc) from None
        if not created.id:
            raise DeliveryError(self.texts("teams.unavailable", detail="ingen samtale-id"), permanent=False)
        self.references.set_conversation(user.user_id, created.id)
        return created.id

    # ---- plumbing -----------------------------------------------------------------------------------

    def _activity(self, reply: Reply, target: Reference, conversation: str) -> Activity:
        activity = cards.message(reply)
        activity.from_property = ChannelAccount(id=target.bot_id)
        activity.conversation = ConversationAccount(id=conversation, tenant_id=target.tenant_id or None)
        return activity

    async def _client(self, service_url: str) -> ConnectorClientBase:
        cached = self._clients.get(service_url)
        if cached and time.monotonic() - cached[1] < CLIENT_LIFETIME:
            return cached[0]
        async with self._lock:
            cached = self._clients.get(service_url)
            if cached and time.monotonic() - cached[1] < CLIENT_LIFETIME:
                return cached[0]
            await self._retire(service_url)
            app_id = self.config.client_id or ""
            claims = ClaimsIdentity({"aud": app_id, "appid": app_id}) if app_id else ClaimsIdentity()
            client = await self.factory.create_connector_client(
                None,
                claims,
                service_url,
                AuthenticationConstants.AGENTS_SDK_SCOPE,
                use_anonymous=self.config.anonymous,
            )
            self._clients[service_url] = (client, time.monotonic())
            return client

    async def _retire(self, service_url: str) -> None:
        """Stop handing out this URL's client; close it once requests still using it have had time to finish."""
        now = time.monotonic()
        if cached := self._clients.pop(service_url, None):
            self._retired.append((cached[0], now))
        still_open = []
        for client, since in self._retired:
            if now - since > RETIRED_GRACE:
                await client.close()
            else:
                still_open.append((client, since))
        self._retired = still_open

    async def _call(
        self,
        target: Reference,
        conversation: str | None,
        request: Callable[[ConnectorClientBase], Awaitable[T]],
        paced: bool,
    ) -> T:
        """One Bot Framework request: paced (proactive sends only), retried when Teams asks, re-authenticated once."""

        async def attempt() -> T:
            if paced:
                await self.pacer.wait(tenant=target.tenant_id, conversation=conversation)
            try:
                client = await self._client(target.service_url)
            except Exception as exc:  # token acquisition: MSAL raises ValueError and friends
                log.error("Fikk ikke token for Teams (%s)", type(exc).__name__)
                raise DeliveryError(self.texts("teams.auth_failed"), permanent=False) from None
            return await request(client)

        # The monthly fan-out can wait for Teams; a private answer to a question asked in a channel cannot.
        policy = self.config.retry if paced else while_someone_waits(self.config.retry)
        for tries in (1, 2):
            try:
                return await with_retries(attempt, policy, sleep=self._sleep)
            except aiohttp.ClientResponseError as exc:
                if exc.status == 401 and tries == 1:
                    async with self._lock:  # an expired or revoked token: fetch a new one, once
                        await self._retire(target.service_url)
                    continue
                if exc.status == 401:
                    raise DeliveryError(self.texts("teams.auth_failed"), permanent=False) from None
                raise
            except ValueError:  # a response the SDK's models do not accept
                log.error("Teams svarte noe boten ikke forsto")
                raise DeliveryError(
                    self.texts("teams.unavailable", detail="uventet svar"), permanent=False
                ) from None
            except GaveUp as exc:
                lost_answer = isinstance(exc.cause, asyncio.TimeoutError | aiohttp.ServerDisconnectedError)
                raise DeliveryError(
                    self.texts("teams.busy", status=exc.status or type(exc.cause).__name__),
                    permanent=False,
                    retry_after=exc.retry_after,
                    maybe_sent=lost_answer,  # a timeout may come after Teams took the message
                ) from None
        raise AssertionError("unreachable")

    def _error(self, exc: aiohttp.ClientResponseError, *, channel: str | None = None) -> DeliveryError:
        if exc.status == 403:
            return DeliveryError(
                self.texts("teams.channel_forbidden" if channel else "teams.forbidden"), permanent=True
            )
        if exc.status == 404 and channel:
            return DeliveryError(self.texts("teams.channel_unknown", channel=channel), permanent=True)
        if exc.status in (400, 404, 413):
            return DeliveryError(self.texts("teams.rejected", status=exc.status), permanent=True)
        return DeliveryError(self.texts("teams.unavailable", detail=f"HTTP {exc.status}"), permanent=False)

    async def close(self) -> None:
        for client, _ in [*self._clients.values(), *self._retired]:
            await client.close()
        self._clients.clear()
        self._retired.clear()
