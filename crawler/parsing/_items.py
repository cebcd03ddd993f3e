"""Find the document entries of a list page: repeated sibling rows (li, tr, dd, div, p) that each hold one
main link and, usually, a date. Menus, breadcrumbs, footers and "相关链接" boxes are left out."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlsplit

from bs4 import Tag

from ._html import (
    ancestors_or_self,
    capped_text,
    class_tokens,
    collapse,
    first_tag,
    tags_within,
    text_strings,
)
from ._pager import Anchor
from .dates import parse_date, url_context

_SEMANTIC_ROWS = ("li", "tr", "dd", "dt")
_BLOCK_ROWS = ("div", "p", "article", "section", "h3", "h4", "h5")
_MAX_LEVELS = 6
_PARALLEL_LEVELS = 4
_SIBLING_STEPS = 2
_SIBLING_TEXT = 30  # "发布日期：2017-10-10", not a paragraph that happens to hold a date
_MAX_ROW_LINKS = 4
_MAX_ROW_TEXT = 400
_CHROME = re.compile(
    r"nav|menu|bread|crumb|position|location|dqwz|weizhi|lujing|footer|^foot|^head$|^header|^top$|bottom|"
    r"copyright|friend|yqlj|xglj|related|relevant|xgwz|xgxx|share|pager|paging|pagination|^page$|^pages$|"
    r"sidebar|^side|banner|^logo|search|toolbar|^hot|rank|tuijian|recommend", re.I)
_RELATED_HEADING = re.compile(r"相关链接|友情链接|相关文章|相关信息|相关阅读|相关新闻|热点|热门|推荐|排行|专题专栏|网站导航")
RELATED, TEASER = "related", "teaser"
# Boxes of other columns' newest documents on hub and list pages.
_TEASER_HEADING = re.compile(r"最新文件|最新信息|最新公开|最新发布|最近更新|最新更新|最新政策")
_DATE_ONLY = re.compile(
    r"^[\s\[\]【】()（）]*(?:\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?|\d{1,2}\s*[-/]\s*\d{1,2}|"
    r"\d{1,2}\s*月\s*\d{1,2}\s*日)(?:\s+\d{1,2}[:：]\d{2}(?:[:：]\d{2})?)?[\s\[\]【】()（）]*$")
_ELLIPSIS = ("...", "…", "。。。", "..", "．．．")
_COLUMN_NAME = re.compile(r"/(?:index|list|default|more|main)(?:_\d+)?\.(?:s?html?|jsp|php|aspx?)$", re.I)
_DATE_HEADERS = ("发布日期", "发布时间", "公开日期", "公开时间", "日期", "时间", "生成日期", "成文日期", "发文日期")


@dataclass(frozen=True)
class Row:
    """One entry of the list and where it sits."""

    tag: Tag
    anchor: Anchor
    title: str
    date: date | None
    order: int


def _is_chrome(node: Tag) -> bool:
    return node.name in ("nav", "header", "footer", "aside") or any(
        _CHROME.search(token) for token in class_tokens(node).split()
    )


def in_chrome(tag: Tag, cache: dict[int, bool] | None = None) -> bool:
    """Inside navigation, header, footer, pager or a side box; cache (by id) keeps deep pages linear."""
    cache = {} if cache is None else cache
    path: list[Tag] = []
    result = False
    for node in ancestors_or_self(tag):
        known = cache.get(id(node))
        if known is not None:
            result = known
            break
        path.append(node)
        if _is_chrome(node):
            result = True
            break
    for node in path:  # all below the deciding node share its answer
        cache[id(node)] = result
    return result


def anchor_title(tag: Tag) -> str:
    """Anchor text without a date printed inside the link; the title attribute when the text is cut."""
    text = collapse(" ".join(str(s) for s in text_strings(tag, 200) if not _DATE_ONLY.match(str(s))))
    attr = collapse(str(tag.get("title") or ""))
    if attr and len(attr) > len(text):
        stem = text
        for mark in _ELLIPSIS:
            stem = stem.removesuffix(mark)
        if not text or text != stem or attr.startswith(stem.strip()):
            return attr
    return text


def _links_in(tag: Tag) -> int:
    return len(tags_within(tag, ("a",), attr="href", limit=_MAX_ROW_LINKS + 1))


def _row_of(tag: Tag, blocks: dict[int, bool] | None = None) -> Tag | None:
    """The row element holding tag; blocks caches (by id) the block-row test of ancestors shared by rows."""
    blocks = {} if blocks is None else blocks
    node = tag.parent
    for _ in range(_MAX_LEVELS):
        if not isinstance(node, Tag) or node.name in ("body", "html", "table", "ul", "ol", "dl"):
            break
        if node.name in _SEMANTIC_ROWS:
            return node
        node = node.parent
    node = tag.parent
    for _ in range(_MAX_LEVELS):
        if not isinstance(node, Tag) or node.name in ("body", "html"):
            break
        if node.name in _BLOCK_ROWS:
            known = blocks.get(id(node))
            if known is None:
                known = blocks[id(node)] = _is_block_row(node)
            if known:
                return node
        node = node.parent
    return None


def _is_block_row(node: Tag) -> bool:
    """A div/p/… with few links that has at least two same-named siblings (itself included) with a link."""
    if _links_in(node) > _MAX_ROW_LINKS:
        return False
    siblings = 0
    name = node.name
    # Lazily: stopping at the second linked sibling keeps long lists of <div> rows linear.
    for sibling in (c for c in node.parent.contents if isinstance(c, Tag) and c.name == name):
        siblings += first_tag(sibling, ("a",), attr="href") is not None
        if siblings >= 2:
            return True
    return False


def _children_named(tag: Tag, names: tuple[str, ...]) -> list[Tag]:
    """``tag.find_all(names, recursive=False)`` without bs4's matcher."""
    return [child for child in tag.contents if isinstance(child, Tag) and child.name in names]


