"""Idempotent, batched writes of crawl results: every row is an upsert on its natural key within a run.

RunWriter buffers rows per table and writes them in batches, parents before children, with one cached
statement per table and column set. Re-running an interrupted crawl into the same run never duplicates
a row, and what was already stored is kept. Callers call commit() at the end.

The rows of one response are written `together()`: never split over two commits. A resumed crawl
trusts what it finds stored (a page's outcome, a document marked fetched) to mean that everything the
page produced is stored too; a commit in the middle of a page followed by a kill would break that.
"""
from __future__ import annotations

import logging
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import islice
from typing import Any, Callable, Iterable

from sqlalchemy import Table, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from store import killpoint
from store import models as m
from store.completeness import judge_columns
from store.evidence import body_values, snapshot_values
from store.models_checks import PrivacyHit
from store.models_evidence import Snapshot, SnapshotBody
from store.safetext import mask_row

log = logging.getLogger(__name__)

# PostgreSQL deadlock / serialization failure: the whole batch is retried
_RETRY_SQLSTATES = {"40P01", "40001"}
_LOOKUP_CHUNK = 500


def _insert_for(session: Session):
    return postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert


def upsert(session: Session, model: type[m.Base], values: dict[str, Any], keys: tuple[str, ...],
           update: tuple[str, ...] | None = None) -> int:
    """Insert `values` or, on conflict over `keys`, update the `update` columns; return the row id.

    One row, one statement: for the few rows written outside a crawl (departments). Crawl rows go
    through RunWriter.
    """
    stmt = _insert_for(session)(model).values(**values)
    cols = update if update is not None else tuple(k for k in values if k not in keys)
    if cols:
        stmt = stmt.on_conflict_do_update(index_elements=list(keys), set_={c: stmt.excluded[c] for c in cols})
    else:  # nothing to change, but RETURNING needs the row: touch a key column to itself
        stmt = stmt.on_conflict_do_update(index_elements=list(keys), set_={keys[-1]: stmt.excluded[keys[-1]]})
    return session.execute(stmt.returning(model.id)).scalar_one()


@dataclass(frozen=True)
class _Spec:
    """How one table is upserted: its natural key, columns never updated once stored, ids wanted back."""
    table: Table
    keys: tuple[str, ...]
    keep: tuple[str, ...] = ()
    returning: bool = False


_SPECS = {
    "columns": _Spec(m.Column.__table__, ("run_id", "url"), returning=True),
    # first_seen_at is set once: the earliest time the document was seen in this run
    "documents": _Spec(m.Document.__table__, ("run_id", "url"), keep=("first_seen_at",), returning=True),
    "list_entries": _Spec(m.ListEntry.__table__, ("run_id", "column_id", "document_id")),
    "list_pages": _Spec(m.ListPage.__table__, ("run_id", "url")),
    "attachments": _Spec(m.Attachment.__table__, ("run_id", "document_id", "url")),
    "links": _Spec(m.Link.__table__, ("run_id", "source_url", "target_url")),
    "url_checks": _Spec(m.UrlCheck.__table__, ("run_id", "url")),
    "carry_marks": _Spec(m.CarryMark.__table__, ("run_id", "kind", "url")),
    "privacy_hits": _Spec(PrivacyHit.__table__, ("run_id", "source_url", "kind", "masked")),
    "crawl_events": _Spec(m.CrawlEvent.__table__, ("run_id", "url", "kind")),
    "snapshots": _Spec(Snapshot.__table__, ("run_id", "url")),
}
# parents before children; the rest reference nothing by id
_ORDER = ("columns", "documents", "list_entries", "list_pages", "attachments", "links", "url_checks", "carry_marks",
          "privacy_hits", "crawl_events", "snapshots")


