"""Engine and session factory: SQLite by default (WAL, foreign keys on), any SQLAlchemy URL otherwise."""
from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Session, sessionmaker

DEFAULT_DB_FILE = "zwgk.db"


class DatabaseURLError(ValueError):
    """The database URL given by the user cannot be used."""


def database_url(explicit: str | None = None) -> str:
    """The URL to use: --db, else $ZWGK_DB, else a SQLite file in the working directory."""
    url = explicit or os.environ.get("ZWGK_DB") or f"sqlite:///{Path.cwd() / DEFAULT_DB_FILE}"
    if "://" not in url:  # a bare path is a SQLite file
        url = f"sqlite:///{Path(url).resolve()}"
    if url.startswith("postgresql://"):  # prefer psycopg 3, the driver we install
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def require_sqlite_directory(explicit: str) -> None:
    """A SQLite file named by the user (--db, $ZWGK_DB) must be in a directory that exists: a missing one is
    almost always a typing mistake, so it is reported rather than created. Other URLs are not checked here."""
    url = database_url(explicit)
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise DatabaseURLError(f"数据库地址无效：{explicit}") from None
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return
    parent = Path(parsed.database).parent
    if not parent.is_dir():
        raise DatabaseURLError(f"--db: 数据库文件所在的目录不存在：{parent}（请先建立该目录，或改用已有目录）")
    if Path(parsed.database).is_dir():
        raise DatabaseURLError(f"--db: {parsed.database} 是目录，应为 SQLite 数据库文件")


def make_engine(url: str | None = None, *, echo: bool = False) -> Engine:
    url = database_url(url)
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise DatabaseURLError(f"数据库地址无效：{url}") from exc
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, echo=echo, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    try:
        return create_engine(url, echo=echo, pool_pre_ping=True)
    except Exception as exc:  # missing driver etc.
        raise DatabaseURLError(f"无法使用数据库地址 {url}：{exc}") from exc


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)
