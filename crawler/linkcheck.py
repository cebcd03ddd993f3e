"""How a fetched (or failed) URL is judged usable: pure functions shared by page fetches and link checks."""
from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

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
    if name == "StopDownload" or _over_maxsize(name, text):  # first: its message quotes the URL
        # a page past the size cap, or a file declaring more than DOWNLOAD_MAXSIZE: it exists and answers,
        # it is only too large to read here; never a broken link
        return Verdict("ok", "too_large")
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
    return Verdict("broken", "connection")


def _over_maxsize(name: str, text: str) -> bool:
    """Scrapy's refusal of a body larger than DOWNLOAD_MAXSIZE (declared in Content-Length, or received)."""
    return name == "DownloadCancelledError" or "larger than download max size" in text


def _is_html(content_type: str | None, body: bytes) -> bool:
    if content_type:
        return "html" in content_type.lower()
    head = body[:512].lstrip().lower()
    return head.startswith(b"<!doctype html") or head.startswith(b"<html")


def _text_and_title(html: str) -> tuple[str, str | None]:
    """Visible text and <title> of a page, from one parse (this runs for every page fetched).

    Exactly what BeautifulSoup(html, "lxml") gives (get_text(" ", strip=True) once script, style and
    noscript are removed; the first <title>'s text), read from the events of the same lxml parser
    without building a soup, which costs several times the parse itself.
    """
    if "\x00" in html:  # where lxml stops reading: leave such pages to BeautifulSoup itself
        return _soup_text_and_title(html)
    target = _TextTarget()
    parser = etree.HTMLParser(target=target, recover=True)
    try:
        parser.feed(html)
        parser.close()
    except (etree.LxmlError, ValueError):
        return _soup_text_and_title(html)
    target.flush()
    return " ".join(target.text), None if target.title is None else " ".join(target.title)


# BeautifulSoup gives the strings inside these their own types, which get_text() leaves out
_STRING_CONTAINERS = frozenset({"script", "style", "template", "rt", "rp"})


class _TextTarget:
    """lxml parser target collecting stripped text runs the way BeautifulSoup's tree builder joins them."""

    def __init__(self) -> None:
        self.text: list[str] = []
        self.title: list[str] | None = None
        self._pending: list[str] = []
        self._containers = 0   # open string-container elements
        self._noscript = 0     # open noscript elements (removed before the text is taken)
        self._in_title = 0     # open elements of the first <title>, 0 outside it

    def flush(self) -> None:
        if not self._pending:
            return
        string = "".join(self._pending).strip()
        self._pending = []
        if not string or self._containers:
            return
        if self._in_title:
            self.title.append(string)
        if not self._noscript:
            self.text.append(string)

    def start(self, tag, attrib) -> None:
        self.flush()
        if self._in_title:
            self._in_title += 1
        elif tag == "title" and self.title is None:
            self.title, self._in_title = [], 1
        self._containers += tag in _STRING_CONTAINERS
        self._noscript += tag == "noscript"

    def end(self, tag) -> None:
        self.flush()
        self._in_title = max(self._in_title - 1, 0)
        self._containers -= tag in _STRING_CONTAINERS and self._containers > 0
        self._noscript -= tag == "noscript" and self._noscript > 0

    def data(self, data: str) -> None:
        self._pending.append(data)

    def comment(self, text) -> None:
        self.flush()

    def pi(self, target, data=None) -> None:
        self.flush()

    def close(self) -> None:
        return None


def _soup_text_and_title(html: str) -> tuple[str, str | None]:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "lxml")
    title = soup.title.get_text(" ", strip=True) if soup.title else None
    for tag in soup(["script", "style", "noscript"]):
        tag.decompose()
    return soup.get_text(" ", strip=True), title
