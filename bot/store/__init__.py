"""The bot's own tables (chat identities, conversation references, outbox), a branch of the one migration history."""

from pathlib import Path

from restanse_core.store.database import register_migrations

VERSIONS = Path(__file__).parent / "versions"
register_migrations(VERSIONS)
