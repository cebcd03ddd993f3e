"""SQLAlchemy 2.0 data model: what a crawl saw and what the checks concluded.

Every row produced by a crawl belongs to one `CrawlRun`; natural keys (run, url) make re-running an
interrupted crawl an upsert rather than a duplicate.
"""
from __future__ import annotations

from datetime import date, datetime, time
from typing import Any, Optional

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    Time,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# A BigInteger primary key that is still an auto-incrementing rowid alias on SQLite.
IdType = BigInteger().with_variant(Integer(), "sqlite")
# URLs on government sites can be long (query strings with session ids); Text avoids silent truncation.
UrlType = Text
# the URL columns of natural keys and lookups (see url_keyed)
URL_COLUMNS = frozenset({"url", "source_url", "target_url"})


def url_keyed(name: str, *columns: str, unique: bool = True) -> tuple:
    """An index (a natural key when `unique`) over columns some of which are URLs, in one form per database.

    SQLite indexes the URLs themselves. A PostgreSQL btree entry cannot exceed about 2.7 kB and pages do
    link 10 kB URLs (one such link used to make every write of a run fail): there the index holds md5()
    of each URL column, and writers name the same expressions as their ON CONFLICT target (url_conflict).
    Migration 0008 turns the PostgreSQL form into this one."""
    plain = UniqueConstraint(*columns, name=name) if unique else Index(name, *columns)
    hashed = Index(hashed_name(name), *(text(f"md5({c})") if c in URL_COLUMNS else c for c in columns),
                   unique=unique)
    return plain.ddl_if(dialect="sqlite"), hashed.ddl_if(dialect="postgresql")


def hashed_name(name: str) -> str:
    """uq_links_run_source_target → uqh_links_run_source_target (the PostgreSQL form of the index)."""
    prefix, _, rest = name.partition("_")
    return f"{prefix}h_{rest}"


def url_conflict(table, keys, dialect: str) -> list:
    """The ON CONFLICT target of a natural key `keys` of `table` (see url_keyed)."""
    if dialect != "postgresql":
        return list(keys)
    return [func.md5(table.c[k]) if k in URL_COLUMNS else table.c[k] for k in keys]


def url_lookup(column, urls, dialect: str):
    """`column IN urls`, through the md5 index on PostgreSQL."""
    import hashlib

    condition = column.in_(urls)
    if dialect == "postgresql":
        digests = [hashlib.md5(u.encode("utf-8")).hexdigest() for u in urls]
        condition = condition & func.md5(column).in_(digests)
    return condition


def for_dialect(obj, dialect: str) -> bool:
    """Whether the DDL of a schema object (index, constraint) applies on `dialect` (url_keyed)."""
    ddl_if = getattr(obj, "_ddl_if", None)
    return ddl_if is None or ddl_if.dialect is None or ddl_if.dialect == dialect


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


class Department(Base):
    """A registry entry (sites.yaml), kept as last imported; findings refer to it by its stable id."""

    __tablename__ = "departments"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    catalog: Mapped[Optional[str]] = mapped_column(String(100))
    url: Mapped[str] = mapped_column(UrlType)
    home: Mapped[Optional[str]] = mapped_column(UrlType)
    region: Mapped[Optional[str]] = mapped_column(String(100))


class CrawlRun(Base):
    __tablename__ = "crawl_runs"

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    sites_file: Mapped[str] = mapped_column(Text)
    sites_hash: Mapped[str] = mapped_column(String(64), index=True)
    started_at: Mapped[datetime] = mapped_column(DateTime)
    finished_at: Mapped[Optional[datetime]] = mapped_column(DateTime)
    # running | completed | interrupted | failed
    status: Mapped[str] = mapped_column(String(20), default="running")
    # departments covered by this run (ids); a run may be limited to some of the registry
    departments: Mapped[list[Any]] = mapped_column(JSON, default=list)
    stats: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    resumed: Mapped[int] = mapped_column(Integer, default=0)


class CrawlEvent(Base):
    """Something the crawl could not do as expected (page unreachable, PDF instead of a list page…)."""

    __tablename__ = "crawl_events"
    __table_args__ = url_keyed("uq_crawl_events_run_url_kind", "run_id", "url", "kind")

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("crawl_runs.id", ondelete="CASCADE"), index=True)
    department_id: Mapped[Optional[str]] = mapped_column(String(64))
    url: Mapped[str] = mapped_column(UrlType)
    kind: Mapped[str] = mapped_column(String(40))
    message: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(DateTime)


