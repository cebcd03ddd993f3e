"""One spelling per URL: the percent-encoding browsers and Scrapy use, and the hrefs that resolve to it."""

from __future__ import annotations

import posixpath
from urllib.parse import quote, unquote, urljoin, urlsplit, urlunsplit

#: characters left as they are in a path or query (RFC 3986 reserved + unreserved, and "%")
SAFE = "/%:@!$&'()*+,;=~"


def is_fetchable(url: str) -> bool:
    """True for paths and http(s) URLs; False for mailto:, javascript: and the like."""
    head = url.split("/", 1)[0]
    return ":" not in head or url.startswith(("http://", "https://"))


def canon(url: str) -> str:
    """Percent-encode the non-ASCII parts of a path or URL; idempotent."""
    if not is_fetchable(url):
        return url
    parts = urlsplit(url)
    return urlunsplit((
        parts.scheme,
        parts.netloc,
        quote(parts.path, safe=SAFE),
        quote(parts.query, safe=SAFE + "?"),
        quote(parts.fragment, safe=SAFE + "?"),
    ))


def request_key(target: str) -> str:
    """The route key of an incoming request target (path and query, any encoding)."""
    path, sep, query = target.partition("?")
    path = quote(unquote(path), safe=SAFE)
    if not query:
        return path
    return f"{path}?{quote(unquote(query), safe=SAFE + '?')}"


def strip_fragment(url: str) -> str:
    return url.split("#", 1)[0]


def relative(target: str, page: str) -> str:
    """Write `target` (a canonical root-relative URL) relative to `page`, the way TRS templates do."""
    if not target.startswith("/"):
        return target
    cut = min((i for i in (target.find("?"), target.find("#")) if i >= 0), default=len(target))
    path, rest = target[:cut], target[cut:]
    page_dir = strip_fragment(page).split("?", 1)[0].rsplit("/", 1)[0] + "/"
    rel = posixpath.relpath(path, page_dir)
    if path.endswith("/") and not rel.endswith("/"):
        rel += "/"
    if not rel.startswith("."):
        rel = "./" + rel
    written = rel + rest
    if urljoin("http://h" + page, written) != "http://h" + target:
        raise AssertionError(f"relative href {written!r} on {page} does not resolve to {target}")
    return written
