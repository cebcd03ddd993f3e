"""Link health: unusable link targets and compressed-file attachments found on departments' pages."""
from __future__ import annotations

from collections import defaultdict
from typing import Any, Iterable

from sqlalchemy import select

from checks.base import Check, Finding, Severity
from checks.context import AuditContext
from checks.registry import register
from store import models as m

MAX_SOURCES = 20  # evidence lists at most this many linking pages per target (the count says how many)


def _linked_targets(ctx: AuditContext, condition) -> Iterable[tuple[str, str, list[dict[str, Any]], int, m.UrlCheck]]:
    """(department, target, linking pages, total, check) for targets of this run matching `condition`."""
    stmt = (
        select(m.Link.department_id, m.Link.source_url, m.Link.anchor, m.Link.tag, m.UrlCheck)
        .join(m.UrlCheck, (m.UrlCheck.run_id == m.Link.run_id) & (m.UrlCheck.url == m.Link.target_url))
        .where(m.Link.run_id == ctx.run_id, m.Link.department_id.is_not(None), condition)
        .order_by(m.Link.department_id, m.UrlCheck.url, m.Link.source_url)
    )
    groups: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    checks: dict[str, m.UrlCheck] = {}
    for dept, source, anchor, tag, check in ctx.session.execute(stmt):
        groups[(dept, check.url)].append({"page": source, "anchor": anchor, "tag": tag})
        checks[check.url] = check
    for (dept, target), sources in groups.items():
        yield dept, target, sources[:MAX_SOURCES], len(sources), checks[target]


def _fetch_evidence(ctx: AuditContext, check: m.UrlCheck, sources: list[dict[str, Any]]) -> dict[str, Any]:
    from store.evidence import snapshot_reference

    return {
        # the stored copies a person can open to verify: the target as fetched and the first linking page
        "snapshot": snapshot_reference(ctx.session, ctx.run_id, check.url),
        "source_snapshot": snapshot_reference(ctx.session, ctx.run_id, sources[0]["page"]) if sources else None,
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
        for dept, target, sources, total, check in _linked_targets(ctx, m.UrlCheck.verdict == "broken"):
            yield Finding(
                check=self.id, department=dept, url=target, kind=check.reason or "broken",
                evidence={**_fetch_evidence(ctx, check, sources), "sources": sources, "source_count": total},
                detected_at=check.checked_at,
            )


@register
class ArchiveAttachmentCheck(Check):
    """附件以压缩包形式发布"""

    id = "attachments.archive"
    severity = Severity.MEDIUM
    rule = "公开的文件附件不能以压缩包形式呈现（柳政办〔2018〕142号）"

    def run(self, ctx: AuditContext) -> Iterable[Finding]:
        for dept, target, sources, total, check in _linked_targets(ctx, m.UrlCheck.is_archive.is_(True)):
            yield Finding(
                check=self.id, department=dept, url=target, kind=check.kind_how or "extension",
                evidence={**_fetch_evidence(ctx, check, sources), "archive_kind": check.sniffed_kind, "recognised_by": check.kind_how,
                          "filename": check.filename, "sources": sources, "source_count": total},
                detected_at=check.checked_at,
            )
