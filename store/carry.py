"""Carry unchanged rows of an earlier run into an incremental run, in SQL, so every run is complete.

The spider leaves CarryMarks: `column` (its list is unchanged: take over its entries and documents),
`page` (a page not downloaded again: its links and snapshot), `document` (a document page not read
again: its metadata, links, attachments, privacy hits, snapshot) and `check` (a link target checked
recently: its outcome). Every insert skips rows the new run already has.
"""
from __future__ import annotations

from sqlalchemy import and_, literal, or_, select, true, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, aliased

from store import models as m
from store.models_checks import PrivacyHit
from store.models_evidence import Snapshot

DOC_FIELDS = ("publish_date", "publish_time", "written_date", "doc_number", "index_number", "publisher", "topic",
              "content_hash", "fetched")


def _insert_from(session: Session, table, columns: list[str], select_stmt) -> None:
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    session.execute(insert(table).from_select(columns, select_stmt).on_conflict_do_nothing())


def _copy(session: Session, model, run_id: int, prev_id: int, where, skip: tuple[str, ...] = ()) -> None:
    """Copy `model` rows of prev_id matching `where` into run_id (same values but run_id and id)."""
    cols = [c.name for c in model.__table__.columns if c.name not in ("id", "run_id", *skip)]
    src = model.__table__
    stmt = select(literal(run_id), *[src.c[c] for c in cols]).where(src.c.run_id == prev_id, where, true())
    _insert_from(session, model.__table__, ["run_id", *cols], stmt)


def carry_forward(session: Session, run_id: int, *, commit: bool = True) -> int:
    """Apply the run's carry marks; returns the number of marks applied. With commit=False the caller
    commits (crawler.run commits it with the run's status, in one transaction)."""
    marks = session.execute(select(m.CarryMark.kind, m.CarryMark.url, m.CarryMark.from_run)
                            .where(m.CarryMark.run_id == run_id)).all()
    if not marks:
        return 0
    for prev_id in sorted({p for _, _, p in marks}):
        _carry_from(session, run_id, prev_id)
    if commit:
        session.commit()
    return len(marks)


def _marked(run_id: int, prev_id: int, kind: str):
    return select(m.CarryMark.url).where(m.CarryMark.run_id == run_id, m.CarryMark.from_run == prev_id,
                                         m.CarryMark.kind == kind)


def _carry_from(session: Session, run_id: int, prev_id: int) -> None:
    C, D, LE = m.Column, m.Document, m.ListEntry
    columns = _marked(run_id, prev_id, "column")
    # 1. carried columns: the column rows, then their documents (marked as carried documents) and entries
    _copy(session, C, run_id, prev_id, C.url.in_(columns), skip=("parent_id",))
    prev_col, prev_doc = aliased(C), aliased(D)
    docs_of_columns = (select(prev_doc.url).join(LE, LE.document_id == prev_doc.id)
                       .join(prev_col, prev_col.id == LE.column_id)
                       .where(LE.run_id == prev_id, prev_col.url.in_(columns)))
    _copy(session, D, run_id, prev_id, D.url.in_(docs_of_columns), skip=("column_id",))
    carried_docs = docs_of_columns.subquery()
    _insert_from(session, m.CarryMark.__table__, ["run_id", "from_run", "kind", "url"],
                 select(literal(run_id), literal(prev_id), literal("document"), carried_docs.c.url).where(true()))
    new_col, new_doc = aliased(C), aliased(D)
    _insert_from(session, LE.__table__, ["run_id", "column_id", "document_id", "title", "list_date", "page_url"],
                 select(literal(run_id), new_col.id, new_doc.id, LE.title, LE.list_date, LE.page_url)
                 .join(prev_col, prev_col.id == LE.column_id).join(prev_doc, prev_doc.id == LE.document_id)
                 .join(new_col, and_(new_col.run_id == run_id, new_col.url == prev_col.url))
                 .join(new_doc, and_(new_doc.run_id == run_id, new_doc.url == prev_doc.url))
                 .where(LE.run_id == prev_id, prev_col.url.in_(columns)))
    # the list pages of carried columns were not downloaded: their links come along as pages
    list_pages = (select(LE.page_url).join(prev_col, prev_col.id == LE.column_id)
                  .where(LE.run_id == prev_id, prev_col.url.in_(columns)))
    pages = _marked(run_id, prev_id, "page")
    documents = _marked(run_id, prev_id, "document")

    # 2. carried documents: metadata onto the new run's (unread) rows, then what hangs off them
    for field in DOC_FIELDS:
        old = select(getattr(prev_doc, field)).where(prev_doc.run_id == prev_id, prev_doc.url == D.url) \
            .scalar_subquery()
        session.execute(update(D).where(D.run_id == run_id, D.url.in_(documents),
                                        or_(D.fetched.is_(None), D.fetched.is_(False))).values({field: old}))
    # a carried check brings the links read on its target too (a linked stylesheet, a page met only as a link)
    sources = or_(m.Link.source_url.in_(documents), m.Link.source_url.in_(pages), m.Link.source_url.in_(list_pages),
                  m.Link.source_url.in_(_marked(run_id, prev_id, "check")))
    _copy(session, m.Link, run_id, prev_id, sources)
    _insert_from(session, m.Attachment.__table__, ["run_id", "document_id", "department_id", "url", "name"],
                 select(literal(run_id), new_doc.id, m.Attachment.department_id, m.Attachment.url, m.Attachment.name)
                 .join(prev_doc, prev_doc.id == m.Attachment.document_id)
                 .join(new_doc, and_(new_doc.run_id == run_id, new_doc.url == prev_doc.url))
                 .where(m.Attachment.run_id == prev_id, prev_doc.url.in_(documents)))
    _copy(session, PrivacyHit, run_id, prev_id, PrivacyHit.document_url.in_(documents))

    # 3. fetch outcomes and snapshots of every URL this run refers to but did not fetch again (the unique
    #    keys keep whatever the new run fetched itself)
    targets = select(m.Link.target_url).where(m.Link.run_id == run_id)
    def refers(url_column):
        return or_(*(url_column.in_(q) for q in (targets, _marked(run_id, prev_id, "check"), documents, pages,
                                                 list_pages)))

    _copy(session, m.UrlCheck, run_id, prev_id, refers(m.UrlCheck.url))
    _copy(session, Snapshot, run_id, prev_id, refers(Snapshot.url))
    session.flush()
