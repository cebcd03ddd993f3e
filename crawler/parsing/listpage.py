"""A column's list page: its name, the documents listed, the other pages of the list, links to explore."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import date
from itertools import islice

from bs4 import BeautifulSoup, NavigableString, Tag

from ._html import (
    BLOCKS,
    LINK_TEXT_STOP,
    SoupIndex,
    abs_url,
    base_url,
    breadcrumb_column,
    meta_column,
    capped_text,
    class_tokens,
    clean_title,
    collapse,
    first_tag,
    make_soup,
    page_title,
    tags_within,
    visible_text,
    walk,
)
from ._items import Row, find_rows, in_chrome, looks_like_column, menu_containers
from ._pager import Anchor, find_page_urls, same_page
from ._scriptpager import declared_per_page, declared_records
from .dataapi import DataApi, find_data_api
from .dates import find_full_dates, parse_date
from .links import link_text

__all__ = ["ApiPage", "DataApi", "ListItem", "ListPage", "NavLink", "parse_api_response", "parse_list_page"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ListItem:
    """A document entry of the list."""

    title: str
    url: str
    date: date | None


@dataclass(frozen=True)
class NavLink:
    """Any other link of the page (menus, sub-columns …), for discovering columns."""

    name: str
    url: str


@dataclass(frozen=True)
class ListPage:
    """What a column list page shows; ``note`` is the page's own words when it lists nothing."""

    title: str | None
    items: tuple[ListItem, ...]
    page_urls: tuple[str, ...]
    nav_links: tuple[NavLink, ...]
    note: str | None
    has_scripts: bool
    # A column-tree (hub) page: its links lead to sub-columns, and any short list on it ("最新文件") is a
    # teaser of other columns' documents, so items is empty and the sub-columns are in nav_links.
    is_tree: bool = False
    # What the page declares about the whole list: records ("共107条", recordCount, totalRecord) and
    # pages ("共8页", countPage, createPageHTML); None when it does not say.
    declared_total: int | None = None
    declared_pages: int | None = None
    # The endpoint the page loads further records from, when it names one (see dataapi.DataApi).
    data_api: DataApi | None = None
    # On a tree page: the teaser entries ("最新文件") that are not its list; they are documents of the
    # sub-columns, so they are neither items nor nav_links (which lead to columns).
    teasers: tuple[ListItem, ...] = ()


@dataclass(frozen=True)
class ApiPage:
    """One answer of a data endpoint: its records as list items and the total it declares, if any."""

    items: tuple[ListItem, ...]
    declared_total: int | None


_RECORD = re.compile(r"<record(?:\s[^>]*)?>\s*(?:<!\[CDATA\[(.*?)\]\]>|(.*?))\s*</record>", re.S | re.I)
_HEADING_CLASS = re.compile(r"title|^tit|lmmc|lm_?name|lanmu|colname|column-?name|^bt$|^hd$|list-?head", re.I)
_EMPTY_MARKERS = re.compile(
    r"暂无|无此类|没有(?:相关)?(?:信息|内容|数据|记录)|无(?:相关)?(?:信息|内容|数据|记录)|特此说明|不涉及|未产生|"
    r"暂未|尚未|无需公开|不存在(?:此类|相关)|正在建设|建设中|更新中|未找到|没有找到|查询不到")
