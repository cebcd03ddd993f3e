"""Every URL a page offers a reader or loads by itself — anchors, images, media, frames, embedded objects,
scripts, stylesheets, meta refresh, CSS url() — each with its kind, and whether a link is an attachment."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from functools import lru_cache
from posixpath import basename
from urllib.parse import parse_qsl, unquote, urldefrag, urljoin, urlsplit

from bs4 import BeautifulSoup, Tag

from ._html import LINK_TEXT_STOP, SoupIndex, base_url, capped_text, collapse, first_tag, make_soup

__all__ = ["ATTACHMENT_EXTENSIONS", "KINDS", "PageLink", "css_urls", "extract_links", "looks_like_attachment"]

log = logging.getLogger(__name__)

ATTACHMENT_EXTENSIONS: frozenset[str] = frozenset({
    "pdf", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "wps", "et", "dps", "txt", "rtf", "zip", "rar",
    "7z", "tar", "gz", "tgz", "bz2", "xz", "ofd", "csv", "odt", "ods", "odp", "ceb", "cab", "arj", "lzh",
    "zst",
})
IMAGE_EXTENSIONS = frozenset({"jpg", "jpeg", "png", "gif", "bmp", "webp", "svg", "ico", "tif", "tiff", "avif"})
VIDEO_EXTENSIONS = frozenset({"mp4", "webm", "ogv", "mov", "avi", "flv", "wmv", "m3u8", "mkv", "swf"})
AUDIO_EXTENSIONS = frozenset({"mp3", "wav", "ogg", "oga", "m4a", "aac", "flac", "wma"})
FONT_EXTENSIONS = frozenset({"woff", "woff2", "ttf", "otf", "eot"})

# the kinds of link a finding names (wording in checks/wording/links.py)
KINDS = ("page", "attachment", "image", "video", "audio", "style", "script", "frame", "object", "font")

# (tag, attribute holding one URL, kind; None = decided by the element and the URL)
_SOURCES: tuple[tuple[str, str, str | None], ...] = (
    ("a", "href", None), ("area", "href", None), ("img", "src", "image"), ("iframe", "src", "frame"),
    ("frame", "src", "frame"), ("embed", "src", None), ("object", "data", None), ("source", "src", None),
    ("video", "src", "video"), ("video", "poster", "image"), ("audio", "src", "audio"), ("track", "src", "video"),
    ("script", "src", "script"), ("input", "src", "image"), ("link", "href", None),
)
_BY_TAG: dict[str, list[tuple[str, str | None]]] = {}
for _tag, _attr, _kind in _SOURCES:
    _BY_TAG.setdefault(_tag, []).append((_attr, _kind))
_SRCSET_TAGS = ("img", "source")
# <link rel=…> a browser fetches, or a reader follows; preconnect / dns-prefetch / prefetch name no page
_LINK_RELS = {"stylesheet": "style", "icon": "image", "shortcut": "image", "apple-touch-icon": "image",
              "canonical": "page", "alternate": "page", "prev": "page", "next": "page"}
_TEXT_LIMIT = 300
_DOWNLOAD_PATH = re.compile(
    r"(?:^|/)(?:download|down|downfile|downloadfile|getfile|fileDownload|filedown|attach\w*|"
    r"download\w*\.(?:jsp|do|aspx?|php|action|ashx))(?:$|[/.?])", re.I)
_DOWNLOAD_PARAMS = frozenset({"fileid", "attachid", "attachmentid", "attid", "fid", "file_id", "attach_id",
                              "downloadid", "filepath", "filename"})
_SKIP = re.compile(r"^\s*(?:javascript|vbscript|mailto|tel|sms|data|about|file|blob|irc|ircs|news|ws|wss|"
                   r"weixin|market|itms-apps|intent)\s*:", re.I)
_SCHEME = re.compile(r"^\s*([a-z][a-z0-9+.\-]*):", re.I)
_CSS_URL = re.compile(r"""url\(\s*(?:"([^"]*)"|'([^']*)'|([^)'"\s]*))\s*\)|@import\s+(?:"([^"]*)"|'([^']*)')""", re.I)
_JUNK = re.compile(r"[\t\r\n]")
_CACHE_MAX_CHARS = 1024
_CSS_COMMENT = re.compile(r"/\*.*?(?:\*/|$)", re.S)
_REFRESH = re.compile(r"^\s*\d*(?:\.\d*)?\s*[;,]?\s*(?:url\s*=\s*)?['\"]?([^'\"]*)['\"]?\s*$", re.I)
# a scheme-relative or absolute http address: what follows the slashes, up to the path (empty = no host)
_AUTHORITY = re.compile(r"^(?:https?:)?/{2,}([^/?#]*)", re.I)
_HOST = re.compile(r"^[A-Za-z0-9\-._~%!$&'()*+,;=\u0080-\uffff]+$|^\[[0-9A-Fa-f:.]+\]$")


