"""The other pages of a paginated list: pager links (下一页, numbers, 尾页), "共N页" and script pagers turned
into the full set of page URLs, so that a crawler can fetch them side by side."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from posixpath import basename, dirname
from urllib.parse import parse_qsl, urljoin, urlsplit, urlunsplit

from bs4 import Tag

from ._html import BLOCKS, CACHE_MAX_CHARS, capped_text, tags_within
from ._scriptpager import MAX_PAGES, create_page_html, hanweb_pages, script_total

_MAX_ZONES = 5

_PAGE_PARAMS = frozenset({
    "page", "pageno", "pagenum", "pageindex", "pagenumber", "curpage", "currentpage", "cur_page",
    "current_page", "p", "pn", "pageid", "page_no", "page_num", "page_index", "cpage", "pagecurrent",
})
_NEXT = re.compile(r"^(?:下一?页|后一?页|下一頁|next(?:page)?)[>»›]*$|^[>»›]{1,2}$", re.I)
_PREV = re.compile(r"^[<«‹]*(?:上一?页|前一?页|上一頁|prev(?:ious)?(?:page)?)$|^[<«‹]{1,2}$", re.I)
_LAST = re.compile(r"^(?:尾页|末页|最后一?页|last(?:page)?)[>»›]*$", re.I)
_FIRST = re.compile(r"^[<«‹]*(?:首页|第一页|first(?:page)?)$", re.I)
_NUMBER = re.compile(r"^\d{1,5}$")
_STRIP = re.compile(r"[\s\[\]【】()（）]")
# "index_2.html" (TRS and most CMSs), "news-list-yw-2.html" (some PHP CMSs)
_BASENAME = re.compile(r"^(?P<stem>[A-Za-z][\w-]*?)(?:(?P<sep>[_-])(?P<n>\d{1,5}))?\.(?P<ext>s?html?|jsp|php|aspx?)$",
                       re.I)
_TOTAL_TEXT = (
    re.compile(r"共\s*(\d{1,6})\s*页"), re.compile(r"总页数\s*[:：]?\s*(\d{1,6})"),
    re.compile(r"页次\s*[:：]?\s*\d{1,6}\s*/\s*(\d{1,6})"), re.compile(r"\d{1,6}\s*/\s*(\d{1,6})\s*页"),
)


@dataclass(frozen=True)
class Anchor:
    """An <a> of the page with its resolved URL."""

    tag: Tag
    url: str
    text: str


@dataclass(frozen=True)
class _Where:
    """Where a list URL sits: the directory, the page stem/number/extension, the query."""

    root: str  # scheme://netloc
    directory: str
    stem: str | None
    number: int | None
    ext: str | None
    path: str
    query: str
    sep: str = "_"  # what joins stem and number


def _where(url: str) -> _Where:
    # pure; a list page asks about the same few URLs over a hundred times
    return _where_cached(url) if len(url) <= CACHE_MAX_CHARS else _where_of(url)


@lru_cache(maxsize=8192)
def _where_cached(url: str) -> _Where:
    return _where_of(url)


def _where_of(url: str) -> _Where:
    parts = urlsplit(url)
    name = basename(parts.path)
    m = _BASENAME.match(name)
    directory = parts.path if not name else dirname(parts.path) + "/"
    return _Where(
        root=f"{parts.scheme}://{parts.netloc}".lower(),
        directory=directory.replace("//", "/"),
        stem=m.group("stem").lower() if m else None,
        number=int(m.group("n")) if m and m.group("n") else None,
        ext=m.group("ext").lower() if m else None,
        path=parts.path or "/",
        sep=m.group("sep") or "_" if m else "_",
        query=parts.query,
    )


def _word(text: str) -> str:
    return _STRIP.sub("", text)


def same_page(a: str, b: str) -> bool:
    """URLs of the same page: equal, or a directory and its index page."""
    if len(a) + len(b) <= CACHE_MAX_CHARS:
        return _same_page_cached(a, b)
    return _same_page(a, b)


@lru_cache(maxsize=8192)
def _same_page_cached(a: str, b: str) -> bool:
    return _same_page(a, b)


def _same_page(a: str, b: str) -> bool:
    if a == b:
        return True
    wa, wb = _where(a), _where(b)
    if wa.root != wb.root or wa.query != wb.query or wa.directory != wb.directory:
        return False
    names = {basename(urlsplit(a).path), basename(urlsplit(b).path)}
    return "" in names and len(names - {"", "index.html", "index.htm", "index.shtml", "default.html"}) == 0


def _path_variant(current: _Where, other: _Where) -> bool:
    if (other.root != current.root or other.directory != current.directory or other.stem is None
            or other.query != current.query):
        return False
    if current.stem is None:  # a directory URL: its pages are index_N.* or default_N.*
        return other.stem in ("index", "default")
    return other.stem == current.stem and other.ext == current.ext


def _query_params(query: str) -> tuple[tuple[str, str], ...]:
    if len(query) <= CACHE_MAX_CHARS:
        return _query_params_cached(query)
    return tuple(parse_qsl(query, keep_blank_values=True))


@lru_cache(maxsize=4096)
def _query_params_cached(query: str) -> tuple[tuple[str, str], ...]:
    return tuple(parse_qsl(query, keep_blank_values=True))


def _page_param(current: _Where, other: _Where) -> str | None:
    """The page parameter if other is current's list with another page number (extra ids allowed)."""
    if other.root != current.root or other.path != current.path:
        return None
    mine = {k: v for k, v in _query_params(current.query) if k.lower() not in _PAGE_PARAMS}
    theirs = _query_params(other.query)
    page_keys = [k for k, v in theirs if k.lower() in _PAGE_PARAMS and v.isdigit()]
    if not page_keys:
        return None
    rest = {k: v for k, v in theirs if k.lower() not in _PAGE_PARAMS}
    if any(rest.get(k) != v for k, v in mine.items()):
        return None
    return page_keys[0]


