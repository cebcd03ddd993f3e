"""Shared HTML helpers for the parsers: tolerant soup, URL resolution, block-aware text, page titles."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Iterable, Iterator
from urllib.parse import urldefrag, urljoin, urlsplit

from bs4 import BeautifulSoup, Comment, NavigableString, PageElement, Tag
from bs4.element import CData, Declaration, Doctype, ProcessingInstruction

_SKIP_SCHEMES = re.compile(r"^\s*(?:javascript|vbscript|mailto|tel|sms|data|about|file|blob)\s*:", re.I)
_URL_JUNK = re.compile(r"[\t\r\n]")
_SPACE = re.compile(r"\s+")
# Elements whose content is not visible text.
INVISIBLE = frozenset({"script", "style", "noscript", "template", "head", "title", "meta", "link",
                       "iframe", "object", "embed", "svg", "select", "option"})
# Elements that end a line of text (so "<td>索引号：</td><td>…</td>" gives two lines).
BLOCKS = frozenset({
    "address", "article", "aside", "blockquote", "body", "br", "caption", "center", "dd", "details",
    "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4",
    "h5", "h6", "header", "hr", "html", "li", "main", "nav", "ol", "p", "pre", "section", "summary",
    "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
})
_BLOCK_END = object()  # marker pushed around block elements while walking the tree
_NON_TEXT = (Comment, CData, Declaration, Doctype, ProcessingInstruction)
_BREADCRUMB_TOKENS = re.compile(
    r"bread|crumb|position|location|dqwz|curpos|current-?path|weizhi|lujing|ljdh|navpath|nav-path|"
    r"nav_path|path", re.I)
_BREADCRUMB_LEAD = re.compile(
    r"^\s*(?:您的(?:当前|现在)位置|您(?:当前|现在|目前)的位置(?:是)?|您?(?:当前|现在|目前)?(?:所在)?的?位置|当前位置|"
    r"您的位置)\s*[:：]?\s*")
_BREADCRUMB_SEP = re.compile(r"\s*(?:>>|&gt;|[>＞»›→]|\s/\s)\s*")
_GENERIC_CRUMBS = frozenset({"正文", "列表", "详情", "内容", "列表页", "详细信息", "信息详情", "文章详情",
                             "正文内容", "阅读"})
# Not a bare "—": "——" is ordinary punctuation inside Chinese titles.
_TITLE_SEP = re.compile(r"\s*(?:_|\||｜|－|\s[-—]\s|--)\s*")
_SITE_NAME = re.compile(
    r".{0,20}(?:人民政府|政府|政府网|门户网|门户网站|网站|政务网|委员会|办公室|中心|[局厅委办市县区镇乡网])"
    r"(?:门户网站|网站|官网|门户)?")


def collapse(text: str | None) -> str:
    """Whitespace runs (incl. full-width spaces and nbsp) to single spaces, stripped."""
    return _SPACE.sub(" ", text or "").strip()


# parse caches keep only short strings: a hostile site's megabyte-long hrefs must not fill memory
CACHE_MAX_CHARS = 2048


def make_soup(html: str) -> BeautifulSoup:
    # NULs make lxml stop reading; hostile pages do contain them.
    return BeautifulSoup((html or "").replace("\x00", ""), "lxml")


class SoupIndex:
    """The tags and the non-empty strings of a parsed page in document order, from one pass.

    They are exactly what ``soup.find_all(...)`` visits, so page-wide searches become list scans instead of
    one bs4 matcher run (slow per element) each. Build it again after changing the tree.
    """

    __slots__ = ("tags", "strings", "_by_name")

    def __init__(self, soup: Tag) -> None:
        tags: list[Tag] = []
        strings: list[NavigableString] = []
        for node in soup.descendants:
            if isinstance(node, Tag):
                tags.append(node)
            elif node:  # find_all(string=…) skips empty strings
                strings.append(node)  # type: ignore[arg-type]
        self.tags = tags
        self.strings = strings
        self._by_name: dict[str, list[Tag]] | None = None

    def _names(self) -> dict[str, list[Tag]]:
        if self._by_name is None:
            by_name: dict[str, list[Tag]] = {}
            for tag in self.tags:
                found = by_name.get(tag.name)
                if found is None:
                    by_name[tag.name] = [tag]
                else:
                    found.append(tag)
            self._by_name = by_name
        return self._by_name

    def named(self, *names: str, attr: str | None = None) -> list[Tag]:
        """``soup.find_all(names)`` (``soup.find_all(names, attr=True)`` with attr), in document order."""
        if len(names) == 1:
            found = self._names().get(names[0], [])
        else:
            wanted = frozenset(names)
            found = [tag for tag in self.tags if tag.name in wanted]
        if attr is None:
            return list(found)
        return [tag for tag in found if tag.get(attr) is not None]

    def first(self, name: str, attr: str | None = None) -> Tag | None:
        """``soup.find(name)`` (``soup.find(name, attr=True)`` with attr); ``first("body")`` is ``soup.body``."""
        for tag in self._names().get(name, ()):
            if attr is None or tag.get(attr) is not None:
                return tag
        return None


def base_url(soup: BeautifulSoup, url: str, index: SoupIndex | None = None) -> str:
    """The URL relative links resolve against: ``<base href>`` (itself relative to url) or url."""
    base = (index or SoupIndex(soup)).first("base", "href")
    if isinstance(base, Tag):
        resolved = abs_url(url, str(base.get("href") or ""), schemes=("http", "https"))
        if resolved:
            return resolved
    return url


def abs_url(base: str, href: str | None, *, schemes: Iterable[str] = ("http", "https")) -> str | None:
    """Absolute URL without fragment, or None for empty, "#…", javascript:, mailto: … and bad URLs."""
    if href is None:
        return None
    href = str(href)
    if type(schemes) is tuple and len(href) + len(base) <= CACHE_MAX_CHARS:
        return _abs_url_cached(base, href, schemes)
    return _abs_url(base, href, schemes)


@lru_cache(maxsize=8192)
def _abs_url_cached(base: str, href: str, schemes: tuple[str, ...]) -> str | None:
    # A page resolves the same menu, pager and sibling links again and again; urljoin is the costly part.
    return _abs_url(base, href, schemes)


def _abs_url(base: str, href: str, schemes: Iterable[str]) -> str | None:
    href = _URL_JUNK.sub("", href).strip().strip("\u3000\xa0")
    if not href or href.startswith("#") or _SKIP_SCHEMES.match(href):
        return None
    href = href.replace("\\", "/")  # browsers read backslashes in http URLs as slashes
    try:
        joined = urldefrag(urljoin(base, href))[0]
        scheme = urlsplit(joined).scheme.lower()
        netloc = urlsplit(joined).netloc
    except ValueError:
        return None
    if scheme not in schemes or not netloc:
        return None
    return joined


def class_tokens(tag: Tag) -> str:
    """id and class of a tag as one lowercase string for token matching."""
    attrs = tag.attrs
    if "class" not in attrs and "id" not in attrs:
        return ""  # most tags: skip building and lowercasing an empty string
    classes = tag.get("class") or []
    if isinstance(classes, str):
        classes = [classes]
    return " ".join([str(tag.get("id") or ""), *map(str, classes)]).lower()


ELEMENT_MARK = "\ue000"  # private-use character: "an inline element starts here" (not whitespace)


def iter_text_lines(root: Tag, *, mark_elements: bool = False) -> Iterator[str]:
    """Visible text of root as lines: block elements and <br> end a line; lines are collapsed.

    With mark_elements, ELEMENT_MARK is put where each inline element starts, so that
    "<span>发文机关：示例省人民政府</span><span>文号：…</span>" still shows where "文号" begins.
    """
    buffer: list[str] = []
    stack: list[object] = [root]
    while stack:
        node = stack.pop()
        if node is _BLOCK_END:
            line = collapse("".join(buffer))
            buffer.clear()
            if line.replace(ELEMENT_MARK, "").strip():
                yield line
            continue
        if isinstance(node, NavigableString):
            if not isinstance(node, _NON_TEXT):
                buffer.append(str(node))
            continue
        if not isinstance(node, Tag) or node.name in INVISIBLE:
            continue
        is_block = node.name in BLOCKS
        if is_block:
            stack.append(_BLOCK_END)
        elif mark_elements:
            buffer.append(ELEMENT_MARK)
        stack.extend(reversed(node.contents))
        if is_block:
            stack.append(_BLOCK_END)
    line = collapse("".join(buffer))
    if line.replace(ELEMENT_MARK, "").strip():
        yield line


def walk(root: Tag, *, skip_invisible: bool = False, stop_at: frozenset[str] = frozenset()) -> Iterator[PageElement]:
    """Descendants of root in document order, lazily; the walk ends at the first tag named in stop_at.

    bs4's own ``descendants``/``find`` first locate the subtree's last node, which makes every call cost the
    whole subtree; on hostile pages (thousands of nested, unclosed tags) that turns parsing quadratic.
    """
    stack: list[Iterator[PageElement]] = [iter(root.contents)]
    while stack:
        for node in stack[-1]:
            if isinstance(node, Tag):
                if node.name in stop_at:
                    return
                yield node
                if node.contents and not (skip_invisible and node.name in INVISIBLE):
                    stack.append(iter(node.contents))
                    break  # go down; this level's iterator resumes after the subtree
            else:
                yield node
        else:
            stack.pop()


def first_tag(root: Tag, names: Iterable[str], *, attr: str | None = None,
              stop_at: frozenset[str] = frozenset()) -> Tag | None:
    """The first descendant tag named one of names (having attr, if given)."""
    wanted = frozenset(names)
    for node in walk(root, stop_at=stop_at):
        if isinstance(node, Tag) and node.name in wanted and (attr is None or node.get(attr) is not None):
            return node
    return None


def tags_within(root: Tag, names: Iterable[str], *, attr: str | None = None, limit: int) -> list[Tag]:
    """Up to limit descendant tags named one of names (having attr, if given), in document order."""
    wanted = frozenset(names)
    found: list[Tag] = []
    for node in walk(root):
        if isinstance(node, Tag) and node.name in wanted and (attr is None or node.get(attr) is not None):
            found.append(node)
            if len(found) >= limit:
                break
    return found


def text_strings(root: Tag, limit: int = 500) -> list[NavigableString]:
    """Up to limit visible text nodes of root."""
    found: list[NavigableString] = []
    stack: list[Iterator[PageElement]] = [iter(root.contents)]  # walk(root, skip_invisible=True), inlined
    while stack:
        for node in stack[-1]:
            if isinstance(node, Tag):
                if node.contents and node.name not in INVISIBLE:
                    stack.append(iter(node.contents))
                    break
            elif isinstance(node, NavigableString) and not isinstance(node, _NON_TEXT):
                found.append(node)
                if len(found) >= limit:
                    return found
        else:
            stack.pop()
    return found


LINK_TEXT_STOP = frozenset({"a"})  # a link nested in a link ends the outer one, as in browsers


def capped_text(root: Tag, limit: int, *, stop_at: frozenset[str] = frozenset()) -> str:
    """The start of root's visible text, reading no more of the tree than needed for limit characters
    (and at most a few nodes per character: empty nested tags do not count as text)."""
    return collapse(" ".join(_capped_parts(root, 4 * limit + 100, limit * 2 + 64, stop_at)))[:limit]


def _capped_parts(root: Tag, budget: int, enough: int, stop_at: frozenset[str]) -> list[str]:
    """The text nodes among the first budget nodes of ``walk(root, skip_invisible=True, stop_at=stop_at)``,
    until their length exceeds enough: walk inlined, as this runs for every anchor, row and box."""
    parts: list[str] = []
    size = 0
    stack: list[Iterator[PageElement]] = [iter(root.contents)]
    while stack:
        for node in stack[-1]:
            if budget <= 0:
                return parts
            if isinstance(node, Tag):
                if node.name in stop_at:
                    return parts
                budget -= 1
                if node.contents and node.name not in INVISIBLE:
                    stack.append(iter(node.contents))
                    break
            else:
                budget -= 1
                if isinstance(node, NavigableString) and not isinstance(node, _NON_TEXT):
                    parts.append(str(node))
                    size += len(node)
                    if size > enough:
                        return parts
        else:
            stack.pop()
    return parts


def text_sizes(root: Tag) -> dict[int, int]:
    """Visible non-space characters under every tag of root, keyed by ``id(tag)``, in one pass."""
    sizes: dict[int, int] = {}
    stack: list[tuple[Tag, bool]] = [(root, False)]
    while stack:
        tag, done = stack.pop()
        if done:
            total = 0
            for child in tag.contents:
                if isinstance(child, Tag):
                    total += sizes.get(id(child), 0)
                elif isinstance(child, NavigableString) and not isinstance(child, _NON_TEXT):
                    total += len(_SPACE.sub("", str(child)))
            sizes[id(tag)] = total
            continue
        if tag.name in INVISIBLE:
            sizes[id(tag)] = 0
            continue
        stack.append((tag, True))
        stack.extend((child, False) for child in tag.contents if isinstance(child, Tag))
    return sizes


def visible_text(root: Tag | None) -> str:
    """Visible text of root, whitespace-collapsed to one line."""
    if root is None:
        return ""
    return collapse(" ".join(iter_text_lines(root)))


def breadcrumb(soup: BeautifulSoup, index: SoupIndex | None = None) -> Tag | None:
    """The "当前位置：首页 > … > 栏目" element, by class/id or by its leading words."""
    index = index or SoupIndex(soup)
    candidates: list[Tag] = []
    for tag in index.tags:
        if tag.name in INVISIBLE or tag.name in ("html", "body"):
            continue
        tokens = class_tokens(tag)
        if tokens.strip() and _BREADCRUMB_TOKENS.search(tokens):
            candidates.append(tag)
    for tag in candidates[:20]:
        text = capped_text(tag, 201)
        if 0 < len(text) <= 200:
            return tag
    # TRS templates mark the breadcrumb's links themselves: <a class="CurrChnlCls">
    for link in index.named("a"):
        if "currchnlcls" in class_tokens(link).split():
            parent = link.parent
            while parent is not None and parent.name not in BLOCKS:
                parent = parent.parent
            if isinstance(parent, Tag) and len(capped_text(parent, 201)) <= 200:
                return parent
            break
    for string in [s for s in index.strings if _BREADCRUMB_LEAD.search(s)]:
        parent = string.parent
        while parent is not None and parent.name not in BLOCKS:
            parent = parent.parent
        # "您的当前位置" alone in a cell, the links in the next one: the row holds both
        node = parent
        for _ in range(2):
            if not isinstance(node, Tag) or first_tag(node, ("a",), attr="href") is not None:
                break
            up = node.parent
            if not isinstance(up, Tag) or up.name in ("body", "html") or len(capped_text(up, 201)) > 200:
                break
            node = up
        if isinstance(node, Tag) and node is not parent and first_tag(node, ("a",), attr="href") is not None:
            parent = node
        if isinstance(parent, Tag) and len(capped_text(parent, 201)) <= 200:
            return parent
    return _home_trail(index)


_HOME = frozenset({"首页", "网站首页", "首 页", "主页", "返回首页"})
_TRAIL_SEP = re.compile(r"^\s*(?:>>?|&gt;|[>＞»›→]+|/)\s*$")


def _home_trail(index: SoupIndex) -> Tag | None:
    """A breadcrumb with neither name nor leading words: a short block whose first link is 首页 and whose
    links are separated by ">"-like marks ("网站首页 > 政务公开 > 万载要闻")."""
    for link in index.named("a", attr="href"):
        if capped_text(link, 6) not in _HOME:
            continue
        parent = link.parent
        while parent is not None and parent.name not in BLOCKS:
            parent = parent.parent
        if not isinstance(parent, Tag) or len(capped_text(parent, 201)) > 200:
            continue
        links = tags_within(parent, ("a",), attr="href", limit=12)
        if len(links) < 2 or links[0] is not link:
            continue
        between = links[0].next_sibling
        text = ""
        while between is not None and between is not links[1]:
            text += str(between.get_text() if isinstance(between, Tag) else between)
            between = between.next_sibling
        if _TRAIL_SEP.match(text.replace("\xa0", " ")):
            return parent
    return None


def breadcrumb_parts(tag: Tag) -> list[str]:
    """The steps of a breadcrumb: split at its separators, or, when it has none (links in <li>s or side by
    side), one step per link and per text after the last link."""
    text = _BREADCRUMB_LEAD.sub("", visible_text(tag))
    parts = [p.strip() for p in _BREADCRUMB_SEP.split(text) if p.strip()]
    links = tags_within(tag, ("a",), limit=20)
    if len(parts) > 1 or len(links) < 2:
        return parts
    steps = [t for t in (capped_text(a, 60) for a in links) if t]
    tail = links[-1].next_sibling
    trailing: list[str] = []
    while tail is not None:
        if isinstance(tail, Tag):
            trailing.append(visible_text(tail))
        elif isinstance(tail, NavigableString) and not isinstance(tail, _NON_TEXT):
            trailing.append(str(tail))
        tail = tail.next_sibling
    last = collapse(" ".join(trailing))
    return steps + ([last] if last else [])


# Page tools some templates put in the breadcrumb's line (gov.cn: "2007年第23号 字号：默认 大 超大 | 打印 |").
_TOOLBAR = re.compile(r"\s*(?:【?\s*字号\s*[:：]|【?\s*字体\s*[:：]|【?\s*打印\s*】?\s*[|｜]|\|\s*打印|【\s*关闭|分享到\s*[:：]?)")


def breadcrumb_column(soup: BeautifulSoup, index: SoupIndex | None = None) -> str | None:
    """The last specific element of the breadcrumb ("正文" and the like skipped)."""
    tag = breadcrumb(soup, index)
    if tag is None:
        return None
    parts = [_TOOLBAR.split(p, 1)[0].strip() for p in breadcrumb_parts(tag)]
    parts = [p for p in parts if p and p not in _GENERIC_CRUMBS]
    if len(parts) >= 1 and not (len(parts) == 1 and parts[0] in ("首页", "网站首页")):
        return parts[-1]
    return None


# <meta> names that carry the column a page belongs to: the government-site metadata standard's ColumnName,
# and the names some CMSs use instead.
_COLUMN_METAS = ("columnname", "lanmu", "lanmuname", "column", "channelname", "chnlname", "catalogname")
_NOT_A_NAME = re.compile(r"^(?:null|none|undefined|nil|n/?a|-+)$|\$\{|<%|\{\{|#\{|<[A-Za-z]", re.I)


def meta_column(index: SoupIndex) -> str | None:
    """The column name the page's own metadata gives (``<meta name="ColumnName" content="…">``)."""
    found: dict[str, str] = {}
    site = ""
    for tag in index.named("meta"):
        name = str(tag.get("name") or tag.get("property") or "").strip().lower()
        content = collapse(str(tag.get("content") or ""))
        if name == "sitename":
            site = content
        elif name in _COLUMN_METAS and name not in found:
            found[name] = content
    for name in _COLUMN_METAS:
        value = found.get(name, "")
        if value and len(value) <= 40 and not _NOT_A_NAME.search(value) and value != site:
            return value
    return None


