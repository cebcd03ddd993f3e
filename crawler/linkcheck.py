"""How a fetched (or failed) URL is judged usable: pure functions shared by page fetches and link checks."""
from __future__ import annotations

from dataclasses import dataclass

from crawler.parsing import decode_body, is_soft_404

# a bot wall or rate limit says nothing about whether the page exists
BLOCKED_STATUSES = frozenset({401, 403, 429, 999})
# bodies read for a link check: enough to sniff a file's magic bytes, or to read a short error page
SNIFF_BYTES = 8 * 1024
PAGE_BYTES = 96 * 1024


@dataclass(frozen=True)
class Verdict:
    verdict: str  # ok | broken | blocked | skipped
    reason: str | None = None


def judge_response(status: int, content_type: str | None, body: bytes) -> Verdict:
    if 200 <= status < 300:
        if body and _is_html(content_type, body):
            text, _ = decode_body(body[:PAGE_BYTES], content_type)
            if is_soft_404(*_text_and_title(text)):
                return Verdict("broken", "soft_404")
        return Verdict("ok")
    if status in BLOCKED_STATUSES:
        return Verdict("blocked", f"http_{status}")
    if 300 <= status < 400:
        return Verdict("broken", "redirect_without_location")
    return Verdict("broken", f"http_{status}")


def judge_failure(exc: BaseException) -> Verdict:
    """Classify a download failure (Twisted / Scrapy exception) by its type name, so that the
    wording does not depend on which Twisted class a platform raises."""
    name = type(exc).__name__
    text = str(exc)
    if name == "DNSLookupError" or "DNS lookup failed" in text:
        return Verdict("broken", "dns")
    if name in ("ConnectionRefusedError",) or "Connection was refused" in text:
        return Verdict("broken", "refused")
    if "Timeout" in name or "timed out" in text.lower() or "took longer than" in text:
        return Verdict("broken", "timeout")
    if "SSL" in name or "TLS" in name or "certificate" in text.lower() or "SSL" in text:
        return Verdict("broken", "tls")
    if name == "IgnoreRequest" and "robots.txt" in text:
        return Verdict("skipped", "robots")
    if name in ("ConnectionLost", "ConnectionDone", "ResponseFailed", "ResponseNeverReceived",
                "ConnectError", "TCPTimedOutError", "ConnectionAborted", "PotentialDataLoss"):
        return Verdict("broken", "connection")
    if name == "StopDownload":  # a page past the size cap: it exists, but is not parsed
        return Verdict("ok", "too_large")
    return Verdict("broken", "connection")


def _is_html(content_type: str | None, body: bytes) -> bool:
    if content_type:
        return "html" in content_type.lower()
    head = body[:512].lstrip().lower()
    return head.startswith(b"<!doctype html") or head.startswith(b"<html")


def _text_and_title(html: str) -> tuple[str, str | None]:
    """Visible text and <title> of a page, from one parse (this runs for every page fetched)."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "lxml")
    title = soup.title.get_text(" ", strip=True) if soup.title else None
    for tag in soup(["script", "style", "noscript"]):
        tag.decompose()
    return soup.get_text(" ", strip=True), title
