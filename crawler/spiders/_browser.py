"""The spider's browser side: JavaScript challenges solved once per host, blocked fetches re-checked as a
browser would make them, list pages rendered when their static HTML has no items.

Only these requests go through Chromium (scrapy-playwright, meta["playwright"]); everything else stays
a plain request, reusing the cookies the browser earned.
"""
from __future__ import annotations

import asyncio
import json
from typing import Any, Iterator
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.http import Response

from crawler.antibot import BROWSER_HEADERS, is_block, is_challenge, retry_after
from crawler.egress import proxy_answer
from crawler.handlers import egress_proxy
from crawler.items import CrawlEventItem
from crawler.linkcheck import Verdict
from crawler.spiders._meta import own_meta
from store import clock

CHALLENGE_WAIT_SECONDS = 20.0
COOKIES_STAT = "zwgk/challenge/cookies"
CHALLENGE_ATTEMPTS = 2  # a browser that stumbles once (a slow machine, a crashed page) gets a second go


class BrowserMixin:
    """Mixed into DisclosureSpider; uses its _outcome, _dispatch and config."""

    def _init_browser(self) -> None:
        self._solved: dict[str, dict[str, str]] = {}    # host -> cookies the browser earned
        self._solving: dict[str, list[Request]] = {}   # host -> requests parked until it is solved
        self._unsolvable: set[str] = set()
        self._solve_attempts: dict[str, int] = {}
        self._reused: dict[str, dict[str, str]] = {}    # host -> cookies a previous run earned, sent on trial

    def reuse_cookies(self, host: str, cookies: dict[str, str]) -> dict[str, str]:
        """Cookies an earlier run's browser earned for `host`, to send with this run's first request there:
        while the site still accepts them, no browser is needed. Rejected, they are solved anew."""
        self._reused[host] = cookies
        self._record_cookies(host, cookies)
        return cookies

    def _record_cookies(self, host: str, cookies: dict[str, str]) -> None:
        # kept in the run's stats (JSON), where the next incremental run finds them (crawler.incremental)
        kept = json.loads(self.crawler.stats.get_value(COOKIES_STAT) or "{}")
        kept[host] = cookies
        self.crawler.stats.set_value(COOKIES_STAT, json.dumps(kept, ensure_ascii=False, sort_keys=True))

    def browser_meta(self, **extra: Any) -> dict[str, Any]:
        return {"playwright": True, "playwright_context": "zwgk", **extra}

    # --- interception, called first for every plain response ------------------------------------

    def _intercept(self, response: Response) -> Iterator[Any] | None:
        if "playwright" in response.flags:
            answer = proxy_answer(egress_proxy(self.crawler), response.headers)
            if answer is None:
                return None
            # the browser's egress proxy answered, not the site: an address refused, or unreachable
            kind, detail = answer
            verdict = Verdict("skipped" if detail == "private_address" else "broken", detail) if kind == "refused" \
                else Verdict("broken", "connection")
            return iter([self._outcome(response.meta, verdict, error=f"浏览器访问未完成：{detail}")])
        host = urlsplit(response.url).netloc.lower()
        meta = response.meta
        if is_challenge(response.status, response.body):
            self.crawler.stats.inc_value("zwgk/challenge/seen")
            return self._on_challenge(response, host)
        if is_block(response.status) and response.request.method == "GET" and self.config.browser_recheck:
            stage = meta.get("zwgk_block_stage", 0)
            if stage == 0:  # again, looking like a browser and after the wait the server asked for
                delay = retry_after(response.headers.get(b"Retry-After", b"").decode("latin-1"),
                                    cap=self.config.retry_after_cap)
                self.crawler.stats.inc_value("zwgk/blocked/recheck_headers")
                return iter([response.request.replace(
                    headers={**BROWSER_HEADERS}, dont_filter=True,
                    meta={**own_meta(meta), "zwgk_block_stage": 1, "zwgk_delay": delay})])
            if stage == 1:  # then in the browser itself
                self.crawler.stats.inc_value("zwgk/blocked/recheck_browser")
                return iter([response.request.replace(dont_filter=True, meta={
                    **own_meta(meta), **self.browser_meta(), "zwgk_block_stage": 2})])
        return None

    def _on_challenge(self, response: Response, host: str) -> Iterator[Any]:
        request, meta = response.request, response.meta
        tries = meta.get("zwgk_challenge_tries", 0)
        if host in self._unsolvable or tries >= 2:
            return iter(self._challenge_failed(meta, response))
        retry = request.replace(dont_filter=True, meta={**own_meta(meta), "zwgk_challenge_tries": tries + 1})
        if host in self._solved:
            return iter([retry.replace(cookies=self._solved[host])])
        if self._reused.pop(host, None) is not None:  # the old cookies no longer pass: solve as if new
            self.crawler.stats.inc_value("zwgk/challenge/cookies_expired")
        if host in self._solving:
            self._solving[host].append(retry)
            return iter([])
        self._solving[host] = [retry]
        return iter([self._solve_request(host, response.url)])

    def _solve_request(self, host: str, url: str) -> Request:
        self._solve_attempts[host] = self._solve_attempts.get(host, 0) + 1
        self.logger.info("anti-bot challenge on %s: solving it in the browser (attempt %d)", host,
                         self._solve_attempts[host])
        # zwgk_local: the requests parked for this host wait in this process, and the cookies the browser
        # earns are this process's; a distributed scheduler keeps the request here (crawler.distributed)
        return Request(url, callback=self._challenge_page, errback=self._challenge_error, dont_filter=True,
                       priority=10, meta=self.browser_meta(playwright_include_page=True, handle_httpstatus_all=True,
                                                           zwgk_host=host, zwgk_local=True))

    def _not_solved(self, host: str, url: str) -> list[Request]:
        """Try the browser once more, or give up: the parked requests go out and are judged 'blocked'."""
        if self._solve_attempts.get(host, 0) < CHALLENGE_ATTEMPTS:
            return [self._solve_request(host, url)]
        self.logger.warning("anti-bot challenge on %s not solved after %d attempts", host, CHALLENGE_ATTEMPTS)
        self._unsolvable.add(host)
        return self._solving.pop(host, [])

    def _challenge_failed(self, meta: dict[str, Any], response: Response) -> list[Any]:
        out: list[Any] = [self._outcome(meta, Verdict("blocked", "challenge"), response=response)]
        if meta.get("zwgk_page"):
            out.append(CrawlEventItem(department_id=meta.get("zwgk_dept"), url=meta["zwgk_url"], kind="challenge",
                                      message="站点反爬虫验证未能通过，页面未能核实", at=clock.now()))
        return out

    async def _challenge_page(self, response: Response):
        host = response.meta["zwgk_host"]
        page = response.meta["playwright_page"]
        cookies: dict[str, str] = {}
        try:
            cookies = await _wait_for_clearance(page)
        except Exception as exc:  # a crashed page must not strand the requests parked behind it
            self.logger.warning("browser failed on the challenge of %s: %s", host, exc)
        finally:
            try:
                await page.close()
            except Exception:  # already closed or crashed
                pass
        if not cookies:
            for request in self._not_solved(host, response.url):
                yield request
            return
        self._solved[host] = cookies
        self._record_cookies(host, cookies)
        self.crawler.stats.inc_value("zwgk/challenge/solved")
        for request in self._solving.pop(host, []):
            yield request.replace(cookies=cookies)

    def _challenge_error(self, failure) -> Iterator[Any]:
        host = failure.request.meta["zwgk_host"]
        self.logger.warning("browser could not open %s: %s", failure.request.url, failure.value)
        yield from self._not_solved(host, failure.request.url)

    # --- rendering of script-filled list pages ----------------------------------------------------

    def render_again(self, response: Response) -> Request | None:
        """The same list page, rendered in the browser (once)."""
        if "playwright" in response.flags or not self.config.render_js:
            return None
        self.crawler.stats.inc_value("zwgk/render/list_pages")
        meta = {k: v for k, v in own_meta(response.meta).items() if k not in ("zwgk_url", "zwgk_cb", "zwgk_render")}
        return self._page(response.meta["zwgk_url"], getattr(self, response.meta["zwgk_cb"]), refetch=True,
                          zwgk_render=True, **meta)


async def _wait_for_clearance(page) -> dict[str, str]:
    """The cookies the challenge script sets, once the page it reloads to is no longer the challenge.

    The script reloads the page: reading it in the middle of that navigation raises, which only means
    "look again shortly".
    """
    from playwright.async_api import Error as PlaywrightError

    cookies: dict[str, str] = {}
    waited = 0.0
    while waited < CHALLENGE_WAIT_SECONDS:
        try:
            content = (await page.content()).encode("utf-8", "replace")
            cookies = {c["name"]: c["value"] for c in await page.context.cookies()}
            if cookies and not is_challenge(412, content):
                return cookies
        except PlaywrightError:
            pass
        await asyncio.sleep(0.25)
        waited += 0.25
    return cookies
