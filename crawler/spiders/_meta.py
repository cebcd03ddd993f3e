"""Request meta conventions shared by the spider and its browser side."""
from __future__ import annotations

from typing import Any

# every request sees every status (a 404 is a result, not an error) and redirects are followed by hand
PAGE_META = {"handle_httpstatus_all": True, "dont_redirect": True}
# a link check is one fetch of a URL a public page links to, as a visitor's browser would make it;
# robots.txt governs the crawl itself (see settings.ROBOTSTXT_OBEY)
LINKCHECK_META = {**PAGE_META, "dont_obey_robotstxt": True}
_FORWARDED = frozenset(LINKCHECK_META)


def own_meta(meta: dict[str, Any]) -> dict[str, Any]:
    """The meta keys the spider set itself; Scrapy's internal keys must not be copied to new requests."""
    return {k: v for k, v in meta.items() if k.startswith("zwgk_") or k in _FORWARDED}
