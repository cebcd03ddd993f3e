"""`zwgk prune`: old crawl runs go with everything hanging off them; what a bulletin cites, findings still
being handled and each department's newest run stay (SQLite and PostgreSQL)."""
from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import func, select

from store import models as m
from store.models_evidence import Screenshot, Snapshot, SnapshotBody
from tests.retention_data import add_round, add_run


def _history(session, shots: Path) -> dict[int, int]:
    """Eight runs; returns n -> crawl run id. See test_prune_keeps_what_it_must for who must stay."""
    ids = {}
    for n, depts, status, finding in ((1, ["a", "b"], "completed", "open"), (2, ["a", "b"], "completed", "disputed"),
                                       (3, ["a", "b"], "completed", "rectified"), (4, ["a", "b"], "completed", "open"),
                                       (5, ["a"], "completed", "rectified"), (6, ["b"], "completed", "open"),
                                       (7, ["a"], "failed", None), (8, ["a"], "running", None)):
        ids[n], check = add_run(session, n, depts, status=status, finding_status=finding, shots_dir=shots)
        if n == 1:
            add_round(session, ids[n], check)
    return ids


def _count(session, model, **where) -> int:
    stmt = select(func.count()).select_from(model)
    for k, v in where.items():
        stmt = stmt.where(getattr(model, k).in_(v))
    return session.scalar(stmt)


def test_prune_keeps_what_it_must(session, db_url, tmp_path, zwgk):
    shots = tmp_path / "evidence"
    ids = _history(session, shots)
    logs = tmp_path / "logs" / "runs" / "crawl-all"
    logs.mkdir(parents=True)
    for day in range(1, 6):
        (logs / f"202601{day:02d}-080000-1.log").write_text("日志\n" * 100, encoding="utf-8")
    files_before = sorted(shots.rglob("*.png"))
    assert len(files_before) == 10  # one per finding with a department

    dry = zwgk("--db", db_url, "prune", "--keep-runs", "1", "--log-dir", str(tmp_path / "logs"), "--dry-run")
    assert dry.code == 0, dry.stderr
    assert f"将删除抓取批次 3 个：#{ids[3]}、#{ids[4]}、#{ids[7]}" in dry.stdout
    assert "将删除截图文件 4 个" in dry.stdout and "将删除调度日志 4 个" in dry.stdout
    session.expire_all()
    assert _count(session, m.CrawlRun) == 8 and len(list(shots.rglob("*.png"))) == 10
    assert len(list(logs.iterdir())) == 5

    res = zwgk("--db", db_url, "prune", "--keep-runs", "1", "--log-dir", str(tmp_path / "logs"))
    assert res.code == 0, res.stderr
    assert f"已删除抓取批次 3 个：#{ids[3]}、#{ids[4]}、#{ids[7]}" in res.stdout
    assert "已删除截图文件 4 个" in res.stdout and "已删除调度日志 4 个" in res.stdout
    session.expire_all()
    kept = set(session.scalars(select(m.CrawlRun.id)))
    # 1: its round's bulletin; 2: a disputed finding; 5: a's newest completed run; 6: b's newest (and its
    # open findings are b's current ones); 8: the newest run, still running
    assert kept == {ids[n] for n in (1, 2, 5, 6, 8)}
    gone = [ids[n] for n in (3, 4, 7)]
    for model in (m.Column, m.Document, m.ListEntry, m.Attachment, m.Link, m.UrlCheck, Snapshot):
        assert _count(session, model, run_id=gone) == 0, model
        assert _count(session, model, run_id=list(kept)) > 0, model
    assert _count(session, m.CheckRun, crawl_run_id=gone) == 0
    assert _count(session, m.Finding) == 2 + 2 + 1 + 1  # runs 1, 2, 5, 6 (a and b each where crawled)
    assert _count(session, SnapshotBody) == _count(session, Snapshot) == 2 + 2 + 1 + 1 + 1
    # files: those of the remaining screenshots are all there, the others are gone
    remaining = set(session.scalars(select(Screenshot.path)))
    assert {str(p) for p in shots.rglob("*.png")} == remaining and len(remaining) == 6
    assert sorted(p.name for p in logs.iterdir()) == ["20260105-080000-1.log"]

    again = zwgk("--db", db_url, "prune", "--keep-runs", "1")
    assert again.code == 0 and "已删除抓取批次 0 个" in again.stdout


def test_prune_keep_days_and_bad_input(session, db_url, zwgk):
    from datetime import datetime

    old, _ = add_run(session, 1, ["a"], links=5)
    new, _ = add_run(session, 2, ["a"], links=5, day=0)
    session.query(m.CrawlRun).filter(m.CrawlRun.id == new).update({"started_at": datetime.now()})
    session.query(m.CrawlRun).filter(m.CrawlRun.id == old).update({"started_at": datetime(2020, 1, 1)})
    third, _ = add_run(session, 3, ["a"], links=5, finding_status="rectified")
    session.query(m.CrawlRun).filter(m.CrawlRun.id == third).update({"started_at": datetime(2020, 1, 2)})
    session.commit()
    # newest by id is `third`; `new` is young; `old` is neither
    res = zwgk("--db", db_url, "prune", "--keep-runs", "1", "--keep-days", "30")
    assert res.code == 0, res.stderr
    session.expire_all()
    assert set(session.scalars(select(m.CrawlRun.id))) == {new, third}
    bad = zwgk("--db", db_url, "prune", "--keep-runs", "0")
    assert bad.code == 2 and "--keep-runs" in bad.stderr and "Traceback" not in bad.stderr
    missing = zwgk("--db", db_url, "prune", "--keep-runs", "1", "--log-dir", "/nonexistent/logs")
    assert missing.code == 2 and "/nonexistent/logs" in missing.stderr


def test_prune_vacuum_shrinks_sqlite_file(tmp_path, zwgk):
    from store.db import make_engine, session_factory
    from store.migrate import upgrade

    db = tmp_path / "zwgk.db"
    engine = make_engine(f"sqlite:///{db}")
    upgrade(engine)
    with session_factory(engine)() as s:
        for n in range(1, 9):
            add_run(s, n, ["a", "b"], links=1500, finding_status="rectified")
    engine.dispose()
    before = os.path.getsize(db) + (os.path.getsize(f"{db}-wal") if os.path.exists(f"{db}-wal") else 0)
    res = zwgk("--db", str(db), "prune", "--keep-runs", "2")
    assert res.code == 0, res.stderr
    after = os.path.getsize(db) + (os.path.getsize(f"{db}-wal") if os.path.exists(f"{db}-wal") else 0)
    assert after < before / 2.5, (before, after)
    assert "已执行 VACUUM" in res.stdout and "释放" in res.stdout