class Column(Base):
    __tablename__ = "columns"
    __table_args__ = url_keyed("uq_columns_run_url", "run_id", "url")

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("crawl_runs.id", ondelete="CASCADE"), index=True)
    department_id: Mapped[str] = mapped_column(String(64), index=True)
    parent_id: Mapped[Optional[int]] = mapped_column(ForeignKey("columns.id", ondelete="SET NULL"))
    url: Mapped[str] = mapped_column(UrlType)  # the column's identity (…/gzdt/ for …/gzdt/index.html)
    page_url: Mapped[Optional[str]] = mapped_column(UrlType)  # its first list page, as requested
    name: Mapped[str] = mapped_column(Text)
    depth: Mapped[int] = mapped_column(Integer, default=0)
    page_count: Mapped[int] = mapped_column(Integer, default=0)
    item_count: Mapped[int] = mapped_column(Integer, default=0)
    newest_date: Mapped[Optional[date]] = mapped_column(Date)
    note: Mapped[Optional[str]] = mapped_column(Text)
    # completeness of the crawler's view of the list (docs/completeness.md), derived by finalize_run from
    # the ListPage rows: what the list declares, what was read, and the verdict
    declared_total: Mapped[Optional[int]] = mapped_column(Integer)   # records the page says it has (共107条)
    declared_pages: Mapped[Optional[int]] = mapped_column(Integer)   # pages it says it has (共8页)
    pages_read: Mapped[Optional[int]] = mapped_column(Integer)       # list pages / endpoint answers read
    pages_failed: Mapped[Optional[int]] = mapped_column(Integer)     # list pages / endpoint answers that failed
    # None: not judged (a run from before 0003); True: the whole list was read; False: see incomplete_reason
    complete: Mapped[Optional[bool]] = mapped_column()
    # why not: cap_reached | department_cap | pager_not_followed | endpoint_failed | page_failed | short
    incomplete_reason: Mapped[Optional[str]] = mapped_column(String(40))

    parent: Mapped[Optional[Column]] = relationship(remote_side="Column.id")


class ListPage(Base):
    """One page of a column's list as the crawler met it: read, failed, or not fetched (a cap). The
    completeness of each column is derived from these rows (store.completeness), so that it is right
    however the pages were spread over workers or resumed runs."""

    __tablename__ = "list_pages"
    __table_args__ = url_keyed("uq_list_pages_run_url", "run_id", "url")

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("crawl_runs.id", ondelete="CASCADE"), index=True)
    department_id: Mapped[str] = mapped_column(String(64))
    column_url: Mapped[str] = mapped_column(UrlType)  # the column's key (Column.url)
    url: Mapped[str] = mapped_column(UrlType)  # the page, or the endpoint request (method and body included)
    # page (static list page) | api (data endpoint) | browser (rendered page, pager followed) | skipped
    kind: Mapped[str] = mapped_column(String(16))
    # read | failed | not_fetched
    status: Mapped[str] = mapped_column(String(16))
    first: Mapped[bool] = mapped_column(default=False)  # the column's first list page
    items: Mapped[int] = mapped_column(Integer, default=0)
    declared_total: Mapped[Optional[int]] = mapped_column(Integer)
    declared_pages: Mapped[Optional[int]] = mapped_column(Integer)
    is_tree: Mapped[bool] = mapped_column(default=False)
    # the reason of a failed or not fetched page (cap_reached, department_cap, endpoint_failed, http_404…)
    reason: Mapped[Optional[str]] = mapped_column(String(40))
    skipped: Mapped[int] = mapped_column(Integer, default=0)  # pages a "not_fetched" row stands for


