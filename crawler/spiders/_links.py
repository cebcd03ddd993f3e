"""The spider's side of link checks that go beyond one fetch per URL: malformed addresses, fragments
("page.html#part", when configured) and the addresses a linked stylesheet loads. Mixed into DisclosureSpider."""
from __future__ import annotations

from typing import Any, Iterable, Iterator
from urllib.parse import unquote, urlsplit

import scrapy
from scrapy.http import Response

from crawler import dnsguard
from crawler.claims import DOCUMENT, URL
from crawler.items import CrawlEventItem, LinkItem
from crawler.linkcheck import Verdict, judge_response
from crawler.parsing import decode_body, looks_like_attachment
from crawler.parsing.anchors import page_anchors
from crawler.parsing.links import PageLink, extract_links, resolve, stylesheet_links
from crawler.parsing.prepare import html_text
from crawler.scope import in_scope, is_trap
from crawler.spiders._meta import LINKCHECK_META
from store import clock

_FETCHED = ("http", "https")
_READ = "read"  # claims: a page reached through a redirect, read for its links once


class LinkChecksMixin:
    """Turns a page's links (crawler.parsing.links.PageLink) into link rows and checks."""

    def _page_links(self, dept_id: str | None, source: str, links: Iterable[PageLink]) -> Iterator[Any]:
        for link in links:
            if link.malformed:
                yield LinkItem(department_id=dept_id, source_url=source, target_url=link.url, anchor=link.text or "",
                               tag=link.tag, is_attachment=False, kind=link.kind)
                if self.claims.first(URL, link.url):  # judged as written: nothing to fetch
                    yield self._outcome({"zwgk_url": link.url, "zwgk_method": "GET"}, Verdict("broken", "invalid_url"))
                continue
            if urlsplit(link.url).scheme not in _FETCHED:
                continue
            target = link.url
            if link.fragment and self.config.check_fragments and self._fragment_checked(link.url):
                target = f"{link.url}#{link.fragment}"
            yield LinkItem(department_id=dept_id, source_url=source, target_url=target, anchor=link.text or "",
                           tag=link.tag, is_attachment=looks_like_attachment(link.url, link.text or ""), kind=link.kind)
            if target != link.url:
                yield from self._check_fragment(target, link.url, {"zwgk_dept": dept_id, "zwgk_source": source})
            else:
                yield from self._check(link.url, {"zwgk_dept": dept_id, "zwgk_source": source})

    def check_known_target(self, target: str, meta: dict[str, Any]) -> Iterator[Any]:
        """A link target as stored by an earlier run (a carried document's links): a malformed address is judged
        again as written, a "page#part" target has its fragment checked, any other is checked once."""
        resolved = resolve(target, target)
        if resolved is None:
            return
        url, fragment, malformed = resolved
        if malformed:
            if self.claims.first(URL, target):
                yield self._outcome({"zwgk_url": target, "zwgk_method": "GET"}, Verdict("broken", "invalid_url"))
        elif fragment and target == f"{url}#{fragment}":
            yield from self._check_fragment(target, url, meta)
        else:
            yield from self._check(url, meta)

    def _fragment_checked(self, url: str) -> bool:
        """Fragments are checked on the departments' own hosts: another site's anchors are its own affair."""
        return urlsplit(url).netloc.lower() in self._page_hosts and not looks_like_attachment(url, "")

    def _check_fragment(self, target: str, page: str, meta: dict[str, Any]) -> Iterator[Any]:
        if not self.claims.first(URL, target):
            return
        base = {"zwgk_url": target, "zwgk_cb": "parse_fragment", **LINKCHECK_META, **meta}
        refusal = dnsguard.POLICY.refusal(page)  # the one egress rule (crawler.dnsguard)
        if refusal is not None:
            yield self._outcome(base, Verdict(refusal.verdict, refusal.reason), error=refusal.message)
            return
        self.crawler.stats.inc_value("zwgk/links/fragments_checked")
        yield scrapy.Request(page, callback=self._dispatch, errback=self._failed, dont_filter=True, priority=-1,
                             meta={**base, "zwgk_method": "GET", "zwgk_read_limit": self.config.page_maxsize,
                                   "zwgk_chain": []})

    def parse_fragment(self, response: Response) -> Iterator[Any]:
        meta = response.meta
        content_type = _content_type(response)
        verdict = judge_response(response.status, content_type, response.body)
        if verdict.verdict == "ok" and "html" in (content_type or "html").lower():
            fragment = meta["zwgk_url"].split("#", 1)[1]
            html, _ = decode_body(response.body, content_type)
            if not _has_anchor(page_anchors(html), fragment):
                verdict = Verdict("broken", "fragment_missing")
        yield self._outcome(meta, verdict, response=response)

    def _stylesheet(self, response: Response, meta: dict[str, Any]) -> Iterator[Any]:
        """A linked stylesheet that loads: the images, fonts and stylesheets it names are links too."""
        content_type = (_content_type(response) or "").lower()
        if "css" not in content_type and not urlsplit(response.url).path.lower().endswith(".css"):
            return
        if meta.get("zwgk_dept") is None:
            return
        css, _ = decode_body(response.body, content_type or "text/css")
        yield from self._page_links(meta["zwgk_dept"], meta["zwgk_url"], stylesheet_links(css, response.url))


