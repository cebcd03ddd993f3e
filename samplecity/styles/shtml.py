"""A .shtml CMS: list dates without the year ([11-15]), a 共3页 pager over index_1.shtml …, and the
publication time only in <meta name="PubDate"> (with ColumnName and ContentSource beside it)."""

from __future__ import annotations

import hashlib

from ..generate import Doc
from ..model import Department
from ._base import Item, Style, esc


class ShtmlStyle(Style):
    key = "shtml"

    def column_url(self, dept: Department, path: str, page: int) -> str:
        name = "index.shtml" if page == 1 else f"index_{page - 1}.shtml"
        return f"/{dept.id}/zwgk/{path}/{name}"

    def _slug(self, dept: Department, doc: Doc) -> str:
        return hashlib.md5(f"{dept.id}/{doc.id}".encode()).hexdigest()[:16]

    def doc_url(self, dept: Department, doc: Doc) -> str:
        return f"/{dept.id}/zwgk/{doc.path}/{doc.published:%Y%m}/{self._slug(dept, doc)}.shtml"

    def asset_url(self, dept: Department, doc: Doc, n: int, ext: str) -> str:
        return f"/{dept.id}/zwgk/{doc.path}/{doc.published:%Y%m}/{self._slug(dept, doc)}_{n}.{ext}"

    def list_html(self, items: list[Item], page: str, offset: int) -> str:
        rows = "".join(
            f'<li><span class="date">[{i.published:%m-%d}]</span><a href="{self.href(i.url, page)}" '
            f'title="{esc(i.title)}">{esc(self.short_title(i.title))}</a></li>\n'
            for i in items
        )
        return f'<ul class="infoList">\n{rows}</ul>'

    def pager_html(self, dept: Department, path: str, page_no: int, pages: int, page: str) -> str:
        def link(number: int, text: str) -> str:
            return f'<a href="{self.href(self.column_url(dept, path, number), page)}">{text}</a>'

        prev = link(page_no - 1, "上一页") if page_no > 1 else ""
        nxt = link(page_no + 1, "下一页") if page_no < pages else ""
        return (
            f'<div class="page">共{pages}页&nbsp;当前第{page_no}页&nbsp;'
            f'{link(1, "首页")}{prev}{nxt}{link(pages, "末页")}</div>'
        )

    def doc_head(self, dept: Department, doc: Doc, column_name: str) -> str:
        return (
            f'<meta name="ArticleTitle" content="{esc(doc.title)}">\n'
            f'<meta name="PubDate" content="{doc.published:%Y-%m-%d %H:%M}">\n'
            f'<meta name="ColumnName" content="{esc(column_name)}">\n'
            f'<meta name="ContentSource" content="{esc(dept.name)}">\n'
        )

    def doc_html(self, dept: Department, doc: Doc, column_name: str, body: str, page: str) -> str:
        number = f"<span>文号：{esc(doc.number)}</span>" if doc.number else ""
        return (
            f'<div class="article"><h1>{esc(doc.title)}</h1>'
            f'<div class="property"><span>发布时间：{self.date(doc.published)}</span>'
            f"<span>来源：{esc(dept.name)}</span>{number}</div>"
            f'<div class="xxgk-info">索引号：{esc(doc.index_no)}　发布机构：{esc(dept.name)}　'
            f"成文日期：{self.date(doc.written)}</div>"
            f'<div class="TRS_UEDITOR">{body}</div></div>'
        )