def _with_param(url: str, param: str, value: int) -> str:
    parts = urlsplit(url)
    pattern = re.compile(r"(^|&)(" + re.escape(param) + r")=[^&]*")
    if pattern.search(parts.query):
        query = pattern.sub(lambda m: f"{m.group(1)}{m.group(2)}={value}", parts.query, count=1)
    else:
        query = f"{parts.query}&{param}={value}" if parts.query else f"{param}={value}"
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, ""))


def _pager_zone(tag: Tag) -> Tag | None:
    node = tag.parent
    for _ in range(4):
        if not isinstance(node, Tag) or node.name in ("body", "html"):
            return None
        if node.name in BLOCKS and len(tags_within(node, ("a",), limit=2)) >= 2:
            return node
        node = node.parent
    return None


def _total_from_text(text: str) -> int | None:
    for pattern in _TOTAL_TEXT:
        m = pattern.search(text)
        if m:
            return int(m.group(1))
    return None


def _offset(pairs: list[tuple[int, int]], default: int) -> int:
    """Most common (url number - page number) among numbered pager links."""
    if not pairs:
        return default
    return Counter(k - p for p, k in pairs).most_common(1)[0][0]


def find_page_urls(page_text: str, scripts: str, anchors: list[Anchor], url: str,
                   base: str) -> tuple[list[str], set[int], int | None]:
    """Other pages of this list in page order, ``id()`` of the anchor tags that are pager links, and the
    number of pages the pager declares (None when it does not say).

    page_text is the page's visible text; scripts the text of its <script> elements (read before any
    rewriting of the soup).
    """
    current = _where(url)
    pager_ids: set[int] = set()
    observed: list[str] = []
    zones: list[Tag] = []

    strong = [a for a in anchors if _NEXT.match(_word(a.text)) or _PREV.match(_word(a.text))
              or _LAST.match(_word(a.text))]
    strong_ids = {id(a.tag) for a in strong}
    for a in strong[:_MAX_ZONES]:
        zone = _pager_zone(a.tag)
        if zone is not None and all(zone is not z for z in zones):
            zones.append(zone)
    in_zone = {id(t) for z in zones for t in tags_within(z, ("a",), limit=200)}

    path_pairs: list[tuple[int, int]] = []  # (page number shown, number in URL)
    query_pairs: list[tuple[int, int]] = []
    query_param: str | None = None
    query_template: str | None = None
    next_url: str | None = None
    first_url: str | None = None
    last_url: str | None = None
    for a in anchors:
        word = _word(a.text)
        other = _where(a.url)
        param = _page_param(current, other)
        variant = _path_variant(current, other) or param is not None
        is_pager = id(a.tag) in strong_ids or (variant and (word == "" or _NUMBER.match(word) or _FIRST.match(word)
                                                or id(a.tag) in in_zone or not _looks_like_title(word)))
        if not is_pager and id(a.tag) in in_zone and (_NUMBER.match(word) or _FIRST.match(word)):
            is_pager = True
        if not is_pager:
            continue
        pager_ids.add(id(a.tag))
        observed.append(a.url)
        if _NEXT.match(word) and next_url is None:
            next_url = a.url
        if _FIRST.match(word) and first_url is None:
            first_url = a.url
        if _LAST.match(word) and last_url is None:
            last_url = a.url
        if param is not None:
            query_param, query_template = query_param or param, query_template or a.url
            value = dict(_query_params(other.query)).get(param, "")
            if _NUMBER.match(word) and value.isdigit():
                query_pairs.append((int(word), int(value)))
        elif _path_variant(current, other) and _NUMBER.match(word):
            path_pairs.append((int(word), other.number or 0))

    for a in _numbered_runs(anchors, current, pager_ids):
        pager_ids.add(id(a.tag))
        observed.append(a.url)

    generated: list[str] = []
    aliases: set[str] = set()
    created = create_page_html(scripts)
    zone_text = " ".join(capped_text(z, 500) for z in zones)
    total = _total_from_text(zone_text) or _total_from_text(page_text)
    if total is None:
        total = script_total(scripts)

    declared = created[0] if created is not None else total
    if created is not None:
        count, index, stem, ext = created
        for n in range(min(count, MAX_PAGES)):
            if n != index:
                generated.append(urljoin(base, f"{stem}.{ext}" if n == 0 else f"{stem}_{n}.{ext}"))
    elif query_param and query_template:
        pages, aliases = _query_pages(current, query_param, query_template, query_pairs, next_url, first_url,
                                      last_url, total)
        generated += pages
    elif path_pairs or any(_path_variant(current, _where(u)) for u in observed):
        generated += _path_pages(current, observed, path_pairs, next_url, last_url, total)
    if not generated:
        generated += hanweb_pages(scripts, url)

    result: list[str] = []
    for candidate in generated + observed:
        if candidate not in result and candidate not in aliases and not same_page(candidate, url):
            result.append(candidate)
    return result, pager_ids, declared


