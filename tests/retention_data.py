"""Build crawl history in a real database for the retention tests: runs with columns, documents, links,
link checks, snapshots, check runs, findings and screenshot files, as a crawl and its checks leave them."""
from __future__ import annotations

import hashlib
import zlib
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy.orm import Session

from store import models as m
from store.models_evidence import Screenshot, Snapshot, SnapshotBody
from store.models_spotcheck import SpotcheckDraw, SpotcheckRound

START = datetime(2026, 1, 1, 8, 0)


def add_run(session: Session, n: int, departments: list[str], *, status: str = "completed", links: int = 200,
            finding_status: str | None = "open", shots_dir: Path | None = None, day: int | None = None) -> tuple[int, int]:
    """One crawl run (the n-th) and one check run on it; returns (crawl_run_id, check_run_id)."""
    at = START + timedelta(days=n if day is None else day)
    run = m.CrawlRun(sites_file="sites.yaml", sites_hash="h" * 64, started_at=at, finished_at=at, status=status,
                     departments=departments, stats={})
    session.add(run)
    session.flush()
    for dept in departments:
        col = m.Column(run_id=run.id, department_id=dept, url=f"http://{dept}.example/gk/", name="公开目录")
        session.add(col)
        session.flush()
        for i in range(20):
            doc = m.Document(run_id=run.id, department_id=dept, column_id=col.id, url=f"http://{dept}.example/{i}.html",
                             title=f"文件{i}" * 5, first_seen_at=at)
            session.add(doc)
            session.flush()
            session.add(m.ListEntry(run_id=run.id, column_id=col.id, document_id=doc.id, title=doc.title,
                                    page_url=col.url))
            session.add(m.Attachment(run_id=run.id, document_id=doc.id, department_id=dept, url=f"{doc.url}.pdf"))
        for i in range(links):
            session.add(m.Link(run_id=run.id, department_id=dept, source_url=f"http://{dept}.example/{i % 20}.html",
                               target_url=f"http://{dept}.example/target/{i}/" + "x" * 200, anchor="链接" * 10))
            session.add(m.UrlCheck(run_id=run.id, url=f"http://{dept}.example/target/{i}/" + "x" * 200, verdict="ok",
                                   status=200, checked_at=at, redirect_chain=[]))
        body = f"<html>{dept} run {n}</html>".encode() * 200  # each run's own page body
        sha = hashlib.sha256(body).hexdigest()
        if session.get(SnapshotBody, sha) is None:
            session.add(SnapshotBody(sha256=sha, data=zlib.compress(body), size=len(body)))
            session.flush()
        session.add(Snapshot(run_id=run.id, url=col.url, status=200, fetched_at=at, sha256=sha))
    check = m.CheckRun(crawl_run_id=run.id, as_of=date(2026, 1, 1) + timedelta(days=n), started_at=at, finished_at=at)
    session.add(check)
    session.flush()
    for dept in departments if finding_status else ():
        f = m.Finding(check_run_id=check.id, check="links.broken", department_id=dept, url=f"http://{dept}.example/",
                      severity="error", message="链接不可用", fix="修复", evidence={}, detected_at=at, as_of=check.as_of,
                      status=finding_status)
        session.add(f)
        session.flush()
        if shots_dir is not None:
            png = f"PNG {dept} {n}".encode() * 500
            path = shots_dir / "screenshots" / f"{hashlib.sha256(png).hexdigest()}.png"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(png)
            session.add(Screenshot(run_id=run.id, check_run_id=check.id, finding_ids=[f.id], url=f.url, taken_at=at,
                                   sha256=hashlib.sha256(png).hexdigest(), path=str(path)))
    session.commit()
    return run.id, check.id


def add_round(session: Session, crawl_id: int, check_id: int) -> int:
    """A completed spot-check round on these runs (what its bulletin cites)."""
    draw = SpotcheckDraw(created_at=START, algorithm="test", algorithm_version="1", frame={}, commitment="c" * 64,
                         committed_at=START, seed="s" * 64, result={"departments": []})
    session.add(draw)
    session.flush()
    spot = SpotcheckRound(draw_id=draw.id, year=2026, period=1, status="completed", started_at=START,
                          finished_at=START, crawl_run_id=crawl_id, check_run_id=check_id)
    session.add(spot)
    session.commit()
    return spot.id
