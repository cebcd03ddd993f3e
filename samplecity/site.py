"""Builds the whole sample city once, at start: a table of request targets -> prepared responses."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Callable
from urllib.parse import parse_qsl, urlsplit
from datetime import date, datetime, time, timedelta, timezone
from email.utils import format_datetime
from html import escape

from . import data, files, generate, upstream
from .generate import Doc
from .model import Department, Endpoint, Link
from .styles import STYLES, Item, Planted, Style, TreeNode
from .styles.fjtrs import ENDPOINT_LAYOUTS, API_PATH, PROXY_PATH, FjtrsStyle, api_answer, channel_id, proxy_answer
from .urls import canon, is_fetchable, request_key

_CST = timezone(timedelta(hours=8))
_HTML_UTF8 = "text/html; charset=utf-8"


@dataclass(frozen=True)
class Resource:
    status: int
    body: bytes
    content_type: str
    last_modified: datetime
    headers: tuple[tuple[str, str], ...] = ()
    delay: float = 0.0
    head_status: int | None = None  # HEAD gets this status (and the 404/405 page headers) instead

    def header_list(self) -> list[tuple[str, str]]:
        moment = self.last_modified.replace(tzinfo=self.last_modified.tzinfo or _CST)
        return [
            ("Content-Type", self.content_type),
            ("Content-Length", str(len(self.body))),
            ("Last-Modified", format_datetime(moment.astimezone(timezone.utc), usegmt=True)),
            *self.headers,
        ]


@dataclass
class Site:
    base_url: str
    anchor: date
    refused_port: int
    routes: dict[str, Resource] = field(default_factory=dict)
    #: department id -> [(kind, canonical path)], kind = root | column | doc: the pages a crawl covers
    pages: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    docs: dict[str, list[Doc]] = field(default_factory=dict)
    not_found: Resource | None = None
    #: POST data endpoints (path -> answer(query and form fields)), as script-driven CMS lists call them
    posts: dict[str, Callable[[dict[str, str]], Resource | None]] = field(default_factory=dict)

    def post(self, target: str, body: bytes) -> Resource:
        parts = urlsplit(target)
        handler = self.posts.get(canon(parts.path))
        fields = dict(parse_qsl(parts.query))
        fields.update(parse_qsl(body.decode("utf-8", "replace")))
        answer = handler(fields) if handler is not None else None
        assert self.not_found is not None
        return answer or self.not_found

    def lookup(self, target: str) -> Resource:
        resource = self.routes.get(request_key(target))
        assert self.not_found is not None
        return resource or self.not_found

    def add(self, path: str, resource: Resource) -> None:
        key = canon(path)
        if key in self.routes:
            raise ValueError(f"sample city: two resources at {path}")
        self.routes[key] = resource


def error_page(status: int, title: str, message: str) -> bytes:
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
        f"<title>{status} {escape(title)}</title></head><body><h1>{status} {escape(title)}</h1>"
        f'<p>{escape(message)}</p><p><a href="/">返回首页</a></p></body></html>\n'
    ).encode()


def _simple_page(title: str, message: str) -> bytes:
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title></head><body><h1>{escape(title)}</h1>"
        f'<p>{escape(message)}</p><p><a href="/">返回示例市人民政府</a></p></body></html>\n'
    ).encode()


_ERRORS = {
    404: ("Not Found", "抱歉，您访问的页面不存在或已被删除。"),
    405: ("Method Not Allowed", "请求方法不被允许。"),
    410: ("Gone", "该信息已被撤销，不再公开。"),
    500: ("Internal Server Error", "服务器内部错误，请稍后再试。"),
}


def build_site(base_url: str, anchor: date, refused_port: int) -> Site:
    site = Site(base_url=base_url, anchor=anchor, refused_port=refused_port)
    midnight = datetime.combine(anchor, time(0, 0))
    site.not_found = Resource(404, error_page(404, *_ERRORS[404]), _HTML_UTF8, midnight)
    endpoints = {e.url: e for e in data.ENDPOINTS}
    for link in data.LINKS:
        if link.url not in endpoints:
            raise ValueError(f"sample city: link to {link.url} has no Endpoint in data.ENDPOINTS")
    for dept in data.DEPARTMENTS:
        _DepartmentBuilder(site, dept, anchor, [lnk for lnk in data.LINKS if lnk.dept == dept.id]).build()
    _build_upstream(site, anchor)
    for endpoint in data.ENDPOINTS:
        if is_served(endpoint):
            site.add(endpoint.url, _endpoint_resource(endpoint, base_url, midnight - timedelta(days=30)))
    _build_portal(site, midnight)
    return site


def is_served(endpoint: Endpoint) -> bool:
    """Only plain paths get a route; fragments, other hosts and mailto:/javascript: do not."""
    return is_fetchable(endpoint.url) and endpoint.url.startswith("/") and "#" not in endpoint.url


def _endpoint_resource(e: Endpoint, base_url: str, modified: datetime) -> Resource:
    headers: list[tuple[str, str]] = []
    if e.location:
        headers.append(("Location", base_url + canon(e.location)))
        body = _simple_page("页面已移动", "页面已移动。")
        return Resource(e.status, body, _HTML_UTF8, modified, tuple(headers), e.delay, e.head_status)
    if e.disposition:
        headers.append(("Content-Disposition", e.disposition))
    if e.body:
        build, default_type = files.BODIES[e.body]
        return Resource(e.status, build(), e.content_type or default_type, modified, tuple(headers), e.delay,
                        e.head_status)
    if e.soft404:
        body = _simple_page("提示信息", "您访问的页面不存在，可能已被删除或移动。")
    elif e.status in _ERRORS:
        body = error_page(e.status, *_ERRORS[e.status])
    else:
        body = _simple_page(e.title, f"{e.title}服务页面。")
    return Resource(e.status, body, e.content_type or _HTML_UTF8, modified, tuple(headers), e.delay, e.head_status)


class _DepartmentBuilder:
    def __init__(self, site: Site, dept: Department, anchor: date, links: list[Link]) -> None:
        self.site, self.dept, self.anchor = site, dept, anchor
        self.style: Style = STYLES[dept.style](site.base_url)
        self.links = links
        self.columns = generate.walk(dept.columns)
        self.docs = generate.documents(dept, anchor)
        self.by_column: dict[str, list[Doc]] = defaultdict(list)
        for doc in self.docs:
            self.by_column[doc.path].append(doc)
        self.pages: list[tuple[str, str]] = []
        self.static_links: set[str] = set()  # documents linked from a static list or hub page

    def html(self, path: str, markup: str, modified: datetime, kind: str | None = None) -> None:
        style = self.style
        content_type = _HTML_UTF8 if style.declare_charset else "text/html"
        self.site.add(path, Resource(200, markup.encode(style.encoding), content_type, modified))
        if kind:
            self.pages.append((kind, canon(path)))

    def build(self) -> None:
        dept, style = self.dept, self.style
        self._assets()
        planted, items = self._planted()
        tree = self._tree(dept.columns, "")
        newest = max(d.published for d in self.docs)
        latest = [self._item(d) for d in sorted(self.docs, key=lambda d: d.published, reverse=True)[:6]]
        root = style.root_url(dept)
        self.html(root, style.render_root(dept, tree, latest, planted.pop(root, []), root), newest, "root")
        for path, column in self.columns:
            if column.children:
                self._hub(path, column, tree, planted)
            else:
                self._column(path, column, tree, planted, items)
        names = dict((path, column.name) for path, column in self.columns)
        linked = {i.url for i in latest} | self.static_links
        for doc in self.docs:
            markup = style.render_doc(dept, doc, names[doc.path], planted.pop(doc.url, []), doc.url)
            # listed only by a data endpoint or a script: a crawler that follows <a> links alone never sees it
            hidden = doc.column.layout in ENDPOINT_LAYOUTS and doc.url not in linked
            self.html(doc.url, markup, doc.published, "apidoc" if hidden else "doc")
        leftover = sorted(set(planted) | set(items))
        if leftover:
            raise ValueError(f"sample city: planted links on pages that do not exist: {leftover}")
        news_docs = [d for d in self.docs if d.column.family == "gzdt"] or self.docs
        news = [self._item(d) for d in sorted(news_docs, key=lambda d: d.published, reverse=True)[:5]]
        home = f"/{dept.id}/"
        self.html(home, style.render_home(dept, news, home), newest)
        self.html(f"/{dept.id}/wzdt.html", style.render_sitemap(dept, tree, f"/{dept.id}/wzdt.html"), newest)
        self.html(f"/{dept.id}/lxwm.html", style.render_contact(dept, f"/{dept.id}/lxwm.html"), newest)
        self.site.pages[dept.id] = self.pages
        self.site.docs[dept.id] = self.docs

    def _item(self, doc: Doc) -> Item:
        return Item(doc.title, doc.url, doc.published, doc.index_no)

    def _assets(self) -> None:
        for doc in self.docs:
            doc.url = self.style.doc_url(self.dept, doc)
            column = doc.column
            if column.attach_every and doc.index % column.attach_every == 0:
                ext = "pdf" if doc.id % 2 else "docx"
                url = self.style.asset_url(self.dept, doc, 1, ext)
                doc.attachments.append((f"附件：{doc.topic}工作方案.{ext}", url))
                self._file(url, ext, doc.published)
            if column.image_every and doc.index % column.image_every == 0:
                url = self.style.asset_url(self.dept, doc, 2, "png")
                doc.images.append((doc.title, url))
                self._file(url, "png", doc.published)

    def _file(self, url: str, kind: str, modified: datetime) -> None:
        build, content_type = files.BODIES[kind]
        self.site.add(url, Resource(200, build(), content_type, modified))

    def _resolve(self, on: str) -> str:
        kind, _, rest = on.partition(":")
        if kind == "root":
            return self.style.root_url(self.dept)
        if kind == "column":
            path, _, page = rest.partition(":")
            return self.style.column_url(self.dept, path, int(page or 1))
        if kind == "doc":
            path, _, n = rest.rpartition(":")
            docs = self.by_column.get(path, [])
            if int(n) >= len(docs):
                raise ValueError(f"sample city: {self.dept.id} has no document {on}")
            return docs[int(n)].url
        raise ValueError(f"sample city: unknown link position {on!r}")

    def _planted(self) -> tuple[dict[str, list[Planted]], dict[str, list[Item]]]:
        planted: dict[str, list[Planted]] = defaultdict(list)
        items: dict[str, list[Item]] = defaultdict(list)
        for link in self.links:
            page = self._resolve(link.on)
            url = link.url.replace("{refused_port}", str(self.site.refused_port))
            if link.tag == "item":
                items[page].append(Item(link.text, url, datetime.min))
            else:
                planted[page].append(Planted(url, link.text, link.tag))
        return planted, items

    def _tree(self, columns: tuple, parent: str) -> tuple[TreeNode, ...]:
        nodes = []
        for column in columns:
            path = f"{parent}/{column.code}" if parent else column.code
            url = self.style.column_url(self.dept, path, 1)
            nodes.append(TreeNode(column.name, url, self._tree(column.children, path)))
        return tuple(nodes)

    def _hub(self, path: str, column, tree, planted) -> None:
        boxes = []
        for child in column.children:
            child_path = f"{path}/{child.code}"
            docs = self.by_column.get(child_path, [])[:5]
            boxes.append((child.name, self.style.column_url(self.dept, child_path, 1), [self._item(d) for d in docs]))
        url = self.style.column_url(self.dept, path, 1)
        dates = [i.published for _, _, items in boxes for i in items] or [datetime.combine(self.anchor, time())]
        self.static_links.update(i.url for _, _, items in boxes for i in items)
        markup = self.style.render_hub(self.dept, column.name, tree, boxes, planted.pop(url, []), url)
        self.html(url, markup, max(dates), "column")

    def _column(self, path: str, column, tree, planted, extra_items) -> None:
        docs = self.by_column.get(path, [])
        size = self.dept.page_size
        pages = max(1, -(-len(docs) // size))
        extra = {}
        if isinstance(self.style, FjtrsStyle):
            extra = {"total": max(len(docs), column.declares)}
            if column.layout in ENDPOINT_LAYOUTS:  # one static page; the rest behind the endpoint
                self._endpoint(path, column, docs, extra["total"])
                pages = 1
                if column.layout == "hanweb":  # jcms inlines the first pages' records, the rest via the proxy
                    size *= 2
        for page_no in range(1, pages + 1):
            url = self.style.column_url(self.dept, path, page_no)
            chunk = [self._item(d) for d in docs[(page_no - 1) * size: page_no * size]]
            oldest = chunk[-1].published if chunk else datetime.combine(self.anchor, time())
            chunk += [Item(i.title, i.url, oldest) for i in extra_items.pop(url, [])]
            markup = self.style.render_list(
                self.dept, column.name, path, tree, chunk, page_no, pages, (page_no - 1) * size,
                planted.pop(url, []), url, **extra,
            )
            if column.layout != "hanweb":  # jcms rows sit in a script's XML: no <a> a link follower sees
                self.static_links.update(i.url for i in chunk)
            modified = chunk[0].published if chunk else datetime.combine(self.anchor, time())
            self.html(url, markup, modified, "column")
            if column.js:  # the data the list page's script fetches
                feed = [{"url": i.url, "title": i.title, "date": f"{i.published:%Y-%m-%d}"} for i in chunk]
                self.site.add(url.rsplit("/", 1)[0] + "/list.json", Resource(
                    200, json.dumps(feed, ensure_ascii=False).encode(), "application/json; charset=utf-8", modified))


    def _endpoint(self, path: str, column, docs: list[Doc], total: int) -> None:
        """The POST endpoint a TRS-like or Hanweb-like list loads its records from (styles.fjtrs)."""
        style, dept, size = self.style, self.dept, self.dept.page_size
        items = [self._item(d) for d in docs]
        list_page = style.column_url(dept, path, 1)
        modified = items[0].published if items else datetime.combine(self.anchor, time())

        def window(start: int, count: int) -> list[Item]:
            return items[max(0, start): max(0, start) + max(0, min(count, 100))]

        if column.layout == "jspager":  # GET page_<n>.json beside the list page, read by its 下一页 script
            directory = list_page.rsplit("/", 1)[0]
            for n in range(2, -(-len(items) // size) + 1):
                feed = [{"url": i.url, "title": i.title, "date": f"{i.published:%Y-%m-%d}"}
                        for i in items[(n - 1) * size: n * size]]
                self.site.add(f"{directory}/page_{n}.json", Resource(
                    200, json.dumps(feed, ensure_ascii=False).encode(), "application/json; charset=utf-8", modified))
            return
        if column.layout == "trs":
            chnl = str(channel_id(dept, path))

            def answer(form: dict[str, str]) -> Resource | None:
                if form.get("chnlid") != chnl:
                    return None
                page, per = _int(form.get("page"), 1), _int(form.get("prepage"), size)
                body = api_answer(window((page - 1) * per, per), total, self.site.base_url)
                return Resource(200, body, "application/json; charset=utf-8", modified)

            handlers = self.site.posts.setdefault(canon(API_PATH.format(dept=dept.id)), _Dispatch())
        else:
            chnl = str(channel_id(dept, path))

            def answer(form: dict[str, str]) -> Resource | None:
                if form.get("columnid") != chnl:
                    return None
                start, end = _int(form.get("startrecord"), 1), _int(form.get("endrecord"), size)
                body = proxy_answer(style, window(start - 1, end - start + 1), total, list_page)
                return Resource(200, body, "text/xml; charset=utf-8", modified)

            handlers = self.site.posts.setdefault(canon(PROXY_PATH), _Dispatch())
        handlers.answers.append(answer)


class _Dispatch:
    """One endpoint path shared by several columns: the first column that recognises the form answers."""

    def __init__(self) -> None:
        self.answers: list[Callable[[dict[str, str]], Resource | None]] = []

    def __call__(self, form: dict[str, str]) -> Resource | None:
        return next((r for r in (a(form) for a in self.answers) if r is not None), None)


def _int(value: str | None, default: int) -> int:
    return int(value) if value and value.isdigit() and len(value) < 7 else default


def _build_upstream(site: Site, anchor: date) -> None:
    for feed in data.UPSTREAM:
        docs = generate.upstream_documents(feed, anchor)
        for path, (markup, modified) in upstream.render(feed, docs).items():
            site.add(path, Resource(200, markup.encode(), _HTML_UTF8, modified))


def _build_portal(site: Site, midnight: datetime) -> None:
    rows = "".join(
        f'<li><a href="/{d.id}/">{escape(d.name)}</a></li>' for d in data.DEPARTMENTS
    )
    feeds = "".join(f'<li><a href="{canon(f.path)}">{escape(f.name)}</a></li>' for f in data.UPSTREAM)
    portal = (
        '<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8"><title>示例市人民政府门户网站</title>'
        '<link rel="stylesheet" href="/static/css/common.css"></head><body>'
        '<div class="header"><img src="/static/img/guohui.png" alt="国徽"><span>示例市人民政府</span></div>'
        f'<h2>市政府部门</h2><ul class="depts">{rows}</ul><h2>上级文件</h2><ul>{feeds}</ul>'
        '<div class="footer">示例市人民政府办公室主办　示ICP备00000000号</div></body></html>\n'
    )
    site.add("/", Resource(200, portal.encode(), _HTML_UTF8, midnight))
    css = "body{font-family:sans-serif;margin:0}.main{width:1000px;margin:0 auto}.list li span{float:right}\n"
    site.add("/static/css/common.css", Resource(200, css.encode(), "text/css", midnight))
    site.add("/static/img/guohui.png", Resource(200, files.png((204, 0, 0), 8), "image/png", midnight))
    site.add("/robots.txt", Resource(200, b"User-agent: *\nDisallow:\n", "text/plain", midnight))