class Document(Base):
    __tablename__ = "documents"
    __table_args__ = (
        *url_keyed("uq_documents_run_url", "run_id", "url"),
        # a department's documents in URL order, as the timeliness checks read them (0002); on PostgreSQL
        # a department's documents, sorted when read (an entry holding a 10 kB URL would not fit, 0005)
        Index("ix_documents_run_department_url", "run_id", "department_id", "url").ddl_if(dialect="sqlite"),
        Index("ix_documents_run_department", "run_id", "department_id").ddl_if(dialect="postgresql"),
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("crawl_runs.id", ondelete="CASCADE"))
    # exactly one of department_id / upstream_id is set
    department_id: Mapped[Optional[str]] = mapped_column(String(64))
    upstream_id: Mapped[Optional[str]] = mapped_column(String(64))
    column_id: Mapped[Optional[int]] = mapped_column(ForeignKey("columns.id", ondelete="SET NULL"))
    url: Mapped[str] = mapped_column(UrlType)
    title: Mapped[str] = mapped_column(Text)
    list_date: Mapped[Optional[date]] = mapped_column(Date)
    publish_date: Mapped[Optional[date]] = mapped_column(Date)
    publish_time: Mapped[Optional[time]] = mapped_column(Time)
    written_date: Mapped[Optional[date]] = mapped_column(Date)
    doc_number: Mapped[Optional[str]] = mapped_column(Text)
    index_number: Mapped[Optional[str]] = mapped_column(Text)
    publisher: Mapped[Optional[str]] = mapped_column(Text)
    topic: Mapped[Optional[str]] = mapped_column(Text)
    first_seen_at: Mapped[datetime] = mapped_column(DateTime)
    fetched: Mapped[bool] = mapped_column(default=False)
    content_hash: Mapped[Optional[str]] = mapped_column(String(64))

    column: Mapped[Optional[Column]] = relationship()


