"""RunWriter's batched upserts on real databases: the rows are those successive single upserts would
leave — merged within a batch, idempotent across batches and resumed writers."""
from __future__ import annotations

import sqlite3
import threading
from datetime import date, datetime

import pytest
from sqlalchemy import create_engine, func, select

from store import models as m
from store.db import make_engine, session_factory
from store.evidence import load_snapshot
from store.migrate import upgrade
from store.models_evidence import Snapshot, SnapshotBody
from store.writer import RunWriter

ROOT = "http://x/fgw/zwgk/"
COL = ROOT + "tzgg/"
T0, T1 = datetime(2026, 11, 20, 9, 0), datetime(2026, 11, 20, 10, 0)


def _run(session) -> int:
    run = m.CrawlRun(sites_file="s.yaml", sites_hash="h", started_at=T0, departments=["fgw"])
    session.add(run)
    session.commit()
    return run.id


def _count(session, model, run_id) -> int:
    return session.scalar(select(func.count()).select_from(model).where(model.run_id == run_id))


def _crawl(w: RunWriter, docs: int = 4) -> None:
    """What a crawl of one column yields, in the spider's order: column, then per list entry the
    document (list fields), its entry; later the document page (page fields), attachment and links."""
    w.column(department_id="fgw", url=ROOT, name="政府信息公开", parent_url=None, depth=0, page_count=1, note=None)
    w.column(department_id="fgw", url=COL, name="通知公告", parent_url=ROOT, depth=1, page_count=1, note=None)
    for i in range(docs):
        url = f"{COL}t{i}.html"
        w.document(url=url, title=f"通知{i}", department_id="fgw", column_url=COL, list_date=date(2026, 11, 1 + i),
                   first_seen_at=T0)
        w.list_entry(column_url=COL, document_url=url, title=f"通知{i}", list_date=date(2026, 11, 1 + i),
                     page_url=COL)
    for i in range(docs):
        url = f"{COL}t{i}.html"
        w.document(url=url, title=f"关于第{i}号事项的通知", department_id="fgw", first_seen_at=T1,
                   publish_date=date(2026, 11, 2 + i), index_number=f"000-{i}", fetched=True, column_url=None,
                   list_date=None)
        w.attachment(document_url=url, url=f"{COL}f{i}.pdf", name="附件", department_id="fgw")
        w.link(department_id="fgw", source_url=url, target_url=f"{COL}f{i}.pdf", anchor="附件", tag="a",
               is_attachment=True)
        w.url_check(url=f"{COL}f{i}.pdf", verdict="ok", status=200, checked_at=T1, method="HEAD")
    w.commit()


@pytest.mark.parametrize("batch", [1, 3, 1000])
def test_batched_rows_equal_successive_upserts_and_rerun_adds_nothing(session, batch):
    run_id = _run(session)
    _crawl(RunWriter(session, run_id, batch_size=batch))
    _crawl(RunWriter(session, run_id, batch_size=batch))  # a resumed crawl writes it all again
    counts = {model.__tablename__: _count(session, model, run_id)
              for model in (m.Column, m.Document, m.ListEntry, m.Attachment, m.Link, m.UrlCheck)}
    assert counts == {"columns": 2, "documents": 4, "list_entries": 4, "attachments": 4, "links": 4,
                      "url_checks": 4}
    col = session.scalar(select(m.Column).where(m.Column.url == COL))
    root = session.scalar(select(m.Column).where(m.Column.url == ROOT))
    assert col.parent_id == root.id  # the parent of the same batch was written first and resolved
    doc = session.scalar(select(m.Document).where(m.Document.url == COL + "t1.html"))
    # list fields and page fields merged; None from the page never erased the list's date or column
    assert (doc.title, doc.list_date, doc.publish_date, doc.index_number, doc.fetched, doc.column_id) == (
        "关于第1号事项的通知", date(2026, 11, 2), date(2026, 11, 3), "000-1", True, col.id)
    assert doc.first_seen_at == T0  # the first sighting is kept, in a batch and across runs of the writer
    entry = session.scalar(select(m.ListEntry).where(m.ListEntry.document_id == doc.id))
    assert entry.column_id == col.id


