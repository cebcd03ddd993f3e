"""Downloader middlewares: retries that back off (exponentially, honouring Retry-After)."""
from __future__ import annotations

import asyncio

from scrapy.downloadermiddlewares.retry import RetryMiddleware


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
