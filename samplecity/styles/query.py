"""A JSP-era CMS: query-string pages (list.html?page=2) with numbered links, dates as 2026/11/15."""

from __future__ import annotations

from datetime import date, datetime

from ..generate import Doc
from ..model import Department
from ._base import Item, Style, esc


class QueryStyle(Style):
    key = "query"
    href_mode = "relative"

    def column_url(self, dept: Department, path: str, page: int) -> str:
        suffix = "" if page == 1 else f"?page={page}"
        return f"/{dept.id}/zwgk/{path}/list.html{suffix}"

    def doc_url(self, dept: Department, doc: Doc) -> str:
        return f"/{dept.id}/zwgk/{doc.path}/show.html?id={doc.id}"

    def asset_url(self, dept: Department, doc: Doc, n: int, ext: str) -> str:
        return f"/{dept.id}/upload/{doc.published:%Y%m%d}/{doc.id}_{n}.{ext}"

    def href(self, url: str, page: str) -> str:
        written = super().href(url, page)
        # list.html?page=2, as the CMS writes it; "./" itself stays (an empty href is too easily lost)
        return written[2:] if written.startswith("./") and len(written) > 2 else written

    def date(self, day: date | datetime) -> str:
        return f"{day:%Y/%m/%d}"

    def list_html(self, items: list[Item], page: str, offset: int) -> str:
        rows = "".join(
            f'<div class="item"><a href="{self.href(i.url, page)}" title="{esc(i.title)}">'
            f'{esc(self.short_title(i.title))}</a><em>{self.date(i.published)}</em></div>\n'
            for i in items
        )
        return f'<div class="newslist">\n{rows}</div>'

    def pager_html(self, dept: Department, path: str, page_no: int, pages: int, page: str) -> str:
        def link(number: int, text: str) -> str:
            return f'<a href="{self.href(self.column_url(dept, path, number), page)}">{text}</a>'

        numbers = "".join(
            f"<b>{n}</b>" if n == page_no else link(n, str(n)) for n in range(1, pages + 1)
        )
        prev = link(page_no - 1, "上一页") if page_no > 1 else ""
        nxt = link(page_no + 1, "下一页") if page_no < pages else ""
        return f'<div class="pagination">{prev}{numbers}{nxt}</div>'

    def doc_html(self, dept: Department, doc: Doc, column_name: str, body: str, page: str) -> str:
        extra = f"&nbsp;&nbsp;文号：{esc(doc.number)}" if doc.number else ""
        return (
            f'<div class="detail"><h2>{esc(doc.title)}</h2>'
            f'<div class="article-info">发布日期：{self.date(doc.published)}&nbsp;&nbsp;'
            f"来源：{esc(dept.name)}{extra}</div>"
            f'<div class="gk-info">索引号：{esc(doc.index_no)}&nbsp;&nbsp;成文日期：{self.date(doc.written)}'
            f"&nbsp;&nbsp;发布机构：{esc(dept.name)}</div>"
            f'<div class="article-content">{body}</div></div>'
        )
