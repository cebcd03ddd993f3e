"""Links a page points to (anchors, images, frames, embeds) and whether a link is an attachment."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from posixpath import basename
from urllib.parse import parse_qsl, unquote, urlsplit

from bs4 import BeautifulSoup, Tag

from ._html import LINK_TEXT_STOP, SoupIndex, abs_url, base_url, capped_text, collapse, first_tag, make_soup

__all__ = ["ATTACHMENT_EXTENSIONS", "PageLink", "extract_links", "looks_like_attachment"]

log = logging.getLogger(__name__)

ATTACHMENT_EXTENSIONS: frozenset[str] = frozenset({
    "pdf", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "wps", "et", "dps", "txt", "rtf", "zip", "rar",
    "7z", "tar", "gz", "tgz", "bz2", "xz", "ofd", "csv", "odt", "ods", "odp", "ceb", "cab", "arj", "lzh",
    "zst",
})

# (tag, attribute holding the URL)
_SOURCES: tuple[tuple[str, str], ...] = (
    ("a", "href"), ("area", "href"), ("img", "src"), ("iframe", "src"), ("frame", "src"),
    ("embed", "src"), ("object", "data"), ("source", "src"), ("video", "src"), ("audio", "src"),
)
_SOURCE_ATTRS = dict(_SOURCES)
_TEXT_LIMIT = 300
_DOWNLOAD_PATH = re.compile(
    r"(?:^|/)(?:download|down|downfile|downloadfile|getfile|fileDownload|filedown|attach\w*|"
    r"download\w*\.(?:jsp|do|aspx?|php|action|ashx))(?:$|[/.?])", re.I)
_DOWNLOAD_PARAMS = frozenset({"fileid", "attachid", "attachmentid", "attid", "fid", "file_id", "attach_id",
                              "downloadid", "filepath", "filename"})


@dataclass(frozen=True)
class PageLink:
    """A URL the page refers to; tag is the element ("a", "img", "iframe", "embed" …)."""

    url: str
    text: str
    tag: str


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


def links_from_soup(soup: BeautifulSoup, url: str, index: SoupIndex | None = None) -> tuple[PageLink, ...]:
    """extract_links on an already parsed page (index: the page's SoupIndex, if already built)."""
    index = index or SoupIndex(soup)
    base = base_url(soup, url, index)
    seen: set[tuple[str, str, str]] = set()
    links: list[PageLink] = []
    for tag in index.named(*_SOURCE_ATTRS):
        target = abs_url(base, tag.get(_SOURCE_ATTRS[tag.name]), schemes=("http", "https", "ftp"))
        if target is None:
            continue
        link = PageLink(url=target, text=link_text(tag), tag=tag.name)
        key = (link.url, link.text, link.tag)
        if key not in seen:
            seen.add(key)
            links.append(link)
    return tuple(links)


def extract_links(html: str, url: str) -> tuple[PageLink, ...]:
    """Every link of the page in document order, absolute, without fragments; duplicates dropped."""
    try:
        return links_from_soup(make_soup(html), url)
    except Exception:  # hostile markup must not stop a crawl
        log.warning("extract_links failed on %s", url, exc_info=True)
        return ()
