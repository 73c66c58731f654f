"""Platform user → person, kept in memory and in the database, so an ordinary question costs no look-up.

Writes happen only when something changed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, delete, insert, select

from bot.store.tables import ChatIdentityRow, ConversationRow


@dataclass(frozen=True)
class Identity:
    email: str | None
    initials: str | None


class IdentityStore:
    """One per platform. `get` is memory-only after the first load; `put` writes only a changed mapping."""

    def __init__(self, engine: Engine, platform: str) -> None:
        self.engine = engine
        self.platform = platform
        self._ids: dict[str, Identity] | None = None

    def _load(self) -> dict[str, Identity]:
        if self._ids is None:
            with self.engine.connect() as conn:
                rows = conn.execute(select(ChatIdentityRow).where(ChatIdentityRow.platform == self.platform))
                self._ids = {r.user_id: Identity(r.email, r.initials) for r in rows}
        return self._ids

    def get(self, user_id: str) -> Identity | None:
        return self._load().get(user_id)

    def put(self, user_id: str, email: str | None, initials: str | None) -> None:
        ids = self._load()
        identity = Identity(email.lower() if email else None, initials)
        if ids.get(user_id) == identity:
            return
        with self.engine.begin() as conn:
            conn.execute(
                delete(ChatIdentityRow).where(
                    ChatIdentityRow.platform == self.platform, ChatIdentityRow.user_id == user_id
                )
            )
            conn.execute(
                insert(ChatIdentityRow).values(
                    platform=self.platform,
                    user_id=user_id,
                    email=identity.email,
                    initials=initials,
                    updated_at=datetime.now(UTC),
                )
            )
        ids[user_id] = identity


class ConversationStore:
    """Proactive-message references per platform, cached; written when they first appear or change."""

    def __init__(self, engine: Engine, platform: str) -> None:
        self.engine = engine
        self.platform = platform
        self._refs: dict[str, dict[str, Any]] | None = None

    def _load(self) -> dict[str, dict[str, Any]]:
        if self._refs is None:
            with self.engine.connect() as conn:
                rows = conn.execute(select(ConversationRow).where(ConversationRow.platform == self.platform))
                self._refs = {r.key: json.loads(r.reference) for r in rows}
        return self._refs

    def get(self, key: str) -> dict[str, Any] | None:
        return self._load().get(key)

    def put(self, key: str, reference: dict[str, Any]) -> bool:
        """Store the reference if it is new or changed; True if it was written."""
        refs = self._load()
        if refs.get(key) == reference:
            return False
        with self.engine.begin() as conn:
            conn.execute(
                delete(ConversationRow).where(
                    ConversationRow.platform == self.platform, ConversationRow.key == key
                )
            )
            conn.execute(
                insert(ConversationRow).values(
                    platform=self.platform,
                    key=key,
                    reference=json.dumps(reference, sort_keys=True),
                    updated_at=datetime.now(UTC),
                )
            )
        refs[key] = reference
        return True

    def keys(self) -> list[str]:
        return list(self._load())
