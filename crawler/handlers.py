"""Download handler: Scrapy's own HTTP handler, and a browser only once a request asks for one.

scrapy-playwright's handler starts a Playwright driver (a node process, ≈125 MiB) for each scheme when
the engine starts, although most crawls never send a request with meta["playwright"]. This handler
serves plain requests itself and starts one scrapy-playwright handler, shared by http and https, on the
first browser request.

The browser reaches the network only through crawler.egress, started with it: every navigation, redirect
hop, subresource and WebSocket is checked against the crawl's egress policy (crawler.dnsguard.POLICY)
after resolution, and connects to the address that was checked.
"""
from __future__ import annotations

import asyncio
from typing import Any
from weakref import WeakKeyDictionary

from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler
from scrapy.http import Request, Response

from crawler import dnsguard
from crawler.egress import BROWSER_EGRESS_ARGS, EgressProxy, launch_proxy


class _SharedBrowser:
    """The one scrapy-playwright handler of a crawler, started on first use and closed once."""

    def __init__(self, crawler) -> None:
        self.crawler = crawler
        self.handler: Any = None
        self.proxy: EgressProxy | None = None
        self.lock: asyncio.Lock | None = None

    async def get(self):
        if self.lock is None:  # created inside the running event loop
            self.lock = asyncio.Lock()
        async with self.lock:
            if self.handler is None:
                from scrapy_playwright.handler import ScrapyPlaywrightDownloadHandler

                handler = ScrapyPlaywrightDownloadHandler.from_crawler(self.crawler)
                self.proxy = EgressProxy(dnsguard.POLICY).start()
                options = handler.config.launch_options
                handler.config.launch_options = {**options, "proxy": launch_proxy(self.proxy),
                                                 "args": [*options.get("args", ()), *BROWSER_EGRESS_ARGS]}
                # the engine_started signal it waits for has fired already: start the driver now
                await handler._maybe_launch_in_thread()
                self.crawler.stats.set_value("zwgk/browser/started", True)
                self.handler = handler
        return self.handler

    async def close(self) -> None:
        handler, self.handler = self.handler, None
        try:
            if handler is not None:
                await handler.close()
        finally:
            proxy, self.proxy = self.proxy, None
            if proxy is not None:
                refused = sum(not a.allowed for a in proxy.attempts)
                self.crawler.stats.set_value("zwgk/browser/egress_refused", refused)
                proxy.stop()


_BROWSERS: WeakKeyDictionary[Any, _SharedBrowser] = WeakKeyDictionary()


def egress_proxy(crawler) -> EgressProxy | None:
    """The crawl browser's egress proxy, once the browser has started."""
    browser = _BROWSERS.get(crawler)
    return browser.proxy if browser is not None else None


class LazyBrowserDownloadHandler(HTTP11DownloadHandler):
    def __init__(self, crawler):
        super().__init__(crawler)
        self._browser = _BROWSERS.setdefault(crawler, _SharedBrowser(crawler))

    async def download_request(self, request: Request) -> Response:
        if not request.meta.get("playwright"):
            return await super().download_request(request)
        return await (await self._browser.get()).download_request(request)

    async def close(self) -> None:
        await super().close()
        await self._browser.close()


# what a rendered page may load: its document, scripts and the data they fetch; nothing that only paints
_NOT_NEEDED = frozenset({"image", "stylesheet", "font", "media", "texttrack", "manifest"})


def skip_decoration(request) -> bool:
    """PLAYWRIGHT_ABORT_REQUEST: the crawl's browser reads lists and solves challenges; it never needs how
    a page looks, so images, style sheets, fonts and media are not fetched (screenshots use their own
    browser, crawler/screenshots.py, which loads everything). A URL the egress policy refuses as written
    (a private address literal, a bad port) is aborted here already; names are checked by the proxy."""
    if request.resource_type in _NOT_NEEDED:
        return True
    url = request.url
    return url.split(":", 1)[0].lower() in ("http", "https") and dnsguard.POLICY.refusal(url) is not None
