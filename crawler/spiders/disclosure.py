"""DisclosureSpider: walks each department's disclosure column and checks every link target once.

Thin on purpose: which URLs to request and with what meta. Parsing is in crawler.parsing, judging a
fetch in crawler.linkcheck, storage in the pipeline. Redirects are followed here, hop by hop, so that
every chain is recorded and loops are told apart from other failures.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any, Iterator
from urllib.parse import urljoin, urlsplit

import scrapy
from scrapy import signals
from scrapy.exceptions import DontCloseSpider, StopDownload
from scrapy.http import Response

from crawler import dnsguard
from crawler.claims import DOCUMENT, URL, Claims, column_kind, pages_counter
from crawler.config import CrawlConfig
from crawler.profiles import load_profile
from crawler.incremental import PreviousCrawl
from crawler.items import (AttachmentItem, CarryItem, ColumnItem, CrawlEventItem, DocumentItem, ItemBatch,
                           ListEntryItem, PrivacyHitItem, SnapshotItem, UrlCheckItem)
from crawler.parsepool import INLINE_BELOW, ParsePool
from crawler.parsing.prepare import CHECK, DOCUMENT as DOCUMENT_PAGE, LIST, Prepared, attachment_leaks, prepare
from crawler.parsing.privacy import Leak, mask_bytes
from crawler.linkbudget import LinkBudget
from crawler.linkcheck import PAGE_BYTES, SNIFF_BYTES, Verdict, judge_failure, judge_response
from crawler.pagers import ListPagerMixin
from crawler.parsing import classify_file, looks_like_attachment
from crawler.spiders._browser import BrowserMixin
from crawler.spiders._links import LinkChecksMixin, ReachedPagesMixin, ScopeMixin
from crawler.spiders._meta import LINKCHECK_META, PAGE_META, own_meta
from crawler.scope import column_key, in_scope, is_trap, looks_like_document, scope_prefix
from store import clock, killpoint
from store.registry import Registry

# attachment kinds whose text is read for personal data (privacy.* checks)
TEXT_KINDS = frozenset({"docx", "xlsx", "pdf", "text", "csv", "doc", "xls", "wps", "et"})


@dataclass(frozen=True)
class _Scan:
    """An attachment to scan for personal data: yielded by parse_check, read by _dispatch."""
    meta: dict[str, Any]
    body: bytes
    kind: str


@dataclass
class _Dept:
    id: str
    url: str
    scope: tuple[str, str]
    render: str = "auto"  # always | auto | never: from the department's crawler profile


class DisclosureSpider(ListPagerMixin, LinkChecksMixin, ScopeMixin, ReachedPagesMixin, BrowserMixin, scrapy.Spider):
    name = "disclosure"

    def __init__(self, registry: Registry, run_id: int, departments: list[str] | None = None,
                 known_urls: set[str] | None = None, fetched_documents: set[str] | None = None,
                 previous: PreviousCrawl | None = None, claims: Claims | None = None,
                 pending_checks: list[tuple[str, str | None, str]] | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        # a resumed run: stored links whose targets have no outcome yet, (target, department, source page);
        # the pages they were found on are not read again, so their checks would otherwise be lost
        self.pending_checks = list(pending_checks or ())
        self.previous = previous
        self.registry = registry
        self.run_id = run_id
        wanted = set(departments or [])
        self.departments = {d.id: _Dept(d.id, d.url, scope_prefix(d.url), load_profile(d.profile).render)
                            for d in registry.departments if not wanted or d.id in wanted}
        # URL claims: outcomes (being) recorded in this run, restored from the store on resume; document
        # claims: pages taken on as documents (read, or carried over), kept apart so that a page first met
        # as a related link from another column is still read when its own column lists it; column claims
        # per department; page budgets per department. Shared between workers when distributed.
        self.claims = claims if claims is not None else Claims(restored={URL: known_urls or ()})
        self._fetched_docs: set[str] = set(fetched_documents or ())
        self._bytes_read: dict[int, int] = {}
        self._ready: dict[int, Prepared] = {}  # id(response) -> its body prepared, while its callback runs
        self.parse_pool: ParsePool | None = None
        self._init_browser()
        self._page_hosts = {dept.scope[0] for dept in self.departments.values()}

    @classmethod
    def from_crawler(cls, crawler, *args: Any, **kwargs: Any):
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.config = CrawlConfig.from_settings(crawler.settings)
        dnsguard.POLICY.configure([*(d.url for d in spider.registry.departments),
                                   *(d.home for d in spider.registry.departments if d.home),
                                   *(f.url for f in spider.registry.sites.upstream)],
                                  allow_private=spider.config.allow_private)
        crawler.signals.connect(spider._on_bytes, signal=signals.bytes_received)
        crawler.signals.connect(spider._on_idle, signal=signals.spider_idle)
        crawler.signals.connect(spider._close_pool, signal=signals.spider_closed)
        spider.parse_pool = ParsePool(spider.config.parse_workers)
        spider.link_budget = LinkBudget(spider.claims, spider.config.max_link_checks_per_department,
                                        spider.config.max_query_variants)
        return spider

    # --- start ----------------------------------------------------------------------------------

    async def start(self):
        for dept in self.departments.values():
            self.claims.first(URL, dept.url)  # its outcome comes with the root page
            root = self._page(dept.url, self.parse_column, zwgk_dept=dept.id, zwgk_column=column_key(dept.url),
                              zwgk_parent=None, zwgk_depth=0, zwgk_first=True, zwgk_name=None)
            earned = self.previous.cookies.get(dept.scope[0]) if self.previous else None
            yield root.replace(cookies=self.reuse_cookies(dept.scope[0], earned)) if earned else root
        for feed in self.registry.sites.upstream:
            yield self._page(feed.url, self.parse_upstream_list, zwgk_upstream=feed.id, zwgk_first=True)
        for target, dept_id, source in self.pending_checks:
            for output in self._check(target, {"zwgk_dept": dept_id, "zwgk_source": source}):
                yield output

    def _page(self, url: str, callback, *, refetch: bool = False, **meta: Any) -> scrapy.Request:
        """A page request. A first fetch goes through the dupefilter (see crawler.claims); a `refetch` of
        a page already fetched (a browser re-render) does not."""
        dept = self.departments.get(meta.get("zwgk_dept", ""))
        render = meta.get("zwgk_render") or (dept is not None and dept.render == "always")
        headers = {}
        if self.previous and meta.get("zwgk_first") and callback == self.parse_column and not render:
            etag, modified = self.previous.validators.get(url, (None, None))
            headers = {k: v for k, v in (("If-None-Match", etag), ("If-Modified-Since", modified)) if v}
        return scrapy.Request(url, callback=self._dispatch, errback=self._failed, dont_filter=refetch, headers=headers,
                              meta={
            "zwgk_url": url, "zwgk_cb": callback.__name__, "zwgk_page": True, **PAGE_META,
            "zwgk_read_limit": self.config.page_maxsize, **meta,
            **(self.browser_meta(playwright_page_methods=_settle(), zwgk_render=True) if render else {})})

    # --- redirects and outcome recording, common to every request --------------------------------

    async def _dispatch(self, response: Response):
        self._bytes_read.pop(id(response.request), None)
        meta = response.meta
        intercepted = self._intercept(response)
        if intercepted is not None:
            for output in intercepted:
                yield output
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
            refusal = dnsguard.POLICY.refusal(target)
            if refusal is not None:  # file:, data:, ftp:, javascript:, a bad port, a private address
                yield self._outcome(meta, Verdict(refusal.verdict, refusal.reason), chain=chain, final=target,
                                    error=refusal.message)
                return
            if self._too_long(target):
                yield self._outcome(meta, Verdict("skipped", "url_too_long"), chain=chain, final=target)
                return
            if self.leaves_scope(meta, target):  # a column or document moved to another site: checked, not crawled
                yield self.check_instead(meta, target, chain)
                return
            method = "GET" if response.status == 303 else response.request.method
            yield response.request.replace(url=target, method=method, dont_filter=True,
                                           meta={**own_meta(meta), "zwgk_chain": chain})
            return
        role = _ROLES.get(meta["zwgk_cb"])
        if role is not None:  # parsed in a worker process while other responses are handled
            self._ready[id(response)] = await self.parse_pool.prepare(*self._prepare_args(response, role))
        batch: list[Any] = []  # the response's items go on as one (crawler.items.ItemBatch)
        try:
            if self.config.snapshots:
                batch.append(self._snapshot(response))
            for output in getattr(self, meta["zwgk_cb"])(response):
                if isinstance(output, scrapy.Request):
                    yield output
                elif isinstance(output, _Scan):  # an attachment's text, read in a worker
                    # even a small file: opening a PDF or a workbook costs more than sending it
                    leaks = await self.parse_pool.call(attachment_leaks, output.body, output.kind, size=INLINE_BELOW)
                    batch.extend(self._hits(output.meta, leaks))
                else:
                    batch.append(output)
        except Exception:
            if batch:  # what the callback produced before it failed is kept, as it was item by item
                yield ItemBatch(batch)
            raise
        finally:
            self._ready.pop(id(response), None)
        if batch:
            yield ItemBatch(batch)

    def _prepare_args(self, response: Response, role: str) -> tuple[Any, ...]:
        return (role, response.url, response.status, _header(response, "Content-Type"), response.body,
                clock.today(), self.config.snapshots)

    def _prepared(self, response: Response, role: str) -> Prepared:
        """The response's body prepared (crawler.parsing.prepare): by a worker when the spider dispatched it,
        here otherwise."""
        ready = self._ready.get(id(response))
        return ready if ready is not None else prepare(*self._prepare_args(response, role))

    def _close_pool(self, spider) -> None:
        if self.parse_pool is not None:
            self.parse_pool.close()

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
                            headers=headers, body=self._masked(response), fetched_at=clock.now(),
                            truncated="download_stopped" in response.flags)

    def _masked(self, response: Response) -> bytes:
        ready = self._ready.get(id(response))
        return ready.masked if ready is not None and ready.masked is not None else mask_bytes(response.body)

    def _failed(self, failure) -> Iterator[Any]:
        request = failure.request
        self._bytes_read.pop(id(request), None)
        meta = request.meta
        verdict = judge_failure(failure.value)
        refusal = getattr(failure.value, "refusal", None)  # crawler.middlewares.RefusedUrl
        if refusal is not None:
            verdict = Verdict(refusal.verdict, refusal.reason)
        elif verdict.reason == "dns" and dnsguard.was_refused(request.url):
            verdict = Verdict("skipped", "private_address")
        elif meta.get("zwgk_block_stage") == 2 and verdict.verdict == "broken":
            # the browser re-check of a blocked fetch failed (net::ERR_HTTP_RESPONSE_CODE_FAILURE …): the server
            # answered the plain fetch, so this proves nothing about the page — it stays unverified
            verdict = Verdict("blocked", "browser_failed")
        yield self._outcome(meta, verdict, error=_short_error(failure.value), final=request.url)
        yield from self.list_page_failed(meta, verdict.reason)
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
        ready = self._prepared(response, LIST)
        verdict, listing = ready.verdict, ready.listing
        if listing is not None and verdict.verdict != "ok":  # a soft 404
            verdict, listing, event = self.root_soft_404(dept.id, meta, response, verdict, listing)
            if event is not None:
                yield event
        yield self._outcome(meta, verdict, response=response)
        if listing is None:
            if verdict.verdict != "ok":  # a list page that failed (not a file behind a menu link)
                yield from self.list_page_failed(meta, verdict.reason)
            if meta["zwgk_depth"] == 0 or not meta["zwgk_first"]:
                kind = "not_html" if verdict.verdict == "ok" else "list_page_failed"
                yield CrawlEventItem(department_id=dept.id, url=response.url, kind=kind,
                                     message=_page_problem(response, verdict), at=clock.now())
            return
        if not listing.items and listing.has_scripts and dept.render == "auto":
            rendered = self.render_again(response)  # a list filled by JavaScript: look with a browser
            if rendered is not None:
                yield rendered
                return
        column = meta["zwgk_column"]
        unchanged = meta["zwgk_first"] and self.previous is not None and self.previous.list_unchanged(
            column, [(i.url, i.title, i.date) for i in listing.items])
        if meta["zwgk_first"]:
            meta["zwgk_column_row"] = dict(
                department_id=dept.id, url=column, name=meta["zwgk_name"] or listing.title or "（未命名栏目）",
                parent_url=meta["zwgk_parent"], depth=meta["zwgk_depth"], page_url=meta["zwgk_url"],
                page_count=1 + len(listing.page_urls), note=None if listing.items else listing.note)
        if meta.get("zwgk_column_row"):
            # on every list page, not only the first: another worker may read a later page, and its list
            # entries need the column row in its own writes (identical values: an idempotent upsert)
            yield ColumnItem(**meta["zwgk_column_row"])
        if unchanged:  # the newest entries are the ones we have: the later pages are too
            self.crawler.stats.inc_value("zwgk/incremental/columns_unchanged")
            yield CarryItem(kind="column", url=column, from_run=self.previous.run_id)
            yield from self._carried_documents_checks(dept, column)
        elif meta["zwgk_first"]:  # the rest of the list: endpoint, static pages or browser (crawler.pagers)
            yield from self.first_list_page(dept, meta, listing, response)
        else:
            yield self.list_page_row(dept.id, meta, items=len(listing.items))
        item_urls = set()
        for entry in listing.items:
            item_urls.add(entry.url)
            yield DocumentItem(url=entry.url, title=entry.title, department_id=dept.id, column_url=column,
                               list_date=entry.date, first_seen_at=clock.now())
            yield ListEntryItem(column_url=column, document_url=entry.url, title=entry.title, list_date=entry.date,
                                page_url=response.url)
            yield from self._document_or_check(dept, entry.url, entry.title)
        # every link of the list page, its entries too: a deleted document behind an entry is a broken link
        yield from self._page_links(dept.id, response.url, listing.links)
        if meta["zwgk_first"]:
            for nav in listing.nav_links:
                if not self._is_column_candidate(dept, nav.url, item_urls):
                    continue
                if meta["zwgk_depth"] + 1 > self.config.max_column_depth:
                    continue
                key = column_key(nav.url)
                if not self.claims.first(column_kind(dept.id), key):
                    continue
                if self._count_page(dept, nav.url):
                    self.claims.first(URL, nav.url)  # its outcome comes with the column page
                    yield self._page(nav.url, self.parse_column, zwgk_dept=dept.id, zwgk_column=key, zwgk_parent=column,
                                     zwgk_depth=meta["zwgk_depth"] + 1, zwgk_first=True, zwgk_name=nav.name or None)

    def _is_column_candidate(self, dept: _Dept, url: str, item_urls: set[str]) -> bool:
        return (in_scope(url, dept.scope) and url not in item_urls
                and column_key(url) != column_key(dept.url) and not looks_like_document(url)
                and not looks_like_attachment(url, "") and not is_trap(url))

    def _count_page(self, dept: _Dept, url: str) -> bool:
        limit = self.config.max_pages_per_department
        taken = self.claims.count(pages_counter(dept.id))
        if taken == limit + 1:  # the first refusal, wherever it happens
            self.crawler.stats.inc_value("zwgk/departments/capped")
            self.logger.warning("department %s reached the page cap (%d)", dept.id, limit)
        return taken <= limit

    def _document_or_check(self, dept: _Dept, url: str, title: str) -> Iterator[Any]:
        """A list entry is fetched as a document page when it is an HTML page of the department's host;
        a file (PDF, archive…) or an off-site page is only checked as a link."""
        same_host = urlsplit(url).netloc.lower() == dept.scope[0]
        if same_host and not looks_like_attachment(url, title) and not is_trap(url):
            if url in self._fetched_docs or self.claims.taken(column_kind(dept.id), column_key(url)):
                return  # read before this run was resumed, or it is a column (a hub page lists sub-columns)
            if not self.claims.first(DOCUMENT, url):
                return  # already taken on as a document
            self.claims.first(URL, url)  # its outcome comes with the document page (or is carried)
            if self.previous and url in self.previous.documents:  # read last time: take it over
                yield CarryItem(kind="document", url=url, from_run=self.previous.run_id)
                yield from self._document_links(dept.id, url)
                return
            if self._count_page(dept, url):
                yield self._page(url, self.parse_document, zwgk_dept=dept.id)
        else:
            yield from self._check(url, {"zwgk_dept": dept.id})

    def parse_document(self, response: Response) -> Iterator[Any]:
        meta = response.meta
        killpoint.reached("crawl:document")
        content_type = _header(response, "Content-Type")
        ready = self._prepared(response, DOCUMENT_PAGE)
        if ready.page is None:  # a file behind a page-looking URL: judge and sniff it like an attachment
            kind = classify_file(response.url, content_type, _header(response, "Content-Disposition"),
                                 response.body[:SNIFF_BYTES])
            yield self._outcome(meta, judge_response(response.status, content_type, b""), response=response,
                                sniffed_kind=kind.kind, is_archive=kind.is_archive, kind_how=kind.how,
                                filename=kind.filename)
            return
        yield self._outcome(meta, ready.verdict, response=response)
        doc = ready.document
        if doc is None:  # status 400 or above
            return
        dept_id, upstream = meta.get("zwgk_dept"), meta.get("zwgk_upstream")
        yield DocumentItem(
            url=meta["zwgk_url"], title=doc.title or "", department_id=dept_id, upstream_id=upstream,
            first_seen_at=clock.now(), publish_date=doc.publish_date, publish_time=doc.publish_time,
            written_date=doc.written_date, doc_number=doc.doc_number, index_number=doc.index_number,
            publisher=doc.publisher, topic=doc.topic, fetched=True,
            content_hash=hashlib.sha256(doc.text.encode("utf-8")).hexdigest())
        if upstream:
            return
        for leak in ready.leaks:
            yield PrivacyHitItem(department_id=dept_id, document_url=meta["zwgk_url"], source_url=meta["zwgk_url"],
                                 kind=leak.kind, masked=leak.masked, excerpt=leak.excerpt)
        for link in doc.links:
            if not link.malformed and looks_like_attachment(link.url, link.text):
                yield AttachmentItem(document_url=meta["zwgk_url"], url=link.url, name=link.text, department_id=dept_id)
        yield from self._page_links(dept_id, response.url, doc.links)

    # --- upstream feeds (for the repost check) ----------------------------------------------------

    def parse_upstream_list(self, response: Response) -> Iterator[Any]:
        meta = response.meta
        ready = self._prepared(response, LIST)
        verdict, listing = ready.verdict, ready.listing
        yield self._outcome(meta, verdict, response=response)
        if listing is None:
            yield CrawlEventItem(department_id=None, url=response.url, kind="upstream_failed",
                                 message=_page_problem(response, verdict), at=clock.now())
            return
        feed = meta["zwgk_upstream"]
        if meta["zwgk_first"] and self.previous and self.previous.feed_unchanged(
                feed, [(i.url, i.title, i.date) for i in listing.items]):
            # its newest entries are the ones we have: the later pages are too, as they were last time
            self.crawler.stats.inc_value("zwgk/incremental/feeds_unchanged")
            for url in listing.page_urls[: self.config.max_list_pages]:  # not fetched: outcome and copy kept
                yield CarryItem(kind="page", url=url, from_run=self.previous.run_id)
            yield from self._carry_feed(feed, {i.url for i in listing.items})
        elif meta["zwgk_first"]:
            for url in listing.page_urls[: self.config.max_list_pages]:
                yield self._page(url, self.parse_upstream_list, zwgk_upstream=feed, zwgk_first=False)
        for entry in listing.items:
            yield DocumentItem(url=entry.url, title=entry.title, upstream_id=meta["zwgk_upstream"],
                               list_date=entry.date, first_seen_at=clock.now())
            if entry.url not in self._fetched_docs and self.claims.first(DOCUMENT, entry.url):
                self.claims.first(URL, entry.url)
                if self.previous and entry.url in self.previous.documents:  # an upstream page does not change
                    yield CarryItem(kind="document", url=entry.url, from_run=self.previous.run_id)
                    continue
                yield self._page(entry.url, self.parse_document, zwgk_upstream=meta["zwgk_upstream"])

    # --- link checks ----------------------------------------------------------------------------

    def _check(self, url: str, meta: dict[str, Any], *, due: bool = False) -> Iterator[Any]:
        """One check per link target. A target that may yet be read as a page of the crawl (a page on a
        department's host) is held back until the crawl has nothing else to do: by then it was read as a
        document or column page (whose fetch records its outcome), or it is checked. Checked at once, it
        would be fetched a second time whenever a list page named it as a document later: how often a
        page is fetched would depend on the order the pages happen to be read in."""
        if not due and self._may_be_page(url):
            self.claims.defer(url, {k: meta.get(k) for k in ("zwgk_dept", "zwgk_source")})
            return
        if not self.claims.first(URL, url):
            return
        if self.previous and self.previous.recently_checked(url, clock.now(), self.config.recheck_after):
            yield CarryItem(kind="check", url=url, from_run=self.previous.run_id)
            return
        base = {"zwgk_url": url, "zwgk_cb": "parse_check", **LINKCHECK_META, **meta}
        refusal = dnsguard.POLICY.refusal(url)
        if refusal is not None:
            yield self._outcome(base, Verdict(refusal.verdict, refusal.reason), error=refusal.message)
            return
        admission = self.link_budget.admit(meta.get("zwgk_dept"), url)
        if not admission.admitted:  # past the department's cap, or a calendar-like trap (crawler.linkbudget)
            self.crawler.stats.inc_value(f"zwgk/links/not_checked/{admission.reason}")
            if admission.event is not None:
                yield admission.event
            return
        if self._too_long(url):  # Scrapy would drop the request unseen: the target would have no outcome
            yield self._outcome(base, Verdict("skipped", "url_too_long"))
            return
        self.crawler.stats.inc_value("zwgk/links/checked")
        if meta.get("zwgk_dept") and classify_file(url, None, None, b"").kind in TEXT_KINDS:
            # a department's Word/Excel/PDF/text file is read in full for the privacy scan anyway: one GET
            # (capped) checks, sniffs and scans it, instead of HEAD, then GET for the scan
            yield self._get_check(url, base, read=self.config.attachment_maxsize)
        elif looks_like_attachment(url, ""):  # a file: HEAD first, GET only when HEAD is refused or says too little
            yield scrapy.Request(url, method="HEAD", callback=self._dispatch, errback=self._failed, dont_filter=True,
                                 meta={**base, "zwgk_method": "HEAD"}, priority=-1)
        else:  # a page: a HEAD cannot tell a soft 404, so read the start of the body at once
            yield self._get_check(url, base)

    def _may_be_page(self, url: str) -> bool:
        host = urlsplit(url).netloc.lower()
        return (host in self._page_hosts and not looks_like_attachment(url, "") and not is_trap(url)
                and urlsplit(url).scheme in ("http", "https"))

    def _on_idle(self, spider) -> None:
        """Nothing in hand: send the held-back link checks now due; keep open while the run is not over."""
        due, finished = self.claims.idle()
        if due:  # through a callback, so that carried or refused checks become items like any others
            self.crawler.engine.crawl(scrapy.Request("data:,", callback=self._release_checks, dont_filter=True,
                                                     meta={"zwgk_due": due, "zwgk_local": True}))
        if due or not finished:
            raise DontCloseSpider

    def _release_checks(self, response: Response) -> Iterator[Any]:
        for url, meta in response.meta["zwgk_due"]:
            yield from self._check(url, {k: v for k, v in meta.items() if v is not None}, due=True)

    def _get_check(self, url: str, meta: dict[str, Any], read: int | None = None) -> scrapy.Request:
        if read is None:
            read = PAGE_BYTES if not looks_like_attachment(url, "") else SNIFF_BYTES
            if self.reads_as_page(url, meta):  # a page of the department's tree: read whole, for its links
                read = self.config.page_maxsize
        return scrapy.Request(url, callback=self._dispatch, errback=self._failed, dont_filter=True, priority=-1,
                              meta={**meta, "zwgk_method": "GET", "zwgk_read_limit": read, "zwgk_chain": [],
                                    # a check reads `read` bytes whatever the file's declared size
                                    "download_maxsize": 0})

    def parse_check(self, response: Response) -> Iterator[Any]:
        meta = response.meta
        killpoint.reached("crawl:linkcheck")
        content_type = _header(response, "Content-Type")
        disposition = _header(response, "Content-Disposition")
        kind = classify_file(response.url, content_type, disposition, response.body[:SNIFF_BYTES])
        if meta.get("zwgk_method") == "HEAD":
            needs_body = kind.kind in ("unknown", "html", "text") or response.status >= 400
            if needs_body:  # refused, lying, or not enough to tell: confirm with GET
                yield self._get_check(meta["zwgk_url"], own_meta(meta))
                return
        verdict = self._prepared(response, CHECK).verdict
        if response.status < 400 and not kind.is_archive and kind.kind == "unknown":
            # the original URL may carry the extension the final one lacks
            kind = classify_file(meta["zwgk_url"], content_type, disposition, response.body[:SNIFF_BYTES])
        outcome = self._outcome(meta, verdict, response=response, sniffed_kind=kind.kind, is_archive=kind.is_archive,
                                kind_how=kind.how, filename=kind.filename)
        if verdict.verdict == "ok" and kind.kind in TEXT_KINDS and meta.get("zwgk_dept"):
            yield from self._scan_attachment(response, kind.kind, outcome)
        else:
            yield outcome
        if verdict.verdict == "ok":
            yield from self._stylesheet(response, meta)
            yield from self.read_reached_page(response, meta)

    # --- incremental crawls ------------------------------------------------------------------

    def _carry_column(self, dept: _Dept, meta: dict[str, Any], response: Response) -> Iterator[Any]:
        prev, column = self.previous, meta["zwgk_column"]
        self.crawler.stats.inc_value("zwgk/incremental/not_modified")
        for kind, url in (("column", column), ("page", response.url), ("check", meta["zwgk_url"])):
            yield CarryItem(kind=kind, url=url, from_run=prev.run_id)
        yield from self._carried_documents_checks(dept, column)
        # its sub-columns were found on the page we did not download: visit them from what we knew
        for child, page_url, name in prev.children.get(column, []):
            if meta["zwgk_depth"] + 1 > self.config.max_column_depth or not self.claims.first(column_kind(dept.id), child):
                continue
            self.claims.first(URL, page_url)
            if self._count_page(dept, page_url):
                yield self._page(page_url, self.parse_column, zwgk_dept=dept.id, zwgk_column=child, zwgk_parent=column,
                                 zwgk_depth=meta["zwgk_depth"] + 1, zwgk_first=True, zwgk_name=name)

    def _carry_feed(self, feed: str, on_first_page: set[str]) -> Iterator[Any]:
        """The entries of an unchanged feed's later pages, as the last run listed and read them."""
        for url, (title, day) in self.previous.feeds.get(feed, {}).items():
            if url in on_first_page or not self.claims.first(DOCUMENT, url):
                continue
            self.claims.first(URL, url)
            yield DocumentItem(url=url, title=title, upstream_id=feed, list_date=day, first_seen_at=clock.now())
            if url in self.previous.documents:
                yield CarryItem(kind="document", url=url, from_run=self.previous.run_id)
            else:  # listed, but not read last time: read it now
                yield self._page(url, self.parse_document, zwgk_upstream=feed)

    def _carried_documents_checks(self, dept: _Dept, column: str) -> Iterator[Any]:
        """The link targets of a carried column's documents are still checked (or carried when recent)."""
        for doc_url in self.previous.lists.get(column, {}):
            if self.claims.first(DOCUMENT, doc_url):
                self.claims.first(URL, doc_url)
                yield from self._document_links(dept.id, doc_url)

    def _document_links(self, dept_id: str, doc_url: str) -> Iterator[Any]:
        for target, _anchor, _tag in self.previous.doc_links.get(doc_url, []):
            yield from self.check_known_target(target, {"zwgk_dept": dept_id, "zwgk_source": doc_url})

    # --- privacy: text-bearing attachments are read in full (capped) and scanned -----------------

    def _scan_attachment(self, response: Response, kind: str, outcome: UrlCheckItem) -> Iterator[Any]:
        """The file's outcome goes with its scan: a stored outcome tells a resumed run that the file is done,
        so it is not stored before the scan's findings are (in the same response's items, or, when the file
        has to be fetched again in full, with the items of that second fetch)."""
        meta = response.meta
        killpoint.reached("crawl:scan")
        if "download_stopped" not in response.flags and response.request.method == "GET":
            yield outcome
            yield _Scan(meta, response.body, kind)  # scanned by _dispatch, in a worker when there is one
            return
        if meta.get("zwgk_read_limit", 0) >= self.config.attachment_maxsize:  # already read up to the cap
            self.crawler.stats.inc_value("zwgk/privacy/attachments_not_scanned")
            yield outcome
            return
        yield scrapy.Request(response.url, callback=self.parse_scan, errback=self._scan_failed, dont_filter=True,
                             priority=-2, meta={**{k: v for k, v in own_meta(meta).items() if k != "zwgk_read_limit"},
                                                "zwgk_read_limit": self.config.attachment_maxsize,
                                                "zwgk_scan_kind": kind, "zwgk_outcome": outcome})

    def parse_scan(self, response: Response) -> Iterator[Any]:
        self._bytes_read.pop(id(response.request), None)
        batch = [response.meta["zwgk_outcome"]]  # stored with the scan's findings, in one commit
        if response.status == 200 and "download_stopped" not in response.flags:
            batch.extend(self._leaks_in(response.meta, response.body, response.meta["zwgk_scan_kind"]))
        else:
            self.crawler.stats.inc_value("zwgk/privacy/attachments_not_scanned")
        yield ItemBatch(batch)

    def _scan_failed(self, failure) -> Iterator[Any]:
        self._bytes_read.pop(id(failure.request), None)
        self.crawler.stats.inc_value("zwgk/privacy/attachments_not_scanned")
        yield failure.request.meta["zwgk_outcome"]

    def _leaks_in(self, meta: dict[str, Any], body: bytes, kind: str) -> Iterator[Any]:
        yield from self._hits(meta, attachment_leaks(body, kind))

    def _hits(self, meta: dict[str, Any], leaks: list[Leak]) -> Iterator[Any]:
        self.crawler.stats.inc_value("zwgk/privacy/attachments_scanned")
        for leak in leaks:
            yield PrivacyHitItem(department_id=meta.get("zwgk_dept"), document_url=meta.get("zwgk_source") or meta["zwgk_url"],
                                 source_url=meta["zwgk_url"], kind=leak.kind, masked=leak.masked, excerpt=leak.excerpt)

    # --- helpers --------------------------------------------------------------------------------

    def _too_long(self, url: str) -> bool:
        limit = self.crawler.settings.getint("URLLENGTH_LIMIT")
        return limit > 0 and len(url) > limit


# the callbacks whose responses are prepared (in a worker process when there are workers) first
_ROLES = {"parse_column": LIST, "parse_upstream_list": LIST, "parse_document": DOCUMENT_PAGE, "parse_check": CHECK}


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
