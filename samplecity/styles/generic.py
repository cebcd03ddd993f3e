"""A generic municipal CMS: <ul class="list"> with dates in <span>, and a 首页/上一页/下一页/尾页 pager."""

from __future__ import annotations

from ..generate import Doc
from ..model import Department
from ._base import Item, Style, esc


class GenericStyle(Style):
    key = "generic"

    def column_url(self, dept: Department, path: str, page: int) -> str:
        name = "index.html" if page == 1 else f"index_{page}.html"
        return f"/{dept.id}/zwgk/{path}/{name}"

    def doc_url(self, dept: Department, doc: Doc) -> str:
        return f"/{dept.id}/zwgk/{doc.path}/content_{doc.id}.html"

    def asset_url(self, dept: Department, doc: Doc, n: int, ext: str) -> str:
        return f"/{dept.id}/uploadfiles/{doc.published:%Y%m}/{doc.id}_{n}.{ext}"

    def list_html(self, items: list[Item], page: str, offset: int) -> str:
        rows = "".join(
            f'<li><a href="{self.href(i.url, page)}" target="_blank" title="{esc(i.title)}">'
            f"{esc(self.short_title(i.title))}</a><span>{self.date(i.published)}</span></li>\n"
            for i in items
        )
        return f'<ul class="list">\n{rows}</ul>'

    def pager_html(self, dept: Department, path: str, page_no: int, pages: int, page: str) -> str:
        def link(number: int, text: str) -> str:
            return f'<a href="{self.href(self.column_url(dept, path, number), page)}">{text}</a>'

        prev = link(page_no - 1, "上一页") if page_no > 1 else "<span>上一页</span>"
        nxt = link(page_no + 1, "下一页") if page_no < pages else "<span>下一页</span>"
        return (
            f'<div class="pager">{link(1, "首页")}{prev}{nxt}{link(pages, "尾页")}'
            f"<span>第{page_no}页/共{pages}页</span></div>"
        )

    def doc_html(self, dept: Department, doc: Doc, column_name: str, body: str, page: str) -> str:
        meta = [f"<li><b>索引号：</b>{esc(doc.index_no)}</li>", f"<li><b>发布机构：</b>{esc(dept.name)}</li>"]
        if doc.number:
            meta += [f"<li><b>文号：</b>{esc(doc.number)}</li>", f"<li><b>成文日期：</b>{self.date(doc.written)}</li>"]
        return (
            f'<div class="article"><h1>{esc(doc.title)}</h1>'
            f'<div class="info"><span>发布时间：{self.datetime(doc.published)}</span>'
            f"<span>来源：{esc(dept.name)}</span></div>"
            f'<ul class="meta">{"".join(meta)}</ul>'
            f'<div class="content">{body}</div></div>'
        )