_HAN = re.compile(r"[\u4e00-\u9fff]")  # a column's name is Chinese: a heading of "search" or "more" is not one
_NOTE_LIMIT = 500
_NOTE_LEVELS = 6
_NOT_NOTE = ("a", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol", "dl", "form", "img")
_BLOCK_NAMES = ("div", "p", "span", "td", "li")
_ANCHOR_TEXT = 300


def _expand_datastores(scripts: list[Tag]) -> bool:
    """Hanweb jcms lists ship their rows as CDATA records inside <script type="text/xml">.

    scripts are the page's <script> tags in document order; True when the tree was changed.
    """
    changed = False
    for script in scripts:
        source = script.string or ""
        if "<record" not in source.lower():
            continue
        fragments = [a or b for a, b in _RECORD.findall(source)]
        markup = "".join(fragments).strip()
        if not markup:
            continue
        if markup.lower().startswith("<tr"):
            markup = f"<table>{markup}</table>"
        fragment = BeautifulSoup(f"<div data-zwgk-datastore>{markup}</div>", "lxml").find("div")
        if isinstance(fragment, Tag):
            script.replace_with(fragment)
            changed = True
    return changed


def _context_date(page_text: str, today: date | None) -> date | None:
    """The date short "[11-15]" dates are read against: the newest full date shown (not after today)."""
    dates = [d for d in find_full_dates(page_text) if today is None or d <= today]
    return max(dates) if dates else today


def _anchors(index: SoupIndex, base: str) -> list[Anchor]:
    found = []
    for tag in index.named("a", "area", attr="href"):
        url = abs_url(base, tag.get("href"))
        if url is not None:
            found.append(Anchor(tag=tag, url=url, text=capped_text(tag, _ANCHOR_TEXT, stop_at=LINK_TEXT_STOP)))
    return found


def _list_heading(rows: list[Row]) -> str | None:
    node: Tag | None = rows[0].tag.parent if rows else None
    for _ in range(4):
        if not isinstance(node, Tag) or node.name in ("body", "html"):
            return None
        for sibling in _previous_tags(node, 4):
            candidates = [sibling, *[t for t in islice(walk(sibling), 200) if isinstance(t, Tag)]]
            for cand in candidates:
                if cand.name in ("h1", "h2", "h3", "h4", "h5") or any(
                    _HEADING_CLASS.search(t) for t in class_tokens(cand).split()
                ):
                    text = capped_text(cand, 31)
                    if 2 <= len(text) <= 30 and _HAN.search(text) and not in_chrome(cand):
                        return text
        node = node.parent
    return None


def _previous_tags(node: Tag, limit: int) -> list[Tag]:
    """``node.find_previous_siblings(True, limit=limit)`` without bs4's matcher."""
    found: list[Tag] = []
    sibling = node.previous_sibling
    while sibling is not None and len(found) < limit:
        if isinstance(sibling, Tag):
            found.append(sibling)
        sibling = sibling.previous_sibling
    return found


def _note(soup: BeautifulSoup, index: SoupIndex) -> str | None:
    """Visible text of the list area when there is no entry: "暂无信息", "本单位无此类信息，特此说明。" …"""
    body = index.first("body") or soup
    # body.find_all(string=_EMPTY_MARKERS), without bs4's matcher
    matches = [s for s in body.descendants if isinstance(s, NavigableString) and s and _EMPTY_MARKERS.search(s)]
    for string in matches:
        node = string.parent
        if not isinstance(node, Tag) or in_chrome(node) or node.name in ("script", "style", "title"):
            continue
        while node.name not in BLOCKS and isinstance(node.parent, Tag):
            node = node.parent
        for _ in range(_NOTE_LEVELS):
            parent = node.parent
            if not isinstance(parent, Tag) or parent.name in ("body", "html") or in_chrome(parent):
                break
            # Grow over wrappers and sibling paragraphs of the note, never over a heading, list or table.
            if first_tag(parent, _NOT_NOTE) is not None or any(
                _HEADING_CLASS.search(t) for d in tags_within(parent, _BLOCK_NAMES, limit=50)
                for t in class_tokens(d).split()
            ):
                break
            if len(capped_text(parent, _NOTE_LIMIT + 1)) > _NOTE_LIMIT:
                break
            node = parent
        text = capped_text(node, _NOTE_LIMIT)
        if text:
            return text
    return None


_MORE = re.compile(r"^(?:更多|查看更多|更多信息|更多内容|more)[\s>»›.…]*$|^[+＋]\s*(?:更多|more)?$", re.I)
_TREE_MIN_COLUMNS = 3
_TEASER_LEVELS = 3
_BOX_EXTRA_LINKS = 3  # a teaser box holds its rows, a heading link, a "更多" link


def _under(url: str, directory: str) -> bool:
    return url.startswith(directory) and len(url) > len(directory)


def _sub_columns(anchors: list[Anchor], skip: set[int], current: str) -> set[str]:
    """Column links below the page's own directory: /zwgk/ links to /zwgk/tzgg/, /zwgk/zcwj/index.html …"""
    directory = current if current.endswith("/") else current.rsplit("/", 1)[0] + "/"
    found: set[str] = set()
    for anchor in anchors:
        url = anchor.url.split("?", 1)[0]
        if id(anchor.tag) not in skip and _under(url, directory) and looks_like_column(url) \
                and not same_page(url, current):
            found.add(url if url.endswith("/") else url.rsplit("/", 1)[0] + "/")
    return found


def _more_link(rows: list[Row], current: str, anchors_of: dict[int, Anchor]) -> bool:
    """The rows sit in a box with a "更多>>" link to another column: a teaser of that column."""
    node: Tag | None = rows[0].tag.parent
    for _ in range(_TEASER_LEVELS):
        if not isinstance(node, Tag) or node.name in ("body", "html"):
            return False
        links = tags_within(node, ("a",), attr="href", limit=len(rows) + _BOX_EXTRA_LINKS + 1)
        if len(links) > len(rows) + _BOX_EXTRA_LINKS:
            return False  # past the list's own box: a "更多" further out belongs to some other box
        for tag in links:
            anchor = anchors_of.get(id(tag))
            if anchor is not None and _MORE.match(anchor.text or link_text(tag)) \
                    and not same_page(anchor.url, current):
                return True
        node = node.parent
    return False


def _is_tree(rows: list[Row], anchors: list[Anchor], skip: set[int], current: str) -> bool:
    """A column-tree (hub) page: it leads to sub-columns, and what list it shows is a teaser of theirs."""
    columns = _sub_columns(anchors, skip, current)
    if not rows:
        return len(columns) >= _TREE_MIN_COLUMNS
    anchors_of = {id(a.tag): a for a in anchors}
    if _more_link(rows, current, anchors_of):
        others = {a.url for a in anchors if id(a.tag) not in skip and looks_like_column(a.url)
                  and not same_page(a.url, current)}
        return len(others) >= _TREE_MIN_COLUMNS
    if len(columns) < _TREE_MIN_COLUMNS:
        return False
    # The entries live in the sub-columns' directories: the page gathers them from its children.
    inside = sum(1 for r in rows if any(_under(r.anchor.url, c) for c in columns))
    return inside * 2 > len(rows)


def _nav_links(anchors: list[Anchor], skip: set[int], taken: set[str], index: SoupIndex, base: str,
               current: str) -> tuple[NavLink, ...]:
    links: dict[str, NavLink] = {}
    for anchor in anchors:
        if id(anchor.tag) in skip or anchor.url in taken or same_page(anchor.url, current):
            continue
        name = anchor.text or link_text(anchor.tag)
        if anchor.url not in links or (not links[anchor.url].name and name):
            links[anchor.url] = NavLink(name=name, url=anchor.url)
    for frame in index.named("iframe", "frame", attr="src"):
        url = abs_url(base, frame.get("src"))
        if url is not None and url not in taken and url not in links:
            links[url] = NavLink(name=collapse(str(frame.get("title") or frame.get("name") or "")), url=url)
    return tuple(links.values())


def parse_list_page(html: str, url: str, *, today: date | None = None) -> ListPage:
    """Parse a column list page; odd markup gives an empty result, never an exception."""
    try:
        return _parse(html, url, today)
    except Exception:  # hostile markup must not stop a crawl
        log.warning("parse_list_page failed on %s", url, exc_info=True)
        return ListPage(title=None, items=(), page_urls=(), nav_links=(), note=None, has_scripts=False)


def _parse(html: str, url: str, today: date | None) -> ListPage:
    soup = make_soup(html)
    index = SoupIndex(soup)
    script_tags = index.named("script")
    has_scripts = bool(script_tags)
    scripts = "\n".join(s.get_text() for s in script_tags)
    if _expand_datastores(script_tags):
        index = SoupIndex(soup)
    base = base_url(soup, url, index)
    current = abs_url(url, url) or url
    anchors = _anchors(index, base)
    page_text = visible_text(index.first("body") or soup)
    page_urls, pager_ids, declared_pages = find_page_urls(page_text, scripts, anchors, current, base)

    candidates = [a for a in anchors if id(a.tag) not in pager_ids and not same_page(a.url, current)]
    menus = menu_containers([a.tag for a in anchors if same_page(a.url, current)])
    own_name = meta_column(index) or breadcrumb_column(soup, index)
    rows, teaser_rows = find_rows(candidates, _context_date(page_text, today), menus, own_name)
    declared_total = declared_records(page_text, scripts)
    if declared_pages is None and declared_total is not None:
        per_page = declared_per_page(scripts)
        if per_page:
            declared_pages = -(-declared_total // per_page)
    # A list that pages on is a column's own list, even when it gathers its sub-columns' documents.
    paged = bool(page_urls) or (declared_pages or 0) > 1 or (declared_total or 0) > len(rows)
    probe = rows or teaser_rows
    is_tree = not paged and _is_tree(probe, candidates, pager_ids | {id(r.anchor.tag) for r in probe}, current)
    teasers: list[ListItem] = []
    teaser_tags: set[int] = set()
    if not is_tree and not rows:
        rows = teaser_rows  # a "最新信息" box is all the page lists: it is the list
    if is_tree:  # teasers of the sub-columns: their documents are found in the sub-columns themselves
        for row in sorted(rows + teaser_rows, key=lambda r: r.order):
            teaser_tags.add(id(row.anchor.tag))
            if all(t.url != row.anchor.url for t in teasers):
                teasers.append(ListItem(title=row.title, url=row.anchor.url, date=row.date))
        rows = []
    items: list[ListItem] = []
    item_urls: set[str] = set()
    row_tags = {id(r.anchor.tag) for r in rows}
    for row in rows:
        if row.anchor.url not in item_urls:
            item_urls.add(row.anchor.url)
            items.append(ListItem(title=row.title, url=row.anchor.url, date=row.date))

    title = own_name or _list_heading(rows) or clean_title(page_title(soup, index))
    skip = pager_ids | row_tags | teaser_tags
    taken = item_urls | set(page_urls) | {current} | {t.url for t in teasers}
    return ListPage(
        title=title,
        items=tuple(items),
        page_urls=tuple(page_urls),
        nav_links=_nav_links(anchors, skip, taken, index, base, current),
        note=None if items or is_tree else _note(soup, index),
        has_scripts=has_scripts,
        is_tree=is_tree,
        declared_total=declared_total,
        declared_pages=declared_pages,
        data_api=find_data_api(scripts, base, static_pager=bool(page_urls)),
        teasers=tuple(teasers),
    )



_API_TOTAL_XML = re.compile(r"<totalrecord>\s*(\d{1,9})\s*</totalrecord>", re.I)
_TITLE_KEYS = ("title", "doctitle", "doc_title", "articletitle", "name", "subject", "f_title", "wjbt", "bt")
_URL_KEYS = ("url", "docpuburl", "doc_pub_url", "puburl", "pub_url", "link", "href", "docurl", "doc_url",
             "linkurl", "link_url", "detailurl", "detail_url", "visiturl", "chnldocurl")
_DATE_KEYS = ("pubdate", "pub_date", "docreltime", "doc_rel_time", "publishdate", "publish_date", "publishtime",
              "publish_time", "first_publish_time", "display_publish_time", "releasedate", "release_time",
              "docpubtime", "fbrq", "fbsj", "date", "time", "createtime", "create_time", "created_at", "crtime")
# Record totals, most explicit first; "total" last (jqGrid-style answers use it for pages beside "records").
_TOTAL_KEYS = ("totalrecord", "total_record", "totalrecords", "recordcount", "record_count", "totalcount",
               "total_count", "totalelements", "post_count", "totalnum", "total_num", "records", "total")
_TOTAL_RANK = {key: rank for rank, key in enumerate(_TOTAL_KEYS)}
_JSONP = re.compile(r"^\s*[\w$.]+\s*\(\s*(.*?)\s*\)\s*;?\s*$", re.S)
_TAGS = re.compile(r"<[^>]{0,200}>")


def parse_api_response(text: str, api: DataApi, *, today: date | None = None) -> ApiPage:
    """The records of one answer of a data endpoint; hostile or unexpected bodies give no records."""
    try:
        if api.kind == "hanweb-dataproxy" or "<record" in text[:5000].lower():
            return _parse_records(text, api.url, today)
        return _parse_json(text, api.url, today)
    except Exception:  # hostile bodies must not stop a crawl
        log.warning("parse_api_response failed on %s", api.url, exc_info=True)
        return ApiPage(items=(), declared_total=None)


def _parse_records(text: str, url: str, today: date | None) -> ApiPage:
    """Hanweb dataproxy.jsp: ``<datastore><totalrecord>N</totalrecord><recordset><record><![CDATA[…]]>``."""
    fragments = [a or b for a, b in _RECORD.findall(text)]
    total = _API_TOTAL_XML.search(text)
    declared = int(total.group(1)) if total else None
    markup = "".join(fragments).strip()
    if not markup:
        return ApiPage(items=(), declared_total=declared)
    if markup.lower().startswith("<tr"):
        markup = f"<table>{markup}</table>"
    page = _parse(f"<html><body><div>{markup}</div></body></html>", url, today)
    return ApiPage(items=page.items, declared_total=declared)


def _parse_json(text: str, url: str, today: date | None) -> ApiPage:
    import json

    body = text.strip().lstrip("\ufeff")
    if body[:1] not in "{[":
        m = _JSONP.match(body)
        body = m.group(1) if m else body
    data = json.loads(body)
    best: list[dict] = []
    total: tuple[int, int | None] | None = None  # (rank of the key, value)
    stack: list[tuple[object, int]] = [(data, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > 8:
            continue
        if isinstance(node, dict):
            for key, value in node.items():
                rank = _TOTAL_RANK.get(str(key).lower())
                if rank is not None and _as_int(value) is not None and (total is None or rank < total[0]):
                    total = (rank, _as_int(value))
                if isinstance(value, (dict, list)):
                    stack.append((value, depth + 1))
        elif isinstance(node, list):
            records = [r for r in node if isinstance(r, dict) and _record_key(r, _URL_KEYS) is not None]
            if len(records) > len(best):
                best = records
            stack.extend((v, depth + 1) for v in node if isinstance(v, (dict, list)))
    items: list[ListItem] = []
    seen: set[str] = set()
    for record in best:
        link = abs_url(url, str(record.get(_record_key(record, _URL_KEYS)) or ""))
        title_key = _record_key(record, _TITLE_KEYS)
        title = collapse(_TAGS.sub("", str(record.get(title_key) or ""))) if title_key else ""
        if link is None or not title or link in seen:
            continue
        seen.add(link)
        items.append(ListItem(title=title, url=link, date=_record_date(record, today)))
    return ApiPage(items=tuple(items), declared_total=total[1] if total else None)


def _record_key(record: dict, keys: tuple[str, ...]) -> str | None:
    lowered = {str(k).lower(): k for k in record}
    for key in keys:
        if key in lowered and record[lowered[key]] not in (None, ""):
            return lowered[key]
    return None


def _record_date(record: dict, today: date | None) -> date | None:
    key = _record_key(record, _DATE_KEYS)
    if key is None:
        return None
    value = record[key]
    number = _as_int(value)
    if number is not None and number > 10**8:  # a Unix time, in seconds or milliseconds
        from datetime import datetime, timezone, timedelta

        seconds = number / 1000 if number > 10**11 else number
        try:
            return datetime.fromtimestamp(seconds, tz=timezone(timedelta(hours=8))).date()
        except (OverflowError, OSError, ValueError):
            return None
    return parse_date(str(value), context=today)


def _as_int(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit() and len(value.strip()) <= 15:
        return int(value.strip())
    return None