def _has_anchor(anchors: frozenset[str], fragment: str) -> bool:
    if fragment.lower() in ("", "top"):  # the top of the page, in every browser
        return True
    return fragment in anchors or unquote(fragment) in anchors


def _content_type(response: Response) -> str | None:
    value = response.headers.get("Content-Type")
    return value.decode("latin-1") if value else None


class ScopeMixin:
    """Where the crawl of a department stops: redirects off its site, and a root that reads like a 404."""

    def leaves_scope(self, meta: dict[str, Any], target: str) -> bool:
        """A page of a department's tree (not its root) redirecting to another host: what is there is not the
        department's, so it is checked as a link target rather than read as a column or document."""
        dept = self.departments.get(meta.get("zwgk_dept") or "")
        if dept is None or not meta.get("zwgk_page") or meta.get("zwgk_depth") == 0:
            return False
        return urlsplit(target).netloc.lower() != dept.scope[0]

    def check_instead(self, meta: dict[str, Any], target: str, chain: list[dict[str, Any]]) -> scrapy.Request:
        self.crawler.stats.inc_value("zwgk/scope/redirected_off_site")
        check = {"zwgk_url": meta["zwgk_url"], "zwgk_cb": "parse_check", **LINKCHECK_META,
                 "zwgk_dept": meta.get("zwgk_dept"), "zwgk_source": meta.get("zwgk_source")}
        request = self._get_check(target, check)
        request.meta["zwgk_chain"] = chain
        return request

    def root_soft_404(self, dept_id: str, meta: dict[str, Any], response: Response, verdict: Verdict,
                      listing) -> tuple[Verdict, Any, CrawlEventItem | None]:
        """A page judged a soft 404 ("页面不存在" in its text). Below the root it is one. A department's root that
        still lists entries or links is read on (a title such as "404 Not Found" in a list must not drop a
        whole department), and the run says so; a root with nothing on it stays a failed root."""
        if meta.get("zwgk_depth") != 0 or not (listing.items or listing.links):
            return verdict, None, None
        self.crawler.stats.inc_value("zwgk/departments/root_soft_404_read")
        self.logger.warning("department %s: root %s reads like a missing page, crawled anyway", dept_id, response.url)
        event = CrawlEventItem(
            department_id=dept_id, url=response.url, kind="root_soft_404", at=clock.now(),
            message="专栏根页面含有“页面不存在”一类文字，但页面列有信息和链接，已按正常栏目继续抓取，请人工核实")
        return Verdict("ok", "soft_404_text"), listing, event


class ReachedPagesMixin:
    """Pages of a department's tree met only as link targets (linked from a document, or a list entry that is
    not a document) are read for their own links once their check finds them working."""

    def reads_as_page(self, url: str, meta: dict[str, Any]) -> bool:
        dept = self.departments.get(meta.get("zwgk_dept") or "")
        return dept is not None and in_scope(url, dept.scope) and not looks_like_attachment(url, "") and not is_trap(url)

    def read_reached_page(self, response: Response, meta: dict[str, Any]) -> Iterator[Any]:
        if not self.reads_as_page(response.url, meta) or "download_stopped" in response.flags:
            return
        final = response.url
        if final != meta["zwgk_url"] and (self.claims.taken(URL, final) or self.claims.taken(DOCUMENT, final)
                                          or not self.claims.first(_READ, final)):
            return  # redirected to a page the crawl reads (or checks) under its own address
        html = html_text(response.body, _content_type(response))
        if html is None:
            return
        dept = self.departments[meta["zwgk_dept"]]
        if not self._count_page(dept, response.url):
            return
        self.crawler.stats.inc_value("zwgk/links/pages_read")
        yield from self._page_links(dept.id, meta["zwgk_url"], extract_links(html, response.url))
