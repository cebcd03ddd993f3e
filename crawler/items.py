"""What the spider yields: plain dataclasses, written by StoreItemsPipeline."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any


@dataclass
class ColumnItem:
    department_id: str
    url: str
    name: str
    parent_url: str | None
    depth: int
    page_url: str | None = None
    page_count: int = 1
    note: str | None = None


@dataclass
class ListPageItem:
    """One page of a column's list as met: read, failed or not fetched (store.models.ListPage)."""
    department_id: str
    column_url: str
    url: str
    kind: str  # page | api | browser | skipped
    status: str  # read | failed | not_fetched
    first: bool = False
    items: int = 0
    declared_total: int | None = None
    declared_pages: int | None = None
    is_tree: bool = False
    reason: str | None = None
    skipped: int = 0


@dataclass
class DocumentItem:
    url: str
    title: str
    first_seen_at: datetime
    department_id: str | None = None
    upstream_id: str | None = None
    column_url: str | None = None
    list_date: date | None = None
    publish_date: date | None = None
    publish_time: time | None = None
    written_date: date | None = None
    doc_number: str | None = None
    index_number: str | None = None
    publisher: str | None = None
    topic: str | None = None
    fetched: bool | None = None
    content_hash: str | None = None


@dataclass
class ListEntryItem:
    column_url: str
    document_url: str
    title: str
    list_date: date | None
    page_url: str


@dataclass
class AttachmentItem:
    document_url: str
    url: str
    name: str
    department_id: str | None


@dataclass
class LinkItem:
    department_id: str | None
    source_url: str
    target_url: str
    anchor: str
    tag: str
    is_attachment: bool
    kind: str = "page"  # crawler.parsing.links.KINDS


@dataclass
class UrlCheckItem:
    url: str
    verdict: str
    checked_at: datetime
    reason: str | None = None
    status: int | None = None
    final_url: str | None = None
    redirect_chain: list[Any] = field(default_factory=list)
    error: str | None = None
    content_type: str | None = None
    sniffed_kind: str | None = None
    is_archive: bool = False
    kind_how: str | None = None
    filename: str | None = None
    method: str | None = None
    etag: str | None = None
    last_modified: str | None = None


@dataclass
class CrawlEventItem:
    department_id: str | None
    url: str
    kind: str
    message: str
    at: datetime


@dataclass
class SnapshotItem:
    """A page as fetched (evidence): stored compressed and deduplicated by store.evidence."""
    url: str
    final_url: str
    status: int
    headers: dict[str, str]
    body: bytes
    fetched_at: datetime
    truncated: bool = False


@dataclass
class PrivacyHitItem:
    """Personal data found in a page or attachment: masked value and masked excerpt only."""
    department_id: str | None
    document_url: str
    source_url: str
    kind: str
    masked: str
    excerpt: str


@dataclass
class CarryItem:
    """Unchanged since run `from_run`: store.carry copies its rows into this run (column, page, document, check)."""
    kind: str
    url: str
    from_run: int


@dataclass
class ItemBatch:
    """The items of one response, passed through Scrapy as one: every item Scrapy carries costs a trip
    through each spider middleware, the pipeline and the item_scraped signal, and a document page gives
    about ten. The pipeline writes them in order, as if they had come one by one."""
    items: list[Any]
