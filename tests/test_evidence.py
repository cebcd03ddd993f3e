"""Page snapshots: bodies stored once (compressed, keyed by sha256), one snapshot per (run, url), read back
byte for byte — including GBK pages and partial link-check bodies."""
from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import func, select

from store import models as m
from store.evidence import load_snapshot, save_snapshot, snapshot_reference
from store.models_evidence import Snapshot, SnapshotBody

AT = datetime(2026, 11, 20, 9, 30, 15)
GBK_PAGE = "<html><head><title>示例市教育局 政府信息公开</title></head><body>关于做好2026年义务教育招生工作的通知</body></html>"


def _run(session) -> int:
    run = m.CrawlRun(sites_file="s", sites_hash="h", started_at=AT, departments=["jyj"], status="completed")
    session.add(run)
    session.commit()
    return run.id


def _count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def test_snapshot_round_trip_and_dedup(session):
    run = _run(session)
    body = GBK_PAGE.encode("gbk") * 50
    headers = {"Content-Type": "text/html", "Server": "nginx", "Set-Cookie": ["a=1", "b=2"]}
    sha = save_snapshot(session, run, url="http://x/jyj/zwgk/", final_url="http://x/jyj/zwgk/index.html", status=200,
                        headers=headers, body=body, fetched_at=AT)
    again = save_snapshot(session, run, url="http://x/jyj/zwgk/", final_url="http://x/jyj/zwgk/index.html",
                          status=200, headers=headers, body=body, fetched_at=AT)
    other = save_snapshot(session, run, url="http://x/jyj/zwgk/index.html", final_url=None, status=200,
                          headers=headers, body=body, fetched_at=AT)
    session.commit()
    assert sha == again == other == hashlib.sha256(body).hexdigest()
    assert (_count(session, Snapshot), _count(session, SnapshotBody)) == (2, 1)
    stored = session.get(SnapshotBody, sha)
    assert stored.size == len(body) and len(stored.data) < len(body) // 5  # compressed
    snap = load_snapshot(session, run, "http://x/jyj/zwgk/")
    assert snap.body == body and snap.body.decode("gbk") == GBK_PAGE * 50
    assert (snap.status, snap.final_url, snap.fetched_at, snap.truncated) == (200, "http://x/jyj/zwgk/index.html", AT, False)
    assert snap.headers["Set-Cookie"] == "a=1, b=2" and snap.content_type == "text/html"
    assert snap.reference() == {"url": "http://x/jyj/zwgk/", "sha256": sha, "fetched_at": "2026-11-20 09:30:15"}
    assert snapshot_reference(session, run, "http://x/jyj/zwgk/") == snap.reference()
    assert snapshot_reference(session, run, "http://x/other") is None
    assert load_snapshot(session, run, "http://x/other") is None


def test_refetch_in_the_same_run_replaces_the_snapshot(session):
    run = _run(session)
    save_snapshot(session, run, url="http://x/a", final_url=None, status=503, headers={}, body=b"busy", fetched_at=AT)
    later = AT.replace(minute=45)
    save_snapshot(session, run, url="http://x/a", final_url=None, status=200, headers={"Content-Type": "text/html"},
                  body=b"<p>ok</p>", fetched_at=later)
    session.commit()
    snap = load_snapshot(session, run, "http://x/a")
    assert (snap.status, snap.body, snap.fetched_at) == (200, b"<p>ok</p>", later)
    assert _count(session, Snapshot) == 1


def test_partial_link_check_body_is_marked_truncated(session):
    run = _run(session)
    prefix = b"%PDF-1.4\n" + b"\0" * 8000
    save_snapshot(session, run, url="http://x/f.pdf", final_url=None, status=200,
                  headers={"Content-Type": "application/pdf", "Content-Length": "5000000"}, body=prefix,
                  fetched_at=AT, truncated=True)
    session.commit()
    snap = load_snapshot(session, run, "http://x/f.pdf")
    assert snap.truncated and snap.body == prefix


def test_same_body_in_two_runs_is_stored_once(session):
    first, second = _run(session), _run(session)
    for run in (first, second):
        save_snapshot(session, run, url="http://x/", final_url=None, status=200, headers={}, body=b"same", fetched_at=AT)
    session.commit()
    assert (_count(session, Snapshot), _count(session, SnapshotBody)) == (2, 1)
