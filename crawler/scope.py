"""Crawl scope and trap guards: pure functions over URLs."""
from __future__ import annotations

import ipaddress
import re
from urllib.parse import parse_qsl, urlsplit

MAX_URL_LENGTH = 512
MAX_QUERY_PARAMS = 6
_SESSION_PARAM = re.compile(r"(?i)^(jsessionid|phpsessid|aspsessionid\w*|sid|sessionid|token)$")
_DOC_NAME = re.compile(r"(?i)(^t\d{8}_\d+|^art_\d+_\d+|^content_\d+|^\d{5,}|_\d{4,})\.s?html?$|\.(jsp|aspx?|php)$")
_INDEX_NAME = re.compile(r"(?i)^(index|list|default|main)(_\d+)?\.(s?html?|jsp|aspx?|php)$")


def scope_prefix(root_url: str) -> tuple[str, str]:
    """(host, path prefix) of a disclosure root: links under this path belong to the column tree."""
    parts = urlsplit(root_url)
    path = parts.path or "/"
    if not path.endswith("/"):
        path = path.rsplit("/", 1)[0] + "/"
    return (parts.netloc.lower(), path)


def in_scope(url: str, scope: tuple[str, str]) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and parts.netloc.lower() == scope[0] and parts.path.startswith(scope[1])


def column_key(url: str) -> str:
    """A column's identity: its directory (…/gzdt/ and …/gzdt/index.html are the same column)."""
    parts = urlsplit(url)
    path = parts.path
    name = path.rsplit("/", 1)[-1]
    if _INDEX_NAME.match(name) and not parts.query:
        path = path[: len(path) - len(name)]
    return f"{parts.scheme}://{parts.netloc.lower()}{path}" + (f"?{parts.query}" if parts.query else "")


def looks_like_document(url: str) -> bool:
    """A URL shaped like one article (t20261115_123.html, art_1_2.html, content_99.html)."""
    name = urlsplit(url).path.rsplit("/", 1)[-1]
    return bool(name) and not _INDEX_NAME.match(name) and bool(_DOC_NAME.search(name))


def is_trap(url: str) -> bool:
    """URLs that grow without end: very long, many query parameters, session ids, repeating segments."""
    if len(url) > MAX_URL_LENGTH:
        return True
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    if len(query) > MAX_QUERY_PARAMS or any(_SESSION_PARAM.match(k) for k, _ in query) or ";jsessionid=" in parts.path.lower():
        return True
    segments = [s for s in parts.path.split("/") if s]
    if len(segments) > 12:
        return True
    for size in (1, 2, 3):  # /a/b/a/b/a/b…
        for i in range(len(segments) - 3 * size + 1):
            chunk = segments[i : i + size]
            if segments[i + size : i + 2 * size] == chunk and segments[i + 2 * size : i + 3 * size] == chunk:
                return True
    return False


def address_class(host: str | None) -> str:
    """'loopback', 'private' (RFC 1918, link-local, ULA), 'public', or 'name' for a host name."""
    if not host:
        return "name"
    if host.lower() == "localhost":
        return "loopback"
    try:
        ip = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return "name"
    if ip.is_loopback:
        return "loopback"
    if ip.is_private or ip.is_link_local or ip.is_reserved or ip.is_multicast or ip.is_unspecified:
        return "private"
    return "public"
