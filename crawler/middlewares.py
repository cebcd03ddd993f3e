"""Downloader middlewares: the egress guard every request passes, retries that back off (exponentially,
honouring Retry-After)."""
from __future__ import annotations

import asyncio

from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import IgnoreRequest

from crawler import dnsguard

# the one internal request the spider makes to itself (crawler.spiders.disclosure: releasing link checks)
_INTERNAL = "data:,"


class RefusedUrl(IgnoreRequest):
    """A request the egress policy refuses; its errback records `refusal` as the URL's outcome."""

    def __init__(self, refusal: dnsguard.Refusal) -> None:
        super().__init__(refusal.message)
        self.refusal = refusal


class UrlGuardMiddleware:
    """First in the chain: only http(s) to a valid port and, unless the host is trusted, no private,
    loopback, link-local or unique-local address literal (names are checked after resolution by
    crawler.dnsguard.GuardedResolver). Whatever the spider, a redirect or a retry asks for."""

    def __init__(self, stats=None) -> None:
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.stats)

    def process_request(self, request):
        if request.url == _INTERNAL and request.meta.get("zwgk_local"):
            return None
        refusal = dnsguard.POLICY.refusal(request.url)
        if refusal is not None:
            if self.stats is not None:
                self.stats.inc_value(f"zwgk/egress/refused/{refusal.reason}")
            raise RefusedUrl(refusal)
        return None


class BackoffRetryMiddleware(RetryMiddleware):
    """Scrapy's retry rules, but each retry waits base·2^(n−1) seconds (capped) or what Retry-After asks."""

    def __init__(self, settings):
        super().__init__(settings)
        self.base = settings.getfloat("ZWGK_RETRY_BACKOFF_BASE", 1.0)
        self.cap = settings.getfloat("ZWGK_RETRY_BACKOFF_MAX", 60.0)

    def _delay(self, retry, response=None) -> float:
        delay = self.base * 2 ** max(retry.meta.get("retry_times", 1) - 1, 0)
        after = response.headers.get("Retry-After") if response is not None else None
        if after and after.strip().isdigit():
            delay = max(delay, float(after.strip()))
        return min(delay, self.cap)

    async def process_response(self, request, response):
        result = super().process_response(request, response)
        if result is not response and self.base > 0:
            await asyncio.sleep(self._delay(result, response))
        return result

    async def process_exception(self, request, exception):
        result = super().process_exception(request, exception)
        if result is not None and self.base > 0:
            await asyncio.sleep(self._delay(result))
        return result


class DelayMiddleware:
    """Waits meta["zwgk_delay"] seconds before a request (a re-check honouring Retry-After)."""

    async def process_request(self, request):
        delay = request.meta.get("zwgk_delay") or 0
        if delay > 0:
            await asyncio.sleep(delay)
        return None
