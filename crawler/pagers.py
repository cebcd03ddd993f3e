"""How the spider reads the rest of a column's list, and what it records of it for the completeness verdict.

After a column's first list page, in order of preference:
1. the data endpoint the page names (TRS search API, Hanweb dataproxy.jsp, gkmlpt JSON API), asked page by
   page until the total it declares is reached, the answers run dry, or the per-column page cap;
2. the static pages its pager names (links, "共N页", createPageHTML …), up to the same cap;
3. besides those, when the page declares more records than its static pages can give and names no
   endpoint: the list opened in the browser, its 下一页 clicked until the declared total is reached or the
   cap (ZWGK_RENDER_JS=0 turns this off; the column then stays 未能完整抓取).

Every page met leaves a ListPageItem (read, failed, or not fetched because of a cap): store.completeness
judges each column from those rows after the crawl.
"""
from __future__ import annotations

import math
from typing import Any, Iterator

import scrapy
from scrapy.http import Response

from crawler.items import DocumentItem, ListEntryItem, ListPageItem
from crawler.spiders._meta import PAGE_META
from store import clock
from store.completeness import CAP_REACHED, DEPARTMENT_CAP, ENDPOINT_FAILED

BROWSER_PAGE_WAIT_MS = 15_000  # longest wait for a list to change after 下一页 is clicked
_NEXT_TEXTS = ("下一页", "下页", "后一页", "下一頁", ">", "›", "»", "next", "Next")


def api_key(url: str, method: str, body: str | None) -> str:
    """The identity of one endpoint request in ListPage rows: a POST's form body makes it distinct."""
    return url if method == "GET" or not body else f"{url} POST {body}"


def static_reach(items: int, pages: int) -> int:
    """How many records the static pages can give at most: as many per page as the first one shows."""
    return items * pages