@dataclass(frozen=True)
class PageLink:
    """A URL the page refers to. tag: the element ("a", "img", "style" …); kind: what it is to a reader
    (KINDS); fragment: the "#…" part, kept apart (checked only when asked); malformed: the address as
    written could not be made a valid URL (url is then the address as written)."""

    url: str
    text: str
    tag: str
    kind: str = field(default="page", compare=False)
    fragment: str | None = field(default=None, compare=False)
    malformed: bool = field(default=False, compare=False)


def _extension(name: str) -> str:
    name = name.strip().lower().rstrip(")）]】")
    _, dot, ext = name.rpartition(".")
    return ext if dot else ""


_PAGE_EXTENSIONS = frozenset({"html", "htm", "shtml", "xhtml", "shtm"})
_SCRIPT_EXTENSIONS = frozenset({"jsp", "do", "asp", "aspx", "php", "action", "ashx"})
_DOWNLOAD_SCRIPT = re.compile(r"^\w*(?:download|downfile|filedown|getfile|getattach|attach)\w*$|^down$", re.I)
_FILE_ID = re.compile(r"^(?=[^.]*\d)[\w-]{4,}$")  # "38f0a2c9…", "123456": an id, not a word such as "ios"


def _download_endpoint(path: str, name: str) -> bool:
    """download.jsp, getfile.aspx, …/download?…, …/download/123456: a script that hands out a file.

    Not a page that merely sits in a "download" directory or is named so: app.www.gov.cn/download/x.html,
    …/download.html and …/download/ are web pages.
    """
    ext = _extension(name)
    if not name or ext in _PAGE_EXTENSIONS:
        return False
    if ext in _SCRIPT_EXTENSIONS:
        return bool(_DOWNLOAD_SCRIPT.match(name[: -len(ext) - 1]))
    m = _DOWNLOAD_PATH.search(path)
    if m is None:
        return False
    rest = path[m.end():].strip("/")
    return not rest or bool(_FILE_ID.match(rest.rsplit("/", 1)[-1]))


def looks_like_attachment(url: str, text: str) -> bool:
    """True for links to files: a file extension in the path, a download endpoint, or "….pdf" as text."""
    try:
        parts = urlsplit(url or "")
        path = unquote(parts.path)
        params = parse_qsl(parts.query, keep_blank_values=True)
    except ValueError:
        path, params = "", []
    name = basename(path)
    if _extension(name) in ATTACHMENT_EXTENSIONS:
        return True
    if _download_endpoint(path, name):
        return True
    if any(key.lower() in _DOWNLOAD_PARAMS for key, _ in params):
        return True
    if any(_extension(basename(value.replace("\\", "/"))) in ATTACHMENT_EXTENSIONS for _, value in params):
        return True
    return _extension(collapse(text)) in ATTACHMENT_EXTENSIONS


