"""`zwgk backup` / `zwgk restore`: a consistent copy of the database and its files with a checked manifest;
backup → delete → restore gives the same rows and the same files (SQLite, and PostgreSQL when set)."""
from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from store import models as m
from store.backup import row_counts
from store.db import make_engine, session_factory
from store.migrate import upgrade
from tests.conftest import PG_URL, _pg_schema_url
from tests.retention_data import add_round, add_run


def _tree(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def _fill(url: str, evidence: Path) -> dict[str, int]:
    engine = make_engine(url)
    upgrade(engine)
    with session_factory(engine)() as s:
        crawl, check = add_run(s, 1, ["a", "b"], links=50, shots_dir=evidence)
        add_round(s, crawl, check)
        add_run(s, 2, ["a"], links=50, finding_status="disputed", shots_dir=evidence)
    counts = row_counts(engine)
    engine.dispose()
    return counts


def test_backup_delete_restore_sqlite(tmp_path, zwgk):
    site = tmp_path / "site"
    site.mkdir()
    db = site / "zwgk.db"
    counts = _fill(f"sqlite:///{db}", site / "zwgk-evidence")
    (site / "zwgk-uploads").mkdir()
    (site / "zwgk-uploads" / "3f2a.pdf").write_bytes(b"%PDF-1.4 proof" * 100)
    bulletins = tmp_path / "bulletins" / "round-1"
    bulletins.mkdir(parents=True)
    (bulletins / "通报.html").write_text("<html>第1期通报</html>", encoding="utf-8")
    before = {"evidence": _tree(site / "zwgk-evidence"), "uploads": _tree(site / "zwgk-uploads"),
              "bulletins": _tree(tmp_path / "bulletins")}
    assert len(before["evidence"]) == 3 and counts["crawl_runs"] == 2 and counts["links"] == 150

    out = tmp_path / "backup-1"
    res = zwgk("--db", str(db), "backup", str(out), "--include", str(tmp_path / "bulletins"))
    assert res.code == 0, res.stderr
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["rows"] == counts
    assert len(manifest["files"]) == 5
    for entry in manifest["files"]:
        assert hashlib.sha256((out / entry["path"]).read_bytes()).hexdigest() == entry["sha256"]

    # a second backup into the same directory is refused
    again = zwgk("--db", str(db), "backup", str(out))
    assert again.code == 2 and "不是空目录" in again.stderr

    # the disaster: database, screenshots, uploads and bulletins are gone
    for p in site.iterdir():
        if p.is_dir():
            import shutil
            shutil.rmtree(p)
        else:
            p.unlink()
    import shutil
    shutil.rmtree(tmp_path / "bulletins")

    res = zwgk("--db", str(db), "restore", str(out))
    assert res.code == 0, res.stderr
    engine = make_engine(f"sqlite:///{db}")
    assert row_counts(engine) == counts
    engine.dispose()
    assert {"evidence": _tree(site / "zwgk-evidence"), "uploads": _tree(site / "zwgk-uploads"),
            "bulletins": _tree(tmp_path / "bulletins")} == before

    # restoring over the data again needs --force
    refused = zwgk("--db", str(db), "restore", str(out))
    assert refused.code == 2 and "--force" in refused.stderr and "Traceback" not in refused.stderr
    forced = zwgk("--db", str(db), "restore", str(out), "--force")
    assert forced.code == 0, forced.stderr


def test_restore_checks_the_manifest_first(tmp_path, zwgk):
    site = tmp_path / "site"
    site.mkdir()
    _fill(f"sqlite:///{site / 'zwgk.db'}", site / "zwgk-evidence")
    out = tmp_path / "bk"
    assert zwgk("--db", str(site / "zwgk.db"), "backup", str(out)).code == 0
    victim = next((out / "files" / "evidence").rglob("*.png"))
    victim.write_bytes(victim.read_bytes()[:-1] + b"X")
    target = tmp_path / "elsewhere" / "zwgk.db"
    target.parent.mkdir()
    res = zwgk("--db", str(target), "restore", str(out))
    assert res.code == 2 and victim.name in res.stderr and "SHA-256" in res.stderr
    assert not target.exists() or target.stat().st_size == 0
    missing = zwgk("--db", str(target), "restore", str(tmp_path / "nothing"))
    assert missing.code == 2 and "不存在" in missing.stderr


def test_restore_elsewhere_points_screenshots_at_restored_files(tmp_path, zwgk):
    site = tmp_path / "site"
    site.mkdir()
    _fill(f"sqlite:///{site / 'zwgk.db'}", site / "zwgk-evidence")
    out = tmp_path / "bk"
    assert zwgk("--db", str(site / "zwgk.db"), "backup", str(out)).code == 0
    other = tmp_path / "other"
    other.mkdir()
    res = zwgk("--db", str(other / "zwgk.db"), "restore", str(out))
    assert res.code == 0, res.stderr
    with sqlite3.connect(other / "zwgk.db") as conn:
        paths = [r[0] for r in conn.execute("SELECT path FROM screenshots")]
    assert paths and all(p.startswith(str(other / "zwgk-evidence")) and Path(p).is_file() for p in paths)


def test_backup_while_another_process_writes(tmp_path, zwgk):
    """The online backup copies a consistent state even while rows are being added."""
    site = tmp_path / "site"
    site.mkdir()
    url = f"sqlite:///{site / 'zwgk.db'}"
    _fill(url, site / "zwgk-evidence")
    stop = threading.Event()

    def writer():
        engine = make_engine(url)
        with session_factory(engine)() as s:
            n = 10
            while not stop.is_set():
                add_run(s, n, ["c"], links=30, finding_status=None)
                n += 1
        engine.dispose()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        res = zwgk("--db", url, "backup", str(tmp_path / "bk"))
    finally:
        stop.set()
        thread.join()
    assert res.code == 0, res.stderr
    copy = sqlite3.connect(tmp_path / "bk" / "database.sqlite")
    assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    runs = copy.execute("SELECT count(*) FROM crawl_runs").fetchone()[0]
    assert runs > 2  # the writer was at work during the copy
    # every run in the copy is whole: its links are all there (each writer run adds 30 in one transaction)
    assert copy.execute("SELECT count(*) FROM links").fetchone()[0] == 150 + 30 * (runs - 2)
    copy.close()


@pytest.mark.skipif(not PG_URL, reason="ZWGK_TEST_PG not set")
def test_backup_restore_postgresql_into_new_database(tmp_path, zwgk):
    base = PG_URL if "+psycopg" in PG_URL else PG_URL.replace("postgresql://", "postgresql+psycopg://", 1)
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    schema, newdb = f"t_{uuid.uuid4().hex[:12]}", f"zwgk_restore_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    source = _pg_schema_url(base, schema)
    target = _pg_schema_url(base.rsplit("/", 1)[0] + "/" + newdb, schema)
    env = {"ZWGK_EVIDENCE_DIR": str(tmp_path / "evidence")}
    try:
        counts = _fill(source, tmp_path / "evidence")
        files = _tree(tmp_path / "evidence")
        res = zwgk("--db", source, "backup", str(tmp_path / "bk"), env=env)
        assert res.code == 0, res.stderr
        assert (tmp_path / "bk" / "database.dump").stat().st_size > 0
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{newdb}"'))
        env2 = {"ZWGK_EVIDENCE_DIR": str(tmp_path / "evidence2")}
        res = zwgk("--db", target, "restore", str(tmp_path / "bk"), env=env2)
        assert res.code == 0, res.stderr
        engine = make_engine(target)
        assert row_counts(engine) == counts
        with session_factory(engine)() as s:
            paths = list(s.scalars(sa.select(m.models_evidence.Screenshot.path)))
        engine.dispose()
        assert _tree(tmp_path / "evidence2") == files
        assert paths and all(p.startswith(str(tmp_path / "evidence2")) for p in paths)
        refused = zwgk("--db", target, "restore", str(tmp_path / "bk"), env=env2)
        assert refused.code == 2 and "--force" in refused.stderr
        forced = zwgk("--db", target, "restore", str(tmp_path / "bk"), "--force", env=env2)
        assert forced.code == 0, forced.stderr
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{newdb}" WITH (FORCE)'))
        admin.dispose()


@pytest.mark.skipif(not PG_URL, reason="ZWGK_TEST_PG not set")
def test_backup_postgresql_without_pg_dump_says_what_is_needed(db_url, tmp_path, zwgk):
    if not db_url.startswith("postgresql"):
        pytest.skip("PostgreSQL only")
    res = zwgk("--db", db_url, "backup", str(tmp_path / "bk"), env={"PATH": str(tmp_path)})
    assert res.code == 2 and "pg_dump" in res.stderr and "postgresql-client" in res.stderr
    assert not (tmp_path / "bk").exists()
