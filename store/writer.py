"""Idempotent writes of crawl results: every row is an upsert on its natural key within a run.

Re-running an interrupted crawl into the same run therefore never duplicates a row, and what was
already stored is kept. Commits are batched; callers flush at the end.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from store import models as m


def upsert(session: Session, model: type[m.Base], values: dict[str, Any], keys: tuple[str, ...],
           update: tuple[str, ...] | None = None) -> int:
    """Insert `values` or, on conflict over `keys`, update the `update` columns; return the row id."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(model).values(**values)
    cols = update if update is not None else tuple(k for k in values if k not in keys)
    if cols:
        stmt = stmt.on_conflict_do_update(index_elements=list(keys), set_={c: stmt.excluded[c] for c in cols})
    else:  # nothing to change, but RETURNING needs the row: touch a key column to itself
        stmt = stmt.on_conflict_do_update(index_elements=list(keys), set_={keys[-1]: stmt.excluded[keys[-1]]})
    return session.execute(stmt.returning(model.id)).scalar_one()


@dataclass
class RunWriter:
    """Writes one crawl run's rows; keeps url → id maps so children can reference parents."""

    session: Session
    run_id: int
    batch_size: int = 200
    _pending: int = 0
    _columns: dict[str, int] = field(default_factory=dict)
    _documents: dict[str, int] = field(default_factory=dict)

    def _tick(self) -> None:
        self._pending += 1
        if self._pending >= self.batch_size:
            self.commit()

    def commit(self) -> None:
        self.session.commit()
        self._pending = 0

    def column_id(self, url: str | None) -> int | None:
        if not url:
            return None
        if url not in self._columns:
            found = self.session.scalar(select(m.Column.id).where(m.Column.run_id == self.run_id, m.Column.url == url))
            if found is None:
                return None
            self._columns[url] = found
        return self._columns[url]

    def document_id(self, url: str) -> int | None:
        if url not in self._documents:
            found = self.session.scalar(
                select(m.Document.id).where(m.Document.run_id == self.run_id, m.Document.url == url))
            if found is None:
                return None
            self._documents[url] = found
        return self._documents[url]

    def column(self, *, department_id: str, url: str, name: str, parent_url: str | None, depth: int,
               page_count: int, note: str | None, page_url: str | None = None) -> int:
        values = dict(run_id=self.run_id, department_id=department_id, url=url, name=name, page_url=page_url,
                      parent_id=self.column_id(parent_url), depth=depth, page_count=page_count, note=note)
        self._columns[url] = upsert(self.session, m.Column, values, ("run_id", "url"))
        self._tick()
        return self._columns[url]

    def document(self, **fields: Any) -> int:
        """Upsert a document; fields that are None never overwrite a value already stored."""
        url = fields["url"]
        column_url = fields.pop("column_url", None)
        values = {k: v for k, v in fields.items() if v is not None}
        values.update(run_id=self.run_id, column_id=self.column_id(column_url))
        if values["column_id"] is None:
            values.pop("column_id")
        # first_seen_at is set once: the earliest time the document was seen in this run
        keep = ("first_seen_at",)
        update = tuple(k for k in values if k not in ("run_id", "url", *keep))
        self._documents[url] = upsert(self.session, m.Document, values, ("run_id", "url"), update)
        self._tick()
        return self._documents[url]

    def list_entry(self, *, column_url: str, document_url: str, title: str, list_date, page_url: str) -> None:
        col_id, doc_id = self.column_id(column_url), self.document_id(document_url)
        if col_id is None or doc_id is None:
            return
        upsert(self.session, m.ListEntry,
               dict(run_id=self.run_id, column_id=col_id, document_id=doc_id, title=title, list_date=list_date,
                    page_url=page_url), ("run_id", "column_id", "document_id"))
        self._tick()

    def attachment(self, *, document_url: str, url: str, name: str, department_id: str | None) -> None:
        doc_id = self.document_id(document_url)
        if doc_id is None:
            return
        upsert(self.session, m.Attachment,
               dict(run_id=self.run_id, document_id=doc_id, url=url, name=name, department_id=department_id),
               ("run_id", "document_id", "url"))
        self._tick()

    def link(self, *, department_id: str | None, source_url: str, target_url: str, anchor: str, tag: str,
             is_attachment: bool) -> None:
        upsert(self.session, m.Link,
               dict(run_id=self.run_id, department_id=department_id, source_url=source_url,
                    target_url=target_url, anchor=anchor[:500], tag=tag, is_attachment=is_attachment),
               ("run_id", "source_url", "target_url"))
        self._tick()

    def url_check(self, **fields: Any) -> None:
        upsert(self.session, m.UrlCheck, dict(run_id=self.run_id, **fields), ("run_id", "url"))
        self._tick()

    def carry(self, *, kind: str, url: str, from_run: int) -> None:
        upsert(self.session, m.CarryMark, dict(run_id=self.run_id, kind=kind, url=url, from_run=from_run),
               ("run_id", "kind", "url"))
        self._tick()

    def privacy_hit(self, **fields: Any) -> None:
        from store.models_checks import PrivacyHit

        upsert(self.session, PrivacyHit, dict(run_id=self.run_id, **fields), ("run_id", "source_url", "kind", "masked"))
        self._tick()

    def event(self, *, department_id: str | None, url: str, kind: str, message: str, at) -> None:
        upsert(self.session, m.CrawlEvent,
               dict(run_id=self.run_id, department_id=department_id, url=url, kind=kind, message=message, at=at),
               ("run_id", "url", "kind"))
        self._tick()


def finalize_run(session: Session, run_id: int) -> None:
    """Derive per-column figures from the list entries, and nest columns by their URL paths.

    Done once after the crawl (not per page) so that it is right however the pages were spread over
    workers or resumed runs.
    """
    from sqlalchemy import func

    newest = func.max(func.coalesce(m.ListEntry.list_date, m.Document.publish_date))
    counts = (
        select(m.ListEntry.column_id, func.count(m.ListEntry.id), newest)
        .join(m.Document, m.Document.id == m.ListEntry.document_id)
        .where(m.ListEntry.run_id == run_id)
        .group_by(m.ListEntry.column_id)
    )
    figures = {cid: (n, d) for cid, n, d in session.execute(counts)}
    columns = session.scalars(select(m.Column).where(m.Column.run_id == run_id)).all()
    by_dept: dict[str, list[m.Column]] = {}
    for col in columns:
        n, newest_date = figures.get(col.id, (0, None))
        col.item_count, col.newest_date = n, newest_date
        by_dept.setdefault(col.department_id, []).append(col)
    for cols in by_dept.values():
        # a column's parent is the nearest other column whose URL is a path prefix of its own
        for col in cols:
            prefixes = [p for p in cols if p is not col and col.url.startswith(p.url) and p.url.endswith("/")]
            if prefixes:
                col.parent_id = max(prefixes, key=lambda p: len(p.url)).id
                col.depth = (col.depth if col.depth else 1)
    session.flush()
    # depth follows the final parent links
    by_id = {c.id: c for c in columns}
    for col in columns:
        depth, cur, hops = 0, col, 0
        while cur.parent_id is not None and cur.parent_id in by_id and hops < 50:
            cur, depth, hops = by_id[cur.parent_id], depth + 1, hops + 1
        col.depth = depth
    session.commit()
