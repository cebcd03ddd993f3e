"""Personal data published without de-identification: ID numbers (privacy.id_number) and personal mobile
numbers (privacy.mobile_number) in document pages and text-bearing attachments.

The crawl scans each text with crawler.parsing.privacy and stores only masked values and masked
excerpts (privacy_hits); these checks group them per page or attachment. The raw number is never
stored, logged or printed.
"""
from __future__ import annotations

from collections import defaultdict
from typing import Iterable

from sqlalchemy import select

from checks.base import Check, Finding, Severity, SkipCheck
from checks.context import AuditContext, in_chunks
from checks.registry import register
from checks.rules.coverage import finding
from store.personaldata import url_leaks
from store import models as m
from store.models_checks import PrivacyHit

MAX_EXAMPLES = 5  # masked examples per finding; the count says how many there are
SCANNED_STATS = "zwgk/privacy/"  # crawl stats of the scans (attachments_scanned …)


class _PrivacyCheck(Check):
    severity = Severity.HIGH
    rule = ("涉及个人隐私的信息公开前应去标识化：身份证号、个人手机号码等须隐藏部分位数后方可公开"
            "（《2018年政务公开工作要点》；身份证号按 35*************123、手机号按 138****1234 方式处理）")
    kind: str

    @staticmethod
    def _scanned(ctx: AuditContext) -> bool:
        """The crawl reads every document page it fetches (and text-bearing attachments) for personal data."""
        if any(key.startswith(SCANNED_STATS) for key in (ctx.run.stats or {})):
            return True
        hits = select(PrivacyHit.id).where(PrivacyHit.run_id == ctx.run_id).limit(1)
        pages = select(m.Document.id).where(
            m.Document.run_id == ctx.run_id, m.Document.department_id.is_not(None), m.Document.fetched.is_(True)
        ).limit(1)
        return ctx.session.scalar(hits) is not None or ctx.session.scalar(pages) is not None

    def run(self, ctx: AuditContext) -> Iterable[Finding]:
        session = ctx.session
        if not self._scanned(ctx):
            raise SkipCheck("本次抓取没有读取到任何信息页面或附件，无从检查个人信息")
        hits = session.scalars(select(PrivacyHit).where(PrivacyHit.run_id == ctx.run_id, PrivacyHit.kind == self.kind)
                               .order_by(PrivacyHit.department_id, PrivacyHit.source_url, PrivacyHit.id))
        groups: dict[tuple[str | None, str], list[PrivacyHit]] = defaultdict(list)
        for hit in hits:
            groups[(hit.department_id, hit.source_url)].append(hit)
        names = _attachment_names(ctx, {(found[0].document_url, source) for (_, source), found in groups.items()
                                         if source != found[0].document_url})
        for (dept, source), found in groups.items():
            document = found[0].document_url
            in_attachment = source != document
            yield finding(check=self.id, department=dept, url=source, kind="attachment" if in_attachment else "page",
                          evidence={"document_url": document, "source_url": source, "count": len(found),
                                    "attachment_name": names.get(source) if in_attachment else None,
                                    "examples": [{"masked": h.masked, "excerpt": h.excerpt}
                                                 for h in found[:MAX_EXAMPLES]]})
        yield from self._in_addresses(ctx)

    def _in_addresses(self, ctx: AuditContext) -> Iterable[Finding]:
        """A number in an address (a document's or a link target's path, a file name, where a redirect
        leads) is published as much as one in the page: one finding per address, location "URL". The
        address stays in `url` (a screenshot opens it); every text around it holds it masked."""
        for (dept, url), source in _addresses(ctx).items():
            leaks = [leak for leak in url_leaks(url) if leak.kind == self.kind]
            if leaks:
                yield finding(check=self.id, department=dept, url=url, kind="url",
                              evidence={"location": "URL", "document_url": source or url, "source_url": url,
                                        "count": len(leaks), "shown_url": leaks[0].excerpt,
                                        "examples": [{"masked": leak.masked, "excerpt": leak.excerpt}
                                                     for leak in leaks[:MAX_EXAMPLES]]})


def _attachment_names(ctx: AuditContext, found: set[tuple[str, str]]) -> dict[str, str]:
    """url → name for the attachments with hits, read through the documents linking them (both indexed)."""
    wanted, names = {url for _, url in found}, {}
    for chunk in in_chunks(page for page, _ in found):
        names.update((url, name) for url, name in ctx.session.execute(
            select(m.Attachment.url, m.Attachment.name).join(m.Document, m.Document.id == m.Attachment.document_id)
            .where(m.Document.run_id == ctx.run_id, m.Document.url.in_(chunk))) if url in wanted)
    return names


@register
class IdNumberCheck(_PrivacyCheck):
    """公开身份证号码未脱敏"""

    id = "privacy.id_number"
    kind = "id_number"


@register
class MobileNumberCheck(_PrivacyCheck):
    """公开个人手机号码未脱敏"""

    id = "privacy.mobile_number"
    kind = "mobile_number"


def _may_hold_number(url: str) -> bool:
    """Cheap filter before the regular expressions: an address with fewer than 11 digits holds neither."""
    return sum(c.isdigit() for c in url) >= 11


def _addresses(ctx: AuditContext) -> dict[tuple[str | None, str], str | None]:
    """(department, address) → the page that links or redirects to it, for every address of the run that
    may hold a personal number: documents, link targets and where their redirects ended."""
    found: dict[tuple[str | None, str], str | None] = {}
    session, run_id = ctx.session, ctx.run_id
    for dept, url in session.execute(select(m.Document.department_id, m.Document.url)
                                     .where(m.Document.run_id == run_id)):
        if _may_hold_number(url):
            found.setdefault((dept, url), None)
    targets: dict[str, tuple[str | None, str]] = {}
    for dept, source, target in session.execute(select(m.Link.department_id, m.Link.source_url, m.Link.target_url)
                                                .where(m.Link.run_id == run_id)):
        targets.setdefault(target, (dept, source))
        if _may_hold_number(target):
            found.setdefault((dept, target), source)
    for url, final in session.execute(select(m.UrlCheck.url, m.UrlCheck.final_url)
                                      .where(m.UrlCheck.run_id == run_id, m.UrlCheck.final_url.is_not(None))):
        if final != url and _may_hold_number(final) and url in targets:
            dept, source = targets[url]
            found.setdefault((dept, final), source)
    return found
