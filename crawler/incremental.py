"""What an incremental crawl knows from the previous completed run of the same departments.

The spider uses it to send conditional requests, to stop paging a column whose first page is unchanged,
to skip document pages it has already read and link targets checked recently; store.carry then copies
the unchanged rows into the new run, so every run is complete on its own.
"""
from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from store import models as m


@dataclass
class PreviousCrawl:
    run_id: int
    validators: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)  # url -> (etag, last-modified)
    lists: dict[str, dict[str, tuple[str, date | None]]] = field(default_factory=dict)  # column -> doc -> (title, date)
    # column -> [(child column, its first page URL, name)]
    children: dict[str, list[tuple[str, str, str]]] = field(default_factory=dict)
    columns: dict[str, tuple[str, int]] = field(default_factory=dict)  # column -> (parent column, depth)
    documents: set[str] = field(default_factory=set)  # document pages read in full
    doc_links: dict[str, list[tuple[str, str, str]]] = field(default_factory=dict)  # page -> [(target, anchor, tag)]
    checks: dict[str, datetime] = field(default_factory=dict)  # url -> checked_at
    cookies: dict[str, dict[str, str]] = field(default_factory=dict)  # host -> cookies its browser earned
    # upstream feed -> doc -> (title, list date): the feed's list as last seen
    feeds: dict[str, dict[str, tuple[str, date | None]]] = field(default_factory=dict)

    def recently_checked(self, url: str, now: datetime, window: timedelta) -> bool:
        at = self.checks.get(url)
        return at is not None and now - at < window

    def list_unchanged(self, column: str, items: list[tuple[str, str, date | None]]) -> bool:
        """True when every entry on the column's first page is already known with the same title and date."""
        return _all_known(self.lists.get(column), items)

    def feed_unchanged(self, feed: str, items: list[tuple[str, str, date | None]]) -> bool:
        """The same, for the first list page of an upstream feed."""
        return _all_known(self.feeds.get(feed), items)


def _all_known(known: dict[str, tuple[str, date | None]] | None, items: list[tuple[str, str, date | None]]) -> bool:
    return bool(known) and bool(items) and all(known.get(url) == (title, day) for url, title, day in items)


def previous_run(session: Session, departments: list[str], *, exclude: int | None = None) -> m.CrawlRun | None:
    """The latest completed run that covered all these departments."""
    runs = session.scalars(select(m.CrawlRun).where(m.CrawlRun.status == "completed").order_by(m.CrawlRun.id.desc()))
    for run in runs:
        if run.id != exclude and set(departments) <= set(run.departments or []):
            return run
    return None


def load_previous(session: Session, run: m.CrawlRun) -> PreviousCrawl:
    prev = PreviousCrawl(run_id=run.id, cookies=_earned_cookies(run.stats or {}))
    rid = run.id
    for url, etag, modified, checked_at in session.execute(
            select(m.UrlCheck.url, m.UrlCheck.etag, m.UrlCheck.last_modified, m.UrlCheck.checked_at)
            .where(m.UrlCheck.run_id == rid)):
        prev.checks[url] = checked_at
        if etag or modified:
            prev.validators[url] = (etag, modified)
    cols = {c.id: c for c in session.scalars(select(m.Column).where(m.Column.run_id == rid))}
    children: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
    for col in cols.values():
        parent = cols.get(col.parent_id)
        prev.columns[col.url] = (parent.url if parent else None, col.depth)
        if parent is not None:
            children[parent.url].append((col.url, col.page_url or col.url, col.name))
    prev.children = dict(children)
    lists: dict[str, dict[str, tuple[str, date | None]]] = defaultdict(dict)
    for col_url, doc_url, title, day in session.execute(
            select(m.Column.url, m.Document.url, m.ListEntry.title, m.ListEntry.list_date)
            .join(m.Column, m.Column.id == m.ListEntry.column_id)
            .join(m.Document, m.Document.id == m.ListEntry.document_id)
            .where(m.ListEntry.run_id == rid)):
        lists[col_url][doc_url] = (title, day)
    prev.lists = dict(lists)
    feeds: dict[str, dict[str, tuple[str, date | None]]] = defaultdict(dict)
    for feed, url, title, day in session.execute(
            select(m.Document.upstream_id, m.Document.url, m.Document.title, m.Document.list_date)
            .where(m.Document.run_id == rid, m.Document.upstream_id.is_not(None))):
        feeds[feed][url] = (title, day)
    prev.feeds = dict(feeds)
    prev.documents = set(session.scalars(select(m.Document.url).where(m.Document.run_id == rid,
                                                                      m.Document.fetched.is_(True))))
    links: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
    for source, target, anchor, tag in session.execute(
            select(m.Link.source_url, m.Link.target_url, m.Link.anchor, m.Link.tag)
            .join(m.Document, (m.Document.run_id == m.Link.run_id) & (m.Document.url == m.Link.source_url))
            .where(m.Link.run_id == rid, m.Document.fetched.is_(True))):
        links[source].append((target, anchor, tag))
    prev.doc_links = dict(links)
    return prev


MAX_COOKIES, MAX_COOKIE_CHARS = 50, 4096


def _earned_cookies(stats: dict) -> dict[str, dict[str, str]]:
    """The anti-bot cookies the run's browser earned (spiders._browser), as far as they are plausible."""
    try:
        raw = json.loads(stats.get("zwgk/challenge/cookies") or "{}")
    except (TypeError, ValueError):
        return {}
    if not isinstance(raw, dict):
        return {}
    return {host: {str(k): str(v) for k, v in list(jar.items())[:MAX_COOKIES] if len(str(v)) <= MAX_COOKIE_CHARS}
            for host, jar in raw.items() if isinstance(host, str) and isinstance(jar, dict)}