def _date_column(row: Tag, cache: dict[int, int | None]) -> int | None:
    """Index of the 发布日期 column of a table row, from the table's header row."""
    table = row.parent  # row.find_parent("table")
    while table is not None and table.name != "table":
        table = table.parent
    if table is None:
        return None
    if id(table) not in cache:
        cache[id(table)] = _header_date_column(table)
    return cache[id(table)]


def _header_date_column(table: Tag) -> int | None:
    for header in tags_within(table, ("tr",), limit=3):
        cells = _children_named(header, ("th", "td"))
        if first_tag(header, ("a",), attr="href") is not None:
            continue
        labels = [collapse(c.get_text()).replace(" ", "") for c in cells]
        for wanted in _DATE_HEADERS:
            if wanted in labels:
                return labels.index(wanted)
        for index, label in enumerate(labels):
            if any(w in label for w in _DATE_HEADERS[:4]):
                return index
    return None


def _row_date(row: Tag, main: Tag, context: date | None, columns: dict[int, int | None]) -> date | None:
    column = _date_column(row, columns) if row.name == "tr" else None
    if column is not None:
        cells = _children_named(row, ("td", "th"))
        if column < len(cells):
            found = parse_date(capped_text(cells[column], 100), context=context)
            if found is not None:
                return found
    inside = text_strings(main, 200)
    inside_ids = {id(s) for s in inside}
    outside = [str(s) for s in text_strings(row, 200) if id(s) not in inside_ids]
    found = parse_date(" ".join(outside), context=context)
    if found is None:  # some templates print the date inside the link
        found = parse_date(" ".join(str(s) for s in inside if _DATE_ONLY.match(str(s))), context=context)
    if found is None:
        found = _sibling_date(row, context)
    return found


def _sibling_date(row: Tag, context: date | None) -> date | None:
    """A date in the element right after the row: ``<dd><a>…</a></dd><dd>2017-10-10</dd>``, a ``<span>``
    beside a ``<div>`` row. Only elements without links, and only up to the next one with a link."""
    sibling = row.next_sibling
    for _ in range(_SIBLING_STEPS):
        while sibling is not None and not isinstance(sibling, Tag):
            text = str(sibling).strip()
            if text:
                return parse_date(text, context=context) if len(text) <= _SIBLING_TEXT else None
            sibling = sibling.next_sibling
        if sibling is None or first_tag(sibling, ("a",), attr="href") is not None or sibling.name == "a":
            return None
        text = capped_text(sibling, _SIBLING_TEXT + 1)
        if text:
            return parse_date(text, context=context) if len(text) <= _SIBLING_TEXT else None
        sibling = sibling.next_sibling
    return None