def test_none_never_overwrites_a_stored_value_from_an_earlier_batch(session):
    run_id = _run(session)
    w = RunWriter(session, run_id)
    w.document(url=COL + "a.html", title="甲", first_seen_at=T1, publish_date=date(2026, 1, 5), doc_number="X〔2026〕1号")
    w.commit()
    w.document(url=COL + "a.html", title="甲（更新）", first_seen_at=T0, publish_date=None, doc_number=None,
               fetched=True)
    w.document(url=COL + "b.html", title="乙", first_seen_at=T0)
    w.commit()
    a = session.scalar(select(m.Document).where(m.Document.url == COL + "a.html"))
    assert (a.title, a.publish_date, a.doc_number, a.fetched, a.first_seen_at) == (
        "甲（更新）", date(2026, 1, 5), "X〔2026〕1号", True, T1)
    b = session.scalar(select(m.Document).where(m.Document.url == COL + "b.html"))
    assert b.fetched is False  # the column default still applies to a row written without the field


def test_children_of_parents_written_by_an_earlier_writer_are_resolved_from_the_store(session):
    run_id = _run(session)
    first = RunWriter(session, run_id)
    first.column(department_id="fgw", url=COL, name="通知公告", parent_url=None, depth=1, page_count=1, note=None)
    first.document(url=COL + "a.html", title="甲", first_seen_at=T0, column_url=COL)
    first.commit()
    resumed = RunWriter(session, run_id)  # a new process: its id caches are empty
    resumed.list_entry(column_url=COL, document_url=COL + "a.html", title="甲", list_date=None, page_url=COL)
    resumed.attachment(document_url=COL + "a.html", url=COL + "a.pdf", name="附件", department_id="fgw")
    resumed.attachment(document_url=COL + "unknown.html", url=COL + "b.pdf", name="附件", department_id="fgw")
    resumed.commit()
    assert _count(session, m.ListEntry, run_id) == 1
    # an attachment of a document never stored is dropped, as a single upsert would have been skipped
    assert [a.url for a in session.scalars(select(m.Attachment))] == [COL + "a.pdf"]


def test_url_check_fields_not_given_again_are_kept(session):
    run_id = _run(session)
    w = RunWriter(session, run_id, batch_size=1000)
    w.url_check(url=COL + "f.pdf", verdict="blocked", reason="http_403", status=403, checked_at=T0,
                content_type="text/html")
    w.url_check(url=COL + "f.pdf", verdict="ok", reason=None, status=200, checked_at=T1)
    w.commit()
    row = session.scalar(select(m.UrlCheck))
    assert (row.verdict, row.reason, row.status, row.checked_at, row.content_type) == (
        "ok", None, 200, T1, "text/html")


def test_snapshots_are_batched_deduplicated_and_the_latest_fetch_wins(session):
    run_id = _run(session)
    w = RunWriter(session, run_id, batch_size=1000)
    page = dict(final_url=None, status=200, headers={"Content-Type": "text/html"}, fetched_at=T0)
    w.snapshot(url=COL, body=b"<html>same</html>", **page)
    w.snapshot(url=COL + "index.html", body=b"<html>same</html>", **page)
    w.snapshot(url=COL + "a.html", body=b"<html>old</html>", **page)
    w.snapshot(url=COL + "a.html", body=b"<html>new</html>", **{**page, "fetched_at": T1})
    w.commit()
    w.snapshot(url=COL + "b.html", body=b"<html>same</html>", **page)  # a body stored by an earlier batch
    w.commit()
    assert _count(session, Snapshot, run_id) == 4
    # "same" once; "old" was replaced within its batch, so its body is never stored (nothing refers to it)
    assert session.scalar(select(func.count()).select_from(SnapshotBody)) == 2
    latest = load_snapshot(session, run_id, COL + "a.html")
    assert (latest.body, latest.fetched_at, latest.content_type) == (b"<html>new</html>", T1, "text/html")


def test_a_batch_that_meets_a_locked_sqlite_database_is_retried_whole(tmp_path):
    path = tmp_path / "zwgk.db"
    upgrade(make_engine(f"sqlite:///{path}"))
    # a short busy timeout, so that the writer meets "database is locked" instead of waiting it out
    engine = create_engine(f"sqlite:///{path}", connect_args={"timeout": 0.05})
    with session_factory(engine)() as session:
        run_id = _run(session)
        other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        other.execute("BEGIN IMMEDIATE")  # another crawler process holding the write lock
        release = threading.Timer(0.3, other.execute, ("COMMIT",))
        release.start()
        try:
            _crawl(RunWriter(session, run_id, retries=20))
        finally:
            release.join()
            other.close()
        assert _count(session, m.Document, run_id) == 4 and _count(session, m.ListEntry, run_id) == 4
        assert _count(session, m.Column, run_id) == 2
    engine.dispose()
