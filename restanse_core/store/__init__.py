"""Storage: SQLAlchemy tables, repository functions and Alembic migrations."""

from restanse_core.store.database import make_engine, migrate, normalise_url

__all__ = ["make_engine", "migrate", "normalise_url"]
