"""Platform user → person, kept in memory and in the database, so an ordinary question costs no look-up.

Writes happen only when something changed, as one INSERT … ON CONFLICT DO UPDATE per row; what one event
teaches (a new person's identity, their e-mail and DM channel) is stored in one transaction (`save`).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, Insert, select
from sqlalchemy.dialects import postgresql, sqlite

from bot.store.tables import BotBase, ChatIdentityRow, ConversationRow


@dataclass(frozen=True)
class Identity:
    email: str | None
    initials: str | None


@dataclass(frozen=True)
class Write:
    """One changed row to store, and what to remember in memory once it is stored."""

    statement: Insert
    row: dict[str, Any]
    stored: Callable[[], None]


def save(engine: Engine, *writes: Write | None) -> None:
    """Store the changed rows (None: nothing changed) in one transaction, then remember them."""
    todo = [w for w in writes if w is not None]
    if not todo:
        return
    with engine.begin() as conn:
        for write in todo:
            conn.execute(write.statement, write.row)
    for write in todo:
        write.stored()


def upsert(engine: Engine, table: type[BotBase], keys: tuple[str, ...], columns: tuple[str, ...]) -> Insert:
    """INSERT … ON CONFLICT (keys) DO UPDATE the other columns: one statement, built once, bound per row."""
    insert = (postgresql if engine.dialect.name == "postgresql" else sqlite).insert(table)
    return insert.on_conflict_do_update(
        index_elements=list(keys), set_={c: insert.excluded[c] for c in columns}
    )


class IdentityStore:
    """One per platform. `get` is memory-only after the first load; `put` writes only a changed mapping."""

    def __init__(self, engine: Engine, platform: str) -> None:
        self.engine = engine
        self.platform = platform
        self._ids: dict[str, Identity] | None = None
        self._upsert: Insert | None = None

    def _load(self) -> dict[str, Identity]:
        if self._ids is None:
            with self.engine.connect() as conn:
                rows = conn.execute(select(ChatIdentityRow).where(ChatIdentityRow.platform == self.platform))
                self._ids = {r.user_id: Identity(r.email, r.initials) for r in rows}
        return self._ids

    def get(self, user_id: str) -> Identity | None:
        return self._load().get(user_id)

    def change(self, user_id: str, email: str | None, initials: str | None) -> Write | None:
        """The write that would store this mapping; None if it is what we have."""
        ids = self._load()
        identity = Identity(email.lower() if email else None, initials)
        if ids.get(user_id) == identity:
            return None
        if self._upsert is None:
            columns = ("email", "initials", "updated_at")
            self._upsert = upsert(self.engine, ChatIdentityRow, ("platform", "user_id"), columns)
        row = {"platform": self.platform, "user_id": user_id, "email": identity.email, "initials": initials,
               "updated_at": datetime.now(UTC)}  # fmt: skip
        return Write(self._upsert, row, lambda: ids.__setitem__(user_id, identity))

    def put(self, user_id: str, email: str | None, initials: str | None) -> None:
        save(self.engine, self.change(user_id, email, initials))


class ConversationStore:
    """Proactive-message references per platform, cached; written when they first appear or change."""

    def __init__(self, engine: Engine, platform: str) -> None:
        self.engine = engine
        self.platform = platform
        self._refs: dict[str, dict[str, Any]] | None = None
        self._upsert: Insert | None = None

    def _load(self) -> dict[str, dict[str, Any]]:
        if self._refs is None:
            with self.engine.connect() as conn:
                rows = conn.execute(select(ConversationRow).where(ConversationRow.platform == self.platform))
                self._refs = {r.key: json.loads(r.reference) for r in rows}
        return self._refs

    def get(self, key: str) -> dict[str, Any] | None:
        return self._load().get(key)

    def change(self, key: str, reference: dict[str, Any]) -> Write | None:
        """The write that would store this reference; None if it is what we have."""
        refs = self._load()
        if refs.get(key) == reference:
            return None
        if self._upsert is None:
            columns = ("reference", "updated_at")
            self._upsert = upsert(self.engine, ConversationRow, ("platform", "key"), columns)
        row = {"platform": self.platform, "key": key, "reference": json.dumps(reference, sort_keys=True),
               "updated_at": datetime.now(UTC)}  # fmt: skip
        return Write(self._upsert, row, lambda: refs.__setitem__(key, reference))

    def put(self, key: str, reference: dict[str, Any]) -> bool:
        """Store the reference if it is new or changed; True if it was written."""
        write = self.change(key, reference)
        save(self.engine, write)
        return write is not None

    def keys(self) -> list[str]:
        return list(self._load())
