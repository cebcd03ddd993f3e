"""Pagination that lives in scripts: TRS ``createPageHTML(…)``, page-count variables, Hanweb jcms jpage."""

from __future__ import annotations

import math
import re
from urllib.parse import parse_qsl, urlsplit, urlunsplit

MAX_PAGES = 2000  # a hostile "共99999999页" must not explode into millions of URLs

_CREATE_PAGE = re.compile(r"createPageHTML\s*\(([^()]*)\)")
_TOTAL_VARS = re.compile(
    r"\b(?:countPage|totalPage|totalPages|pageTotal|total_page|totalpage|maxPage)\s*[:=]\s*[\"']?(\d{1,6})")
_HANWEB_TOTAL = re.compile(r"\btotalRecord\s*[:=]\s*[\"']?(\d{1,7})", re.I)
_HANWEB_PER_PAGE = re.compile(r"\bperPage\s*[:=]\s*[\"']?(\d{1,4})", re.I)
_HANWEB_JPAGE = re.compile(r"""\$\(\s*["']#(\d+)["']\s*\)\s*\.jpage""")
_HANWEB_UNIT = re.compile(r"[?&]unitid=(\d+)", re.I)


def _int_arg(token: str, scripts: str) -> int | None:
    """A literal number, or the number a variable of that name is set to (``var countPage = 5``)."""
    token = token.strip().strip("\"'")
    if token.isdigit():
        return int(token)
    if re.fullmatch(r"[A-Za-z_$][\w$]*", token):
        m = re.search(r"\b" + re.escape(token) + r"\s*=\s*[\"']?(\d{1,6})", scripts)
        if m:
            return int(m.group(1))
    return None


def create_page_html(scripts: str) -> tuple[int, int, str, str] | None:
    """(page count, current index, name, extension) of a TRS ``createPageHTML`` call.

    Both ``createPageHTML(5, 0, "index", "html")`` and the newer ``createPageHTML('page_div', 5, 0, 'index',
    'html', 75)``; page 0 is ``index.html``, page k is ``index_k.html``.
    """
    for m in _CREATE_PAGE.finditer(scripts):
        args = [a.strip() for a in m.group(1).split(",")]
        if args and args[0][:1] in "\"'" and len(args) >= 5:
            args = args[1:]  # the pager's div id comes first
        if len(args) < 4 or not (args[2][:1] in "\"'" and args[3][:1] in "\"'"):
            continue  # the function's own definition, not a call
        total, current = _int_arg(args[0], scripts), _int_arg(args[1], scripts)
        stem, ext = args[2].strip("\"' "), args[3].strip("\"' ")
        if total is not None and current is not None and re.fullmatch(r"\w+", stem) and re.fullmatch(r"\w+", ext):
            return total, current, stem, ext
    return None


def script_total(scripts: str) -> int | None:
    """A page count set in a script (``var countPage = 5``, ``totalPage: 12``)."""
    m = _TOTAL_VARS.search(scripts)
    return int(m.group(1)) if m else None


def hanweb_pages(scripts: str, url: str) -> list[str]:
    """Hanweb jcms: records in ``<script type="text/xml">``, ``$('#uid').jpage({perPage, totalRecord})``,
    static pages at ``index.html?uid=…&pageNum=N``. Other pages than url's, in order."""
    if "jpage" not in scripts.lower():
        return []
    total, per_page = _HANWEB_TOTAL.search(scripts), _HANWEB_PER_PAGE.search(scripts)
    unit = _HANWEB_JPAGE.search(scripts) or _HANWEB_UNIT.search(scripts)
    if not (total and per_page and unit) or int(per_page.group(1)) == 0:
        return []
    count = min(math.ceil(int(total.group(1)) / int(per_page.group(1))), MAX_PAGES)
    parts = urlsplit(url)
    page_now = dict(parse_qsl(parts.query)).get("pageNum", "1")
    path = urlunsplit(parts[:3] + ("", ""))
    return [f"{path}?uid={unit.group(1)}&pageNum={n}" for n in range(1, count + 1) if str(n) != page_now]


# Pager words only: "totalCount"/"total" also count visits, comments and search hits on many pages.
_RECORD_VARS = re.compile(
    r"\b(?:recordCount|totalRecords?|recordTotal|record_count|total_record|totalRecordNum)\s*[\"']?\s*[:=]\s*"
    r"[\"']?(\d{1,7})\b", re.I)
_PER_PAGE_VARS = re.compile(
    r"\b(?:prepage|perPage|per_page|pageSize|page_size|pagesize|perpage)\s*[\"']?\s*[:=]\s*[\"']?"
    r"(\d{1,4})\b")
_RECORD_TEXT = (
    re.compile(r"共\s*有?\s*(\d{1,7})\s*(?:条|项|篇|个)"), re.compile(r"(?:总记录数|总条数|记录总数|信息总数)\s*[:：]?\s*(\d{1,7})"),
    re.compile(r"(\d{1,7})\s*条记录"),
)


_PAGER_WORDS = re.compile(r"页|记录|条信息|条数据|首页|尾页")
_NEAR = 30


def declared_records(text: str, scripts: str) -> int | None:
    """How many records the list says it has: "共107条" in its text, recordCount/totalRecord in its scripts."""
    for pattern in _RECORD_TEXT:
        for m in pattern.finditer(text):
            # "共107条" of a pager, not "共3个工作日" of some notice: pager words nearby
            if _PAGER_WORDS.search(text[max(0, m.start() - _NEAR): m.end() + _NEAR]):
                return int(m.group(1))
    m = _RECORD_VARS.search(scripts)
    if m:
        return int(m.group(1))
    return create_page_records(scripts)


def create_page_records(scripts: str) -> int | None:
    """The record count the newer TRS call passes last: ``createPageHTML('page_div', 5, 0, 'index', 'html', 75)``."""
    for m in _CREATE_PAGE.finditer(scripts):
        args = [a.strip() for a in m.group(1).split(",")]
        if len(args) >= 6 and args[0][:1] in "\"'" and args[3][:1] in "\"'" and args[4][:1] in "\"'":
            value = _int_arg(args[5], scripts)
            if value is not None:
                return value
    return None


def declared_per_page(scripts: str) -> int | None:
    """Records per page a script pager is set up with (prepage, perPage, pageSize …), if it says."""
    for m in _PER_PAGE_VARS.finditer(scripts):
        value = int(m.group(1))
        if 0 < value <= 500:
            return value
    return None