@lru_cache(maxsize=8192)
def kind_of(url: str, text: str = "", default: str = "page") -> str:
    """The kind of a URL judged by its file name: image, video, audio, font, style, script, attachment."""
    try:
        ext = _extension(basename(unquote(urlsplit(url).path)))
    except ValueError:
        ext = ""
    if ext in IMAGE_EXTENSIONS:
        return "image"
    if ext in VIDEO_EXTENSIONS:
        return "video"
    if ext in AUDIO_EXTENSIONS:
        return "audio"
    if ext in FONT_EXTENSIONS:
        return "font"
    if ext == "css":
        return "style"
    if ext == "js":
        return "script"
    if looks_like_attachment(url, text):
        return "attachment"
    return default


def link_text(tag: Tag) -> str:
    """What a person sees for a link: anchor text, else its title, else the alt of its image."""
    if tag.name != "a":
        return collapse(str(tag.get("alt") or tag.get("title") or ""))
    text = capped_text(tag, _TEXT_LIMIT, stop_at=LINK_TEXT_STOP)
    if text:
        return text
    if tag.get("title"):
        return collapse(str(tag.get("title")))
    img = first_tag(tag, ("img",), stop_at=LINK_TEXT_STOP)
    if isinstance(img, Tag):
        return collapse(str(img.get("alt") or img.get("title") or ""))
    return ""


def resolve(base: str, href: str | None) -> tuple[str, str | None, bool] | None:
    """(absolute URL without fragment, fragment, malformed) for an address as written in a page; None for
    nothing to check (empty, a bare "#", other schemes such as mailto:, javascript:, data:)."""
    if href is None:
        return None
    href = str(href)
    if len(href) + len(base) <= _CACHE_MAX_CHARS:
        return _resolve_cached(base, href)
    return _resolve(base, href)


@lru_cache(maxsize=8192)
def _resolve_cached(base: str, href: str) -> tuple[str, str | None, bool] | None:
    # a site's pages repeat the same menus, footers and sibling links; urljoin is the costly part
    return _resolve(base, href)


def _resolve(base: str, href: str) -> tuple[str, str | None, bool] | None:
    raw = _JUNK.sub("", href).strip().strip("\u3000\xa0")
    if not raw or raw == "#" or _SKIP.match(raw):
        return None
    scheme = _SCHEME.match(raw)
    if scheme and scheme.group(1).lower() not in ("http", "https", "ftp"):
        return None
    fixed = raw.replace("\\", "/")  # browsers read backslashes in http URLs as slashes
    authority = _AUTHORITY.match(fixed)
    if authority and not authority.group(1):  # "//////", "http:///": a host that is empty
        return raw, None, True
    try:
        joined, fragment = urldefrag(urljoin(base, fixed))
        parts = urlsplit(joined)
        parts.port  # raises ValueError on a port that is not a number
    except ValueError:
        return raw, None, True
    if parts.scheme not in ("http", "https", "ftp"):
        return None
    host = parts.hostname or ""
    if not host or not _HOST.match(parts.netloc.rsplit("@", 1)[-1].rsplit(":", 1)[0] if not host.startswith("[")
                                   else parts.netloc) or ".." in host:
        return raw, None, True
    return joined, fragment or None, False


def css_urls(css: str) -> list[str]:
    """The addresses a stylesheet (or a style attribute) loads: url(…) and @import "…"."""
    found = []
    for match in _CSS_URL.finditer(_CSS_COMMENT.sub(" ", css or "")):
        value = next((g for g in match.groups() if g is not None), "").strip()
        if value:
            found.append(value)
    return found


def _refresh_url(content: str) -> str | None:
    match = _REFRESH.match(content or "")
    if not match or not match.group(1).strip():
        return None
    return match.group(1).strip()


def _srcset(value: str) -> list[str]:
    """URLs of a srcset: comma-separated candidates "URL [descriptor]"."""
    urls = []
    for candidate in re.split(r",\s+|,(?=\S)", value or ""):
        url = candidate.strip().split()[0] if candidate.strip() else ""
        if url:
            urls.append(url.rstrip(","))
    return urls


