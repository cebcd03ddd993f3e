"""Link health: unusable link targets and compressed-file attachments found on departments' pages."""
from __future__ import annotations

from itertools import groupby, islice
from typing import Any, Iterable, Iterator

from sqlalchemy import func, select, true

from checks.base import Check, Finding, Severity
from checks.context import AuditContext, in_chunks
from checks.registry import register
from store import models as m
from store.evidence import snapshot_references

# a target linked in several ways is reported as the weightiest: a document page before its image
KIND_ORDER = ("page", "attachment", "frame", "video", "audio", "image", "object", "script", "style", "font")
MAX_SOURCES = 20  # evidence lists at most this many linking pages per target (the count says how many)
BATCH = 500  # targets whose evidence is completed (checks, snapshots) together


def _linking_pages(ctx: AuditContext, condition):
    """Rows (department, target, source, anchor, tag, total) for targets of this run matching `condition`:
    the first MAX_SOURCES linking pages per department and target, by source URL, with the count of all.

    Numbered and counted in the database (window functions), so a footer link on 100,000 pages brings
    MAX_SOURCES rows here, not 100,000."""
    per_target = (m.Link.department_id, m.Link.target_url)
    # IN (targets) rather than a join: even without statistics (SQLite files are never ANALYZEd) the plan then
    # starts from the few matching targets (ix_url_checks_run_verdict / _archive) and seeks their links
    # (ix_links_run_target), instead of walking every link of the run
    targets = select(m.UrlCheck.url).where(m.UrlCheck.run_id == ctx.run_id, condition(m.UrlCheck))
    ranked = (
        select(m.Link.department_id.label("dept"), m.Link.target_url.label("target"), m.Link.source_url.label("source"),
               m.Link.anchor, m.Link.tag, m.Link.kind,
               func.row_number().over(partition_by=per_target, order_by=m.Link.source_url).label("rank"),
               func.count().over(partition_by=per_target).label("total"))
        .where(m.Link.run_id == ctx.run_id, m.Link.target_url.in_(targets), m.Link.department_id.is_not(None))
        .subquery()
    )
    # at most MAX_SOURCES rows per finding: read at once, not through a server-side cursor, whose plan
    # PostgreSQL picks for the first rows (10 times slower here)
    return ctx.session.execute(
        select(ranked.c.dept, ranked.c.target, ranked.c.source, ranked.c.anchor, ranked.c.tag, ranked.c.kind,
               ranked.c.total)
        .where(ranked.c.rank <= MAX_SOURCES).order_by(ranked.c.dept, ranked.c.target, ranked.c.source))


def _linked_targets(ctx: AuditContext, condition) -> Iterator[tuple[str, str, list[dict[str, Any]], int, m.UrlCheck]]:
    """(department, target, linking pages, total, check) for targets of this run matching `condition`."""
    rows = _linking_pages(ctx, condition)
    groups = ((key, list(found)) for key, found in groupby(rows, key=lambda r: (r.dept, r.target)))
    while batch := list(islice(groups, BATCH)):
        found = [(dept, target, rows) for (dept, target), rows in batch]
        checks = _url_checks(ctx, {target for _, target, _ in found})
        dates = _list_dates(ctx, {target for _, target, _ in found})
        for dept, target, rows in found:
            sources = [{"page": r.source, "anchor": r.anchor, "tag": r.tag, "kind": r.kind or "page",
                        **({"list_date": dates[(r.source, target)]} if (r.source, target) in dates else {})}
                       for r in rows]
            yield dept, target, sources, rows[0].total, checks[target]


def _list_dates(ctx: AuditContext, urls: set[str]) -> dict[tuple[str, str], str]:
    """(list page, document URL) -> the date the list shows beside the entry, for targets listed as documents:
    a deleted document behind a column's list is named by its list page, title and date."""
    found = {}
    for chunk in in_chunks(urls):
        rows = ctx.session.execute(
            select(m.ListEntry.page_url, m.Document.url, m.ListEntry.list_date)
            .join(m.Document, m.Document.id == m.ListEntry.document_id)
            .where(m.ListEntry.run_id == ctx.run_id, m.Document.run_id == ctx.run_id, m.Document.url.in_(chunk)))
        for page, url, day in rows:
            if day is not None:
                found[(page, url)] = day.isoformat()
    return found


def link_kind(sources: list[dict[str, Any]]) -> str:
    """The kind a broken target is reported as: the weightiest of the ways pages link to it."""
    kinds = {s.get("kind") or "page" for s in sources}
    return next((k for k in KIND_ORDER if k in kinds), "page")


def _url_checks(ctx: AuditContext, urls: set[str]) -> dict[str, m.UrlCheck]:
    return {c.url: c for chunk in in_chunks(urls) for c in ctx.session.scalars(select(m.UrlCheck).where(
        m.UrlCheck.run_id == ctx.run_id, m.UrlCheck.url.in_(chunk)))}


def _with_evidence(ctx: AuditContext, targets: Iterable[tuple]) -> Iterator[tuple[tuple, dict[str, Any]]]:
    """Each (department, target, sources, total, check) with the evidence every link finding carries; the
    snapshots of a batch of targets and of their first linking pages are looked up together."""
    targets = iter(targets)
    while batch := list(islice(targets, BATCH)):
        pages = [t[1] for t in batch] + [t[2][0]["page"] for t in batch if t[2]]
        refs = snapshot_references(ctx.session, ctx.run_id, pages)
        for dept, target, sources, total, check in batch:
            yield (dept, target, sources, total, check), {
                # the stored copies a person can open to verify: the target as fetched and the first linking page
                "snapshot": refs.get(check.url),
                "source_snapshot": refs.get(sources[0]["page"]) if sources else None,
                "status": check.status,
                "reason": check.reason,
                "error": check.error,
                "final_url": check.final_url,
                "redirect_chain": check.redirect_chain or [],
                "content_type": check.content_type,
                "method": check.method,
                "checked_at": check.checked_at.isoformat(sep=" "),
            }


@register
class BrokenLinkCheck(Check):
    """链接不可用"""

    id = "links.broken"
    severity = Severity.MEDIUM
    rule = ("网站链接应可正常访问：死链、错链按《政府网站与政务新媒体检查指标》（国办秘函〔2019〕19号）扣分；"
            "首页每个不可用链接扣 1 分，其他页面每个扣 0.1 分")

    def run(self, ctx: AuditContext) -> Iterable[Finding]:
        targets = _linked_targets(ctx, lambda c: c.verdict == "broken")
        for (dept, target, sources, total, check), evidence in _with_evidence(ctx, targets):
            yield Finding(
                check=self.id, department=dept, url=target, kind=check.reason or "broken",
                evidence={**evidence, "link_kind": link_kind(sources), "sources": sources, "source_count": total},
                detected_at=check.checked_at,
            )


@register
class ArchiveAttachmentCheck(Check):
    """附件以压缩包形式发布"""

    id = "attachments.archive"
    severity = Severity.MEDIUM
    rule = "公开的文件附件不能以压缩包形式呈现（柳政办〔2018〕142号）"

    def run(self, ctx: AuditContext) -> Iterable[Finding]:
        targets = _linked_targets(ctx, lambda c: c.is_archive == true())  # "= true": indexable on PostgreSQL
        for (dept, target, sources, total, check), evidence in _with_evidence(ctx, targets):
            yield Finding(
                check=self.id, department=dept, url=target, kind=check.kind_how or "extension",
                evidence={**evidence, "archive_kind": check.sniffed_kind, "recognised_by": check.kind_how,
                          "filename": check.filename, "sources": sources, "source_count": total},
                detected_at=check.checked_at,
            )
