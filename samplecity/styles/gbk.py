"""An old table-layout CMS serving GBK with no charset anywhere (no header parameter, no <meta>),
dates as 2026年11月15日, pages index.htm / index_2.htm with 上一页/下一页 links."""

from __future__ import annotations

from datetime import date, datetime

from ..generate import Doc
from ..model import Department
from ._base import Item, Style, esc


class GbkStyle(Style):
    key = "gbk"
    encoding = "gbk"
    declare_charset = False

    def column_url(self, dept: Department, path: str, page: int) -> str:
        name = "index.htm" if page == 1 else f"index_{page}.htm"
        return f"/{dept.id}/zwgk/{path}/{name}"

    def doc_url(self, dept: Department, doc: Doc) -> str:
        return f"/{dept.id}/zwgk/{doc.path}/{doc.published:%Y%m%d}{doc.id}.htm"

    def asset_url(self, dept: Department, doc: Doc, n: int, ext: str) -> str:
        return f"/{dept.id}/zwgk/upfiles/{doc.published:%Y%m%d}{doc.id}_{n}.{ext}"

    def date(self, day: date | datetime) -> str:
        return f"{day.year}年{day.month:02d}月{day.day:02d}日"

    def datetime(self, moment: datetime) -> str:
        return f"{self.date(moment)} {moment:%H:%M}"

    def list_html(self, items: list[Item], page: str, offset: int) -> str:
        rows = "".join(
            f'<tr><td class="dot">·</td><td class="t"><a href="{self.href(i.url, page)}" target="_blank" '
            f'title="{esc(i.title)}">{esc(self.short_title(i.title))}</a></td>'
            f'<td class="d" align="right">{self.date(i.published)}</td></tr>\n'
            for i in items
        )
        return f'<table class="list" width="100%" border="0" cellspacing="0" cellpadding="0">\n{rows}</table>'

    def pager_html(self, dept: Department, path: str, page_no: int, pages: int, page: str) -> str:
        def link(number: int, text: str) -> str:
            return f'<a href="{self.href(self.column_url(dept, path, number), page)}">{text}</a>'

        prev = link(page_no - 1, "上一页") if page_no > 1 else "上一页"
        nxt = link(page_no + 1, "下一页") if page_no < pages else "下一页"
        return (
            f'<table class="pager" width="100%"><tr><td align="center">第{page_no}页&nbsp;共{pages}页&nbsp;'
            f"{prev}&nbsp;{nxt}</td></tr></table>"
        )

    def doc_html(self, dept: Department, doc: Doc, column_name: str, body: str, page: str) -> str:
        # the time of day shows on every other document, as on sites whose editors sometimes fill it in
        when = self.datetime(doc.published) if doc.id % 2 == 0 else self.date(doc.published)
        number = esc(doc.number) if doc.number else ""
        return (
            '<table class="article" width="100%" border="0">'
            f'<tr><td class="title" align="center"><h1>{esc(doc.title)}</h1></td></tr>'
            f'<tr><td class="info" align="center">发布时间：{when}&nbsp;&nbsp;信息来源：{esc(dept.name)}</td></tr>'
            f'<tr><td><table class="gkxx" border="1"><tr><td>索引号</td><td>{esc(doc.index_no)}</td>'
            f"<td>发布机构</td><td>{esc(dept.name)}</td></tr><tr><td>文号</td><td>{number}</td>"
            f"<td>成文日期</td><td>{self.date(doc.written)}</td></tr></table></td></tr>"
            f'<tr><td class="content">{body}</td></tr></table>'
        )
