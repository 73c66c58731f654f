"""Engines and schema migrations. Every command brings the schema up to date before it runs."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError

if TYPE_CHECKING:
    from alembic.config import Config

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
    from alembic.config import Config  # alembic loads slowly: only when there is something to migrate

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("version_locations", " ".join(str(p) for p in locations))
    config.set_main_option("path_separator", "space")
    return config


def migrate(engine: Engine, branches: Sequence[Path] = ()) -> None:
    """Bring the schema to the newest revision of every branch (on PostgreSQL under an advisory lock).

    `branches` are the outer layers' own folders of migrations (the bot's), passed by the composition root.
    A database already at the newest revisions is left alone without loading alembic (every command runs this)."""
    folders = [MIGRATIONS / "versions", *branches]
    if _applied(engine) == _heads(folders):
        return
    from alembic import command

    config = _alembic_config(folders)
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


_REVISION = re.compile(r'^revision\s*=\s*"([^"]+)"', re.MULTILINE)
_DOWN = re.compile(r'^down_revision\s*=\s*(?:"([^"]+)"|None)', re.MULTILINE)


def _heads(folders: Sequence[Path]) -> set[str]:
    """The newest revision of each branch, read from the migration files themselves."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for folder in folders:
        for path in folder.glob("*.py"):
            source = path.read_text(encoding="utf-8")
            if (revision := _REVISION.search(source)) is None:
                continue
            revisions.add(revision[1])
            if (down := _DOWN.search(source)) is not None and down[1]:
                parents.add(down[1])
    return revisions - parents


def _applied(engine: Engine) -> set[str]:
    """The revisions the database says it is at (none for a new database or one that cannot be read)."""
    try:
        with engine.connect() as connection:
            return {row[0] for row in connection.execute(text("SELECT version_num FROM alembic_version"))}
    except DBAPIError:
        return set()  # no table yet, or no database: the migration itself says what is wrong


def pending_migrations(engine: Engine, branches: Sequence[Path] = ()) -> set[str]:
    """The head revisions the database has not reached (empty when the schema is current).

    As in `migrate`, a current schema is told without loading alembic; anything else alembic works out."""
    folders = [MIGRATIONS / "versions", *branches]
    if _applied(engine) == _heads(folders):
        return set()
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(_alembic_config(folders))
    with engine.connect() as connection:
        current = set(MigrationContext.configure(connection).get_current_heads())
    return set(script.get_heads()) - current
