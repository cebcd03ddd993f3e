"""Who does what, once, in one crawl run: first-come claims on keys and per-department page budgets.

The spider asks `Claims` before it takes on a URL (its outcome, a document, a column, a page of a
department's budget). One process keeps the answers in memory; distributed workers share them through
Redis (crawler.distributed.RedisClaims), so that together they do what one process would do once.

Two layers keep work from being repeated, and they are split by what a repeat means:
- claims decide *roles*: "this URL's outcome is recorded", "this page is read as a document", "this
  directory is a column of that department". They are semantic keys (a column's key is its directory,
  a document's its URL) that no request fingerprint can express;
- the dupefilter drops a second *first fetch* of a page in the same role (same URL, callback and
  department or feed): roots that every worker's start() yields, and any page request a claim let
  through twice. Fetches that legitimately repeat a URL bypass it (dont_filter): redirect hops, HEAD→GET
  confirmations, browser re-renders and re-checks, challenge retries, full reads of attachments for the
  privacy scan, and link checks (a link check and a page fetch of one URL are two different things).
"""
from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from typing import Iterable

from scrapy.utils.request import RequestFingerprinter

# claim kinds
URL = "url"              # the URL's outcome (url_checks row) is recorded by whoever claimed it
DOCUMENT = "doc"         # the page is read (or carried over) as a document


def column_kind(dept_id: str) -> str:
    """Column keys are claimed per department: two departments may share a portal."""
    return f"column/{dept_id}"


def pages_counter(dept_id: str) -> str:
    return f"pages/{dept_id}"


class Claims:
    """In-memory claims of one process. Subclasses share them; answers already known stay local."""

    def __init__(self, restored: dict[str, Iterable[str]] | None = None):
        # keys known to be taken: restored from the store on resume, or claimed/seen in this process
        self._known: defaultdict[str, set[str]] = defaultdict(set)
        for kind, keys in (restored or {}).items():
            self._known[kind].update(keys)
        self._counts: Counter[str] = Counter()
        self._deferred: dict[str, dict] = {}

    def first(self, kind: str, key: str) -> bool:
        """True for exactly one caller per (kind, key) in the run; every later call is False."""
        known = self._known[kind]
        if key in known:
            return False
        known.add(key)
        return self._claim_shared(kind, key)

    def taken(self, kind: str, key: str) -> bool:
        if key in self._known[kind]:
            return True
        if self._taken_shared(kind, key):
            self._known[kind].add(key)  # a claim is never released
            return True
        return False

    def count(self, name: str) -> int:
        """Add one to the run's counter `name` and return its new value."""
        return self._increment(name)

    def defer(self, key: str, payload: dict) -> None:
        """Hold `key` (a link check) back until the run has nothing else to do; the first payload wins."""
        self._deferred.setdefault(key, payload)

    def idle(self) -> tuple[list[tuple[str, dict]], bool]:
        """This process has nothing in hand: the held-back keys now due, and whether the run is finished
        (nothing due, nothing left anywhere)."""
        due = list(self._deferred.items())
        self._deferred.clear()
        return due, not due

    # one process: nobody else claims
    def _claim_shared(self, kind: str, key: str) -> bool:
        return True

    def _taken_shared(self, kind: str, key: str) -> bool:
        return False

    def _increment(self, name: str) -> int:
        self._counts[name] += 1
        return self._counts[name]


def request_role(meta: dict) -> str:
    """What a page request is for: its callback and the department or feed it belongs to."""
    return "|".join(str(meta.get(k) or "") for k in ("zwgk_cb", "zwgk_dept", "zwgk_upstream"))


class PageFingerprinter:
    """Scrapy's request fingerprint plus the request's role (REQUEST_FINGERPRINTER_CLASS): a column page
    of one department and the same URL as another department's root are different first fetches."""

    def __init__(self, crawler=None):
        self._base = RequestFingerprinter(crawler)

    @classmethod
    def from_crawler(cls, crawler) -> PageFingerprinter:
        return cls(crawler)

    def fingerprint(self, request) -> bytes:
        base = self._base.fingerprint(request)
        return hashlib.sha1(base + request_role(request.meta).encode("utf-8")).digest()
