"""Engines and schema migrations. Every command brings the schema up to date before it runs."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError

from restanse_core.errors import UserError

MIGRATIONS = Path(__file__).parent / "migrations"
# Any fixed number: replicas that start together wait here instead of racing through the migrations.
MIGRATION_LOCK_ID = 0x7265_7374


def normalise_url(url: str) -> str:
    """A plain postgresql:// URL means psycopg 3."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def make_engine(url: str, **kwargs: Any) -> Engine:
    try:
        parsed = make_url(normalise_url(url))
    except ArgumentError:
        raise UserError(f"Ugyldig database-URL: «{url}».") from None
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(parsed, **kwargs)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _alembic_config(locations: Sequence[Path]) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("version_locations", " ".join(str(p) for p in locations))
    config.set_main_option("path_separator", "space")
    return config


def migrate(engine: Engine, branches: Sequence[Path] = ()) -> None:
    """Bring the schema to the newest revision of every branch (on PostgreSQL under an advisory lock).

    `branches` are the outer layers' own folders of migrations (the bot's), passed by the composition root."""
    config = _alembic_config([MIGRATIONS / "versions", *branches])
    try:
        with engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                connection.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": MIGRATION_LOCK_ID})
            config.attributes["connection"] = connection
            command.upgrade(config, "heads")
    except OperationalError as exc:
        raise UserError(
            f"Får ikke kontakt med databasen ({engine.url.render_as_string()}): {exc.orig}"
        ) from None


def pending_migrations(engine: Engine, branches: Sequence[Path] = ()) -> set[str]:
    """The head revisions the database has not reached (empty when the schema is current)."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(_alembic_config([MIGRATIONS / "versions", *branches]))
    with engine.connect() as connection:
        current = set(MigrationContext.configure(connection).get_current_heads())
    return set(script.get_heads()) - current