class ListEntry(Base):
    """A document as listed on a column's list pages (one document may be listed in several columns)."""

    __tablename__ = "list_entries"
    __table_args__ = (UniqueConstraint("run_id", "column_id", "document_id", name="uq_list_entries_run_col_doc"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("crawl_runs.id", ondelete="CASCADE"), index=True)
    column_id: Mapped[int] = mapped_column(ForeignKey("columns.id", ondelete="CASCADE"), index=True)
    # indexed: the checks look up the columns listing a document (0002)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(Text)
    list_date: Mapped[Optional[date]] = mapped_column(Date)
    page_url: Mapped[str] = mapped_column(UrlType)


class Attachment(Base):
    __tablename__ = "attachments"
    __table_args__ = url_keyed("uq_attachments_run_doc_url", "run_id", "document_id", "url")

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("crawl_runs.id", ondelete="CASCADE"), index=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    department_id: Mapped[Optional[str]] = mapped_column(String(64))
    url: Mapped[str] = mapped_column(UrlType)
    name: Mapped[str] = mapped_column(Text, default="")


class Link(Base):
    __tablename__ = "links"
    __table_args__ = (
        *url_keyed("uq_links_run_source_target", "run_id", "source_url", "target_url"),
        *url_keyed("ix_links_run_target", "run_id", "target_url", unique=False),
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("crawl_runs.id", ondelete="CASCADE"))
    department_id: Mapped[Optional[str]] = mapped_column(String(64))
    source_url: Mapped[str] = mapped_column(UrlType)
    target_url: Mapped[str] = mapped_column(UrlType)
    anchor: Mapped[str] = mapped_column(Text, default="")
    tag: Mapped[str] = mapped_column(String(16), default="a")
    is_attachment: Mapped[bool] = mapped_column(default=False)
    # what the link is to a reader: page, attachment, image, video, audio, style, script, frame, object, font
    # (crawler.parsing.links.KINDS); findings name it and the indicators weigh it (0005)
    kind: Mapped[str] = mapped_column(String(16), default="page", server_default="page")


class UrlCheck(Base):
    """The outcome of fetching one URL once in a run (link check, or the crawl's own fetch)."""

    __tablename__ = "url_checks"
    __table_args__ = (
        *url_keyed("uq_url_checks_run_url", "run_id", "url"),
        # the few broken / archive targets the link checks start from (0002)
        Index("ix_url_checks_run_verdict", "run_id", "verdict"),
        Index("ix_url_checks_run_archive", "run_id", "is_archive"),
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("crawl_runs.id", ondelete="CASCADE"), index=True)
    url: Mapped[str] = mapped_column(UrlType)
    # ok | broken | blocked | skipped
    verdict: Mapped[str] = mapped_column(String(16))
    # machine-readable reason: http_404, soft_404, redirect_loop, dns, refused, timeout, tls, …
    reason: Mapped[Optional[str]] = mapped_column(String(40))
    status: Mapped[Optional[int]] = mapped_column(Integer)
    final_url: Mapped[Optional[str]] = mapped_column(UrlType)
    redirect_chain: Mapped[list[Any]] = mapped_column(JSON, default=list)
    error: Mapped[Optional[str]] = mapped_column(Text)
    content_type: Mapped[Optional[str]] = mapped_column(Text)
    sniffed_kind: Mapped[Optional[str]] = mapped_column(String(20))
    is_archive: Mapped[bool] = mapped_column(default=False)
    kind_how: Mapped[Optional[str]] = mapped_column(String(24))
    filename: Mapped[Optional[str]] = mapped_column(Text)
    method: Mapped[Optional[str]] = mapped_column(String(10))
    checked_at: Mapped[datetime] = mapped_column(DateTime)
    # validators for conditional requests on the next crawl
    etag: Mapped[Optional[str]] = mapped_column(Text)
    last_modified: Mapped[Optional[str]] = mapped_column(Text)


class CarryMark(Base):
    """What an incremental crawl found unchanged and takes over from an earlier run (see store.carry)."""

    __tablename__ = "carry_marks"
    __table_args__ = url_keyed("uq_carry_marks_run_kind_url", "run_id", "kind", "url")

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("crawl_runs.id", ondelete="CASCADE"))
    from_run: Mapped[int] = mapped_column(ForeignKey("crawl_runs.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))  # column | document | check
    url: Mapped[str] = mapped_column(UrlType)


class CheckRun(Base):
    __tablename__ = "check_runs"

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    crawl_run_id: Mapped[int] = mapped_column(ForeignKey("crawl_runs.id", ondelete="CASCADE"), index=True)
    as_of: Mapped[date] = mapped_column(Date)
    started_at: Mapped[datetime] = mapped_column(DateTime)
    finished_at: Mapped[Optional[datetime]] = mapped_column(DateTime)
    # per check id: {"status": PASS|FAIL|SKIPPED|ERROR, "findings": n, "error": traceback|None}
    results: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    config: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class Finding(Base):
    __tablename__ = "findings"
    __table_args__ = (Index("ix_findings_check_run_department", "check_run_id", "department_id"),
                      Index("ix_findings_check_run_status", "check_run_id", "status"))

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    check_run_id: Mapped[int] = mapped_column(ForeignKey("check_runs.id", ondelete="CASCADE"))
    check: Mapped[str] = mapped_column(String(64), index=True)
    department_id: Mapped[Optional[str]] = mapped_column(String(64))
    url: Mapped[Optional[str]] = mapped_column(UrlType)
    item: Mapped[Optional[str]] = mapped_column(UrlType)
    severity: Mapped[str] = mapped_column(String(16))
    message: Mapped[str] = mapped_column(Text)
    fix: Mapped[str] = mapped_column(Text)
    evidence: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    detected_at: Mapped[datetime] = mapped_column(DateTime)
    as_of: Mapped[date] = mapped_column(Date)
    # open | rectified | disputed | accepted (rectification workflow)
    status: Mapped[str] = mapped_column(String(16), default="open")


class Unjudged(Base):
    """A column (or a department's column tree) a check could not judge because the crawler did not read
    its whole list: 未能完整抓取. Counted apart from findings; never a finding against the department."""

    __tablename__ = "check_unjudged"
    __table_args__ = (Index("ix_check_unjudged_check_run_department", "check_run_id", "department_id"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    check_run_id: Mapped[int] = mapped_column(ForeignKey("check_runs.id", ondelete="CASCADE"))
    check: Mapped[str] = mapped_column(String(64))
    department_id: Mapped[Optional[str]] = mapped_column(String(64))
    column_url: Mapped[Optional[str]] = mapped_column(UrlType)  # None: the department's column tree
    column_name: Mapped[Optional[str]] = mapped_column(Text)
    url: Mapped[Optional[str]] = mapped_column(UrlType)  # the page a person opens
    item: Mapped[Optional[str]] = mapped_column(UrlType)  # catalog item or upstream document, as for findings
    reason: Mapped[str] = mapped_column(String(40))
    evidence: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


# Each area's tables live in their own module; importing them here registers them on Base.metadata.
from store import (models_checks, models_console, models_evidence, models_health, models_schedule,  # noqa: E402,F401
                   models_spotcheck)