_MIN_RUN = 3


def _numbered_runs(anchors: list[Anchor], current: _Where, taken: set[int]) -> list[Anchor]:
    """Links without words (or with page numbers) to one directory's stem_1, stem_2, stem_3 …: a pager
    under another stem than the page's own (index.html → index_958_1.html), often a hidden block the
    visible pager script stands for."""
    runs: dict[tuple[str, str, str | None, str | None, str], list[Anchor]] = {}
    for a in anchors:
        if id(a.tag) in taken:
            continue
        other = _where(a.url)
        word = _word(a.text)
        if other.number is None or other.root != current.root or other.directory != current.directory:
            continue
        if word and not _NUMBER.match(word):
            continue
        runs.setdefault((other.root, other.directory, other.stem, other.ext, other.query), []).append(a)
    found: list[Anchor] = []
    for members in runs.values():
        numbers = sorted({_where(a.url).number or 0 for a in members})
        if len(numbers) >= _MIN_RUN and numbers[0] <= 2 and numbers[-1] - numbers[0] + 1 == len(numbers):
            found.extend(members)
    return found


def _looks_like_title(word: str) -> bool:
    return len(word) > 6


def _path_pages(current: _Where, observed: list[str], pairs: list[tuple[int, int]], next_url: str | None,
                last_url: str | None, total: int | None) -> list[str]:
    """index.html, index_1.html …: page 1 has no number, page p is numbered p + offset."""
    stem = current.stem or "index"
    ext = current.ext or next((w.ext for w in map(_where, observed) if w.stem == stem and w.ext), "html")
    default = -1  # TRS and most CMSs: page 2 is index_1
    if next_url is not None and current.number is None and _where(next_url).number is not None:
        default = (_where(next_url).number or 0) - 2
    offset = _offset([(p, k) for p, k in pairs if p >= 2], default)
    if total is None and last_url is not None and _where(last_url).number is not None:
        total = (_where(last_url).number or 0) - offset
    if not total:
        return []
    here = 1 if current.number is None else current.number - offset
    directory = f"{current.root}{current.directory}"
    seps = Counter(w.sep for w in map(_where, observed) if w.stem == stem and w.number is not None)
    sep = seps.most_common(1)[0][0] if seps else current.sep
    pages = []
    for page in range(1, min(total, MAX_PAGES) + 1):
        n = page + offset
        if page != here:
            pages.append(f"{directory}{stem}.{ext}" if page == 1 or n <= 0 else f"{directory}{stem}{sep}{n}.{ext}")
    return pages


def _query_pages(current: _Where, param: str, template: str, pairs: list[tuple[int, int]],
                 next_url: str | None, first_url: str | None, last_url: str | None,
                 total: int | None) -> tuple[list[str], set[str]]:
    """?page=N style: page p carries p + offset (offset -1 for zero-based counters).

    Returns the pages and the URLs that are this very page under another name ("&page=1" on page one).
    """
    def value_of(url: str | None) -> int | None:
        value = dict(_query_params(urlsplit(url).query)).get(param, "") if url else ""
        return int(value) if value.isdigit() else None

    current_value = value_of(f"?{current.query}")
    default = 0
    next_value = value_of(next_url)
    if current_value is None and next_value is not None:
        default = next_value - 2
    offset = _offset(pairs, default)
    last_value = value_of(last_url)
    if total is None and last_value is not None:
        total = last_value - offset
    here = 1 if current_value is None else current_value - offset
    aliases = {_with_param(template, param, here + offset)}
    if here == 1 and first_url:
        aliases.add(first_url)
    if not total:
        return [], aliases
    pages = []
    for page in range(1, min(total, MAX_PAGES) + 1):
        if page == here:
            continue
        pages.append(first_url if page == 1 and first_url else _with_param(template, param, page + offset))
    return pages, aliases