class _IdCache(dict):
    """url → id of rows already written in this run; bounded (children follow their parent closely,
    and a miss is one batched lookup), so memory stays flat however large the run."""

    def __init__(self, limit: int):
        super().__init__()
        self.limit = limit

    def remember(self, pairs: Iterable[tuple[str, int]]) -> None:
        self.update(pairs)
        if len(self) > self.limit:
            for url in list(islice(self, len(self) - self.limit // 2)):
                del self[url]


def _merge(buffer: dict[tuple, dict[str, Any]], key: tuple, values: dict[str, Any], keep: tuple[str, ...]) -> None:
    """Fold `values` into the buffered row of `key` as a second upsert would: later values win, `keep`
    columns keep the first value."""
    row = buffer.get(key)
    if row is None:
        buffer[key] = values
        return
    for name, value in values.items():
        if name not in keep or name not in row:
            row[name] = value


@dataclass
class RunWriter:
    """Writes one crawl run's rows, buffered per table and flushed in batches of `batch_size` rows.

    Rows that reference a parent by URL (a document's column, a list entry's document…) are resolved
    at flush time, after the parents of the same batch are written; a reference that resolves to no
    stored row drops the child, as before.
    """

    session: Session
    run_id: int
    batch_size: int = 500
    max_buffer_bytes: int = 16 * 1024 * 1024
    retries: int = 5
    cache_size: int = 50_000
    on_commit: Callable[[], None] | None = None  # told after each commit (a distributed worker's bookkeeping)
    _rows: dict[str, dict[tuple, dict[str, Any]]] = field(default_factory=dict)
    _pending: int = 0
    _bytes: int = 0
    _statements: dict[tuple, Any] = field(default_factory=dict)
    _ids: dict[str, _IdCache] = field(default_factory=dict)
    _holding: int = 0

    def __post_init__(self) -> None:
        self._rows = {name: {} for name in _ORDER}
        self._ids = {"columns": _IdCache(self.cache_size), "documents": _IdCache(self.cache_size)}
        self._insert = _insert_for(self.session)
        self._dialect = self.session.get_bind().dialect.name

    # --- rows -------------------------------------------------------------------------------------

    def column(self, *, department_id: str, url: str, name: str, parent_url: str | None, depth: int,
               page_count: int, note: str | None, page_url: str | None = None) -> None:
        self._add("columns", (url,), dict(department_id=department_id, url=url, name=name, page_url=page_url,
                                          parent_url=parent_url, depth=depth, page_count=page_count, note=note))

    def document(self, **fields: Any) -> None:
        """Upsert a document; fields that are None never overwrite a value already stored."""
        values = {k: v for k, v in fields.items() if v is not None}
        self._add("documents", (fields["url"],), values)

    def list_entry(self, *, column_url: str, document_url: str, title: str, list_date, page_url: str) -> None:
        self._add("list_entries", (column_url, document_url),
                  dict(column_url=column_url, document_url=document_url, title=title, list_date=list_date,
                       page_url=page_url))

    def list_page(self, **fields: Any) -> None:
        """A list page (or endpoint answer) of a column as met; completeness is derived from these rows."""
        self._add("list_pages", (fields["url"],), fields)

    def attachment(self, *, document_url: str, url: str, name: str, department_id: str | None) -> None:
        self._add("attachments", (document_url, url),
                  dict(document_url=document_url, url=url, name=name, department_id=department_id))

    def link(self, *, department_id: str | None, source_url: str, target_url: str, anchor: str, tag: str,
             is_attachment: bool, kind: str = "page") -> None:
        self._add("links", (source_url, target_url),
                  dict(department_id=department_id, source_url=source_url, target_url=target_url,
                       anchor=anchor[:500], tag=tag, is_attachment=is_attachment, kind=kind))

    def url_check(self, **fields: Any) -> None:
        self._add("url_checks", (fields["url"],), fields)

    def carry(self, *, kind: str, url: str, from_run: int) -> None:
        self._add("carry_marks", (kind, url), dict(kind=kind, url=url, from_run=from_run))

    def privacy_hit(self, **fields: Any) -> None:
        self._add("privacy_hits", (fields["source_url"], fields["kind"], fields["masked"]), fields)

    def event(self, *, department_id: str | None, url: str, kind: str, message: str, at) -> None:
        self._add("crawl_events", (url, kind),
                  dict(department_id=department_id, url=url, kind=kind, message=message, at=at))

    def snapshot(self, **fields: Any) -> None:
        """A fetched page as evidence (store.evidence.save_snapshot, batched): the latest fetch of a URL wins."""
        self._bytes += len(fields["body"])
        self._add("snapshots", (fields["url"],), fields)

    def _add(self, table: str, key: tuple, values: dict[str, Any]) -> None:
        values = mask_row(values)  # no raw personal number is stored outside the address columns
        _merge(self._rows[table], key, values, _SPECS[table].keep)
        self._pending += 1
        if not self._holding and self._full():
            self.commit()

    def _full(self) -> bool:
        return self._pending >= self.batch_size or self._bytes >= self.max_buffer_bytes

    @contextmanager
    def together(self):
        """The rows added inside are committed in one transaction (a batch may grow past its size)."""
        self._holding += 1
        try:
            yield self
        finally:
            self._holding -= 1
        if not self._holding and self._full():
            self.commit()

    def discard(self) -> None:
        """Forget the buffered rows (after a write failure that ends the run)."""
        self.session.rollback()
        self._rows = {name: {} for name in _ORDER}
        self._pending = self._bytes = 0

    # --- flushing ---------------------------------------------------------------------------------

    def commit(self) -> None:
        """Write every buffered row and commit; a batch hit by a deadlock or a locked database is retried
        as a whole (ids learnt in a rolled-back attempt are forgotten)."""
        for attempt in range(self.retries + 1):
            learnt: dict[str, dict[str, int]] = {"columns": {}, "documents": {}}
            try:
                for table in _ORDER:
                    if self._rows[table]:
                        getattr(self, f"_flush_{table}", self._flush_plain)(table, learnt)
                self.session.commit()
            except DBAPIError as exc:
                self.session.rollback()
                if attempt == self.retries or not _transient(exc):
                    raise
                log.warning("batch write retried (%s): %s", attempt + 1, str(exc.orig).splitlines()[0][:200])
                time.sleep(min(0.05 * 2 ** attempt, 2.0))
                continue
            for table, pairs in learnt.items():
                self._ids[table].remember(pairs.items())
            self._rows = {name: {} for name in _ORDER}
            self._pending = self._bytes = 0
            if self.on_commit is not None:
                self.on_commit()
            killpoint.reached("crawl:commit")
            return

    def _flush_columns(self, table: str, learnt: dict[str, dict[str, int]]) -> None:
        # waves: a column whose parent is in this batch is written after it, so its parent_id resolves
        pending = dict(self._rows[table])
        while pending:
            wave = {k: v for k, v in pending.items() if (v["parent_url"],) not in pending or (v["parent_url"],) == k}
            wave = wave or pending  # a cycle cannot resolve further: write what is left
            parents = self._resolve("columns", {v["parent_url"] for v in wave.values() if v["parent_url"]}, learnt)
            rows = [{**{k: v for k, v in row.items() if k != "parent_url"}, "parent_id": parents.get(row["parent_url"])}
                    for row in wave.values()]
            self._write(table, rows, learnt)
            pending = {k: v for k, v in pending.items() if k not in wave}

    def _flush_documents(self, table: str, learnt: dict[str, dict[str, int]]) -> None:
        rows = list(self._rows[table].values())
        columns = self._resolve("columns", {r["column_url"] for r in rows if r.get("column_url")}, learnt)
        out = []
        for row in rows:
            row = dict(row)
            column_id = columns.get(row.pop("column_url", None))
            if column_id is not None:
                row["column_id"] = column_id
            out.append(row)
        self._write(table, out, learnt)

    def _flush_list_entries(self, table: str, learnt: dict[str, dict[str, int]]) -> None:
        self._write_children(table, learnt, {"column_url": ("columns", "column_id"),
                                             "document_url": ("documents", "document_id")})

    def _flush_attachments(self, table: str, learnt: dict[str, dict[str, int]]) -> None:
        self._write_children(table, learnt, {"document_url": ("documents", "document_id")})

    def _flush_snapshots(self, table: str, learnt: dict[str, dict[str, int]]) -> None:
        bodies: dict[str, dict[str, Any]] = {}
        rows = []
        for fields in self._rows[table].values():
            row = snapshot_values(self.run_id, **fields)
            bodies.setdefault(row["sha256"], (fields["body"], row["headers"]))
            rows.append(row)
        stored = self._existing(SnapshotBody.sha256, SnapshotBody.sha256, bodies)
        new = [body_values(digest, body, headers) for digest, (body, headers) in sorted(bodies.items())
               if digest not in stored]
        if new:
            self.session.connection().execute(
                self._insert(SnapshotBody).on_conflict_do_nothing(index_elements=["sha256"]), new)
        self._write(table, rows, learnt)

    def _flush_plain(self, table: str, learnt: dict[str, dict[str, int]]) -> None:
        self._write(table, list(self._rows[table].values()), learnt)

    def _write_children(self, table: str, learnt: dict[str, dict[str, int]],
                        refs: dict[str, tuple[str, str]]) -> None:
        """Rows that name their parents by URL: resolve every reference, drop rows with a missing parent.
        `refs` maps a URL field to (parent table, id column)."""
        rows = list(self._rows[table].values())
        ids = {ref: self._resolve(parent, {r[ref] for r in rows}, learnt) for ref, (parent, _) in refs.items()}
        out: dict[tuple, dict[str, Any]] = {}
        for row in rows:
            resolved = {ref: ids[ref].get(row[ref]) for ref in refs}
            if None in resolved.values():
                continue
            values = {k: v for k, v in row.items() if k not in refs}
            for ref, (_, id_column) in refs.items():
                values[id_column] = resolved[ref]
            values["run_id"] = self.run_id
            _merge(out, tuple(values[k] for k in _SPECS[table].keys), values, ())
        self._write(table, list(out.values()), learnt)

    def _resolve(self, parent: str, urls: set[str], learnt: dict[str, dict[str, int]]) -> dict[str, int]:
        """Ids of this run's rows of `parent` for `urls`: written in this attempt, cached, or looked up."""
        cache, fresh = self._ids[parent], learnt[parent]
        found = {u: fresh[u] if u in fresh else cache[u] for u in urls if u in fresh or u in cache}
        missing = urls - found.keys()
        if missing:
            t = _SPECS[parent].table
            found.update(self._existing(t.c.url, t.c.id, missing, t.c.run_id == self.run_id, by_url=True))
        return found

    def _existing(self, key_col, value_col, keys: Iterable, *where, by_url: bool = False) -> dict[Any, Any]:
        out: dict[Any, Any] = {}
        keys = sorted(keys)
        for start in range(0, len(keys), _LOOKUP_CHUNK):
            chunk = keys[start:start + _LOOKUP_CHUNK]
            match = m.url_lookup(key_col, chunk, self._dialect) if by_url else key_col.in_(chunk)
            out.update(self.session.execute(select(key_col, value_col).where(match, *where)).all())
        return out

    def _write(self, table: str, rows: list[dict[str, Any]], learnt: dict[str, dict[str, int]]) -> None:
        """Upsert rows grouped by column set, each group sorted by natural key (a stable lock order for
        concurrent writers), one cached statement per group."""
        spec = _SPECS[table]
        groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
        for row in rows:
            row["run_id"] = self.run_id
            groups.setdefault(tuple(sorted(row)), []).append(row)
        conn = self.session.connection()
        for shape, group in groups.items():
            group.sort(key=lambda r: tuple(_sortable(r[k]) for k in spec.keys))
            result = conn.execute(self._statement(table, shape), group)
            if spec.returning:
                learnt[table].update((url, id_) for id_, url in result)

    def _statement(self, table: str, shape: tuple[str, ...]):
        stmt = self._statements.get((table, shape))
        if stmt is None:
            spec = _SPECS[table]
            stmt = self._insert(spec.table)
            update = [c for c in shape if c not in spec.keys and c not in spec.keep]
            target = m.url_conflict(spec.table, spec.keys, self._dialect)  # md5() of URLs on PostgreSQL
            if spec.returning:  # RETURNING needs the row even when nothing changes: touch a key column
                update = update or [spec.keys[-1]]
                stmt = stmt.on_conflict_do_update(index_elements=target,
                                                  set_={c: stmt.excluded[c] for c in update})
                stmt = stmt.returning(spec.table.c.id, spec.table.c.url)
            elif update:
                stmt = stmt.on_conflict_do_update(index_elements=target,
                                                  set_={c: stmt.excluded[c] for c in update})
            else:
                stmt = stmt.on_conflict_do_nothing(index_elements=target)
            self._statements[(table, shape)] = stmt
        return stmt


def _sortable(value: Any) -> tuple[bool, Any]:
    return (value is not None, value if value is not None else 0)


def _transient(exc: DBAPIError) -> bool:
    """A failure that a retry of the same batch can get past: a PostgreSQL deadlock or serialization
    failure, or a SQLite database locked by another writer."""
    orig = exc.orig
    if getattr(orig, "sqlstate", None) in _RETRY_SQLSTATES:
        return True
    text = str(orig).lower()
    return "database is locked" in text or "database table is locked" in text


def finalize_run(session: Session, run_id: int, *, commit: bool = True) -> None:
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
    judge_columns(session, run_id)  # each column's list read completely or not (store.completeness)
    if commit:
        session.commit()
    else:
        session.flush()