def _related_box(container: Tag, headed: dict[int, str | None] | None = None,
                 own_name: str | None = None) -> str | None:
    """RELATED under a "相关链接"-like heading, TEASER under a "最新文件"-like one (unless the column is called
    so: own_name is the page's column name), else None; headed caches (by id) the heading test of ancestors
    shared by groups."""
    headed = {} if headed is None else headed
    node: Tag | None = container
    for _ in range(3):
        if not isinstance(node, Tag) or node.name in ("body", "html"):
            return None
        if id(node) not in headed:
            headed[id(node)] = _after_related_heading(node, own_name)
        if headed[id(node)]:
            return headed[id(node)]
        node = node.parent
    return None


def _after_related_heading(node: Tag, own_name: str | None = None) -> str | None:
    previous = node.previous_sibling  # node.find_previous_sibling(True)
    while previous is not None and not isinstance(previous, Tag):
        previous = previous.previous_sibling
    if isinstance(previous, Tag):
        text = capped_text(previous, 21)
        if len(text) <= 20 and _RELATED_HEADING.search(text):
            return RELATED
        if len(text) <= 20 and _TEASER_HEADING.search(text) and not (own_name and own_name in text):
            return TEASER
    return None


def _signature(row: Tag) -> tuple[object, ...]:
    parent = row.parent
    return (row.name, tuple(row.get("class") or ()), parent.name if parent else None,
            tuple(parent.get("class") or ()) if parent else None)


def menu_containers(self_links: list[Tag]) -> set[int]:
    """Lists that hold a link to the page itself are menus (the current column highlighted), not entries."""
    menus: set[int] = set()
    chrome: dict[int, bool] = {}
    blocks: dict[int, bool] = {}
    for tag in self_links:
        row = _row_of(tag, blocks)
        if row is not None and row.parent is not None and not in_chrome(row, chrome):
            menus.add(id(row.parent))
    return menus


def looks_like_column(url: str) -> bool:
    """A URL that names a column (a directory, its index/list page, Hanweb's /col/colN/) rather than a document."""
    return _looks_like_column(url)


def _looks_like_column(url: str) -> bool:
    path = urlsplit(url).path
    return path.endswith("/") or bool(_COLUMN_NAME.search(path)) or "/col/col" in path


def _group_score(rows: list[Row], container: Tag, menus: set[int]) -> tuple[bool, float] | None:
    """(is the group dated, how much it looks like the main list), or None if it is not a list of entries."""
    if id(container) in menus:
        return None
    dated = sum(1 for r in rows if r.date is not None)
    is_dated = dated >= max(1, len(rows) / 2)
    if not is_dated:
        # Undated rows must read like document titles and point at documents, not at columns.
        mean_title = sum(len(r.title) for r in rows) / len(rows)
        documents = sum(1 for r in rows if not _looks_like_column(r.anchor.url))
        if mean_title < 8 or documents * 2 < len(rows):
            return None
        if len(rows) < 2 and rows[0].tag.name not in _SEMANTIC_ROWS:
            return None
    return is_dated, dated * 3 + len(rows) + sum(min(len(r.title), 30) for r in rows) / 10


def _shape(tag: Tag) -> tuple[object, ...]:
    return tag.name, tuple(tag.get("class") or ())


