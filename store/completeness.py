"""Was a column's list read completely? The verdict every check that needs a whole list relies on.

The crawler leaves one ListPage row per list page or endpoint answer it met (read, failed, or not fetched
because of a cap); after the crawl, `judge_columns` derives each column's figures and verdict from those
rows and the list entries stored (docs/completeness.md):

- complete when every record the list declares was stored (whatever else failed);
- otherwise incomplete when a page of its list was not fetched (a cap), a page or an endpoint answer
  failed, the list declares more records than were stored, or (declaring no records) more pages than
  were read; complete when none of these: it declares nothing and its pager was followed to the end. A column-tree page (a hub of sub-columns) is complete when it was read; its
  sub-columns are judged each on their own.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from store import models as m

# reasons, most telling first (one is kept per column)
CAP_REACHED = "cap_reached"          # the per-column list page cap (ZWGK_MAX_LIST_PAGES) stopped the pager
DEPARTMENT_CAP = "department_cap"    # the department's page budget (ZWGK_MAX_PAGES_PER_DEPARTMENT) ran out
ENDPOINT_FAILED = "endpoint_failed"  # the data endpoint the page names did not answer, or answered nothing
PAGE_FAILED = "page_failed"          # a later list page could not be read
PAGER_NOT_FOLLOWED = "pager_not_followed"  # the page declares more than its first page, no way to the rest
SHORT = "short"                      # pages were read, but fewer records than declared were found
REASONS = (CAP_REACHED, DEPARTMENT_CAP, ENDPOINT_FAILED, PAGE_FAILED, PAGER_NOT_FOLLOWED, SHORT)

#: how reports name the reasons
REASON_LABELS = {
    CAP_REACHED: "达到每个栏目的列表页数上限",
    DEPARTMENT_CAP: "达到单位页面总数上限",
    ENDPOINT_FAILED: "列表数据接口无法读取",
    PAGE_FAILED: "部分列表页无法打开",
    PAGER_NOT_FOLLOWED: "页面声明的后续分页无法获取",
    SHORT: "读取的信息少于页面声明的条数",
    "tree": "栏目树未能完整抓取",
}


@dataclass(frozen=True)
class PageRow:
    """What judge() needs of a ListPage row."""

    kind: str
    status: str
    first: bool = False
    items: int = 0
    declared_total: int | None = None
    declared_pages: int | None = None
    is_tree: bool = False
    reason: str | None = None
    skipped: int = 0


@dataclass(frozen=True)
class Verdict:
    declared_total: int | None
    declared_pages: int | None
    pages_read: int
    pages_failed: int
    complete: bool
    reason: str | None


def judge(rows: Iterable[PageRow], crawled: int) -> Verdict:
    """The verdict on one column from its list pages and the number of distinct documents stored for it."""
    rows = list(rows)
    totals = [r.declared_total for r in rows if r.declared_total is not None]
    pages = [r.declared_pages for r in rows if r.declared_pages is not None]
    # the first page's declaration wins; endpoint answers may refine a page that declared nothing
    first_total = next((r.declared_total for r in rows if r.first and r.declared_total is not None), None)
    declared_total = first_total if first_total is not None else (max(totals) if totals else None)
    declared_pages = max(pages) if pages else None
    read = [r for r in rows if r.status == "read"]
    failed = [r for r in rows if r.status == "failed"]
    static_read = sum(1 for r in read if r.kind in ("page", "browser"))
    reason: str | None = None
    capped = [r for r in rows if r.status == "not_fetched"]
    if any(r.is_tree for r in read) and not failed and not capped:
        reason = None
    elif declared_total is not None and crawled >= declared_total:
        reason = None  # every record it declares was read, whatever else failed
    elif capped:
        reason = DEPARTMENT_CAP if any(r.reason == DEPARTMENT_CAP for r in capped) else CAP_REACHED
    elif any(r.kind == "api" for r in failed):
        reason = ENDPOINT_FAILED
    elif failed:
        reason = PAGE_FAILED
    elif declared_total is not None and crawled < declared_total:
        followed = len(read) > 1 or any(r.kind in ("api", "browser") for r in read)
        reason = SHORT if followed else PAGER_NOT_FOLLOWED
    elif declared_total is None and declared_pages is not None and static_read < declared_pages \
            and not any(r.kind == "api" for r in read):
        reason = PAGER_NOT_FOLLOWED
    return Verdict(declared_total, declared_pages, len(read), len(failed), reason is None, reason)


def judge_columns(session: Session, run_id: int) -> None:
    """Set the completeness figures of every column of the run that has ListPage rows; a column carried over
    from an earlier run unchanged keeps that run's verdict. Flushed, not committed."""
    rows: dict[str, list[PageRow]] = defaultdict(list)
    for r in session.scalars(select(m.ListPage).where(m.ListPage.run_id == run_id)):
        rows[r.column_url].append(PageRow(r.kind, r.status, r.first, r.items, r.declared_total, r.declared_pages,
                                          r.is_tree, r.reason, r.skipped))
    carried = _carried_verdicts(session, run_id)
    for column in session.scalars(select(m.Column).where(m.Column.run_id == run_id)):
        if column.url in carried:
            (column.declared_total, column.declared_pages, column.pages_read, column.pages_failed, column.complete,
             column.incomplete_reason) = carried[column.url]
            continue
        if column.url not in rows:
            continue
        v = judge(rows[column.url], column.item_count or 0)
        column.declared_total, column.declared_pages = v.declared_total, v.declared_pages
        column.pages_read, column.pages_failed = v.pages_read, v.pages_failed
        column.complete, column.incomplete_reason = v.complete, v.reason
    session.flush()


def _carried_verdicts(session: Session, run_id: int) -> dict[str, tuple]:
    """column URL → the verdict fields of the earlier run it was carried from (an unchanged list)."""
    prev = aliased(m.Column)
    stmt = (select(prev.url, prev.declared_total, prev.declared_pages, prev.pages_read, prev.pages_failed,
                   prev.complete, prev.incomplete_reason)
            .join(m.CarryMark, (m.CarryMark.from_run == prev.run_id) & (m.CarryMark.url == prev.url))
            .where(m.CarryMark.run_id == run_id, m.CarryMark.kind == "column"))
    return {url: tuple(rest) for url, *rest in session.execute(stmt)}


# a column page the site itself says is gone: no visitor can open it either, so the tree is not the worse
# for it (the link is a links.broken finding, and a catalog item it was meant for is truly missing)
GONE = frozenset({"http_404", "http_410", "soft_404"})


def incomplete_trees(session: Session, run_id: int) -> dict[str, str]:
    """department id → why its column tree may lack columns: its page budget ran out, or a sub-column page
    it links could not be read (a failure on our side: timeout, 5xx, blocked…; not a page that is gone).
    Departments whose tree was read completely are absent."""
    out: dict[str, str] = {}
    stmt = select(m.ListPage.department_id, m.ListPage.reason, m.ListPage.status, m.ListPage.first).where(
        m.ListPage.run_id == run_id, m.ListPage.status != "read")
    for dept, reason, status, first in session.execute(stmt):
        if reason == DEPARTMENT_CAP:
            out[dept] = DEPARTMENT_CAP
        elif status == "failed" and first and reason not in GONE:
            out.setdefault(dept, PAGE_FAILED)
    return out
