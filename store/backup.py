"""Backup and restore: a consistent copy of the database, the evidence files beside it, and a manifest.

A backup directory holds `database.sqlite` (SQLite's online backup API: a consistent copy even while the
scheduler writes) or `database.dump` (pg_dump's custom format), `files/<root>/…` (screenshots, the
console's uploads, any directory asked for) and `manifest.json` with the SHA-256 and size of every file and
the row count of every table. Restore checks the manifest before it touches anything.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import unquote

from sqlalchemy import Engine, func, inspect, select, update
from sqlalchemy.engine import make_url

from store.models import Base

FORMAT = "zwgk-backup"
VERSION = 1
MANIFEST = "manifest.json"


class BackupError(ValueError):
    """The backup cannot be made or restored; str() is one formal Chinese line."""


@dataclass(frozen=True)
class Root:
    """A directory of files that belongs with the database (name: its folder under files/)."""

    name: str
    path: Path


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _is_empty_dir(path: Path) -> bool:
    return not path.exists() or (path.is_dir() and not any(path.iterdir()))


def row_counts(engine: Engine) -> dict[str, int]:
    names = set(inspect(engine).get_table_names())
    with engine.connect() as conn:
        return {t.name: conn.scalar(select(func.count()).select_from(t))
                for t in Base.metadata.sorted_tables if t.name in names}


# --- PostgreSQL through its own tools -------------------------------------------------------------------

def _pg_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"PostgreSQL 数据库的备份和恢复需要 {name}（PostgreSQL 客户端工具），但在 PATH 中找不到；"
                          "请安装与服务器版本一致的 postgresql-client")
    return path


def _pg_args(url: str) -> tuple[list[str], dict[str, str], str | None]:
    """libpq connection arguments for a SQLAlchemy URL: (args, environment, schema named in search_path)."""
    u = make_url(url)
    env = {**os.environ}
    if u.password:
        env["PGPASSWORD"] = u.password
    args = ["-h", u.host or "localhost", "-p", str(u.port or 5432), "-U", u.username or "postgres", "-d", u.database or ""]
    schema = None
    options = u.query.get("options")
    if options:
        text_ = unquote(options if isinstance(options, str) else options[0])
        for part in text_.split():
            if part.startswith("-csearch_path="):
                schema = part.split("=", 1)[1].split(",")[0].strip('"')
        env["PGOPTIONS"] = text_
    return args, env, schema


def _run(cmd: list[str], env: dict[str, str], what: str) -> None:
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        reason = (proc.stderr.strip().splitlines() or [f"退出码 {proc.returncode}"])[-1]
        raise BackupError(f"{what}失败：{reason}")


# --- backup ----------------------------------------------------------------------------------------------

def backup(engine: Engine, out_dir: Path, roots: list[Root]) -> dict:
    """Write the backup into out_dir (which must be empty or absent); returns the manifest."""
    if not _is_empty_dir(out_dir):
        raise BackupError(f"备份目录 {out_dir} 不是空目录；请指定新的目录")
    url = engine.url
    backend = url.get_backend_name()
    if backend == "postgresql":
        _pg_tool("pg_dump")  # before anything is written
    elif backend != "sqlite" or not url.database or url.database == ":memory:":
        raise BackupError(f"不支持备份该数据库：{url.render_as_string(hide_password=True)}（支持 SQLite 文件和 PostgreSQL）")
    if backend == "sqlite" and not Path(url.database).is_file():
        raise BackupError(f"数据库文件 {url.database} 不存在")
    out_dir.mkdir(parents=True, exist_ok=True)
    counts = row_counts(engine)
    if backend == "sqlite":
        db_file = "database.sqlite"
        source = sqlite3.connect(url.database)
        target = sqlite3.connect(out_dir / db_file)
        try:
            with target:
                source.backup(target)  # a consistent snapshot, page by page, while others keep writing
        finally:
            target.close()
            source.close()
        schema = None
        with sqlite3.connect(out_dir / db_file) as check:  # the counts of the copy itself
            counts = {t: check.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in counts}
        check.close()
    else:
        db_file = "database.dump"
        args, env, schema = _pg_args(url.render_as_string(hide_password=False))
        cmd = [_pg_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", "-f", str(out_dir / db_file), *args]
        if schema:
            cmd += ["-n", schema]
        _run(cmd, env, "pg_dump 导出数据库")
    files: list[dict] = []
    roots_meta: dict[str, str] = {}
    for root in roots:
        if not root.path.is_dir():
            continue
        roots_meta[root.name] = str(root.path.resolve())
        for src in sorted(root.path.rglob("*")):
            if src.is_symlink() or not src.is_file():
                continue
            rel = Path("files") / root.name / src.relative_to(root.path)
            dst = out_dir / rel
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dst)
            files.append({"path": rel.as_posix(), "sha256": sha256_file(dst), "size": dst.stat().st_size})
    database = {"backend": backend, "file": db_file, "sha256": sha256_file(out_dir / db_file),
                "size": (out_dir / db_file).stat().st_size, "schema": schema,
                "source": url.render_as_string(hide_password=True)}
    manifest = {"format": FORMAT, "version": VERSION, "created_at": datetime.now().isoformat(timespec="seconds"),
                "database": database, "roots": roots_meta, "files": files, "rows": counts}
    (out_dir / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    return manifest


# --- restore ---------------------------------------------------------------------------------------------

def read_manifest(backup_dir: Path) -> dict:
    """The manifest, after checking every file it lists (present, same size, same SHA-256)."""
    path = backup_dir / MANIFEST
    if not path.is_file():
        raise BackupError(f"{backup_dir} 不是备份目录：缺少 {MANIFEST}")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError):
        raise BackupError(f"{path} 无法解析（不是有效的 JSON）") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT or manifest.get("version") != VERSION:
        raise BackupError(f"{path} 不是本系统第 {VERSION} 版的备份清单")
    entries = [{"path": manifest["database"]["file"], "sha256": manifest["database"]["sha256"],
                "size": manifest["database"]["size"]}, *manifest["files"]]
    base = backup_dir.resolve()
    for entry in entries:
        file = (backup_dir / entry["path"]).resolve()
        if not file.is_relative_to(base):
            raise BackupError(f"{path}: 清单中的路径 {entry['path']!r} 超出备份目录")
        if not file.is_file():
            raise BackupError(f"备份不完整：缺少文件 {entry['path']}")
        if file.stat().st_size != entry["size"] or sha256_file(file) != entry["sha256"]:
            raise BackupError(f"备份已损坏：文件 {entry['path']} 的 SHA-256 与清单不符")
    return manifest


def _has_data(engine: Engine) -> bool:
    names = set(inspect(engine).get_table_names())
    ours = [t for t in Base.metadata.sorted_tables if t.name in names]
    with engine.connect() as conn:
        return any(conn.scalar(select(func.count()).select_from(t)) for t in ours)


def restore(engine: Engine, backup_dir: Path, roots: dict[str, Path], *, force: bool) -> dict:
    """Put the backup's database into `engine`'s database and its files into `roots` (name -> directory);
    returns the manifest. Refuses a target that holds data unless force."""
    manifest = read_manifest(backup_dir)
    backend = engine.url.get_backend_name()
    db = manifest["database"]
    if db["backend"] != backend:
        raise BackupError(f"备份来自 {db['backend']} 数据库，不能恢复到 {backend} 数据库")
    if not force:
        if _has_data(engine):
            raise BackupError(f"目标数据库 {engine.url.render_as_string(hide_password=True)} 已有数据；"
                              "确认要覆盖时请加 --force")
        for name, source in manifest["roots"].items():
            target = roots.get(name) or Path(source)
            if not _is_empty_dir(target):
                raise BackupError(f"目标目录 {target} 不是空目录；确认要覆盖时请加 --force")
    engine.dispose()
    if backend == "sqlite":
        target = Path(engine.url.database)
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(target.name + ".restoring")
        shutil.copyfile(backup_dir / db["file"], tmp)
        for suffix in ("-wal", "-shm"):  # a stale WAL would be replayed over the restored file
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        tmp.replace(target)
    else:
        args, env, _ = _pg_args(engine.url.render_as_string(hide_password=False))
        env.pop("PGOPTIONS", None)
        cmd = [_pg_tool("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error", *args]
        if force:
            cmd += ["--clean", "--if-exists"]
        _run(cmd + [str(backup_dir / db["file"])], env, "pg_restore 恢复数据库")
    moved: dict[str, tuple[str, str]] = {}
    for name, source in manifest["roots"].items():
        target = roots.get(name) or Path(source)
        prefix = Path("files") / name
        for entry in manifest["files"]:
            rel = Path(entry["path"])
            if rel.parts[:2] != prefix.parts:
                continue
            dst = target / rel.relative_to(prefix)
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(backup_dir / rel, dst)
        if str(target.resolve()) != source:
            moved[name] = (source, str(target.resolve()))
    if "evidence" in moved:  # screenshot rows hold absolute paths: point them at the restored files
        _repoint_screenshots(engine, *moved["evidence"])
    return manifest


def _repoint_screenshots(engine: Engine, old: str, new: str) -> None:
    from store.models_evidence import Screenshot

    with engine.begin() as conn:
        rows = conn.execute(select(Screenshot.id, Screenshot.path).where(Screenshot.path.like(f"{old}%"))).all()
        for row_id, path in rows:
            conn.execute(update(Screenshot).where(Screenshot.id == row_id).values(path=new + path[len(old):]))


def check_rows(engine: Engine, manifest: dict) -> list[str]:
    """Tables whose row count differs from the manifest's (empty: the restore is complete)."""
    now = row_counts(engine)
    return [f"{t}（备份 {n} 行，恢复后 {now.get(t, 0)} 行）" for t, n in manifest["rows"].items() if now.get(t, 0) != n]