def _parallel_keys(container: Tag) -> list[tuple[object, ...]]:
    """Keys that two containers share when they sit side by side in the same way: for each level up to
    _PARALLEL_LEVELS, the shapes of the wrappers on the way and the shared ancestor itself.

    Templates print one list as several blocks (TRS pages in five-entry <ul>s, each in its own
    ``<div ms-visible=…>``, or one <dl> per entry); the blocks' wrappers, up to a shared ancestor a few
    levels up, look alike.
    """
    keys: list[tuple[object, ...]] = []
    shapes: list[tuple[object, ...]] = []
    node: Tag = container
    for _ in range(_PARALLEL_LEVELS):
        parent = node.parent
        if not isinstance(parent, Tag) or parent.name == "[document]":
            break
        keys.append((tuple(shapes), id(parent)))
        if parent.name in ("body", "html"):
            break
        shapes.append(_shape(parent))
        node = parent
    return keys


def find_rows(anchors: list[Anchor], context: date | None, menus: set[int] = frozenset(),
              own_name: str | None = None) -> tuple[list[Row], list[Row]]:
    """The rows of the page's main list, and the rows of "最新文件"-like teaser boxes, each in page order."""
    groups: dict[int, list[Row]] = defaultdict(list)
    containers: dict[int, Tag] = {}
    seen_rows: set[int] = set()
    chrome: dict[int, bool] = {}
    columns: dict[int, int | None] = {}
    blocks: dict[int, bool] = {}
    by_tag = {id(a.tag): a for a in anchors}
    for order, anchor in enumerate(anchors):
        if first_tag(anchor.tag, ("a",), attr="href") is not None:
            continue  # nested links are invalid HTML; browsers close the outer one
        row = _row_of(anchor.tag, blocks)
        if row is None or id(row) in seen_rows or row.parent is None or in_chrome(row, chrome):
            continue
        seen_rows.add(id(row))
        tags = tags_within(row, ("a", "area"), attr="href", limit=_MAX_ROW_LINKS * 2 + 1)
        links = [by_tag[id(t)] for t in tags if id(t) in by_tag]
        if not links or len(tags) > _MAX_ROW_LINKS * 2 or len({a.url for a in links}) > _MAX_ROW_LINKS:
            continue
        if len(capped_text(row, _MAX_ROW_TEXT + 1)) > _MAX_ROW_TEXT:
            continue
        titles = [anchor_title(a.tag) for a in links]
        best = max(range(len(links)), key=lambda i: len(titles[i]))  # the title link, not "[PDF]" or "[栏目]"
        main, title = links[best], titles[best]
        if len(title) < 2:
            continue
        row_context = url_context(main.url, context)
        groups[id(row.parent)].append(Row(row, main, title, _row_date(row, main.tag, row_context, columns), order))
        containers[id(row.parent)] = row.parent
    scored = []
    teasers: list[Row] = []
    headed: dict[int, str | None] = {}
    for key, rows in groups.items():
        box = _related_box(containers[key], headed, own_name)
        result = None if box == RELATED else _group_score(rows, containers[key], menus)
        if result is None:
            continue
        if box == TEASER:
            teasers.extend(rows)
            continue
        is_dated, score = result
        scored.append(((is_dated, score), key, is_dated))
    teasers.sort(key=lambda r: r.order)
    if not scored:
        return [], teasers
    scored.sort(key=lambda item: item[0], reverse=True)
    # Groups that are blocks of one list (one <dl> per entry, five-entry <ul>s in wrappers) are scored
    # together, so that a list cut into small blocks beats a single side box of five. Blocks belong together
    # when their containers sit under a shared ancestor through wrappers of the same kind (_parallel_keys).
    families: list[tuple[bool, list[int], float]] = []  # (dated, keys, score)
    family_of: dict[tuple[object, ...], int] = {}
    for (is_dated, score), key, _ in scored:
        keys = [(is_dated, _signature(groups[key][0].tag), *k) for k in _parallel_keys(containers[key])]
        index = next((family_of[k] for k in keys if k in family_of), None)
        if index is None:
            index = len(families)
            families.append((is_dated, [], 0.0))
        dated, members, total = families[index]
        members.append(key)
        families[index] = (dated, members, total + score)
        for k in keys:
            family_of.setdefault(k, index)
    best = max(families, key=lambda f: (f[0], f[2]))
    chosen: list[Row] = [row for key in best[1] for row in groups[key]]
    chosen.sort(key=lambda r: r.order)
    return chosen, teasers
