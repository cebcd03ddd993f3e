"""A document (article) page: title, 发布日期 and the other disclosure metadata, body text and links."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import date, time
from itertools import islice

from bs4 import BeautifulSoup, Comment, Tag

from ._html import (
    INVISIBLE,
    SoupIndex,
    ancestors_or_self,
    breadcrumb_column,
    capped_text,
    class_tokens,
    clean_title,
    collapse,
    iter_text_lines,
    looks_like_site_name,
    make_soup,
    meta_column,
    page_title,
    text_sizes,
    visible_text,
)
from ._labels import LabelValue, best, scan_lines
from .dates import parse_date, parse_datetime
from .links import ATTACHMENT_EXTENSIONS, PageLink, extract_links, links_from_soup, looks_like_attachment

__all__ = [
    "ATTACHMENT_EXTENSIONS", "DocumentPage", "PageLink", "extract_links", "looks_like_attachment",
    "parse_document_page",
]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DocumentPage:
    """What a document page says about itself; None where the page does not say."""

    title: str | None
    publish_date: date | None
    publish_time: time | None
    written_date: date | None
    doc_number: str | None
    index_number: str | None
    publisher: str | None
    topic: str | None
    column_name: str | None
    text: str
    links: tuple[PageLink, ...]


_EMPTY = DocumentPage(None, None, None, None, None, None, None, None, None, "", ())

_META_FIELDS = {
    "articletitle": "title", "pubdate": "publish", "publishdate": "publish", "publishtime": "publish",
    "firstpublishedtime": "publish", "pubtime": "publish", "releasedate": "publish",
    "article:published_time": "publish", "columnname": "column", "contentsource": "publisher",
}
# Metadata some CMSs leave in comments: <!--<publishtime>2026-11-15 10:00:00</publishtime>-->
_COMMENT_FIELDS = {
    "publishtime": "publish", "pubdate": "publish", "publishdate": "publish", "pubtime": "publish",
    "docreltime": "publish", "releasetime": "publish", "fbsj": "publish", "fbrq": "publish",
    "date": "publish",  # <!--enpproperty <date>2023-12-01 14:43:00:0</date><nodename>时政新闻</nodename>…-->
    "nodename": "column",
    "title": "title", "articletitle": "title", "doctitle": "title",
    "source": "publisher", "contentsource": "publisher", "docsource": "publisher",
    "columnname": "column", "channelname": "column", "chnlname": "column",
    "cwrq": "written", "writedate": "written", "writetime": "written",
    "wh": "doc_number", "fwzh": "doc_number", "docnum": "doc_number", "fileno": "doc_number",
    "syh": "index_number", "indexnum": "index_number", "idxid": "index_number",
}
_COMMENT_TAG = re.compile(r"<([A-Za-z][\w:]*)\s*>\s*([^<>]{1,300}?)\s*</\1\s*>")
_TEMPLATE_VALUE = re.compile(r"\$\{|<%|\{\{|#\{")  # an unrendered template placeholder

_STRONG_CONTENT = frozenset({
    "trs_editor", "trs_ueditor", "custom_unionstyle", "zoom", "article-content", "article_content",
    "articlecontent", "art_con", "art-con", "bt-article", "detail-content", "detail_content",
    "news_content", "newscontent", "news-content", "con_text", "contxt", "pages_content", "info-content",
    "info_content", "zwnr", "wz_zw", "zhengwen", "main-text", "maintext", "content_text", "text_content",
    "view", "article-body", "article_body", "articlebody", "xxgk_content", "gk_content", "content-text",
})
_WEAK_CONTENT = re.compile(r"content|article|detail|^zw$|^text$|^con$|^nr$|^wz$|^main$")
_NOT_CONTENT = re.compile(r"nav|menu|header|footer|foot|side|bread|crumb|position|location|share|relat|"
                          r"xgwz|xglj|link|copyright|print|tool|logo|^top$|^head$|banner", re.I)
_MAX_CANDIDATES = 60  # bounds the work on pages with thousands of nested "content" elements
_MAX_DEPTH = 60
_TITLE_CLASS = re.compile(r"title|^tit$|^bt$|biaoti|wzbt|headline|^h1$", re.I)


def _tokens(tag: Tag) -> list[str]:
    return class_tokens(tag).split()


def _content_root(soup: BeautifulSoup, index: SoupIndex) -> Tag | None:
    strong: list[tuple[int, Tag]] = []
    weak: list[tuple[int, Tag]] = []
    sizes: dict[int, int] | None = None  # computed on the first candidate: many pages have none
    for tag in index.named("div", "td", "article", "section", "main", "span", "p"):
        if len(strong) >= _MAX_CANDIDATES or len(weak) >= _MAX_CANDIDATES:
            break
        tokens = _tokens(tag)
        if not tokens or any(_NOT_CONTENT.search(t) for t in tokens):
            continue
        if any(t in _STRONG_CONTENT for t in tokens):
            bucket = strong
        elif any(_WEAK_CONTENT.search(t) for t in tokens):
            bucket = weak
        else:
            continue
        if sizes is None:
            sizes = text_sizes(soup)
        length = sizes.get(id(tag), 0)
        if length >= 10:
            bucket.append((length, tag))
    for bucket in (strong, weak):
        if bucket:
            return _innermost(bucket)
    return index.first("body") or soup


def _innermost(bucket: list[tuple[int, Tag]]) -> Tag:
    """The largest candidate, or rather a candidate inside it holding at least half its text.

    A wrapper such as "bt-article" holds the title and info line; the body is the inner "zoom". bucket is in
    document order, so descendants of a candidate come after it.
    """
    index = max(range(len(bucket)), key=lambda i: bucket[i][0])
    while True:
        length, root = bucket[index]
        inner = [i for i in range(index + 1, len(bucket))
                 if bucket[i][0] * 2 >= length and any(parent is root for parent in bucket[i][1].parents)]
        if not inner:
            return root
        index = max(inner, key=lambda i: bucket[i][0])


def _in_page_chrome(tag: Tag) -> bool:
    return any(
        a.name in ("header", "nav", "footer") or any(_NOT_CONTENT.search(t) for t in _tokens(a))
        for a in islice(ancestors_or_self(tag), _MAX_DEPTH)
    )


def _heading_candidates(index: SoupIndex) -> list[str]:
    found: list[str] = []
    examined = 0
    for tag in index.tags:
        if tag.name in INVISIBLE:
            continue
        is_heading = tag.name in ("h1", "h2", "h3")
        if not is_heading and not any(_TITLE_CLASS.search(t) for t in _tokens(tag)):
            continue
        examined += 1
        if examined > _MAX_CANDIDATES:
            break
        text = capped_text(tag, 201)
        if 4 <= len(text) <= 200 and not _in_page_chrome(tag):
            found.append(text)
    return found


def _title(soup: BeautifulSoup, index: SoupIndex, labelled: str | None, meta: str | None) -> str | None:
    """The document title: a candidate the <title> confirms, else the most explicit one.

    A "名称：" cell alone is weak evidence: procurement notices have "名称：" rows for the buyer.
    """
    raw = page_title(soup, index)
    heads = _heading_candidates(index)
    explicit = [v for v in (meta, labelled) if v and len(v) >= 2]
    if raw:
        squeezed = raw.replace(" ", "")
        confirmed = [c for c in [*explicit, *heads] if c.replace(" ", "") in squeezed]
        if confirmed:
            return max(confirmed, key=len)  # "示例市第一人民医院" is in the title, the whole title is better
    if meta and len(meta) >= 2:
        return meta
    cleaned = clean_title(raw)
    for candidate in (*heads, labelled, cleaned):
        if candidate and len(candidate) >= 2 and not looks_like_site_name(candidate):
            return candidate
    return cleaned


def _meta_values(index: SoupIndex) -> dict[str, str]:
    values: dict[str, str] = {}
    for tag in index.named("meta"):
        name = str(tag.get("name") or tag.get("property") or "").strip().lower()
        field = _META_FIELDS.get(name)
        content = collapse(str(tag.get("content") or ""))
        if field and content and not _TEMPLATE_VALUE.search(content) and field not in values:
            values[field] = content
    return values


def _comment_values(index: SoupIndex) -> tuple[dict[str, str], list[LabelValue]]:
    tagged: dict[str, str] = {}
    lines: list[str] = []
    for node in [s for s in index.strings if isinstance(s, Comment)]:
        comment = str(node)
        for name, value in _COMMENT_TAG.findall(comment):
            field = _COMMENT_FIELDS.get(name.lower())
            value = collapse(value)
            if field and value and not _TEMPLATE_VALUE.search(value):
                tagged.setdefault(field, value)
        if "<" not in comment:
            lines.extend(collapse(line) for line in comment.splitlines() if line.strip())
    return tagged, scan_lines(lines)


def _publish(
    labels: list[LabelValue], meta: dict[str, str], tagged: dict[str, str], comment: list[LabelValue]
) -> tuple[date | None, time | None]:
    values: list[str] = []
    strong = best(labels, "publish")
    if strong:
        values.append(strong.value)
    values += [v for v in (meta.get("publish"), tagged.get("publish")) if v]
    for extra in (best(comment, "publish"), best(labels, "weak_publish")):
        if extra:
            values.append(extra.value)
    parsed = [p for p in (parse_datetime(v) for v in values) if p is not None]
    if not parsed:
        return None, None
    day, clock = parsed[0]
    if clock is None:
        # The visible date often omits the time the meta tags carry for the same day.
        clock = next((t for d, t in parsed[1:] if d == day and t is not None), None)
    return day, clock


def _first_value(*candidates: str | LabelValue | None) -> str | None:
    for candidate in candidates:
        value = candidate.value if isinstance(candidate, LabelValue) else candidate
        if value:
            return value
    return None


def _written(labels: list[LabelValue], tagged: dict[str, str], comment: list[LabelValue]) -> date | None:
    for candidate in (best(labels, "written"), tagged.get("written"), best(comment, "written")):
        value = _first_value(candidate)
        parsed = parse_date(value) if value else None
        if parsed is not None:
            return parsed
    return None


def parse_document_page(html: str, url: str) -> DocumentPage:
    """Parse a document page; hostile or empty markup gives empty fields, never an exception."""
    try:
        return _parse(html, url)
    except Exception:  # hostile markup must not stop a crawl
        log.warning("parse_document_page failed on %s", url, exc_info=True)
        return _EMPTY


def _parse(html: str, url: str) -> DocumentPage:
    soup = make_soup(html)
    index = SoupIndex(soup)
    body = index.first("body") or soup
    labels = scan_lines(iter_text_lines(body, mark_elements=True))
    meta = _meta_values(index)
    tagged, comment = _comment_values(index)
    publish_date, publish_time = _publish(labels, meta, tagged, comment)

    def pick(field: str) -> str | None:
        return _first_value(best(labels, field), meta.get(field), tagged.get(field), best(comment, field))

    title = _title(soup, index, _first_value(best(labels, "title")), meta.get("title") or tagged.get("title"))
    column = _first_value(meta_column(index), best(labels, "column"), tagged.get("column"))
    return DocumentPage(
        title=title,
        publish_date=publish_date,
        publish_time=publish_time,
        written_date=_written(labels, tagged, comment),
        doc_number=pick("doc_number"),
        index_number=pick("index_number"),
        publisher=pick("publisher"),
        topic=pick("topic"),
        column_name=column or breadcrumb_column(soup, index),
        text=visible_text(_content_root(soup, index)),
        links=links_from_soup(soup, url, index),
    )
