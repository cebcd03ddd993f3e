"""Bot walls as government sites deploy them: recognise a challenge page or a block, pure functions.

The WAF products common on government portals answer a first visit with HTTP 412, 521 or 202 and a
small page whose script computes a cookie and reloads; a browser passes, a plain client never does.
A 401/403/429/999 from such a wall says the crawler was refused, not that the page is gone.
"""
from __future__ import annotations

import re
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime

CHALLENGE_STATUSES = frozenset({412, 521, 202})
BLOCK_STATUSES = frozenset({401, 403, 429, 999})
_COOKIE = re.compile(rb"document\s*\.\s*cookie|setcookie|set_cookie", re.I)
_RELOAD = re.compile(rb"location\s*\.\s*(reload|replace|href|assign)|window\s*\.\s*location\s*=|location\s*=", re.I)

# what a desktop browser sends; some walls refuse anything that does not look like one
BROWSER_HEADERS = {
    "User-Agent": ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
                   "Chrome/126.0.0.0 Safari/537.36"),
    "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8",
    "Accept-Language": "zh-CN,zh;q=0.9,en;q=0.6",
}


def is_challenge(status: int, body: bytes) -> bool:
    """A JavaScript cookie challenge: challenge status, a script, a cookie being set and a reload."""
    if status not in CHALLENGE_STATUSES:
        return False
    head = body[:64 * 1024]
    return b"<script" in head.lower() and bool(_COOKIE.search(head)) and bool(_RELOAD.search(head))


def is_block(status: int) -> bool:
    return status in BLOCK_STATUSES


def retry_after(value: str | None, *, now: datetime | None = None, cap: float = 60.0) -> float:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date), capped; 0 when absent."""
    if not value:
        return 0.0
    value = value.strip()
    if value.isdigit():
        return min(float(value), cap)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return 0.0
    now = now or datetime.now(timezone.utc)
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, min((when - now).total_seconds(), cap))
