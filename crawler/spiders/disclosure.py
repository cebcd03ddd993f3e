"""DisclosureSpider: walks each department's disclosure column and checks every link target once.

Thin on purpose: which URLs to request and with what meta. Parsing is in crawler.parsing, judging a
fetch in crawler.linkcheck, storage in the pipeline. Redirects are followed here, hop by hop, so that
every chain is recorded and loops are told apart from other failures.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any, Iterator
from urllib.parse import urljoin, urlsplit

import scrapy
from scrapy import signals
from scrapy.exceptions import StopDownload
from scrapy.http import Response

from crawler.config import CrawlConfig
from crawler.profiles import load_profile
from crawler.incremental import PreviousCrawl
from crawler.items import (AttachmentItem, CarryItem, ColumnItem, CrawlEventItem, DocumentItem, LinkItem,
                           ListEntryItem, PrivacyHitItem, SnapshotItem, UrlCheckItem)
from crawler.parsing.privacy import find_leaks, mask_text
from crawler.parsing.textextract import extract_text
from crawler.linkcheck import PAGE_BYTES, SNIFF_BYTES, Verdict, judge_failure, judge_response
from crawler.parsing import (classify_file, decode_body, looks_like_attachment, parse_document_page,
                             parse_list_page)
from crawler.spiders._browser import BrowserMixin
from crawler.spiders._meta import LINKCHECK_META, PAGE_META, own_meta
from crawler.scope import address_class, column_key, in_scope, is_trap, looks_like_document, scope_prefix
from store import clock
from store.registry import Registry

HTML_TYPES = ("text/html", "application/xhtml")
# attachment kinds whose text is read for personal data (privacy.* checks)
TEXT_KINDS = frozenset({"docx", "xlsx", "pdf", "text", "csv", "doc", "xls", "wps", "et"})


@dataclass
class _Dept:
    id: str
    url: str
    scope: tuple[str, str]
    render: str = "auto"  # always | auto | never: from the department's crawler profile
    pages: int = 0
    capped: bool = False
    columns: set[str] = field(default_factory=set)


class DisclosureSpider(BrowserMixin, scrapy.Spider):
    name = "disclosure"

    def __init__(self, registry: Registry, run_id: int, departments: list[str] | None = None,
                 known_urls: set[str] | None = None, fetched_documents: set[str] | None = None,
                 previous: PreviousCrawl | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        self.previous = previous
        self.registry = registry
        self.run_id = run_id
        wanted = set(departments or [])
        self.departments = {d.id: _Dept(d.id, d.url, scope_prefix(d.url), load_profile(d.profile).render)
                            for d in registry.departments if not wanted or d.id in wanted}
        # URLs whose outcome is (being) recorded in this run; restored from the store on resume
        self._claimed: set[str] = set(known_urls or ())
        # documents taken on as documents (read, or carried over); kept apart from _claimed so that a page
        # first met as a related link from another column is still read when its own column lists it
        self._documents: set[str] = set()
        self._fetched_docs: set[str] = set(fetched_documents or ())
        self._bytes_read: dict[int, int] = {}
        self._init_browser()
        self._loopback_ok = any(address_class(urlsplit(d.url).hostname) == "loopback" for d in registry.departments)

    @classmethod
    def from_crawler(cls, crawler, *args: Any, **kwargs: Any):
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.config = CrawlConfig.from_settings(crawler.settings)
        crawler.signals.connect(spider._on_bytes, signal=signals.bytes_received)
        return spider

    # --- start ----------------------------------------------------------------------------------

    async def start(self):
        for dept in self.departments.values():
            yield self._page(dept.url, self.parse_column, zwgk_dept=dept.id, zwgk_column=column_key(dept.url),
                             zwgk_parent=None, zwgk_depth=0, zwgk_first=True, zwgk_name=None)
        for feed in self.registry.sites.upstream:
            yield self._page(feed.url, self.parse_upstream_list, zwgk_upstream=feed.id, zwgk_first=True)

    def _page(self, url: str, callback, **meta: Any) -> scrapy.Request:
        dept = self.departments.get(meta.get("zwgk_dept", ""))
        render = meta.get("zwgk_render") or (dept is not None and dept.render == "always")
        headers = {}
        if self.previous and meta.get("zwgk_first") and callback == self.parse_column and not render:
            etag, modified = self.previous.validators.get(url, (None, None))
            headers = {k: v for k, v in (("If-None-Match", etag), ("If-Modified-Since", modified)) if v}
        return scrapy.Request(url, callback=self._dispatch, errback=self._failed, dont_filter=True, headers=headers,
                              meta={
            "zwgk_url": url, "zwgk_cb": callback.__name__, "zwgk_page": True, **PAGE_META,
            "zwgk_read_limit": self.config.page_maxsize, **meta,
            **(self.browser_meta(playwright_page_methods=_settle(), zwgk_render=True) if render else {})})

    # --- redirects and outcome recording, common to every request --------------------------------

    def _dispatch(self, response: Response) -> Iterator[Any]:
        self._bytes_read.pop(id(response.request), None)
        meta = response.meta
        intercepted = self._intercept(response)
        if intercepted is not None:
            yield from intercepted
            return
        location = response.headers.get("Location")
        chain = list(meta.get("zwgk_chain", []))
        if 300 <= response.status < 400 and location:
            target = urljoin(response.url, location.decode("latin-1"))
            chain.append({"url": response.url, "status": response.status})
            seen = {hop["url"] for hop in chain}
            if target in seen or len(chain) >= self.config.max_redirects:
                reason = "redirect_loop" if target in seen else "too_many_redirects"
                yield self._outcome(meta, Verdict("broken", reason), status=response.status, chain=chain)
                return
            if not self._may_fetch(target, meta):
                yield self._outcome(meta, Verdict("skipped", "private_address"), chain=chain, final=target)
                return
            method = "GET" if response.status == 303 else response.request.method
            yield response.request.replace(url=target, method=method, meta={**own_meta(meta), "zwgk_chain": chain})
            return
        if self.config.snapshots:
            yield self._snapshot(response)
        yield from getattr(self, meta["zwgk_cb"])(response)

    def _outcome(self, meta: dict[str, Any], verdict: Verdict, *, status: int | None = None, chain=None,
                 final: str | None = None, response: Response | None = None, **extra: Any) -> UrlCheckItem:
        stats = self.crawler.stats
        stats.inc_value(f"zwgk/urls/{verdict.verdict}")
        return UrlCheckItem(
            url=meta["zwgk_url"], verdict=verdict.verdict, reason=verdict.reason, checked_at=clock.now(),
            status=status if status is not None else (response.status if response is not None else None),
            final_url=final or (response.url if response is not None else None),
            redirect_chain=list(chain if chain is not None else meta.get("zwgk_chain", [])),
            content_type=_header(response, "Content-Type"), method=meta.get("zwgk_method", "GET"),
            etag=_header(response, "ETag"), last_modified=_header(response, "Last-Modified"), **extra)

    def _snapshot(self, response: Response) -> SnapshotItem:
        headers = {k.decode("latin-1"): b", ".join(v).decode("latin-1") for k, v in response.headers.items()}
        return SnapshotItem(url=response.meta["zwgk_url"], final_url=response.url, status=response.status,
                            headers=headers, body=mask_bytes(response.body), fetched_at=clock.now(),
                            truncated="download_stopped" in response.flags)

    def _failed(self, failure) -> Iterator[Any]:
        request = failure.request
        self._bytes_read.pop(id(request), None)
        meta = request.meta
        verdict = judge_failure(failure.value)
        yield self._outcome(meta, verdict, error=_short_error(failure.value), final=request.url)
        dept = meta.get("zwgk_dept")
        if meta.get("zwgk_page") and (meta.get("zwgk_depth") == 0 or meta.get("zwgk_upstream")):
            if verdict.reason == "too_large":
                kind, message = "too_large", f"页面超过大小上限（{self.config.page_maxsize} 字节），未解析"
            else:
                kind, message = "unreachable", f"无法访问：{_short_error(failure.value)}"
            yield CrawlEventItem(department_id=dept, url=meta["zwgk_url"], kind=kind, message=message, at=clock.now())

    def _on_bytes(self, data: bytes, request: scrapy.Request, spider) -> None:
        limit = request.meta.get("zwgk_read_limit")
        if limit is None:
            return
        # counted per request object: retries and redirect hops copy meta, and must start from zero
        read = self._bytes_read[id(request)] = self._bytes_read.get(id(request), 0) + len(data)
        if read >= limit:
            # a link check has read enough; a page past its size cap fails (recorded as too large)
            raise StopDownload(fail=bool(request.meta.get("zwgk_page")))

    # --- department column tree ------------------------------------------------------------------

    def parse_column(self, response: Response) -> Iterator[Any]:
        meta = response.meta
        dept = self.departments[meta["zwgk_dept"]]
        if response.status == 304 and self.previous:  # unchanged since the last crawl: take it over
            yield from self._carry_column(dept, meta, response)
            return
        page = self._html_page(response)
        verdict = judge_response(response.status, _header(response, "Content-Type"), response.body)
        yield self._outcome(meta, verdict, response=response)
        if verdict.verdict != "ok" or page is None:
            if meta["zwgk_depth"] == 0 or not meta["zwgk_first"]:
                kind = "not_html" if verdict.verdict == "ok" else "list_page_failed"
                yield CrawlEventItem(department_id=dept.id, url=response.url, kind=kind,
                                     message=_page_problem(response, verdict), at=clock.now())
            return
        listing = parse_list_page(page, response.url, today=clock.today())
        if not listing.items and listing.has_scripts and dept.render == "auto":
            rendered = self.render_again(response)  # a list filled by JavaScript: look with a browser
            if rendered is not None:
                yield rendered
                return
        column = meta["zwgk_column"]
        unchanged = meta["zwgk_first"] and self.previous is not None and self.previous.list_unchanged(
            column, [(i.url, i.title, i.date) for i in listing.items])
        if meta["zwgk_first"]:
            yield ColumnItem(department_id=dept.id, url=column, name=meta["zwgk_name"] or listing.title or "（未命名栏目）",
                             parent_url=meta["zwgk_parent"], depth=meta["zwgk_depth"], page_url=meta["zwgk_url"],
                             page_count=1 + len(listing.page_urls), note=None if listing.items else listing.note)
        if unchanged:  # the newest entries are the ones we have: the later pages are too
            self.crawler.stats.inc_value("zwgk/incremental/columns_unchanged")
            yield CarryItem(kind="column", url=column, from_run=self.previous.run_id)
            yield from self._carried_documents_checks(dept, column)
        elif meta["zwgk_first"]:
            for url in listing.page_urls[: self.config.max_list_pages]:
                if self._count_page(dept, url):
                    yield self._page(url, self.parse_column, zwgk_dept=dept.id, zwgk_column=column,
                                     zwgk_parent=meta["zwgk_parent"], zwgk_depth=meta["zwgk_depth"], zwgk_first=False,
                                     zwgk_name=None, zwgk_render=meta.get("zwgk_render", False))
        item_urls = set()
        for entry in listing.items:
            item_urls.add(entry.url)
            yield DocumentItem(url=entry.url, title=entry.title, department_id=dept.id, column_url=column,
                               list_date=entry.date, first_seen_at=clock.now())
            yield ListEntryItem(column_url=column, document_url=entry.url, title=entry.title, list_date=entry.date,
                                page_url=response.url)
            yield from self._document_or_check(dept, entry.url, entry.title)
        yield from self._links(dept.id, response.url, [(n.url, n.name, "a") for n in listing.nav_links])
        if meta["zwgk_first"]:
            for nav in listing.nav_links:
                if not self._is_column_candidate(dept, nav.url, item_urls):
                    continue
                if meta["zwgk_depth"] + 1 > self.config.max_column_depth:
                    continue
                key = column_key(nav.url)
                dept.columns.add(key)
                self._claimed.add(nav.url)
                if self._count_page(dept, nav.url):
                    yield self._page(nav.url, self.parse_column, zwgk_dept=dept.id, zwgk_column=key, zwgk_parent=column,
                                     zwgk_depth=meta["zwgk_depth"] + 1, zwgk_first=True, zwgk_name=nav.name or None)

    def _is_column_candidate(self, dept: _Dept, url: str, item_urls: set[str]) -> bool:
        return (in_scope(url, dept.scope) and url not in item_urls and column_key(url) not in dept.columns
                and column_key(url) != column_key(dept.url) and not looks_like_document(url)
                and not looks_like_attachment(url, "") and not is_trap(url))

    def _count_page(self, dept: _Dept, url: str) -> bool:
        if dept.pages >= self.config.max_pages_per_department:
            if not dept.capped:
                dept.capped = True
                self.crawler.stats.inc_value("zwgk/departments/capped")
                self.logger.warning("department %s reached the page cap (%d)", dept.id, dept.pages)
            return False
        dept.pages += 1
        return True

    def _document_or_check(self, dept: _Dept, url: str, title: str) -> Iterator[Any]:
        """A list entry is fetched as a document page when it is an HTML page of the department's host;
        a file (PDF, archive…) or an off-site page is only checked as a link."""
        same_host = urlsplit(url).netloc.lower() == dept.scope[0]
        if same_host and not looks_like_attachment(url, title) and not is_trap(url):
            if url in self._fetched_docs or url in self._documents or column_key(url) in dept.columns:
                return  # already taken on as a document, or it is a column (a hub page lists sub-columns)
            self._documents.add(url)
            if self.previous and url in self.previous.documents:  # read last time: take it over
                self._claimed.add(url)
                yield CarryItem(kind="document", url=url, from_run=self.previous.run_id)
                yield from self._document_links(dept.id, url)
                return
            self._claimed.add(url)
            if self._count_page(dept, url):
                yield self._page(url, self.parse_document, zwgk_dept=dept.id)
        else:
            yield from self._check(url, {"zwgk_dept": dept.id})

    def parse_document(self, response: Response) -> Iterator[Any]:
        meta = response.meta
        content_type = _header(response, "Content-Type")
        page = self._html_page(response)
        if page is None:  # a file behind a page-looking URL: judge and sniff it like an attachment
            kind = classify_file(response.url, content_type, _header(response, "Content-Disposition"),
                                 response.body[:SNIFF_BYTES])
            yield self._outcome(meta, judge_response(response.status, content_type, b""), response=response,
                                sniffed_kind=kind.kind, is_archive=kind.is_archive, kind_how=kind.how,
                                filename=kind.filename)
            return
        yield self._outcome(meta, judge_response(response.status, content_type, response.body), response=response)
        if response.status >= 400:
            return
        doc = parse_document_page(page, response.url)
        dept_id, upstream = meta.get("zwgk_dept"), meta.get("zwgk_upstream")
        yield DocumentItem(
            url=meta["zwgk_url"], title=doc.title or "", department_id=dept_id, upstream_id=upstream,
            first_seen_at=clock.now(), publish_date=doc.publish_date, publish_time=doc.publish_time,
            written_date=doc.written_date, doc_number=doc.doc_number, index_number=doc.index_number,
            publisher=doc.publisher, topic=doc.topic, fetched=True,
            content_hash=hashlib.sha256(doc.text.encode("utf-8")).hexdigest())
        if upstream:
            return
        for leak in find_leaks(doc.text):
            yield PrivacyHitItem(department_id=dept_id, document_url=meta["zwgk_url"], source_url=meta["zwgk_url"],
                                 kind=leak.kind, masked=leak.masked, excerpt=leak.excerpt)
        for link in doc.links:
            if looks_like_attachment(link.url, link.text):
                yield AttachmentItem(document_url=meta["zwgk_url"], url=link.url, name=link.text, department_id=dept_id)
        yield from self._links(dept_id, response.url, [(l.url, l.text, l.tag) for l in doc.links])

    # --- upstream feeds (for the repost check) ----------------------------------------------------

    def parse_upstream_list(self, response: Response) -> Iterator[Any]:
        meta = response.meta
        verdict = judge_response(response.status, _header(response, "Content-Type"), response.body)
        yield self._outcome(meta, verdict, response=response)
        page = self._html_page(response)
        if verdict.verdict != "ok" or page is None:
            yield CrawlEventItem(department_id=None, url=response.url, kind="upstream_failed",
                                 message=_page_problem(response, verdict), at=clock.now())
            return
        listing = parse_list_page(page, response.url, today=clock.today())
        if meta["zwgk_first"]:
            for url in listing.page_urls[: self.config.max_list_pages]:
                yield self._page(url, self.parse_upstream_list, zwgk_upstream=meta["zwgk_upstream"], zwgk_first=False)
        for entry in listing.items:
            yield DocumentItem(url=entry.url, title=entry.title, upstream_id=meta["zwgk_upstream"],
                               list_date=entry.date, first_seen_at=clock.now())
            if entry.url not in self._documents and entry.url not in self._fetched_docs:
                self._documents.add(entry.url)
                self._claimed.add(entry.url)
                yield self._page(entry.url, self.parse_document, zwgk_upstream=meta["zwgk_upstream"])

    # --- link checks ----------------------------------------------------------------------------

    def _links(self, dept_id: str | None, source: str, links: list[tuple[str, str, str]]) -> Iterator[Any]:
        for url, text, tag in links:
            if urlsplit(url).scheme not in ("http", "https"):
                continue
            yield LinkItem(department_id=dept_id, source_url=source, target_url=url, anchor=text or "", tag=tag,
                           is_attachment=looks_like_attachment(url, text or ""))
            yield from self._check(url, {"zwgk_dept": dept_id, "zwgk_source": source})

    def _check(self, url: str, meta: dict[str, Any]) -> Iterator[Any]:
        if url in self._claimed:
            return
        self._claimed.add(url)
        if self.previous and self.previous.recently_checked(url, clock.now(), self.config.recheck_after):
            yield CarryItem(kind="check", url=url, from_run=self.previous.run_id)
            return
        base = {"zwgk_url": url, "zwgk_cb": "parse_check", **LINKCHECK_META, **meta}
        if not self._may_fetch(url, base):
            yield self._outcome(base, Verdict("skipped", "private_address"))
            return
        self.crawler.stats.inc_value("zwgk/links/checked")
        if looks_like_attachment(url, ""):  # a file: HEAD first, GET only when HEAD is refused or says too little
            yield scrapy.Request(url, method="HEAD", callback=self._dispatch, errback=self._failed, dont_filter=True,
                                 meta={**base, "zwgk_method": "HEAD"}, priority=-1)
        else:  # a page: a HEAD cannot tell a soft 404, so read the start of the body at once
            yield self._get_check(url, base)

    def _get_check(self, url: str, meta: dict[str, Any]) -> scrapy.Request:
        read = PAGE_BYTES if not looks_like_attachment(url, "") else SNIFF_BYTES
        return scrapy.Request(url, callback=self._dispatch, errback=self._failed, dont_filter=True, priority=-1,
                              meta={**meta, "zwgk_method": "GET", "zwgk_read_limit": read, "zwgk_chain": []})

    def parse_check(self, response: Response) -> Iterator[Any]:
        meta = response.meta
        content_type = _header(response, "Content-Type")
        disposition = _header(response, "Content-Disposition")
        kind = classify_file(response.url, content_type, disposition, response.body[:SNIFF_BYTES])
        if meta.get("zwgk_method") == "HEAD":
            needs_body = kind.kind in ("unknown", "html", "text") or response.status >= 400
            if needs_body:  # refused, lying, or not enough to tell: confirm with GET
                yield self._get_check(meta["zwgk_url"], own_meta(meta))
                return
        verdict = judge_response(response.status, content_type, response.body)
        if response.status < 400 and not kind.is_archive and kind.kind == "unknown":
            # the original URL may carry the extension the final one lacks
            kind = classify_file(meta["zwgk_url"], content_type, disposition, response.body[:SNIFF_BYTES])
        yield self._outcome(meta, verdict, response=response, sniffed_kind=kind.kind, is_archive=kind.is_archive,
                            kind_how=kind.how, filename=kind.filename)
        if verdict.verdict == "ok" and kind.kind in TEXT_KINDS and meta.get("zwgk_dept"):
            yield from self._scan_attachment(response, kind.kind)

    # --- incremental crawls ------------------------------------------------------------------

    def _carry_column(self, dept: _Dept, meta: dict[str, Any], response: Response) -> Iterator[Any]:
        prev, column = self.previous, meta["zwgk_column"]
        self.crawler.stats.inc_value("zwgk/incremental/not_modified")
        for kind, url in (("column", column), ("page", response.url), ("check", meta["zwgk_url"])):
            yield CarryItem(kind=kind, url=url, from_run=prev.run_id)
        yield from self._carried_documents_checks(dept, column)
        # its sub-columns were found on the page we did not download: visit them from what we knew
        for child, page_url, name in prev.children.get(column, []):
            if child in dept.columns or meta["zwgk_depth"] + 1 > self.config.max_column_depth:
                continue
            dept.columns.add(child)
            self._claimed.add(page_url)
            if self._count_page(dept, page_url):
                yield self._page(page_url, self.parse_column, zwgk_dept=dept.id, zwgk_column=child, zwgk_parent=column,
                                 zwgk_depth=meta["zwgk_depth"] + 1, zwgk_first=True, zwgk_name=name)

    def _carried_documents_checks(self, dept: _Dept, column: str) -> Iterator[Any]:
        """The link targets of a carried column's documents are still checked (or carried when recent)."""
        for doc_url in self.previous.lists.get(column, {}):
            if doc_url not in self._documents:
                self._documents.add(doc_url)
                self._claimed.add(doc_url)
                yield from self._document_links(dept.id, doc_url)

    def _document_links(self, dept_id: str, doc_url: str) -> Iterator[Any]:
        for target, _anchor, _tag in self.previous.doc_links.get(doc_url, []):
            yield from self._check(target, {"zwgk_dept": dept_id, "zwgk_source": doc_url})

    # --- privacy: text-bearing attachments are read in full (capped) and scanned -----------------

    def _scan_attachment(self, response: Response, kind: str) -> Iterator[Any]:
        meta = response.meta
        if "download_stopped" not in response.flags and response.request.method == "GET":
            yield from self._leaks_in(meta, response.body, kind)
            return
        yield scrapy.Request(response.url, callback=self.parse_scan, errback=self._scan_failed, dont_filter=True,
                             priority=-2, meta={**{k: v for k, v in own_meta(meta).items() if k != "zwgk_read_limit"},
                                                "zwgk_read_limit": self.config.attachment_maxsize,
                                                "zwgk_scan_kind": kind})

    def parse_scan(self, response: Response) -> Iterator[Any]:
        self._bytes_read.pop(id(response.request), None)
        if response.status == 200 and "download_stopped" not in response.flags:
            yield from self._leaks_in(response.meta, response.body, response.meta["zwgk_scan_kind"])
        else:
            self.crawler.stats.inc_value("zwgk/privacy/attachments_not_scanned")

    def _scan_failed(self, failure) -> None:
        self._bytes_read.pop(id(failure.request), None)
        self.crawler.stats.inc_value("zwgk/privacy/attachments_not_scanned")

    def _leaks_in(self, meta: dict[str, Any], body: bytes, kind: str) -> Iterator[Any]:
        self.crawler.stats.inc_value("zwgk/privacy/attachments_scanned")
        text = extract_text(body, kind)
        for leak in find_leaks(text or ""):
            yield PrivacyHitItem(department_id=meta.get("zwgk_dept"), document_url=meta.get("zwgk_source") or meta["zwgk_url"],
                                 source_url=meta["zwgk_url"], kind=leak.kind, masked=leak.masked, excerpt=leak.excerpt)

    # --- helpers --------------------------------------------------------------------------------

    def _may_fetch(self, url: str, meta: dict[str, Any]) -> bool:
        """Private-network targets found in pages are not fetched unless configured (SSRF guard)."""
        klass = address_class(urlsplit(url).hostname)
        if klass == "private":
            return self.config.allow_private
        if klass == "loopback":
            return self.config.allow_private or self._loopback_ok
        return True

    def _html_page(self, response: Response) -> str | None:
        content_type = (_header(response, "Content-Type") or "").lower()
        body = response.body
        if content_type and not any(t in content_type for t in HTML_TYPES):
            return None
        if not content_type and not body[:1024].lstrip().lower().startswith((b"<!doctype", b"<html", b"<head", b"<meta")):
            return None
        text, _ = decode_body(body, _header(response, "Content-Type"))
        return text


def mask_bytes(body: bytes) -> bytes:
    """The body with every ID-like or mobile-like number masked, byte for byte elsewhere.

    Evidence must never hold a raw personal number. Digits are single ASCII bytes in UTF-8, GBK and
    GB18030 alike (never a run of them inside a multi-byte character), so masking the Latin-1 view of the
    bytes changes only those digits.
    """
    return mask_text(body.decode("latin-1")).encode("latin-1")


def _settle() -> list[Any]:
    from scrapy_playwright.page import PageMethod

    return [PageMethod("wait_for_load_state", "networkidle")]


def _header(response: Response | None, name: str) -> str | None:
    if response is None:
        return None
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None


def _short_error(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return f"{type(exc).__name__}: {text}"[:300]


def _page_problem(response: Response, verdict: Verdict) -> str:
    if verdict.verdict != "ok":
        return f"栏目页面无法正常打开（HTTP {response.status}，{verdict.reason}）"
    return f"预期为网页，实际返回 {_header(response, 'Content-Type') or '未知类型'} 内容"
