"""Bring a database to the current schema with Alembic (from empty, or from any earlier revision)."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, text

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
# the newest revision in migrations/versions; tests/test_store_db.py checks it against Alembic's own head
HEAD = "0004"


def alembic_config(url: str | None = None) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if url:
        cfg.set_main_option("sqlalchemy.url", url)
    return cfg


def current_revision(engine: Engine) -> str | None:
    """The database's Alembic revision, or None for a database without one."""
    with engine.connect() as connection:
        try:
            return connection.execute(text("select version_num from alembic_version")).scalar()
        except Exception:  # no such table: an empty database
            connection.rollback()
            return None


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to `revision`. A database already at the head is left alone without loading
    Alembic and its migration scripts (≈0.5 s on every command otherwise)."""
    if revision == "head" and current_revision(engine) == HEAD:
        return
    from alembic import command

    cfg = alembic_config()
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, revision)