def looks_like_site_name(text: str) -> bool:
    """"示例市人民政府", "示例市发展和改革委员会门户网站": a site's name rather than a page's."""
    return bool(_SITE_NAME.fullmatch(collapse(text)))


def clean_title(raw: str | None) -> str | None:
    """A <title> without the site name: "通知公告_示例市人民政府" → "通知公告"."""
    text = collapse(raw)
    if not text:
        return None
    parts = [p for p in _TITLE_SEP.split(text) if p]
    if len(parts) <= 1:
        # Weaker separators ("工作动态-示例市应急管理局", Hanweb's "站名 栏目 标题") only next to a site name.
        for weak in ("-", " "):
            parts = [p for p in text.split(weak) if p]
            if len(parts) > 1 and (looks_like_site_name(parts[0]) or looks_like_site_name(parts[-1])):
                break
        else:
            return text
    if looks_like_site_name(parts[0]) and not looks_like_site_name(parts[-1]):
        return parts[-1]  # "site - section - page" order
    return parts[0]


def page_title(soup: BeautifulSoup, index: SoupIndex | None = None) -> str | None:
    tag = (index or SoupIndex(soup)).first("title")
    return collapse(tag.get_text()) or None if isinstance(tag, Tag) else None


def ancestors_or_self(tag: Tag) -> Iterator[Tag]:
    node: Tag | None = tag
    while isinstance(node, Tag):
        yield node
        node = node.parent
