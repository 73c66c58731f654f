"""Who is asking: the Teams user → e-mail or UPN from the member look-up → the person in the directory.

The look-up goes through hosting-core's Teams connector client (`get_conversation_member`) once per user; the
answer is kept in memory and in the database (`IdentityStore`), so an ordinary question costs no look-up and
no write. The person itself is found by e-mail every time, in the bot's in-memory directory, so a directory
update is seen without asking Teams again.

With `deliveryMode: expectReplies` (Microsoft's test tools, and agents calling agents) the SDK makes no
connector client, since the answers go back in the HTTP response. A new user is then looked up the same way
through the activity's serviceUrl, with a connector client made for that one call by the adapter's own client
factory (same credentials, same host check), so they are recognised exactly as in an ordinary turn.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import aiohttp
from microsoft_agents.hosting.core import (
    AuthenticationConstants,
    ChannelAdapter,
    ChannelServiceClientFactoryBase,
    TurnContext,
)
from microsoft_agents.hosting.core.connector import ConnectorClientBase
from microsoft_agents.hosting.core.connector.teams import TeamsConnectorClient

from adapters.teams.config import Retry
from adapters.teams.references import References, team_id_of
from adapters.teams.retry import GaveUp, with_retries
from bot.identities import Identity, IdentityStore
from bot.service import Restansebot
from bot.sources import fill_login_from_upn
from restanse_core.model import Person

log = logging.getLogger("restansebot.teams")
FAILED_LOOKUP_PAUSE = 600.0  # seconds before asking Teams again about a user it could not tell us about


class TeamsPeople:
    def __init__(
        self,
        bot: Restansebot,
        identities: IdentityStore,
        references: References,
        retry: Retry,
        factory: ChannelServiceClientFactoryBase,
    ) -> None:
        self.bot = bot
        self.identities = identities
        self.references = references
        self.retry = retry
        self.factory = factory
        self._failed: dict[str, float] = {}  # user id → when a look-up last failed (memory only)

    def person(self, identity: Identity) -> Person | None:
        found = self.bot.person_by_email(identity.email)
        if found is None and identity.initials:
            found = self.bot.person(identity.initials)
        return found

    async def asker(self, context: TurnContext) -> Person | None:
        """The person behind the activity's sender, or None for someone the directory does not know."""
        user = context.activity.from_property
        if user is None or not user.id:
            return None
        identity = self.identities.get(user.id)
        if identity is None:
            identity = await self.look_up(context, user.id)
        return self.person(identity) if identity else None

    async def look_up(self, context: TurnContext, user_id: str) -> Identity | None:
        """Ask Teams for the member's e-mail/UPN and remember the answer."""
        failed_at = self._failed.get(user_id)
        if failed_at is not None and time.monotonic() - failed_at < FAILED_LOOKUP_PAUSE:
            return None
        connector = context.services.get(ConnectorClientBase)  # type: ignore[type-abstract]  # as the SDK does
        if connector is None:
            async with self._connector_for(context) as own:
                return await self._ask(context, own, user_id)
        return await self._ask(context, connector, user_id)

    @asynccontextmanager
    async def _connector_for(self, context: TurnContext) -> AsyncIterator[ConnectorClientBase | None]:
        """A connector client for this turn's serviceUrl, made as the SDK makes one for an ordinary turn."""
        identity, service_url = context.identity, context.activity.service_url
        if identity is None or not service_url:
            yield None
            return
        audience = str(
            context.turn_state.get(ChannelAdapter.OAUTH_SCOPE_KEY) or AuthenticationConstants.AGENTS_SDK_SCOPE
        )
        connector = await self.factory.create_connector_client(
            context, identity, service_url, audience, identity.get_token_scope(), identity.allow_anonymous
        )
        try:
            yield connector
        finally:
            await connector.close()

    async def _ask(self, context: TurnContext, connector: object, user_id: str) -> Identity | None:
        if not isinstance(connector, TeamsConnectorClient):
            return None
        # In a team channel the member is looked up in the team; elsewhere in the conversation itself.
        where = team_id_of(context.activity) or context.activity.conversation.id
        try:
            member = await with_retries(lambda: connector.get_conversation_member(where, user_id), self.retry)
        except (aiohttp.ClientError, TimeoutError, GaveUp, ValueError) as exc:
            log.warning("Fant ikke Teams-medlemmet (medlemsoppslag: %s)", _reason(exc))
            self._failed[user_id] = time.monotonic()
            return None
        addresses = [a.strip().lower() for a in (member.email, member.user_principal_name) if a and a.strip()]
        if not addresses:
            self._failed[user_id] = time.monotonic()
            return None
        matched = next((a for a in addresses if self.bot.person_by_email(a)), addresses[0])
        person = self.bot.person_by_email(matched)
        self.references.set_email(
            user_id, matched, self.identities.change(user_id, matched, person.initials if person else None)
        )
        self._failed.pop(user_id, None)
        if person is not None and not person.login and member.user_principal_name:
            self._login_from_upn(person, member.user_principal_name)
        return self.identities.get(user_id)

    def _login_from_upn(self, person: Person, upn: str) -> None:
        """With `<source>_login_from = "upn"` (e.g. p360_login_from), the UPN is the person's login in the
        records system: filled where the directory has none, so they can write off from the chat."""
        records = self.bot.records
        if records is None:
            return
        if fill_login_from_upn(records.engine, records.settings, records.env, person.initials, upn):
            log.info("Brukernavnet til %s er hentet fra Teams (UPN)", person.initials)


def _reason(exc: BaseException) -> str:
    if isinstance(exc, aiohttp.ClientResponseError):
        return f"HTTP {exc.status}"
    if isinstance(exc, GaveUp):
        return f"ga opp etter HTTP {exc.status}" if exc.status else "ga opp"
    return type(exc).__name__