class ListPagerMixin:
    """Mixed into DisclosureSpider; uses its _page, _count_page, _document_or_check, _outcome and config."""

    # --- the first page of a column: record it and go on to the rest of the list ------------------

    def first_list_page(self, dept, meta: dict[str, Any], listing, response: Response) -> Iterator[Any]:
        declared = getattr(listing, "declared_total", None)
        yield self.list_page_row(dept.id, meta, kind="browser" if "playwright" in response.flags else "page",
                                 status="read", items=len(listing.items), declared_total=declared,
                                 declared_pages=getattr(listing, "declared_pages", None),
                                 is_tree=bool(getattr(listing, "is_tree", False)))
        api = getattr(listing, "data_api", None)
        if api is not None and not (declared is not None and len(listing.items) >= declared):
            # (a page already showing every record it declares needs no endpoint)
            yield from self._ask_endpoint(dept, meta, api, 1, declared)
            return
        pages = list(listing.page_urls)
        if (declared and declared > static_reach(len(listing.items), 1 + len(pages)) and listing.items
                and self.config.render_js and "playwright" not in response.flags):
            # the page says there is more than its static pager leads to: follow its pager in the browser too
            yield self._browser_pager_request(dept, meta, declared)
        cap = self.config.max_list_pages
        for n, url in enumerate(pages):
            if n >= cap:
                yield self.list_page_row(dept.id, meta, url=url, kind="skipped", status="not_fetched",
                                         reason=CAP_REACHED, skipped=len(pages) - n)
                break
            if not self._count_page(dept, url):
                yield self.list_page_row(dept.id, meta, url=url, kind="skipped", status="not_fetched",
                                         reason=DEPARTMENT_CAP, skipped=len(pages) - n)
                break
            yield self._page(url, self.parse_column, zwgk_dept=dept.id, zwgk_column=meta["zwgk_column"],
                             zwgk_parent=meta["zwgk_parent"], zwgk_depth=meta["zwgk_depth"], zwgk_first=False,
                             zwgk_name=None, zwgk_render=meta.get("zwgk_render", False),
                             zwgk_column_row=meta["zwgk_column_row"])

    def list_page_row(self, dept_id: str, meta: dict[str, Any], *, url: str | None = None, kind: str = "page",
                      status: str = "read", **fields: Any) -> ListPageItem:
        return ListPageItem(department_id=dept_id, column_url=meta["zwgk_column"], url=url or meta["zwgk_url"],
                            kind=kind, status=status, first=bool(meta.get("zwgk_first")) and url is None, **fields)

    def list_page_failed(self, meta: dict[str, Any], reason: str | None) -> Iterator[Any]:
        """A list page that could not be read (errback, or not a list): recorded against its column."""
        if meta.get("zwgk_cb") == "parse_column" and meta.get("zwgk_dept") and meta.get("zwgk_column"):
            yield self.list_page_row(meta["zwgk_dept"], meta, status="failed", reason=(reason or "failed")[:40])

    # --- data endpoints -------------------------------------------------------------------------

    def _ask_endpoint(self, dept, meta: dict[str, Any], api, page: int, declared: int | None) -> Iterator[Any]:
        ask = api.request(page)
        key = api_key(ask.url, ask.method, ask.body)
        if page > self.config.max_list_pages:
            yield self.list_page_row(dept.id, meta, url=key, kind="skipped", status="not_fetched", reason=CAP_REACHED,
                                     skipped=1)
            return
        if not self._count_page(dept, ask.url):
            yield self.list_page_row(dept.id, meta, url=key, kind="skipped", status="not_fetched",
                                     reason=DEPARTMENT_CAP, skipped=1)
            return
        headers = {"X-Requested-With": "XMLHttpRequest", "Referer": meta["zwgk_url"]}
        if ask.method == "POST":
            headers["Content-Type"] = "application/x-www-form-urlencoded; charset=UTF-8"
        yield scrapy.Request(ask.url, method=ask.method, body=ask.body or None, headers=headers, dont_filter=True,
                             callback=self.parse_endpoint, errback=self._endpoint_failed, meta={
            **PAGE_META, "zwgk_url": ask.url, "zwgk_method": ask.method, "zwgk_dept": dept.id,
            "zwgk_column": meta["zwgk_column"], "zwgk_api": api, "zwgk_api_page": page, "zwgk_api_key": key,
            "zwgk_declared": declared, "zwgk_list_url": meta["zwgk_url"],
            "zwgk_read_limit": self.config.page_maxsize})

    def parse_endpoint(self, response: Response) -> Iterator[Any]:
        from crawler.parsing.listpage import parse_api_response

        self._bytes_read.pop(id(response.request), None)
        meta = response.meta
        dept = self.departments[meta["zwgk_dept"]]
        api, page, key = meta["zwgk_api"], meta["zwgk_api_page"], meta["zwgk_api_key"]
        if response.status >= 400:
            yield self.list_page_row(dept.id, meta, url=key, kind="api", status="failed",
                                     reason=f"http_{response.status}")
            return
        text = response.text if hasattr(response, "text") else response.body.decode("utf-8", "replace")
        answer = parse_api_response(text, api, today=clock.today())
        declared = answer.declared_total if answer.declared_total is not None else meta.get("zwgk_declared")
        if not answer.items and page == 1 and answer.declared_total != 0:  # the endpoint the page relies on gave nothing
            yield self.list_page_row(dept.id, meta, url=key, kind="api", status="failed", reason=ENDPOINT_FAILED,
                                     declared_total=answer.declared_total)
            return
        yield self.list_page_row(dept.id, meta, url=key, kind="api", status="read", items=len(answer.items),
                                 declared_total=answer.declared_total)
        yield from self.list_entries(dept, meta["zwgk_column"], key, answer.items)
        per_page = api.per_page or len(answer.items) or 1
        more = self._column_meta(meta)
        if page == 1 and declared:  # the rest at once, side by side
            last = math.ceil(declared / per_page)
            for n in range(2, last + 1):
                if n > self.config.max_list_pages:
                    yield self.list_page_row(dept.id, more, url=api_key(*_ask(api, n)), kind="skipped",
                                             status="not_fetched", reason=CAP_REACHED, skipped=last - n + 1)
                    break
                yield from self._ask_endpoint(dept, more, api, n, declared)
        elif not declared and len(answer.items) >= per_page:  # no total: one page after another
            yield from self._ask_endpoint(dept, more, api, page + 1, declared)

    def _endpoint_failed(self, failure) -> Iterator[Any]:
        meta = failure.request.meta
        self._bytes_read.pop(id(failure.request), None)
        yield self.list_page_row(meta["zwgk_dept"], meta, url=meta["zwgk_api_key"], kind="api", status="failed",
                                 reason=ENDPOINT_FAILED)

    @staticmethod
    def _column_meta(meta: dict[str, Any]) -> dict[str, Any]:
        return {"zwgk_column": meta["zwgk_column"], "zwgk_url": meta["zwgk_list_url"], "zwgk_first": False}

    def list_entries(self, dept, column: str, page_url: str, entries) -> Iterator[Any]:
        """The documents of one page of a column's list, as the static list pages give them."""
        for entry in entries:
            yield DocumentItem(url=entry.url, title=entry.title, department_id=dept.id, column_url=column,
                               list_date=entry.date, first_seen_at=clock.now())
            yield ListEntryItem(column_url=column, document_url=entry.url, title=entry.title, list_date=entry.date,
                                page_url=page_url)
            yield from self._document_or_check(dept, entry.url, entry.title)

    # --- the browser, clicking 下一页 --------------------------------------------------------------

    def _browser_pager_request(self, dept, meta: dict[str, Any], declared: int) -> scrapy.Request:
        self.crawler.stats.inc_value("zwgk/pager/browser")
        return scrapy.Request(meta["zwgk_url"], callback=self._browser_pager, errback=self._browser_pager_failed,
                              dont_filter=True, meta=self.browser_meta(
            playwright_include_page=True, **PAGE_META, zwgk_url=meta["zwgk_url"], zwgk_dept=dept.id,
            zwgk_column=meta["zwgk_column"], zwgk_declared=declared, zwgk_local=True))

    async def _browser_pager(self, response: Response):
        from crawler.parsing.listpage import parse_list_page

        meta, page = response.meta, response.meta["playwright_page"]
        dept = self.departments[meta["zwgk_dept"]]
        declared, cap = meta["zwgk_declared"], self.config.max_list_pages
        seen: set[str] = set()
        n = 1
        try:
            html = await page.content()
            while True:
                listing = parse_list_page(html, meta["zwgk_url"], today=clock.today())
                fresh = [i for i in listing.items if i.url not in seen]
                key = meta["zwgk_url"] if n == 1 else f"{meta['zwgk_url']}#browser-page-{n}"
                yield self.list_page_row(dept.id, meta, url=key if n > 1 else f"{key}#browser", kind="browser",
                                         status="read", items=len(fresh))
                seen.update(i.url for i in fresh)
                for output in self.list_entries(dept, meta["zwgk_column"], key, fresh):
                    yield output
                if len(seen) >= declared or not fresh:
                    break
                if n >= cap:
                    yield self.list_page_row(dept.id, meta, url=f"{meta['zwgk_url']}#browser-page-{n + 1}",
                                             kind="skipped", status="not_fetched", reason=CAP_REACHED, skipped=1)
                    break
                if not self._count_page(dept, f"{meta['zwgk_url']}#browser-page-{n + 1}"):
                    yield self.list_page_row(dept.id, meta, url=f"{meta['zwgk_url']}#browser-page-{n + 1}",
                                             kind="skipped", status="not_fetched", reason=DEPARTMENT_CAP, skipped=1)
                    break
                html = await _click_next(page, html)
                if html is None:  # no 下一页 to click, or clicking it changed nothing
                    break
                n += 1
        except Exception as exc:  # a crashed page: what was read is kept, the rest is recorded as failed
            self.logger.warning("browser pager failed on %s: %s", meta["zwgk_url"], exc)
            yield self.list_page_row(dept.id, meta, url=f"{meta['zwgk_url']}#browser-page-{n + 1}", kind="browser",
                                     status="failed", reason="browser_failed")
        finally:
            try:
                await page.close()
            except Exception:  # already closed
                pass

    def _browser_pager_failed(self, failure) -> Iterator[Any]:
        meta = failure.request.meta
        yield self.list_page_row(meta["zwgk_dept"], meta, url=f"{meta['zwgk_url']}#browser", kind="browser",
                                 status="failed", reason="browser_failed")


def _ask(api, page: int) -> tuple[str, str, str | None]:
    ask = api.request(page)
    return ask.url, ask.method, ask.body


async def _click_next(page, before: str) -> str | None:
    """Click the list's 下一页 and return the page once its content changed; None when there is none."""
    for text in _NEXT_TEXTS:
        link = page.get_by_text(text, exact=True)
        try:
            if await link.count() == 0:
                continue
            target = link.first
            if not await target.is_visible():
                continue
            await target.click(timeout=5000)
        except Exception:  # detached, covered, or not clickable: try the next wording
            continue
        waited = 0
        while waited < BROWSER_PAGE_WAIT_MS:
            await page.wait_for_timeout(200)
            waited += 200
            try:
                html = await page.content()
            except Exception:  # in the middle of a navigation
                continue
            if html != before:
                try:
                    await page.wait_for_load_state("networkidle", timeout=5000)
                    html = await page.content()
                except Exception:
                    pass
                return html
        return None
    return None
