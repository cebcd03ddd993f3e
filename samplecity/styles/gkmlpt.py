"""拓尔思 gkmlpt-like: absolute hrefs, a 序号/索引号/名称/发布日期 table, pages ?pageIndex=N,
documents under content/post_N.html."""

from __future__ import annotations

from ..generate import Doc
from ..model import Department
from ._base import Item, Style, esc


class GkmlptStyle(Style):
    key = "gkmlpt"
    href_mode = "absolute"
    title_limit = 40

    def column_url(self, dept: Department, path: str, page: int) -> str:
        suffix = "" if page == 1 else f"?pageIndex={page}"
        return f"/{dept.id}/zwgk/{path}/index.html{suffix}"

    def doc_url(self, dept: Department, doc: Doc) -> str:
        return f"/{dept.id}/zwgk/{doc.path}/content/post_{doc.id}.html"

    def asset_url(self, dept: Department, doc: Doc, n: int, ext: str) -> str:
        return f"/{dept.id}/attachment/0/{doc.id // 1000}/{doc.id}/{doc.id}{n}.{ext}"

    def list_html(self, items: list[Item], page: str, offset: int) -> str:
        rows = "".join(
            f'<tr><td class="first">{offset + n}</td><td>{esc(i.index_no)}</td>'
            f'<td class="name"><a href="{self.href(i.url, page)}" target="_blank" title="{esc(i.title)}">'
            f"{esc(self.short_title(i.title))}</a></td><td>{self.date(i.published)}</td></tr>\n"
            for n, i in enumerate(items, start=1)
        )
        return (
            '<table class="gkml-table"><thead><tr><th>序号</th><th>索引号</th><th>名称</th><th>发布日期</th>'
            f"</tr></thead>\n<tbody>\n{rows}</tbody></table>"
        )

    def pager_html(self, dept: Department, path: str, page_no: int, pages: int, page: str) -> str:
        def link(number: int, text: str) -> str:
            return f'<a href="{self.href(self.column_url(dept, path, number), page)}">{text}</a>'

        numbers = "".join(
            f'<span class="current">{n}</span>' if n == page_no else link(n, str(n)) for n in range(1, pages + 1)
        )
        prev = link(page_no - 1, "上一页") if page_no > 1 else '<span class="disabled">上一页</span>'
        nxt = link(page_no + 1, "下一页") if page_no < pages else '<span class="disabled">下一页</span>'
        return f'<div class="pagination">{prev}{numbers}{nxt}<span>共{pages}页</span></div>'

    def doc_html(self, dept: Department, doc: Doc, column_name: str, body: str, page: str) -> str:
        number = esc(doc.number) if doc.number else ""
        return (
            '<div class="classify"><table>'
            f"<tr><th>索引号：</th><td>{esc(doc.index_no)}</td><th>分类：</th><td>{esc(doc.topic_class)}</td></tr>"
            f"<tr><th>发布机构：</th><td>{esc(dept.name)}</td><th>成文日期：</th><td>{self.date(doc.written)}</td></tr>"
            f'<tr><th>名称：</th><td colspan="3">{esc(doc.title)}</td></tr>'
            f"<tr><th>文号：</th><td>{number}</td><th>发布日期：</th><td>{self.date(doc.published)}</td></tr>"
            "</table></div>"
            f'<div class="article"><h1>{esc(doc.title)}</h1>'
            f'<div class="date">发布时间：{doc.published:%Y-%m-%d %H:%M:%S}</div>'
            f'<div class="article-content">{body}</div></div>'
        )