def _element_kind(tag: Tag, attr: str, kind: str | None, url: str, text: str) -> str | None:
    if kind is not None:
        return kind
    name = tag.name
    if name in ("a", "area"):
        return kind_of(url, text, "page")
    if name == "link":
        rels = [r.lower() for r in (tag.get("rel") or [])] if not isinstance(tag.get("rel"), str) else \
            str(tag.get("rel")).lower().split()
        for rel in rels:
            if rel in _LINK_RELS:
                return _LINK_RELS[rel]
        return None  # preconnect, dns-prefetch, prefetch, manifest …: nothing a reader sees
    if name == "source":
        parent = tag.parent.name if isinstance(tag.parent, Tag) else ""
        return {"video": "video", "audio": "audio", "picture": "image"}.get(parent) or kind_of(url, text, "object")
    if name in ("embed", "object"):
        return kind_of(url, text, "object")
    return "page"


def links_from_soup(soup: BeautifulSoup, url: str, index: SoupIndex | None = None) -> tuple[PageLink, ...]:
    """extract_links on an already parsed page (index: the page's SoupIndex, if already built)."""
    index = index or SoupIndex(soup)
    base = base_url(soup, url, index)
    seen: set[tuple[str, str, str]] = set()
    links: list[PageLink] = []

    def add(href: str | None, text: str, tag: str, kind: str, resolved=None) -> None:
        resolved = resolved or resolve(base, href)
        if resolved is None:
            return
        target, fragment, malformed = resolved
        key = (target + ("#" + fragment if fragment else ""), text, tag)
        if key not in seen:
            seen.add(key)
            links.append(PageLink(url=target, text=text, tag=tag, kind=kind, fragment=fragment, malformed=malformed))

    for tag in index.tags:
        name = tag.name
        attrs = tag.attrs
        for attr, kind in _BY_TAG.get(name, ()):
            href = attrs.get(attr)
            if href is None or (name == "input" and str(attrs.get("type", "")).lower() != "image"):
                continue
            text = link_text(tag)
            resolved = resolve(base, href)
            if resolved is None:
                continue
            element_kind = _element_kind(tag, attr, kind, resolved[0], text)
            if element_kind is not None:
                add(href, text, name, element_kind, resolved)
        if name in _SRCSET_TAGS and attrs.get("srcset"):
            parent = tag.parent.name if isinstance(tag.parent, Tag) else ""
            for href in _srcset(str(attrs.get("srcset"))):
                add(href, link_text(tag), name, "video" if parent == "video" else "image")
        if name == "meta" and str(attrs.get("http-equiv", "")).lower() == "refresh":
            add(_refresh_url(str(attrs.get("content") or "")), "", "meta", "page")
        if attrs.get("background"):
            add(str(attrs.get("background")), "", name, "image")
        if attrs.get("style"):
            for href in css_urls(str(attrs.get("style"))):
                add(href, "", name, kind_of(href, "", "style"))
        if name == "style":
            for href in css_urls(tag.get_text()):
                add(href, "", "style", kind_of(href, "", "style"))
    return tuple(links)


def extract_links(html: str, url: str) -> tuple[PageLink, ...]:
    """Every link of the page in document order, absolute, fragments kept apart; duplicates dropped."""
    try:
        return links_from_soup(make_soup(html), url)
    except Exception:  # hostile markup must not stop a crawl
        log.warning("extract_links failed on %s", url, exc_info=True)
        return ()


def stylesheet_links(css: str, url: str) -> tuple[PageLink, ...]:
    """The addresses a stylesheet at url loads, as links of kind image / font / style."""
    links, seen = [], set()
    for href in css_urls(css):
        resolved = resolve(url, href)
        if resolved is None or resolved[0] in seen:
            continue
        seen.add(resolved[0])
        links.append(PageLink(url=resolved[0], text="", tag="css", kind=kind_of(resolved[0], "", "style"),
                              malformed=resolved[2]))
    return tuple(links)
