"""Who is asking, and how to reach a person: Slack user ↔ e-mail ↔ person in the directory.

users.info and users.lookupByEmail are rate-limited to about 50 calls a minute, so every answer is kept:
in memory, and in the database for the next start (writes only when something changed).

- `IdentityStore("slack")`: Slack user id → e-mail (and the initials last matched).
- `ConversationStore("slack")`: "email:<e-mail>" → {"user": user id}; "dm:<user id>" → {"channel": DM id}.

A person is matched by e-mail against the bot's directory on every request, in memory, so a changed
directory takes effect at once; someone not in it is asked about again (users.info) after a while, in
case their Slack e-mail changed.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.exc import SQLAlchemyError

from bot.identities import ConversationStore, IdentityStore, save
from bot.service import Restansebot
from restanse_core.model import Person

log = logging.getLogger("restansebot.slack")
PLATFORM = "slack"
RECHECK_UNKNOWN_SECONDS = 600.0


class IdentityUnavailable(Exception):
    """Slack could not say who a user is just now, and we did not know them from before."""


class SlackIdentities:
    def __init__(
        self,
        bot: Restansebot,
        client: AsyncWebClient,
        identities: IdentityStore | None = None,
        conversations: ConversationStore | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.bot = bot
        self.client = client
        self.identities = identities or IdentityStore(bot.engine, PLATFORM)
        self.conversations = conversations or ConversationStore(bot.engine, PLATFORM)
        self._monotonic = monotonic
        self._asked: dict[str, float] = {}  # user id → when users.info was last asked about someone unknown

    # ---- Slack user → person -------------------------------------------------------------------------------

    async def person(self, user_id: str, dm: str | None = None) -> Person | None:
        """The person behind a Slack user, or None for someone not in the directory; `dm` is the user's DM
        channel with the bot when they wrote there (stored with the rest of what we learn, in one transaction).

        Raises IdentityUnavailable when Slack cannot answer and the user is new to us."""
        known = self.identities.get(user_id)
        if known is not None:
            person = self.bot.person_by_email(known.email)
            if person is not None or not self._may_ask_again(user_id):
                self._remember(user_id, known.email, person, dm)
                return person
        try:
            email = await self._email_of(user_id)
        except IdentityUnavailable:
            if known is None:
                raise
            email = known.email  # keep what we knew
        person = self.bot.person_by_email(email)
        self._remember(user_id, email, person, dm)
        return person

    def _may_ask_again(self, user_id: str) -> bool:
        asked = self._asked.get(user_id)
        return asked is None or self._monotonic() - asked > RECHECK_UNKNOWN_SECONDS

    def _remember(self, user_id: str, email: str | None, person: Person | None, dm: str | None) -> None:
        try:
            save(
                self.bot.engine,
                self.identities.change(user_id, email, person.initials if person else None),
                self.conversations.change(f"email:{email.lower()}", {"user": user_id})
                if email and person is not None
                else None,
                self.conversations.change(f"dm:{user_id}", {"channel": dm}) if dm else None,
            )
        except SQLAlchemyError as exc:  # e.g. two replicas storing the same user at once: next time, then
            log.warning("Kunne ikke lagre Slack-identiteten %s: %s", user_id, type(exc).__name__)

    async def _email_of(self, user_id: str) -> str | None:
        """The user's e-mail as Slack shows it; None for a user who has none (or is gone, or a bot)."""
        self._asked[user_id] = self._monotonic()
        try:
            response = await self.client.users_info(user=user_id)
        except SlackApiError as exc:
            error = exc.response.get("error")
            if error in ("user_not_found", "user_not_visible"):
                return None
            log.warning("users.info for %s failed: %s", user_id, error)
            raise IdentityUnavailable(user_id) from exc
        except (TimeoutError, aiohttp.ClientError, OSError) as exc:
            log.warning("users.info for %s failed: %s", user_id, type(exc).__name__)
            raise IdentityUnavailable(user_id) from exc
        user = response.get("user") or {}
        if user.get("is_bot") or user.get("deleted"):
            return None
        email = (user.get("profile") or {}).get("email")
        return str(email).lower() if email else None

    # ---- person → Slack user and DM ----------------------------------------------------------------------------

    async def user_of(self, person: Person) -> str | None:
        """The Slack user id for a person's e-mail; None if Slack has no such user."""
        if not person.email:
            return None
        key = f"email:{person.email.lower()}"
        cached = self.conversations.get(key)
        if cached:
            return str(cached["user"])
        try:
            response = await self.client.users_lookupByEmail(email=person.email)
        except SlackApiError as exc:
            if exc.response.get("error") == "users_not_found":
                return None
            raise
        user_id = str(response["user"]["id"])
        save(
            self.bot.engine,
            self.conversations.change(key, {"user": user_id}),
            self.identities.change(user_id, person.email, person.initials),
        )
        return user_id

    def known_dm(self, user_id: str) -> str | None:
        ref = self.conversations.get(f"dm:{user_id}")
        return str(ref["channel"]) if ref else None

    def remember_dm(self, user_id: str, channel: str) -> None:
        try:
            self.conversations.put(f"dm:{user_id}", {"channel": channel})
        except SQLAlchemyError as exc:
            log.warning("Kunne ikke lagre Slack-DM-en til %s: %s", user_id, type(exc).__name__)

    async def dm(self, user_id: str) -> str:
        """The bot's direct-message channel with a user, opened once and then remembered."""
        if channel := self.known_dm(user_id):
            return channel
        response = await self.client.conversations_open(users=user_id)
        channel = str(response["channel"]["id"])
        self.remember_dm(user_id, channel)
        return channel

    def forget_user(self, person: Person) -> None:
        """After Slack says the user is gone: look them up afresh next time."""
        if person.email:
            self.conversations.put(f"email:{person.email.lower()}", {})
