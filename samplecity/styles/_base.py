"""What every CMS style shares: the page shell, the column tree, related links, home and service pages.

A style decides URLs, how hrefs are written, date formats, the list markup, the pager and the
document metadata block; everything else is here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from html import escape

from ..generate import Doc, walk
from ..model import Department
from ..urls import canon, relative


@dataclass(frozen=True)
class Item:
    """One entry of a column list."""

    title: str
    url: str  # unencoded or canonical path
    published: datetime
    index_no: str = ""


@dataclass(frozen=True)
class Planted:
    url: str
    text: str
    tag: str  # a | img | attachment (items are merged into lists by the site)


@dataclass(frozen=True)
class TreeNode:
    name: str
    url: str
    children: tuple[TreeNode, ...] = ()


def esc(text: str) -> str:
    return escape(text, quote=True)


class Style:
    key = "base"
    encoding = "utf-8"
    declare_charset = True  # charset in the Content-Type header and a <meta charset>
    title_limit = 26  # list titles longer than this are cut with "…" (the full title stays in title=)
    href_mode = "root"  # root | relative | absolute

    def __init__(self, base_url: str) -> None:
        self.base = base_url

    # --- URLs (unencoded paths) ---------------------------------------------------------------
    def root_url(self, dept: Department) -> str:
        return f"/{dept.id}/zwgk/"

    def column_url(self, dept: Department, path: str, page: int) -> str:
        raise NotImplementedError

    def doc_url(self, dept: Department, doc: Doc) -> str:
        raise NotImplementedError

    def asset_url(self, dept: Department, doc: Doc, n: int, ext: str) -> str:
        raise NotImplementedError

    def href(self, url: str, page: str) -> str:
        """How `url` is written in an attribute on `page` (both unencoded or canonical)."""
        target, page = canon(url), canon(page)
        if self.href_mode == "relative":
            target = relative(target, page)
        elif self.href_mode == "absolute" and target.startswith("/"):
            target = self.base + target
        return esc(target)

    # --- formats ------------------------------------------------------------------------------
    def date(self, day: date | datetime) -> str:
        return f"{day:%Y-%m-%d}"

    def datetime(self, moment: datetime) -> str:
        return f"{moment:%Y-%m-%d %H:%M}"

    def short_title(self, title: str) -> str:
        return title if len(title) <= self.title_limit else title[: self.title_limit - 1] + "…"

    # --- building blocks ----------------------------------------------------------------------
    def shell(self, dept: Department, title: str, page: str, main: str, head: str = "") -> str:
        h = lambda url: self.href(url, page)  # noqa: E731
        charset = '<meta charset="utf-8">\n' if self.declare_charset else ""
        return (
            f'<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n{charset}'
            '<meta http-equiv="X-UA-Compatible" content="IE=edge">\n'
            f"<title>{esc(title)}_{esc(dept.name)}</title>\n"
            f'<link rel="stylesheet" href="{h("/static/css/common.css")}">\n{head}</head>\n<body>\n'
            f'<div class="header"><a href="{h(f"/{dept.id}/")}"><img src="{h("/static/img/guohui.png")}" '
            f'alt="国徽"></a><span class="site-name">{esc(dept.name)}</span></div>\n'
            f'<div class="topnav"><a href="{h("/")}">示例市人民政府</a><a href="{h(f"/{dept.id}/")}">首页</a>'
            f'<a href="{h(self.root_url(dept))}">政府信息公开</a></div>\n'
            f'<div class="main">\n{main}\n</div>\n'
            f'<div class="footer"><a href="{h(f"/{dept.id}/wzdt.html")}">网站地图</a> | '
            f'<a href="{h(f"/{dept.id}/lxwm.html")}">联系我们</a>'
            f"<p>主办单位：{esc(dept.name)}　示ICP备00000000号</p></div>\n</body>\n</html>\n"
        )

    def crumbs(self, dept: Department, page: str, *trail: tuple[str, str]) -> str:
        links = [(f"/{dept.id}/", "首页"), (self.root_url(dept), "政府信息公开"), *trail]
        parts = [f'<a href="{self.href(url, page)}">{esc(name)}</a>' for url, name in links]
        return f'<div class="crumbs">当前位置：{" &gt; ".join(parts)}</div>'

    def tree(self, nodes: tuple[TreeNode, ...], page: str) -> str:
        def render(items: tuple[TreeNode, ...]) -> str:
            out = []
            for node in items:
                sub = f"<ul>{render(node.children)}</ul>" if node.children else ""
                out.append(f'<li><a href="{self.href(node.url, page)}">{esc(node.name)}</a>{sub}</li>')
            return "".join(out)

        return f'<div class="xxgk-nav"><h3>政府信息公开目录</h3><ul class="tree">{render(nodes)}</ul></div>'

    def side_links(self, planted: list[Planted], page: str) -> str:
        if not planted:
            return ""
        rows = []
        for link in planted:
            if link.tag == "img":
                rows.append(f'<li><img src="{self.href(link.url, page)}" alt="{esc(link.text)}"></li>')
            else:
                rows.append(f'<li><a href="{self.href(link.url, page)}">{esc(link.text)}</a></li>')
        return f'<div class="side-links"><h3>相关链接</h3><ul>{"".join(rows)}</ul></div>'

    def simple_list(self, items: list[Item], page: str) -> str:
        rows = "".join(
            f'<li><a href="{self.href(i.url, page)}" title="{esc(i.title)}">{esc(self.short_title(i.title))}</a>'
            f"<span>{self.date(i.published)}</span></li>"
            for i in items
        )
        return f'<ul class="news">{rows}</ul>'

    # --- pages --------------------------------------------------------------------------------
    def render_root(self, dept: Department, tree: tuple[TreeNode, ...], latest: list[Item],
                    planted: list[Planted], page: str) -> str:
        main = (
            self.crumbs(dept, page)
            + f'<div class="left">{self.tree(tree, page)}{self.side_links(planted, page)}</div>'
            + '<div class="right"><div class="intro"><h2>政府信息公开</h2>'
            f"<p>{esc(dept.name)}依据《中华人民共和国政府信息公开条例》主动公开政府信息。"
            "公民、法人和其他组织可通过本栏目查阅本机关主动公开的政府信息。</p></div>"
            f'<div class="latest"><h3>最新信息</h3>{self.simple_list(latest, page)}</div></div>'
        )
        return self.shell(dept, "政府信息公开", page, main)

    def render_hub(self, dept: Department, name: str, tree: tuple[TreeNode, ...],
                   boxes: list[tuple[str, str, list[Item]]], planted: list[Planted], page: str) -> str:
        parts = []
        for box_name, url, items in boxes:
            parts.append(
                f'<div class="sub-column"><h3><a href="{self.href(url, page)}">{esc(box_name)}</a></h3>'
                f'{self.simple_list(items, page)}<a class="more" href="{self.href(url, page)}">更多&gt;&gt;</a></div>'
            )
        main = (
            self.crumbs(dept, page, (page, name))
            + f'<div class="left">{self.tree(tree, page)}{self.side_links(planted, page)}</div>'
            + f'<div class="right"><h2 class="column-title">{esc(name)}</h2>{"".join(parts)}</div>'
        )
        return self.shell(dept, name, page, main)

    def render_list(self, dept: Department, name: str, path: str, tree: tuple[TreeNode, ...],
                    items: list[Item], page_no: int, pages: int, offset: int,
                    planted: list[Planted], page: str) -> str:
        first = self.column_url(dept, path, 1)
        column = dict(walk(dept.columns)).get(path)
        note = column.note if column is not None and column.note else "暂无信息"
        body = self.list_html(items, page, offset) if items else f'<p class="empty">{esc(note)}</p>'
        if column is not None and column.js:  # the entries arrive from list.json once a browser runs this
            body = JS_LIST
        main = (
            self.crumbs(dept, page, (first, name))
            + f'<div class="left">{self.tree(tree, page)}{self.side_links(planted, page)}</div>'
            + f'<div class="right"><h2 class="column-title">{esc(name)}</h2>{body}'
            + self.pager_html(dept, path, page_no, pages, page)
            + "</div>"
        )
        return self.shell(dept, name, page, main)

    def list_html(self, items: list[Item], page: str, offset: int) -> str:
        raise NotImplementedError



    def pager_html(self, dept: Department, path: str, page_no: int, pages: int, page: str) -> str:
        raise NotImplementedError

    def render_doc(self, dept: Department, doc: Doc, column_name: str, planted: list[Planted],
                   page: str) -> str:
        h = lambda url: self.href(url, page)  # noqa: E731
        paragraphs = [f"<p>{esc(p)}</p>" for p in doc.paragraphs]
        images = [(alt, url) for alt, url in doc.images] + [(p.text, p.url) for p in planted if p.tag == "img"]
        for alt, url in images:
            paragraphs.insert(1, f'<p style="text-align:center"><img src="{h(url)}" alt="{esc(alt)}"></p>')
        for p in planted:
            if p.tag == "video":
                paragraphs.insert(1, f'<p style="text-align:center"><video controls src="{h(p.url)}" '
                                     f'title="{esc(p.text)}"></video></p>')
        files = doc.attachments + [(p.text, p.url) for p in planted if p.tag == "attachment"]
        attach = ""
        if files:
            rows = "".join(f'<li><a href="{h(url)}">{esc(text)}</a></li>' for text, url in files)
            attach = f'<div class="attachments"><p>附件：</p><ul>{rows}</ul></div>'
        related = [p for p in planted if p.tag == "a"]
        rel = ""
        if related:
            rows = "".join(f'<li><a href="{h(p.url)}">{esc(p.text)}</a></li>' for p in related)
            rel = f'<div class="related"><h3>相关链接</h3><ul>{rows}</ul></div>'
        main = (
            self.crumbs(dept, page, (self.column_url(dept, doc.path, 1), column_name))
            + self.doc_html(dept, doc, column_name, "".join(paragraphs), page)
            + attach
            + rel
        )
        return self.shell(dept, doc.title, page, main, head=self.doc_head(dept, doc, column_name))

    def doc_head(self, dept: Department, doc: Doc, column_name: str) -> str:
        return ""

    def doc_html(self, dept: Department, doc: Doc, column_name: str, body: str, page: str) -> str:
        raise NotImplementedError

    def render_home(self, dept: Department, news: list[Item], page: str) -> str:
        main = (
            f'<div class="banner"><h1>{esc(dept.name)}</h1></div>'
            f'<div class="news-box"><h3>{esc(dept.short)}动态</h3>{self.simple_list(news, page)}</div>'
            f'<div class="entry"><a href="{self.href(self.root_url(dept), page)}">政府信息公开</a></div>'
        )
        return self.shell(dept, "首页", page, main)

    def render_sitemap(self, dept: Department, tree: tuple[TreeNode, ...], page: str) -> str:
        main = f'<h2>网站地图</h2><p><a href="{self.href(f"/{dept.id}/", page)}">首页</a></p>' + self.tree(tree, page)
        return self.shell(dept, "网站地图", page, main)

    def render_contact(self, dept: Department, page: str) -> str:
        main = (
            "<h2>联系我们</h2>"
            f"<p>单位名称：{esc(dept.name)}</p><p>办公地址：示例市市民中心</p>"
            "<p>办公电话：0000-12345678</p><p>邮政编码：000000</p>"
            "<p>办公时间：工作日上午9:00-12:00，下午13:30-17:30</p>"
        )
        return self.shell(dept, "联系我们", page, main)


#: a list as script-driven CMS templates (e.g. Hanweb's dataproxy) serve it: empty until a browser runs it
JS_LIST = """<ul class="list" id="js-list"></ul>
<script>
fetch("list.json").then(function (r) { return r.json(); }).then(function (items) {
  var ul = document.getElementById("js-list");
  items.forEach(function (it) {
    var li = document.createElement("li"), a = document.createElement("a"), span = document.createElement("span");
    a.href = it.url; a.textContent = it.title; a.title = it.title; span.textContent = it.date;
    li.appendChild(a); li.appendChild(span); ul.appendChild(li);
  });
});
</script>"""
