"""The bot's own tables (chat identities, conversation references, outbox), a branch of the one migration history."""

from pathlib import Path

from sqlalchemy import Engine

from restanse_core.store import migrate
from restanse_core.store.database import pending_migrations

VERSIONS = Path(__file__).parent / "versions"


def migrate_schema(engine: Engine) -> None:
    """The domain's migrations and the bot's branch, to the newest revision."""
    migrate(engine, [VERSIONS])


def schema_behind(engine: Engine) -> set[str]:
    """The migrations the database still lacks (empty when it is current)."""
    return pending_migrations(engine, [VERSIONS])
