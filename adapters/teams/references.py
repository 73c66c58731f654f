"""Conversation references: what the bot must remember to write to a person, a channel or a group chat later.

Kept in the database through `ConversationStore` (written only when new or changed) under these keys:
    user:<Teams user id>      a person: their 1:1 conversation once there is one, and their e-mail once known
    channel:<channel id>      a team channel the bot has seen
    team:<team id>            a team the bot is installed in (its General channel has the team's id)
    group:<conversation id>   a group chat
The message id of the latest activity is left out on purpose: it changes with every message, and storing it
would write on every question.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from typing import Any

from microsoft_agents.activity import Activity

from bot.identities import ConversationStore, Write, save
from bot.replies import Place


@dataclass(frozen=True)
class Reference:
    service_url: str
    tenant_id: str
    bot_id: str
    conversation_id: str | None = None  # None: a person the bot has no 1:1 with yet
    conversation_type: str = "personal"  # personal | channel | groupChat
    user_id: str | None = None
    aad_object_id: str | None = None
    email: str | None = None
    team_id: str | None = None
    installed: bool = True

    def to_json(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Reference:
        return cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})


def channel_data(activity: Activity) -> dict[str, Any]:
    data = activity.channel_data
    return data if isinstance(data, dict) else {}


def conversation_kind(activity: Activity) -> str:
    """personal, channel or groupChat — personal only when nothing suggests that others read along.

    Teams leaves `conversationType` out of older (and some current) channel activities, as Microsoft's own
    documented examples show; those still carry a `19:` conversation id, `isGroup` or the team and channel in
    channelData, and are read as a channel or group chat.
    """
    conversation = activity.conversation
    declared = conversation.conversation_type if conversation else None
    if declared in ("personal", "channel", "groupChat"):
        return declared
    data = channel_data(activity)
    conversation_id = (conversation.id if conversation else None) or ""
    in_team = any(data.get(key) for key in ("team", "channel", "teamsTeamId", "teamsChannelId"))
    if in_team or ";messageid=" in conversation_id:
        return "channel"
    if declared or (conversation and conversation.is_group) or conversation_id.startswith("19:"):
        return "groupChat"
    return "personal"


def place_of(activity: Activity) -> Place:
    return Place.DIRECT if conversation_kind(activity) == "personal" else Place.CHANNEL


def team_id_of(activity: Activity) -> str | None:
    team = channel_data(activity).get("team")
    return team.get("id") if isinstance(team, dict) else None


def tenant_of(activity: Activity) -> str:
    tenant = channel_data(activity).get("tenant")
    from_data = tenant.get("id") if isinstance(tenant, dict) else None
    return from_data or (activity.conversation.tenant_id if activity.conversation else None) or ""


def channel_id_of(activity: Activity) -> str | None:
    channel = channel_data(activity).get("channel")
    if isinstance(channel, dict) and channel.get("id"):
        return str(channel["id"])
    conversation = activity.conversation.id if activity.conversation else None
    return conversation.split(";", 1)[0] if conversation else None


RELOAD_AFTER = 30.0  # seconds: how stale a miss may be before the references are read again


class References:
    """Reads and records references; the reverse index e-mail → user is kept in memory.

    Several replicas may run at once, and each keeps its own copy: a person who installed the app while the
    replica that sends this month was running is found by reading the references again on a miss (at most
    every RELOAD_AFTER seconds, so a list of unreachable people does not become a stream of full reads).
    """

    def __init__(self, store: ConversationStore, clock: Callable[[], float] = time.monotonic) -> None:
        self.store = store
        self._by_email: dict[str, str] | None = None
        self._clock = clock
        self._loaded_at = clock()

    def _reload(self) -> bool:
        now = self._clock()
        if now - self._loaded_at < RELOAD_AFTER:
            return False
        self.store = ConversationStore(self.store.engine, self.store.platform)
        self._by_email = None
        self._loaded_at = now
        return True

    # ---- reading ------------------------------------------------------------------------------------

    def get(self, key: str) -> Reference | None:
        data = self.store.get(key)
        return Reference.from_json(data) if data else None

    def user(self, user_id: str) -> Reference | None:
        return self.get(f"user:{user_id}")

    def _emails(self) -> dict[str, str]:
        if self._by_email is None:
            index: dict[str, str] = {}
            for key in self.store.keys():  # noqa: SIM118  (a store, not a dict)
                if key.startswith("user:") and (ref := self.get(key)) and ref.email and ref.user_id:
                    index[ref.email.lower()] = ref.user_id
            self._by_email = index
        return self._by_email

    def for_email(self, email: str | None) -> Reference | None:
        if not email:
            return None
        user_id = self._emails().get(email.lower())
        if user_id is None and self._reload():
            user_id = self._emails().get(email.lower())
        return self.user(user_id) if user_id else None

    def channel(self, channel_id: str) -> Reference | None:
        """A channel the bot has seen, or the General channel of a team it is installed in."""
        found = self.get(f"channel:{channel_id}") or self.get(f"team:{channel_id}")
        if found is None and self._reload():
            found = self.get(f"channel:{channel_id}") or self.get(f"team:{channel_id}")
        return found

    # ---- recording ----------------------------------------------------------------------------------

    def _put(self, key: str, ref: Reference, *together: Write | None) -> None:
        """Store the reference if it changed, with `together` (other changed rows) in the same transaction."""
        save(self.store.engine, self.store.change(key, ref.to_json()), *together)
        if ref.email and ref.user_id and self._by_email is not None:
            self._by_email[ref.email.lower()] = ref.user_id

    def remember(self, activity: Activity) -> None:
        """Record the references an incoming activity shows, writing only what is new or changed."""
        if not (
            activity.service_url and activity.conversation and activity.conversation.id and activity.recipient
        ):
            return
        base = Reference(
            service_url=activity.service_url,
            tenant_id=tenant_of(activity),
            bot_id=activity.recipient.id or "",
            conversation_id=activity.conversation.id,
            conversation_type=conversation_kind(activity),
            team_id=team_id_of(activity),
        )
        user = activity.from_property
        if user and user.id and user.id != base.bot_id:
            known = self.user(user.id)
            personal = base.conversation_type == "personal"
            self._put(
                f"user:{user.id}",
                replace(
                    base,
                    conversation_id=base.conversation_id
                    if personal
                    else (known.conversation_id if known else None),
                    conversation_type="personal",
                    user_id=user.id,
                    aad_object_id=user.aad_object_id or (known.aad_object_id if known else None),
                    email=known.email if known else None,
                    team_id=None,
                    # Writing in the personal chat means the app is there; a channel message says nothing about it.
                    installed=True if personal or not known else known.installed,
                ),
            )
        if base.conversation_type == "channel":
            channel_id = channel_id_of(activity) or base.conversation_id
            self._put(f"channel:{channel_id}", replace(base, conversation_id=channel_id))
            if base.team_id:
                self._put(f"team:{base.team_id}", replace(base, conversation_id=base.team_id))
        elif base.conversation_type == "groupChat":
            self._put(f"group:{base.conversation_id}", base)

    def set_email(self, user_id: str, email: str, identity: Write | None = None) -> None:
        """The e-mail of a user, stored with their identity (`identity`, a changed row) in one transaction."""
        if (ref := self.user(user_id)) is not None:
            self._put(f"user:{user_id}", replace(ref, email=email.lower()), identity)
        else:
            save(self.store.engine, identity)

    def set_conversation(self, user_id: str, conversation_id: str) -> None:
        if (ref := self.user(user_id)) is not None:
            self._put(f"user:{user_id}", replace(ref, conversation_id=conversation_id, installed=True))

    def set_installed(self, key: str, installed: bool) -> None:
        if (ref := self.get(key)) is not None:
            self._put(key, replace(ref, installed=installed))

    def forget_conversation(self, user_id: str) -> None:
        """The stored 1:1 is gone (404): the next send creates a new one."""
        if (ref := self.user(user_id)) is not None:
            self._put(f"user:{user_id}", replace(ref, conversation_id=None))
