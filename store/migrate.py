"""Bring a database to the current schema with Alembic (from empty, or from any earlier revision)."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, text

from store.db import DatabaseURLError

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
# the newest revision in migrations/versions; tests/test_store_db.py checks it against Alembic's own head
HEAD = "0008"


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
    from alembic.util.exc import CommandError

    cfg = alembic_config()
    _known_revision(cfg, engine)
    try:
        with engine.begin() as connection:
            cfg.attributes["connection"] = connection
            command.upgrade(cfg, revision)
    except CommandError as exc:  # pragma: no cover - a broken revision table other than a newer one
        raise DatabaseURLError(f"数据库结构无法升级（{engine.url.render_as_string(hide_password=True)}）："
                               f"{str(exc).splitlines()[0]}") from None


def _known_revision(cfg: Config, engine: Engine) -> None:
    """A database written by a newer version of this program (a revision we do not have) is refused in one
    line: migrating it down or on would lose or corrupt data."""
    from alembic.script import ScriptDirectory

    current = current_revision(engine)
    if current is None:
        return
    known = {script.revision for script in ScriptDirectory.from_config(cfg).walk_revisions()}
    if current not in known:
        raise DatabaseURLError(
            f"数据库 {engine.url.render_as_string(hide_password=True)} 的结构版本为 {current}，"
            f"比本程序支持的版本（{HEAD}）新；请使用新版本的 zwgk，或另指定数据库（--db）")
